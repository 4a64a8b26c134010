package formats

import (
	"database/sql"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// gpkgBlob wraps WKB in a GeoPackage header without an envelope.
func gpkgBlob(srs int32, w []byte) []byte {
	b := []byte{'G', 'P', 0, 0x01, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(b[4:], uint32(srs))
	return append(b, w...)
}

// pointZWKB is ISO WKB for POINT Z.
func pointZWKB(x, y, z float64) []byte {
	b := []byte{1, 0xe9, 0x03, 0, 0} // 1001
	for _, v := range []float64{x, y, z} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// writeGPKG makes a GeoPackage with a UTM 44N block layer and a second,
// WGS 84 pillar layer.
func writeGPKG(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "blocks.gpkg")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	poly := must(wkb.Marshal(orb.Polygon{cwRect(730000, 2648000, 736000, 2652000)}))
	stmts := []string{
		`PRAGMA application_id = 1196444487`,
		`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`,
		`INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]', NULL)`,
		`INSERT INTO gpkg_spatial_ref_sys VALUES ('UTM 44N', 100044, 'NONE', 100044, '` + strings.ReplaceAll(readPRJ(t, "32644.esri.prj"), "'", "''") + `', NULL)`,
		`CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)`,
		`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL)`,
		`INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('coal_blocks', 'features', 100044), ('pillars', 'features', 4326), ('notes', 'attributes', 0)`,
		`INSERT INTO gpkg_geometry_columns VALUES ('coal_blocks', 'geom', 'POLYGON', 100044, 0, 0), ('pillars', 'shape', 'POINT', 4326, 1, 0)`,
		`CREATE TABLE coal_blocks (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, name TEXT, name_hi TEXT, area REAL, block_no MEDIUMINT, allotted BOOLEAN, allot_date DATE, updated DATETIME)`,
		`CREATE TABLE pillars (id INTEGER PRIMARY KEY, shape BLOB, no INTEGER)`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	ins := `INSERT INTO coal_blocks (geom, name, name_hi, area, block_no, allotted, allot_date, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	rows := [][]any{
		{gpkgBlob(100044, poly), "Dhirauli", "धिरौली", 23.5, 101, 1, "2020-08-17", "2024-01-02T03:04:05Z"},
		{[]byte{'G', 'P', 0, 0x11, 0x44, 0x87, 1, 0}, "Empty", nil, nil, nil, 0, nil, nil},
		{nil, "No geometry", nil, 7, 102, nil, nil, nil},
	}
	for _, r := range rows {
		if _, err := db.Exec(ins, r...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO pillars VALUES (7, ?, 1)`, gpkgBlob(4326, pointZWKB(82.33, 23.95, 312))); err != nil {
		t.Fatal(err)
	}
	return p
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func readPRJ(t *testing.T, name string) string {
	t.Helper()
	c, err := crsFromPRJ(string(mustRead(t, filepath.Join("testdata", "prj", name))))
	if err != nil {
		t.Fatal(err)
	}
	return c.WKT
}

func TestGPKG(t *testing.T) {
	p := writeGPKG(t)
	t.Run("path with spaces and #", func(t *testing.T) {
		q := filepath.Join(t.TempDir(), "coal blocks #1.gpkg")
		if err := os.WriteFile(q, mustRead(t, p), 0o644); err != nil {
			t.Fatal(err)
		}
		if fs := readAll(t, mustOpen(t, q, Options{SourceLayer: "pillars"})); len(fs) != 1 {
			t.Errorf("%d features", len(fs))
		}
	})
	t.Run("two layers need SourceLayer", func(t *testing.T) {
		_, err := Open(p, Options{})
		wantError(t, err, nil, -1, "2 feature layers (coal_blocks, pillars)", "--source-layer", "source_layer=")
		if strings.Contains(err.Error(), "SourceLayer") {
			t.Errorf("message names a Go field: %v", err)
		}
		_, err = Open(p, Options{SourceLayer: "roads"})
		wantError(t, err, nil, -1, `no feature layer "roads"`)
	})
	t.Run("coal_blocks", func(t *testing.T) {
		src := mustOpen(t, p, Options{SourceLayer: "coal_blocks"})
		if c := src.CRS(); c.SRID != 32644 || !strings.Contains(c.WKT, "UTM") {
			t.Errorf("CRS = %+v (the srs is not EPSG-registered: matched from its WKT)", c)
		}
		want := []Field{{"name", "name", Text}, {"name_hi", "name_hi", Text}, {"area", "area", Real},
			{"block_no", "block_no", Integer}, {"allotted", "allotted", Boolean}, {"allot_date", "allot_date", Date}, {"updated", "updated", Timestamp}}
		if got := src.Fields(); !reflect.DeepEqual(got, want) {
			t.Errorf("Fields =\n%v\nwant\n%v", got, want)
		}
		fs := readAll(t, src)
		if len(fs) != 3 {
			t.Fatalf("%d features", len(fs))
		}
		wantProps := map[string]any{"name": "Dhirauli", "name_hi": "धिरौली", "area": 23.5, "block_no": int64(101), "allotted": true,
			"allot_date": time.Date(2020, 8, 17, 0, 0, 0, 0, time.UTC), "updated": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
		if !reflect.DeepEqual(fs[0].Properties, wantProps) {
			t.Errorf("properties\n%v\nwant\n%v", fs[0].Properties, wantProps)
		}
		if fs[0].ID != "1" || !reflect.DeepEqual(fs[0].Geometry, orb.Polygon{cwRect(730000, 2648000, 736000, 2652000)}) {
			t.Errorf("feature 0: id %q geometry %v", fs[0].ID, fs[0].Geometry)
		}
		if fs[1].Geometry != nil || fs[2].Geometry != nil || fs[2].Properties["area"] != 7.0 {
			t.Errorf("features 1, 2: %v %v", fs[1], fs[2])
		}
		if st := src.Stats(); st.NullGeometries != 2 {
			t.Errorf("Stats = %+v", st)
		}
	})
	t.Run("pillars with Z", func(t *testing.T) {
		src := mustOpen(t, p, Options{SourceLayer: "PILLARS"})
		fs := readAll(t, src)
		if len(fs) != 1 || fs[0].ID != "7" || fs[0].Geometry != (orb.Point{82.33, 23.95}) || src.CRS().SRID != 4326 {
			t.Errorf("features %v CRS %+v", fs, src.CRS())
		}
		if src.Stats().ZDropped != 1 {
			t.Error("Z not counted")
		}
	})
	t.Run("matches GDAL", func(t *testing.T) {
		requireGDAL(t)
		out := ogrGeoJSONSeq(t, p, "coal_blocks") // reprojected to 4326 by GDAL
		if !strings.Contains(out, "धिरौली") || !strings.Contains(out, "83.2596409, 23.9271396") || strings.Count(out, "\n") != 3 {
			t.Errorf("GDAL reads the test GeoPackage differently:\n%s", out)
		}
	})
	t.Run("not a geopackage", func(t *testing.T) {
		q := filepath.Join(t.TempDir(), "x.gpkg")
		db, _ := sql.Open("sqlite", q)
		db.Exec(`CREATE TABLE t (a)`)
		db.Close()
		_, err := Open(q, Options{})
		wantError(t, err, nil, -1, "not a GeoPackage")
	})
}

func TestParseWKB(t *testing.T) {
	line := orb.LineString{{1, 2}, {3, 4}}
	tests := []struct {
		name string
		b    []byte
		want orb.Geometry
		z    bool
		err  string
	}{
		{"linestring", must(wkb.Marshal(line)), line, false, ""},
		{"big endian", must(wkb.Marshal(line, binary.BigEndian)), line, false, ""},
		{"multipolygon", must(wkb.Marshal(orb.MultiPolygon{{cwRect(0, 0, 1, 1)}})), orb.MultiPolygon{{cwRect(0, 0, 1, 1)}}, false, ""},
		{"collection", must(wkb.Marshal(orb.Collection{orb.Point{1, 2}, line})), orb.Collection{orb.Point{1, 2}, line}, false, ""},
		{"point z", pointZWKB(1, 2, 3), orb.Point{1, 2}, true, ""},
		{"ewkb point z", []byte{1, 1, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0}, orb.Point{1, 2}, true, ""},
		{"point empty", []byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f}, nil, false, ""},
		{"truncated", must(wkb.Marshal(line))[:20], nil, false, "does not fit"},
		{"huge count", []byte{1, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f}, nil, false, "does not fit"},
		{"bad order", []byte{7, 1, 0, 0, 0}, nil, false, "byte order"},
		{"bad type", []byte{1, 99, 0, 0, 0}, nil, false, "unsupported"},
		{"trailing", append(must(wkb.Marshal(orb.Point{1, 2})), 0), nil, false, "after the geometry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, z, err := parseWKB(tt.b)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g, tt.want) || z != tt.z {
				t.Errorf("got %v %v, want %v %v", g, z, tt.want, tt.z)
			}
		})
	}
}

func FuzzGPKGBlob(f *testing.F) {
	f.Add(gpkgBlob(4326, pointZWKB(82.33, 23.95, 312)))
	f.Add(gpkgBlob(4326, must(wkb.Marshal(orb.MultiPolygon{{cwRect(0, 0, 1, 1), ccwRect(0.2, 0.2, 0.4, 0.4)}}))))
	f.Add(gpkgBlob(4326, must(wkb.Marshal(orb.Collection{orb.Point{1, 2}, orb.LineString{{1, 2}, {3, 4}}}))))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, _, err := parseGPKGBlob(b)
		if err == nil && g != nil {
			_ = validateGeometry(g)
		}
	})
}
