package formats

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestShapefileBlocks(t *testing.T) {
	src := mustOpen(t, filepath.Join("testdata", "blocks", "blocks.shp"), Options{})
	if got := src.CRS(); got.SRID != 32644 || got.From != "file .prj" || !strings.Contains(got.WKT, "UTM_Zone_44N") {
		t.Errorf("CRS = %+v, want 32644 from file .prj", got)
	}
	if name, from := src.Encoding(); name != "UTF-8" || from != "detected (no .cpg)" {
		t.Errorf("Encoding = %q, %q", name, from)
	}
	wantFields := []Field{
		{"NAME", "NAME", Text}, {"NAME_HI", "NAME_HI", Text}, {"AREA_KM2", "AREA_KM2", Real},
		{"BLOCK_NO", "BLOCK_NO", Integer}, {"ALLOTTED", "ALLOTTED", Boolean},
		{"ALLOT_DATE", "ALLOT_DATE", Date}, {"COALFIELD_", "COALFIELD_", Text},
	}
	if got := src.Fields(); !reflect.DeepEqual(got, wantFields) {
		t.Errorf("Fields =\n%v\nwant\n%v", got, wantFields)
	}
	fs := readAll(t, src)
	if len(fs) != 4 {
		t.Fatalf("%d features, want 4", len(fs))
	}
	t.Run("hindi survives", func(t *testing.T) {
		if got := fs[0].Properties["NAME_HI"]; got != "धिरौली कोयला ब्लॉक" {
			t.Errorf("NAME_HI = %q", got)
		}
		if got := fs[3].Properties["NAME_HI"]; got != "कोयला" {
			t.Errorf("NAME_HI = %q, want कोयला", got)
		}
	})
	t.Run("typed values", func(t *testing.T) {
		p := fs[0].Properties
		want := map[string]any{"NAME": "Dhirauli", "NAME_HI": "धिरौली कोयला ब्लॉक", "AREA_KM2": 23.5,
			"BLOCK_NO": int64(101), "ALLOTTED": true, "ALLOT_DATE": time.Date(2020, 8, 17, 0, 0, 0, 0, time.UTC),
			"COALFIELD_": "Singrauli"}
		if !reflect.DeepEqual(p, want) {
			t.Errorf("properties = %v, want %v", p, want)
		}
		p = fs[3].Properties
		for _, k := range []string{"AREA_KM2", "BLOCK_NO", "ALLOTTED", "ALLOT_DATE", "COALFIELD_"} {
			if p[k] != nil {
				t.Errorf("blank %s = %#v, want nil", k, p[k])
			}
		}
		if fs[2].Properties["ALLOTTED"] != nil || fs[2].Properties["ALLOT_DATE"] != nil {
			t.Errorf("'?' logical and 00000000 date should be null: %v", fs[2].Properties)
		}
	})
	t.Run("holes go to their outer ring", func(t *testing.T) {
		p, ok := fs[0].Geometry.(orb.Polygon)
		if !ok || len(p) != 2 {
			t.Fatalf("feature 0 = %s, want a Polygon with a hole", fmtGeom(fs[0].Geometry))
		}
		mp, ok := fs[1].Geometry.(orb.MultiPolygon)
		if !ok || len(mp) != 2 || len(mp[0]) != 1 || len(mp[1]) != 2 {
			t.Fatalf("feature 1 = %s, want 2 polygons, the second with the hole", fmtGeom(fs[1].Geometry))
		}
		if mp[1][0][0] != (orb.Point{744000, 2648000}) {
			t.Errorf("hole assigned to the wrong outer: %v", mp)
		}
		mp, ok = fs[2].Geometry.(orb.MultiPolygon)
		if !ok || len(mp) != 2 || len(mp[0]) != 2 || len(mp[1]) != 1 {
			t.Fatalf("feature 2 = %s, want outer+hole and an island", fmtGeom(fs[2].Geometry))
		}
		if fs[3].Geometry != nil {
			t.Errorf("null shape gave %v", fs[3].Geometry)
		}
	})
	st := src.Stats()
	if fi, _ := os.Stat(filepath.Join("testdata", "blocks", "blocks.shp")); st.BytesRead != fi.Size() || st.BytesTotal != fi.Size() {
		t.Errorf("progress %d/%d, want all of %d bytes", st.BytesRead, st.BytesTotal, fi.Size())
	}
	if st.Features != 4 || st.NullGeometries != 1 || st.GeometryTypes["Polygon"] != 1 || st.GeometryTypes["MultiPolygon"] != 2 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestShapefileGeometryTypes(t *testing.T) {
	line := orb.LineString{{82.1, 23.8}, {82.2, 23.9}}
	tests := []struct {
		name  string
		geoms []orb.Geometry
		z     bool
		want  orb.Geometry
		zdrop int64
	}{
		{"point", []orb.Geometry{orb.Point{82.33, 23.95}}, false, orb.Point{82.33, 23.95}, 0},
		{"pointz", []orb.Geometry{orb.Point{82.33, 23.95}}, true, orb.Point{82.33, 23.95}, 1},
		{"multipoint", []orb.Geometry{orb.MultiPoint{{1, 2}, {3, 4}}}, false, orb.MultiPoint{{1, 2}, {3, 4}}, 0},
		{"line", []orb.Geometry{line}, false, line, 0},
		{"linez", []orb.Geometry{line}, true, line, 1},
		{"multiline", []orb.Geometry{orb.MultiLineString{line, {{5, 5}, {6, 6}}}}, false, orb.MultiLineString{line, {{5, 5}, {6, 6}}}, 0},
		{"polygonz", []orb.Geometry{orb.Polygon{cwRect(0, 0, 1, 1)}}, true, orb.Polygon{cwRect(0, 0, 1, 1)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := newTestShapefile(tt.geoms, tt.z, []dbfCol{{"ID", 'N', 4, 0}}, [][]string{{"1"}}).write(t, dir, "x")
			src := mustOpen(t, p, Options{})
			fs := readAll(t, src)
			if len(fs) != 1 || !reflect.DeepEqual(fs[0].Geometry, tt.want) {
				t.Fatalf("got %v, want %s", fs, fmtGeom(tt.want))
			}
			if st := src.Stats(); st.ZDropped != tt.zdrop {
				t.Errorf("ZDropped = %d, want %d", st.ZDropped, tt.zdrop)
			}
			if c := src.CRS(); c.SRID != 0 || c.From != "no .prj" {
				t.Errorf("CRS without .prj = %+v, want unknown", c)
			}
		})
	}
}

func TestShapefileEncoding(t *testing.T) {
	hindi := "कोयला"
	latin1 := "Sarda\xe9" // é in Latin-1 / windows-1252
	tests := []struct {
		name     string
		value    string
		cpg      string // "" for none
		opt      string
		want     string
		wantName string
		wantFrom string
	}{
		{"utf8 no cpg", hindi, "", "", hindi, "UTF-8", "detected (no .cpg)"},
		{"latin1 no cpg", latin1, "", "", "Sardaé", "windows-1252", "detected (no .cpg, not UTF-8)"},
		{"ascii no cpg", "Pelma", "", "", "Pelma", "UTF-8", "detected (no .cpg)"},
		{"cpg utf8", hindi, "UTF-8", "", hindi, "UTF-8", ".cpg"},
		{"cpg lies 1252", hindi, "1252", "", hindi, "UTF-8", "detected (.cpg says 1252, content is UTF-8)"},
		{"cpg lies utf8", latin1, "UTF-8", "", "Sardaé", "windows-1252", "detected (.cpg says UTF-8, content is not UTF-8)"},
		{"cpg 1252", latin1, "ANSI 1252", "", "Sardaé", "windows-1252", ".cpg"},
		{"cpg 88591", latin1, "88591", "", "Sardaé", "ISO-8859-1", ".cpg"},
		{"cpg unknown", hindi, "klingon", "", hindi, "UTF-8", `detected (.cpg "klingon" unknown)`},
		{"option", latin1, "UTF-8", "windows-1252", "Sardaé", "windows-1252", "option"},
		{"cut mid-character", "कोयला", "", "", "कोय", "UTF-8", "detected (no .cpg)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			width := 40
			if tt.name == "cut mid-character" {
				width = 10 // 3 whole characters and one byte of the fourth
			}
			s := newTestShapefile([]orb.Geometry{orb.Point{1, 2}}, false, []dbfCol{{"NAME", 'C', width, 0}}, [][]string{{tt.value}})
			if tt.cpg != "" {
				s[".cpg"] = []byte(tt.cpg)
			}
			src := mustOpen(t, s.write(t, dir, "enc"), Options{Encoding: tt.opt})
			fs := readAll(t, src)
			if got := fs[0].Properties["NAME"]; got != tt.want {
				t.Errorf("NAME = %q, want %q", got, tt.want)
			}
			if n, f := src.Encoding(); n != tt.wantName || f != tt.wantFrom {
				t.Errorf("Encoding = %q, %q; want %q, %q", n, f, tt.wantName, tt.wantFrom)
			}
		})
	}
}

