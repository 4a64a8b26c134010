package formats

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestGeoJSONBlocks(t *testing.T) {
	src := mustOpen(t, filepath.Join("testdata", "blocks.geojson"), Options{})
	if c := src.CRS(); c.SRID != 32644 || c.From != "GeoJSON crs member" {
		t.Errorf("CRS = %+v", c)
	}
	wantFields := []Field{
		{"name", "name", Text}, {"name_hi", "name_hi", Text}, {"area_km2", "area_km2", Real},
		{"block_no", "block_no", Integer}, {"allotted", "allotted", Boolean}, {"resource_mt", "resource_mt", Real},
		{"notes", "notes", Text}, {"tags", "tags", Text},
	}
	if got := src.Fields(); !reflect.DeepEqual(got, wantFields) {
		t.Errorf("Fields =\n%v\nwant\n%v", got, wantFields)
	}
	fs := readAll(t, src)
	if len(fs) != 4 {
		t.Fatalf("%d features", len(fs))
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"numeric id", fs[0].ID, "101"},
		{"string id", fs[1].ID, "GP-II"},
		{"no id", fs[2].ID, ""},
		{"index", fs[3].Index, 3},
		{"hindi", fs[0].Properties["name_hi"], "धिरौली"},
		{"integer widened to real in the sample", fs[0].Properties["resource_mt"], 558.0},
		{"real", fs[1].Properties["area_km2"], 96.0},
		{"int", fs[0].Properties["block_no"], int64(101)},
		{"null", fs[2].Properties["block_no"], nil},
		{"array kept as JSON", fs[0].Properties["tags"], `["rail","NH"]`},
		{"polygon with hole", len(fs[0].Geometry.(orb.Polygon)), 2},
		{"z dropped", fs[1].Geometry.(orb.MultiPolygon)[0][0][2], orb.Point{742000, 2650000}},
		{"null geometry", fs[3].Geometry, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
	st := src.Stats()
	want := map[string]int64{"Polygon": 1, "MultiPolygon": 1, "LineString": 1}
	if fi, _ := os.Stat(filepath.Join("testdata", "blocks.geojson")); st.BytesRead != fi.Size() || st.BytesTotal != fi.Size() {
		t.Errorf("progress %d/%d, want all of %d bytes", st.BytesRead, st.BytesTotal, fi.Size())
	}
	if st.Features != 4 || st.ZDropped != 1 || st.NullGeometries != 1 || !reflect.DeepEqual(st.GeometryTypes, want) {
		t.Errorf("Stats = %+v", st)
	}
}

func TestGeoJSONSeq(t *testing.T) {
	src := mustOpen(t, filepath.Join("testdata", "alignments.geojsonl"), Options{})
	fs := readAll(t, src)
	if len(fs) != 3 || fs[1].ID != "2" || fs[0].Properties["line"] != "Pelma–Sardega" {
		t.Fatalf("features = %v", fs)
	}
	if fs[2].Geometry != (orb.Point{85.15, 20.92}) || fs[2].Index != 2 {
		t.Errorf("bare geometry line = %+v", fs[2])
	}
	if st := src.Stats(); st.ZDropped != 1 {
		t.Errorf("ZDropped = %d", st.ZDropped)
	}
	if c := src.CRS(); c.SRID != 4326 || c.From != "default 4326" {
		t.Errorf("CRS = %+v", c)
	}
	// km: 12.5 then 8 → Real
	if f := src.Fields(); f[1].Name != "km" || f[1].Type != Real || fs[1].Properties["km"] != 8.0 {
		t.Errorf("Fields = %v, km = %#v", f, fs[1].Properties["km"])
	}
}

func TestGeoJSONShapes(t *testing.T) {
	pt := `{"type":"Point","coordinates":[82.33,23.95]}`
	tests := []struct {
		name string
		file string
		body string
		want []orb.Geometry
		srid int
	}{
		{"single feature", "a.geojson", `{"type":"Feature","properties":{"a":1},"geometry":` + pt + `}`, []orb.Geometry{orb.Point{82.33, 23.95}}, 4326},
		{"bare geometry", "a.geojson", pt, []orb.Geometry{orb.Point{82.33, 23.95}}, 4326},
		{"features before type", "a.json", `{"features":[{"type":"Feature","geometry":` + pt + `,"properties":{}}],"type":"FeatureCollection"}`, []orb.Geometry{orb.Point{82.33, 23.95}}, 4326},
		{"empty collection", "a.geojson", `{"type":"FeatureCollection","features":[]}`, nil, 4326},
		{"crs84", "a.geojson", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[]}`, nil, 4326},
		{"EPSG:7755", "a.geojson", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:7755"}},"features":[]}`, nil, 7755},
		{"2008 EPSG crs", "a.geojson", `{"type":"FeatureCollection","crs":{"type":"EPSG","properties":{"code":32645}},"features":[]}`, nil, 32645},
		{"ogc url crs", "a.geojson", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"http://www.opengis.net/def/crs/EPSG/0/24381"}},"features":[]}`, nil, 24381},
		{"unknown crs name", "a.geojson", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"LOCAL_CS[\"site\"]"}},"features":[]}`, nil, 0},
		{"late crs that agrees", "a.geojson", `{"type":"FeatureCollection","features":[],"crs":{"type":"name","properties":{"name":"EPSG:4326"}}}`, nil, 4326},
		{"collection", "a.geojson", `{"type":"Feature","properties":null,"geometry":{"type":"GeometryCollection","geometries":[` + pt + `,{"type":"LineString","coordinates":[[1,2],[3,4]]}]}}`,
			[]orb.Geometry{orb.Collection{orb.Point{82.33, 23.95}, orb.LineString{{1, 2}, {3, 4}}}}, 4326},
		{"multipoint and multilinestring", "a.geojsonl", `{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}` + "\n" + `{"type":"MultiLineString","coordinates":[[[1,2],[3,4]]]}` + "\n",
			[]orb.Geometry{orb.MultiPoint{{1, 2}, {3, 4}}, orb.MultiLineString{{{1, 2}, {3, 4}}}}, 4326},
		{"seq sniffed in .json", "a.json", `{"type":"Feature","properties":{},"geometry":` + pt + "}\n" + `{"type":"Feature","properties":{},"geometry":` + pt + "}\n",
			[]orb.Geometry{orb.Point{82.33, 23.95}, orb.Point{82.33, 23.95}}, 4326},
		{"byte order mark", "a.geojson", "\ufeff" + `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":` + pt + `}]}`, []orb.Geometry{orb.Point{82.33, 23.95}}, 4326},
		{"byte order mark seq", "a.geojsonl", "\ufeff" + `{"type":"Feature","properties":{},"geometry":` + pt + "}\n", []orb.Geometry{orb.Point{82.33, 23.95}}, 4326},
		{"no extension", "blocks", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":` + pt + `}]}`, []orb.Geometry{orb.Point{82.33, 23.95}}, 4326},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := openString(t, tt.file, tt.body, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			fs := readAll(t, src)
			var got []orb.Geometry
			for _, f := range fs {
				got = append(got, f.Geometry)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("geometries %v, want %v", got, tt.want)
			}
			if src.CRS().SRID != tt.srid {
				t.Errorf("SRID %d, want %d", src.CRS().SRID, tt.srid)
			}
		})
	}
}

