package formats

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestCSVPillars(t *testing.T) {
	src := mustOpen(t, filepath.Join("testdata", "pillars.csv"), Options{})
	want := []Field{
		{"pillar_no", "pillar_no", Integer}, {"block", "block", Text}, {"lon", "lon", Real}, {"lat", "lat", Real},
		{"surveyed", "surveyed", Date}, {"verified", "verified", Boolean}, {"height_m", "height_m", Real}, {"code", "code", Text},
	}
	if got := src.Fields(); !reflect.DeepEqual(got, want) {
		t.Errorf("Fields =\n%v\nwant\n%v (BOM stripped, leading zeros kept as text)", got, want)
	}
	if c := src.CRS(); c.SRID != 4326 || c.From != "default 4326" {
		t.Errorf("CRS = %+v", c)
	}
	fs := readAll(t, src)
	if len(fs) != 3 {
		t.Fatalf("%d features", len(fs))
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"point", fs[0].Geometry, orb.Point{82.3301, 23.9502}},
		{"int", fs[0].Properties["pillar_no"], int64(1)},
		{"date", fs[1].Properties["surveyed"], time.Date(2021, 3, 5, 0, 0, 0, 0, time.UTC)},
		{"bool", fs[1].Properties["verified"], false},
		{"int widened to real in sample", fs[0].Properties["height_m"], 312.0},
		{"leading zero text", fs[0].Properties["code"], "007"},
		{"empty cell is null", fs[2].Properties["surveyed"], nil},
		{"no coordinates, no geometry", fs[2].Geometry, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

func TestCSVWKT(t *testing.T) {
	src := mustOpen(t, filepath.Join("testdata", "blocks_wkt.csv"), Options{IDField: "id"})
	fs := readAll(t, src)
	if len(fs) != 3 {
		t.Fatalf("%d features", len(fs))
	}
	if p, ok := fs[0].Geometry.(orb.Polygon); !ok || len(p[0]) != 5 {
		t.Errorf("geometry 0 = %v", fs[0].Geometry)
	}
	if _, ok := fs[0].Properties["WKT"]; ok {
		t.Error("the WKT column is kept as a property")
	}
	if fs[1].ID != "2" || fs[2].Geometry != nil {
		t.Errorf("features %v", fs)
	}
	if c := src.CRS(); c.SRID != 4326 || c.From != "EWKT SRID" {
		t.Errorf("CRS = %+v", c)
	}
	if st := src.Stats(); st.ZDropped != 1 {
		t.Errorf("ZDropped = %d", st.ZDropped)
	}
}

func TestCSVColumns(t *testing.T) {
	tests := []struct {
		name string
		body string
		opt  Options
		want orb.Geometry
		srid int
	}{
		{"easting northing: CRS unknown", "name,Easting,Northing\nBP1,733000,2650000\n", Options{}, orb.Point{733000, 2650000}, 0},
		{"x y with srid", "X,Y\n733000,2650000\n", Options{SRID: 32644}, orb.Point{733000, 2650000}, 32644},
		{"override", "e,n,lon\n1,2,99\n", Options{LonField: "e", LatField: "n"}, orb.Point{1, 2}, 0},
		{"longitude latitude", "Latitude,Longitude\n23.95,82.33\n", Options{}, orb.Point{82.33, 23.95}, 4326},
		{"tab separated", "lng\tlat\n82.33\t23.95\n", Options{}, orb.Point{82.33, 23.95}, 4326},
		{"wkt named", "g,name\nPOINT(1 2),a\n", Options{WKTField: "g"}, orb.Point{1, 2}, 0},
		{"the_geom", "the_geom\n\"MULTIPOINT((1 2),(3 4))\"\n", Options{}, orb.MultiPoint{{1, 2}, {3, 4}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := openString(t, "a.csv", tt.body, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			fs := readAll(t, src)
			if !reflect.DeepEqual(fs[0].Geometry, tt.want) || src.CRS().SRID != tt.srid {
				t.Errorf("geometry %v SRID %d, want %v %d", fs[0].Geometry, src.CRS().SRID, tt.want, tt.srid)
			}
		})
	}
}

func TestCSVEncoding(t *testing.T) {
	tests := []struct {
		name, body string
		opt        Options
		want       string
		enc        [2]string
	}{
		{"utf-8", "lon,lat,name\n1,2,कोयला\n", Options{}, "कोयला", [2]string{"UTF-8", "detected"}},
		{"bom", "\xef\xbb\xbflon,lat,name\n1,2,कोयला\n", Options{}, "कोयला", [2]string{"UTF-8", "byte order mark"}},
		{"excel ansi", "lon,lat,name\n1,2,Sarda\xe9\n", Options{}, "Sardaé", [2]string{"windows-1252", "detected (not UTF-8)"}},
		{"option", "lon,lat,name\n1,2,\xea\xee\xe9\n", Options{Encoding: "windows-1251"}, "кой", [2]string{"windows-1251", "option"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := openString(t, "a.csv", tt.body, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			fs := readAll(t, src)
			n, f := src.Encoding()
			if fs[0].Properties["name"] != tt.want || [2]string{n, f} != tt.enc {
				t.Errorf("name %q encoding %q %q, want %q %v", fs[0].Properties["name"], n, f, tt.want, tt.enc)
			}
		})
	}
}

func TestCSVHeaderNames(t *testing.T) {
	src, err := openString(t, "a.csv", "lon,lat,name,name,,name_2\n1,2,a,b,c,d\n", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fs := readAll(t, src)
	want := map[string]any{"lon": int64(1), "lat": int64(2), "name": "a", "name_2": "b", "field_5": "c", "name_2_2": "d"}
	if !reflect.DeepEqual(fs[0].Properties, want) {
		t.Errorf("properties %v, want %v", fs[0].Properties, want)
	}
}

func TestCSVErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		opt    Options
		atOpen bool
		target error
		index  int
		line   int
		frags  []string
	}{
		{"empty", "", Options{}, true, ErrEmpty, -1, 0, []string{"empty"}},
		{"no geometry columns", "a,b\n1,2\n", Options{}, true, nil, -1, 1, []string{"no geometry columns"}},
		{"named column missing", "lon,lat\n1,2\n", Options{WKTField: "shape_wkt"}, true, nil, -1, 1, []string{`"shape_wkt"`, "no such WKT column"}},
		{"bad number", "lon,lat\n1,2\n3,x\n", Options{}, false, ErrInvalidGeometry, 1, 3, []string{"line 3", `"x" is not a number`, `field "lat"`}},
		{"NaN", "lon,lat\n1,2\nNaN,2\n", Options{}, false, ErrInvalidGeometry, 1, 0, []string{"feature 1", "NaN"}},
		{"bad wkt", "wkt\nPOINT(1 2)\n\"POLYGON((0 0, 1 1)\"\n", Options{}, false, ErrInvalidGeometry, 1, 3, []string{"line 3", "WKT"}},
		{"unclosed wkt ring", "wkt\n\"POLYGON((0 0, 1 0, 1 1, 0 1))\"\n", Options{}, false, ErrInvalidGeometry, 0, 0, []string{"not closed"}},
		{"wrong field count", "lon,lat,name\n1,2,a\n1,2\n", Options{}, false, nil, 1, 3, []string{"line 3", "wrong number of fields"}},
		{"bare quote", "lon,lat,name\n1,2,a\"b\n", Options{}, false, nil, 0, 2, []string{"line 2"}},
		{"mixed EWKT SRIDs", "wkt\nSRID=4326;POINT(1 2)\nSRID=32644;POINT(1 2)\n", Options{}, false, ErrInvalidGeometry, 1, 3, []string{"differs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := openString(t, "a.csv", tt.body, tt.opt)
			if !tt.atOpen {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer src.Close()
				_, err = readErr(src)
			}
			e := wantError(t, err, tt.target, tt.index, tt.frags...)
			if tt.line > 0 && e.Line != tt.line {
				t.Errorf("Line = %d, want %d", e.Line, tt.line)
			}
		})
	}
}

func TestParseWKT(t *testing.T) {
	tests := []struct {
		in   string
		want orb.Geometry
		srid int
		z    bool
		err  string
	}{
		{"POINT (1 2)", orb.Point{1, 2}, 0, false, ""},
		{"point z (1 2 3)", orb.Point{1, 2}, 0, true, ""},
		{"POINTZM(1 2 3 4)", orb.Point{1, 2}, 0, true, ""},
		{"SRID=32644;POINT(1 2)", orb.Point{1, 2}, 32644, false, ""},
		{"LINESTRING EMPTY", nil, 0, false, ""},
		{"MULTIPOINT (1 2, 3 4)", orb.MultiPoint{{1, 2}, {3, 4}}, 0, false, ""},
		{"MULTILINESTRING ((1 2, 3 4), (5 6, 7 8))", orb.MultiLineString{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}, 0, false, ""},
		{"MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}, 0, false, ""},
		{"GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (1 2, 3 4))", orb.Collection{orb.Point{1, 2}, orb.LineString{{1, 2}, {3, 4}}}, 0, false, ""},
		{"POINT (1)", nil, 0, false, "position with 1 values"},
		{"CIRCLE (1 2)", nil, 0, false, "unknown geometry type"},
		{"POINT (1 2) junk", nil, 0, false, "unexpected text"},
		{"SRID=x;POINT(1 2)", nil, 0, false, "bad EWKT SRID"},
		{strings.Repeat("GEOMETRYCOLLECTION(", 40) + "POINT(1 2)" + strings.Repeat(")", 40), nil, 0, false, "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 30)], func(t *testing.T) {
			g, srid, z, err := parseWKTGeometry(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g, tt.want) || srid != tt.srid || z != tt.z {
				t.Errorf("got %v %d %v, want %v %d %v", g, srid, z, tt.want, tt.srid, tt.z)
			}
		})
	}
}

func FuzzCSV(f *testing.F) {
	for _, p := range []string{"pillars.csv", "blocks_wkt.csv"} {
		b, _ := os.ReadFile(filepath.Join("testdata", p))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, _, err := newCSVReader(bytes.NewReader(b), nil, Options{})
		if err != nil {
			checkErr(t, err)
			return
		}
		drain(t, r)
	})
}

func FuzzWKT(f *testing.F) {
	f.Add("POLYGON Z ((82.30 23.90 300, 82.36 23.90 300, 82.36 23.98 300, 82.30 23.90 300))")
	f.Add("SRID=4326;GEOMETRYCOLLECTION(MULTIPOINT((1 2)),LINESTRING(1 2,3 4))")
	f.Fuzz(func(t *testing.T, s string) {
		parseWKTGeometry(s)
	})
}