func TestShapefileFieldNames(t *testing.T) {
	dir := t.TempDir()
	cols := []dbfCol{{"POPULATION", 'N', 8, 0}, {"POPULATION", 'N', 8, 0}, {"Coalfield", 'C', 10, 0}}
	p := newTestShapefile([]orb.Geometry{orb.Point{1, 2}}, false, cols, [][]string{{"1", "2", "Ib Valley"}}).write(t, dir, "names")
	src := mustOpen(t, p, Options{})
	want := []Field{{"POPULATION", "POPULATION", Integer}, {"POPULATION_2", "POPULATION", Integer}, {"Coalfield", "Coalfield", Text}}
	if got := src.Fields(); !reflect.DeepEqual(got, want) {
		t.Errorf("Fields = %v, want %v", got, want)
	}
	fs := readAll(t, src)
	if fs[0].Properties["POPULATION_2"] != int64(2) || fs[0].Properties["Coalfield"] != "Ib Valley" {
		t.Errorf("properties = %v", fs[0].Properties)
	}
}

func TestShapefileUnknownIDField(t *testing.T) {
	_, err := Open(filepath.Join("testdata", "blocks", "blocks.shp"), Options{IDField: "BLOCK_ID"})
	wantError(t, err, nil, -1, `no attribute "BLOCK_ID"`, "BLOCK_NO")
}