func TestGeoJSONErrors(t *testing.T) {
	feat := func(geom string) string {
		return `{"type":"Feature","properties":{},"geometry":` + geom + `}`
	}
	fc := func(features ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
	}
	ok := feat(`{"type":"Point","coordinates":[1,2]}`)
	tests := []struct {
		name   string
		file   string
		body   string
		atOpen bool
		target error
		index  int
		frags  []string
		offset int64 // checked when > 0
		line   int   // checked when > 0
	}{
		{"empty file", "a.geojson", "", true, ErrEmpty, -1, []string{"is empty"}, 0, 0},
		{"whitespace only", "a.geojson", "  \n ", true, ErrEmpty, -1, []string{"no JSON value"}, 0, 0},
		{"not an object", "a.geojson", `[1,2]`, true, nil, -1, []string{"not a GeoJSON object"}, 0, 0},
		{"malformed at offset", "a.geojson", fc(ok, `{"type":"Feature",,}`), false, nil, 1, []string{"malformed JSON", "offset 141"}, 141, 0},
		{"truncated", "a.geojson", `{"type":"FeatureCollection","features":[` + ok, false, nil, -2, []string{"unexpected end"}, 0, 0},
		{"infinite coordinate", "a.geojson", fc(ok, feat(`{"type":"Point","coordinates":[1e400,2]}`)), false, ErrInvalidGeometry, 1, []string{"feature 1", "infinite"}, 0, 0},
		{"unclosed ring", "a.geojson", fc(feat(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`)), false, ErrInvalidGeometry, 0, []string{"feature 0", "ring 0 not closed"}, 0, 0},
		{"short ring", "a.geojson", fc(feat(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`)), false, ErrInvalidGeometry, 0, []string{"ring 0 has 3 points"}, 0, 0},
		{"one-point line", "a.geojson", fc(feat(`{"type":"LineString","coordinates":[[0,0]]}`)), false, ErrInvalidGeometry, 0, []string{"needs 2"}, 0, 0},
		{"bad position", "a.geojson", fc(feat(`{"type":"Point","coordinates":[1]}`)), false, ErrInvalidGeometry, 0, []string{"position with 1 value"}, 0, 0},
		{"unknown geometry", "a.geojson", fc(feat(`{"type":"Circle","coordinates":[1,2]}`)), false, ErrInvalidGeometry, 0, []string{`unknown geometry type "Circle"`}, 0, 0},
		{"not a feature", "a.geojson", fc(`{"type":"Point","coordinates":[1,2]}`), false, nil, 0, []string{`want "Feature"`}, 0, 0},
		{"late crs disagrees", "a.geojson", `{"type":"FeatureCollection","features":[` + ok + `],"crs":{"type":"name","properties":{"name":"EPSG:32644"}}}`, false, nil, -1, []string{"crs member (EPSG:32644) comes after the features"}, 0, 0},
		{"seq malformed line", "a.geojsonl", ok + "\n\n" + `{"type":` + "\n", false, nil, 1, []string{"line 3", "malformed JSON"}, 0, 3},
		{"seq NaN-free but unclosed", "a.geojsonl", ok + "\n" + feat(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`) + "\n", false, ErrInvalidGeometry, 1, []string{"feature 1", "not closed"}, 0, 0},
		{"bad id", "a.geojson", fc(`{"type":"Feature","id":{"x":1},"properties":{},"geometry":null}`), false, nil, 0, []string{`field "id"`}, 0, 0},
		{"properties not an object", "a.geojson", fc(`{"type":"Feature","properties":[1],"geometry":null}`), false, nil, 0, []string{"properties is not an object"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := openString(t, tt.file, tt.body, Options{SampleSize: 1})
			if !tt.atOpen {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer src.Close()
				_, err = readErr(src)
			}
			e := wantError(t, err, tt.target, tt.index, tt.frags...)
			if tt.offset > 0 && e.Offset != tt.offset {
				t.Errorf("Offset = %d, want %d", e.Offset, tt.offset)
			}
			if tt.line > 0 && e.Line != tt.line {
				t.Errorf("Line = %d, want %d", e.Line, tt.line)
			}
		})
	}
}

func TestGeoJSONSchema(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range 5 {
		if i > 0 {
			b.WriteString(",")
		}
		v := fmt.Sprint(i)
		switch i {
		case 3:
			v = "3.5"
		case 4:
			v = `"four"`
		}
		fmt.Fprintf(&b, `{"type":"Feature","id":"dup","properties":{"n":%s},"geometry":null}`, v)
	}
	b.WriteString(`]}`)
	body := b.String()

	t.Run("widened while reading", func(t *testing.T) {
		src, err := openString(t, "a.geojson", body, Options{SampleSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		if f := src.Fields(); f[0].Type != Integer {
			t.Errorf("sampled type %v, want integer", f[0].Type)
		}
		fs := readAll(t, src)
		if f := src.Fields(); f[0].Type != Text {
			t.Errorf("final type %v, want text", f[0].Type)
		}
		st := src.Stats()
		if !reflect.DeepEqual(st.Widened, []string{"n", "n"}) {
			t.Errorf("Widened = %v", st.Widened)
		}
		if fs[3].Properties["n"] != 3.5 || fs[4].Properties["n"] != "four" {
			t.Errorf("values %v %v", fs[3].Properties, fs[4].Properties)
		}
		if st.DuplicateIDs != 4 || st.FirstDuplicateID != "dup" {
			t.Errorf("duplicates %d %q", st.DuplicateIDs, st.FirstDuplicateID)
		}
	})
	t.Run("full scan", func(t *testing.T) {
		src, err := openString(t, "a.geojson", body, Options{SampleSize: 2, FullScan: true})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		if f := src.Fields(); f[0].Type != Text {
			t.Errorf("type before reading %v, want text", f[0].Type)
		}
		fs := readAll(t, src)
		if fs[0].Properties["n"] != "0" || len(src.Stats().Widened) != 0 {
			t.Errorf("value %#v, widened %v", fs[0].Properties["n"], src.Stats().Widened)
		}
	})
	t.Run("id field", func(t *testing.T) {
		src, err := openString(t, "a.geojson", body, Options{IDField: "n", FullScan: true})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		fs := readAll(t, src)
		if fs[3].ID != "3.5" || src.Stats().DuplicateIDs != 0 {
			t.Errorf("ID %q, duplicates %d", fs[3].ID, src.Stats().DuplicateIDs)
		}
	})
	t.Run("unknown id field", func(t *testing.T) {
		for _, full := range []bool{false, true} {
			_, err := openString(t, "a.geojson", body, Options{IDField: "block_id", FullScan: full})
			wantError(t, err, nil, -1, `no attribute "block_id"`, "attributes: n")
		}
	})
	t.Run("srid option", func(t *testing.T) {
		src, err := openString(t, "a.geojson", body, Options{SRID: 32645})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		if c := src.CRS(); c.SRID != 32645 || c.From != "--srid" {
			t.Errorf("CRS %+v", c)
		}
	})
}

// writeLargeGeoJSON writes a FeatureCollection of n polygons of v vertices
// each and returns its path and size.
func writeLargeGeoJSON(t testing.TB, n, v int) (string, int64) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "large.geojson")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufioWriter(f)
	w.WriteString(`{"type":"FeatureCollection","features":[`)
	var b []byte
	for i := range n {
		b = b[:0]
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"type":"Feature","id":%d,"properties":{"name":"block %d","area":%d.5,"state":"Chhattisgarh"},"geometry":{"type":"Polygon","coordinates":[[`, i, i, i)
		x0, y0 := 82+float64(i%1000)*0.001, 22+float64(i/1000)*0.001
		for j := range v - 1 {
			a := float64(j) / float64(v-1) * 6.283185307179586
			b = fmt.Appendf(b, "[%.6f,%.6f],", x0+0.0004*cos(a), y0+0.0004*sin(a))
		}
		b = fmt.Appendf(b, "[%.6f,%.6f]]]}}", x0+0.0004, y0)
		w.Write(b)
	}
	w.WriteString("]}\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	return p, fi.Size()
}

func TestGeoJSONLargeBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large file (-short)")
	}
	// 40,000 polygons of 100 vertices: about 90 MB of GeoJSON (a tenth
	// of that under the race detector, which is slow).
	n := 40000
	if raceEnabled {
		n = 4000
	}
	p, size := writeLargeGeoJSON(t, n, 100)
	src := mustOpen(t, p, Options{SampleSize: 100})
	var peak uint64
	var ms runtimeMemStats
	read := 0
	for {
		_, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		read++
		if read == n/2 {
			if st := src.Stats(); st.BytesRead <= 0 || st.BytesRead >= st.BytesTotal || st.BytesTotal != size {
				t.Errorf("halfway progress %d/%d of %d bytes", st.BytesRead, st.BytesTotal, size)
			}
		}
		if read%2000 == 0 {
			if h := ms.heapInuse(); h > peak {
				peak = h
			}
		}
	}
	if read != n {
		t.Fatalf("read %d features, want %d", read, n)
	}
	t.Logf("file %d MB, peak heap in use %d MB", size>>20, peak>>20)
	if peak > 32<<20 || peak > uint64(size)/2 {
		t.Errorf("peak heap %d MB for a %d MB file: not streaming", peak>>20, size>>20)
	}
}

