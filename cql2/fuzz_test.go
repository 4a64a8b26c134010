package cql2

import "testing"

var seeds = []string{
	"state = 'Odisha'", "a > 3 and b <= 2.5 Or not c <> 'x'", `"area_km2" >= -1.5e3`,
	"name NOT LIKE 'Dh%'", "CASEI(name) LIKE casei('dh%')", "area BETWEEN 1 AND 10",
	"status IN ('Allotted', 'Auctioned')", "grade IS NOT NULL", "TRUE",
	"T_INTERSECTS(d, INTERVAL('2020-01-01', '..'))", "S_WITHIN(geom, POLYGON((0 0, 1 0, 1 1, 0 0)))",
	"S_INTERSECTS(geom, MULTIPOINT(1 2, (3 4)))", "S_INTERSECTS(geom, BBOX(82, 23, 83, 24))",
	"S_DWITHIN(geom, POINT(82 23), 500)", "d < DATE('2020-01-31')", "a = 'x''y'",
	"S_INTERSECTS(geom, GEOMETRYCOLLECTION(POINT(1 2), MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))))",
}

// FuzzText: any input either fails with an *Error, or parses into a tree
// whose canonical text parses back to the same text.
func FuzzText(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseText(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("ParseText(%q): error of type %T", s, err)
			}
			return
		}
		c := e.String()
		again, err := ParseText(c)
		if err != nil {
			t.Fatalf("ParseText(%q) = %s, which does not read back: %v", s, c, err)
		}
		if again.String() != c {
			t.Fatalf("ParseText(%q) = %s, read back as %s", s, c, again)
		}
	})
}

// FuzzJSON: any input either fails with an *Error, or parses into a tree
// whose canonical text reads back as cql2-text to the same text.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`{"op":"=","args":[{"property":"state"},"Odisha"]}`,
		`{"op":"and","args":[{"op":">","args":[{"property":"a"},1]},{"op":"not","args":[{"op":"isNull","args":[{"property":"b"}]}]}]}`,
		`{"op":"like","args":[{"op":"casei","args":[{"property":"name"}]},{"op":"casei","args":["dh%"]}]}`,
		`{"op":"in","args":[{"property":"s"},["x","y"]]}`,
		`{"op":"s_intersects","args":[{"property":"geom"},{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}]}`,
		`{"op":"t_intersects","args":[{"property":"d"},{"interval":["2020-01-01",".."]}]}`,
		`{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[82,23,83,24]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseJSON(b)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("ParseJSON(%q): error of type %T", b, err)
			}
			return
		}
		c := e.String()
		again, err := ParseText(c)
		if err != nil {
			t.Fatalf("ParseJSON(%q) = %s, which does not read as text: %v", b, c, err)
		}
		if again.String() != c {
			t.Fatalf("ParseJSON(%q) = %s, read back as %s", b, c, again)
		}
	})
}