func TestShapefileDeletedRecords(t *testing.T) {
	dir := t.TempDir()
	shp, shx := shpBytes([]orb.Geometry{orb.Point{1, 1}, orb.Point{2, 2}, orb.Point{3, 3}}, false)
	s := testShapefile{".shp": shp, ".shx": shx,
		".dbf": dbfBytes([]dbfCol{{"N", 'N', 2, 0}}, [][]string{{"1"}, {"2"}, {"3"}}, map[int]bool{1: true})}
	src := mustOpen(t, s.write(t, dir, "del"), Options{IDField: "N"})
	fs := readAll(t, src)
	if len(fs) != 2 || fs[1].Index != 2 || fs[1].ID != "3" {
		t.Fatalf("features = %v, want indexes 0 and 2", fs)
	}
	if st := src.Stats(); st.Skipped != 1 || st.Features != 2 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestShapefileErrors(t *testing.T) {
	pt := []orb.Geometry{orb.Point{1, 2}, orb.Point{3, 4}}
	cols := []dbfCol{{"N", 'N', 2, 0}}
	tests := []struct {
		name   string
		files  func() testShapefile
		opt    Options
		atOpen bool
		target error
		index  int
		frags  []string
	}{
		{"missing dbf", func() testShapefile {
			s := newTestShapefile(pt, false, cols, [][]string{{"1"}, {"2"}})
			delete(s, ".dbf")
			return s
		}, Options{}, true, nil, -1, []string{"x.dbf is missing"}},
		{"count mismatch with shx", func() testShapefile {
			return newTestShapefile(pt, false, cols, [][]string{{"1"}})
		}, Options{}, true, nil, -1, []string{".shx indexes 2 shapes but the .dbf has 1 records"}},
		{"dbf shorter without shx", func() testShapefile {
			s := newTestShapefile(pt, false, cols, [][]string{{"1"}})
			delete(s, ".shx")
			return s
		}, Options{}, false, nil, -1, []string{"the .dbf has 1 records but the .shp has more shapes"}},
		{"dbf longer without shx", func() testShapefile {
			s := newTestShapefile(pt, false, cols, [][]string{{"1"}, {"2"}, {"3"}})
			delete(s, ".shx")
			return s
		}, Options{}, false, nil, -1, []string{"the .shp has 2 shapes but the .dbf has 3 records"}},
		{"NaN coordinate", func() testShapefile {
			return newTestShapefile([]orb.Geometry{orb.Point{1, 2}, orb.Point{math.NaN(), 4}}, false, cols, [][]string{{"1"}, {"2"}})
		}, Options{}, false, ErrInvalidGeometry, 1, []string{"feature 1", "NaN"}},
		{"unclosed ring", func() testShapefile {
			return newTestShapefile([]orb.Geometry{orb.Polygon{ring(0, 0, 0, 1, 1, 1, 1, 0)}}, false, cols, [][]string{{"1"}})
		}, Options{}, false, ErrInvalidGeometry, 0, []string{"ring 0 not closed"}},
		{"not a shp", func() testShapefile {
			s := newTestShapefile(pt, false, cols, [][]string{{"1"}, {"2"}})
			s[".shp"] = []byte(strings.Repeat("x", 200))
			return s
		}, Options{}, true, nil, -1, []string{"not a .shp file"}},
		{"empty shp", func() testShapefile {
			s := newTestShapefile(pt, false, cols, [][]string{{"1"}, {"2"}})
			s[".shp"] = []byte{}
			return s
		}, Options{}, true, ErrEmpty, -1, []string{"empty"}},
		{"unknown encoding option", func() testShapefile {
			return newTestShapefile(pt, false, cols, [][]string{{"1"}, {"2"}})
		}, Options{Encoding: "EBCDIC-Klingon"}, true, nil, -1, []string{"unknown encoding"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.files().write(t, t.TempDir(), "x")
			src, err := Open(p, tt.opt)
			if tt.atOpen {
				wantError(t, err, tt.target, tt.index, tt.frags...)
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer src.Close()
			_, err = readErr(src)
			wantError(t, err, tt.target, tt.index, tt.frags...)
		})
	}
}

func TestShapefileFolderAndZip(t *testing.T) {
	blocks := blocksShapefile()
	other := newTestShapefile([]orb.Geometry{orb.Point{1, 2}}, false, []dbfCol{{"N", 'N', 2, 0}}, [][]string{{"1"}})

	t.Run("folder with one", func(t *testing.T) {
		dir := t.TempDir()
		blocks.write(t, dir, "blocks")
		fs := readAll(t, mustOpen(t, dir, Options{}))
		if len(fs) != 4 {
			t.Errorf("%d features", len(fs))
		}
	})
	t.Run("folder with two needs SourceLayer", func(t *testing.T) {
		dir := t.TempDir()
		blocks.write(t, dir, "blocks")
		other.write(t, dir, "pillars")
		_, err := Open(dir, Options{})
		wantError(t, err, nil, -1, "holds 2 shapefiles", "blocks.shp", "pillars.shp", "--source-layer", "source_layer=")
		fs := readAll(t, mustOpen(t, dir, Options{SourceLayer: "pillars"}))
		if len(fs) != 1 {
			t.Errorf("%d features", len(fs))
		}
	})
	t.Run("upper-case extensions", func(t *testing.T) {
		dir := t.TempDir()
		for ext, b := range blocks {
			os.WriteFile(filepath.Join(dir, "BLOCKS"+strings.ToUpper(ext)), b, 0o644)
		}
		src := mustOpen(t, filepath.Join(dir, "BLOCKS.SHP"), Options{})
		if src.CRS().SRID != 32644 || len(readAll(t, src)) != 4 {
			t.Error("upper-case shapefile not read whole")
		}
	})
	zipOf := func(t *testing.T, prefix string, extra ...string) string {
		p := filepath.Join(t.TempDir(), "blocks.zip")
		content := map[string][]byte{}
		var names []string
		for ext, b := range blocks {
			content[prefix+"blocks"+ext] = b
			names = append(names, prefix+"blocks"+ext)
		}
		for _, e := range extra {
			content[e] = []byte("x")
			names = append(names, e)
		}
		zipFiles(t, p, names, content)
		return p
	}
	t.Run("zip", func(t *testing.T) {
		src := mustOpen(t, zipOf(t, "data/", "__MACOSX/data/._blocks.shp"), Options{})
		fs := readAll(t, src)
		if len(fs) != 4 || fs[0].Properties["NAME_HI"] != "धिरौली कोयला ब्लॉक" || src.CRS().SRID != 32644 {
			t.Errorf("zip read %d features, CRS %+v", len(fs), src.CRS())
		}
	})
	t.Run("zip slip refused", func(t *testing.T) {
		_, err := Open(zipOf(t, "", "../../etc/evil.sh"), Options{})
		wantError(t, err, ErrUnsafeArchive, -1, "zip slip")
	})
	t.Run("absolute path refused", func(t *testing.T) {
		_, err := Open(zipOf(t, "", "/etc/evil.sh"), Options{})
		wantError(t, err, ErrUnsafeArchive, -1, "absolute")
	})
	t.Run("zip bomb refused", func(t *testing.T) {
		_, err := Open(zipOf(t, ""), Options{MaxUncompressed: 1000})
		wantError(t, err, ErrTooLarge, -1, "cap")
	})
	t.Run("zip without shapefile", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "x.zip")
		zipFiles(t, p, []string{"readme.txt"}, map[string][]byte{"readme.txt": []byte("hi")})
		_, err := Open(p, Options{})
		wantError(t, err, ErrEmpty, -1, "no .shp file")
	})
}