func TestErrorMessage(t *testing.T) {
	e := &Error{Format: "geojson", Index: 12, Line: 0, Offset: 3456, Field: "geometry", Reason: "ring 0 not closed", Err: ErrInvalidGeometry}
	want := `formats: geojson: feature 12: offset 3456: field "geometry": ring 0 not closed: invalid geometry`
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	if !errors.Is(e, ErrInvalidGeometry) {
		t.Error("errors.Is fails")
	}
}

func FuzzGeoJSON(f *testing.F) {
	for _, p := range []string{"blocks.geojson", "alignments.geojsonl"} {
		b, _ := os.ReadFile(filepath.Join("testdata", p))
		f.Add(b)
	}
	f.Add([]byte(`{"type":"Point","coordinates":[1,2,3]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := geojsonOpen(bytes.NewReader(b), nil)
		if err == nil {
			drain(t, g)
		}
		drain(t, newGeoJSONSeqReader(bytes.NewReader(b), nil, "geojsonseq"))
	})
}

// drain reads r through a stream, as Open would, and checks the promises
// every reader keeps: *Error errors, valid geometry.
func drain(t *testing.T, r reader) {
	s, err := newStream("fuzz", r, nil, nil, Options{SampleSize: 3})
	if err != nil {
		checkErr(t, err)
		return
	}
	for range 10000 {
		f, err := s.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			checkErr(t, err)
			return
		}
		if err := validateGeometry(f.Geometry); err != nil {
			t.Fatalf("invalid geometry passed: %v", err)
		}
	}
}

func checkErr(t *testing.T, err error) {
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if !strings.HasPrefix(err.Error(), "formats: ") {
		t.Fatalf("error %q lacks the prefix", err)
	}
}