func TestAssemblePolygonsOrphanHole(t *testing.T) {
	// A counter-clockwise ring inside no outer ring is read as an outer.
	g := assemblePolygons([][]orb.Point{cwRect(0, 0, 1, 1), ccwRect(5, 5, 6, 6)})
	mp, ok := g.(orb.MultiPolygon)
	if !ok || len(mp) != 2 {
		t.Fatalf("got %s", fmtGeom(g))
	}
}

func TestAssemblePolygonsAllCounterClockwise(t *testing.T) {
	// A writer that ignored the orientation rule: nesting decides.
	g := assemblePolygons([][]orb.Point{ccwRect(2, 2, 3, 3), ccwRect(0, 0, 10, 10), ccwRect(20, 20, 21, 21)})
	mp, ok := g.(orb.MultiPolygon)
	if !ok || len(mp) != 2 || len(mp[0]) != 2 || len(mp[1]) != 1 {
		t.Fatalf("got %s, want the small ring as a hole of the large one, and an island", fmtGeom(g))
	}
}

func TestParseShapeErrors(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		frag string
	}{
		{"short", []byte{1}, "shorter"},
		{"point truncated", []byte{1, 0, 0, 0, 0}, "truncated"},
		{"multipatch", []byte{31, 0, 0, 0}, "MultiPatch"},
		{"unknown type", []byte{99, 0, 0, 0}, "unknown shape type 99"},
		{"huge counts", append([]byte{5, 0, 0, 0}, append(make([]byte, 32), 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f)...), "do not fit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parseShape(tt.b)
			if err == nil || !strings.Contains(err.Error(), tt.frag) {
				t.Errorf("err = %v, want %q", err, tt.frag)
			}
		})
	}
}

func TestShapefileMatchesGDAL(t *testing.T) {
	// The fixture writer is checked against GDAL's reading of it, when
	// GDAL is here; the fixture itself is committed, so nothing else
	// depends on GDAL.
	requireGDAL(t)
	out := ogrGeoJSONSeq(t, filepath.Join("testdata", "blocks", "blocks.shp"), "")
	if !strings.Contains(out, "धिरौली कोयला ब्लॉक") || strings.Count(out, "\n") != 4 {
		t.Errorf("GDAL reads the fixture differently:\n%s", out)
	}
}
