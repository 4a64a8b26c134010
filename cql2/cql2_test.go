package cql2

import (
	"errors"
	"testing"
)

func TestParseText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"equality", "state = 'Odisha'", `"state" = 'Odisha'`},
		{"keywords any case", "a > 3 and b <= 2.5 Or not c <> 'x'", `(("a" > 3 AND "b" <= 2.5) OR NOT ("c" <> 'x'))`},
		{"quoted property", `"area_km2" >= -1.5e3`, `"area_km2" >= -1500.0`},
		{"escaped quotes", `name = 'Gare Palma''s \'II\''`, `"name" = 'Gare Palma''s ''II'''`},
		{"like", "name NOT LIKE 'Dh%'", `"name" NOT LIKE 'Dh%'`},
		{"like casei", "CASEI(name) LIKE casei('dh%')", `CASEI("name") LIKE CASEI('dh%')`},
		{"between", "area BETWEEN 1 AND 10 AND x = 1", `("area" BETWEEN 1 AND 10 AND "x" = 1)`},
		{"in", "status IN ('Allotted', 'Auctioned')", `"status" IN ('Allotted', 'Auctioned')`},
		{"not in", "n NOT IN (1,2)", `"n" NOT IN (1, 2)`},
		{"is null", "grade IS NOT NULL", `"grade" IS NOT NULL`},
		{"boolean literal", "TRUE", "TRUE"},
		{"boolean compare", "active = false", `"active" = FALSE`},
		{"nested parens", "((a = 1))", `"a" = 1`},
		{"date", "d < DATE('2020-01-31')", `"d" < DATE('2020-01-31')`},
		{"timestamp", "ts >= TIMESTAMP('2020-01-31T10:00:00+05:30')", `"ts" >= TIMESTAMP('2020-01-31T04:30:00Z')`},
		{"interval", "T_INTERSECTS(d, INTERVAL('2020-01-01', '..'))", `T_INTERSECTS("d", INTERVAL('2020-01-01', '..'))`},
		{"point", "S_INTERSECTS(geom, POINT(82.3 23.9))", `S_INTERSECTS("geom", POINT(82.3 23.9))`},
		{"point z", "s_within(geom, POINT Z (82 23 100))", `S_WITHIN("geom", POINT(82 23))`},
		{"polygon", "S_WITHIN(geom, POLYGON((0 0, 1 0, 1 1, 0 0)))", `S_WITHIN("geom", POLYGON((0 0,1 0,1 1,0 0)))`},
		{"multipoint both forms", "S_INTERSECTS(geom, MULTIPOINT(1 2, (3 4)))", `S_INTERSECTS("geom", MULTIPOINT((1 2),(3 4)))`},
		{"bbox", "S_INTERSECTS(geom, BBOX(82, 23, 83, 24))", `S_INTERSECTS("geom", BBOX(82,23,83,24))`},
		{"collection", "S_INTERSECTS(geom, GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1)))", `S_INTERSECTS("geom", GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1)))`},
		{"dwithin", "S_DWITHIN(geom, POINT(82 23), 500)", `S_DWITHIN("geom", POINT(82 23), 500)`},
		{"hindi string", "name_hi = 'धिरौली'", `"name_hi" = 'धिरौली'`},
		{"property named like a function", "date = 'x'", `"date" = 'x'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseText(tt.in)
			if err != nil {
				t.Fatalf("ParseText(%q): %v", tt.in, err)
			}
			if got := e.String(); got != tt.want {
				t.Fatalf("ParseText(%q) = %s, want %s", tt.in, got, tt.want)
			}
			again, err := ParseText(e.String())
			if err != nil || again.String() != e.String() {
				t.Fatalf("canonical form %s does not read back: %v", e, err)
			}
		})
	}
}

func TestParseTextErrors(t *testing.T) {
	tests := []struct {
		name, in string
		offset   int
	}{
		{"unclosed string", "a = 'x", 4},
		{"missing operand", "a = ", 4},
		{"dangling and", "a = 1 AND", 9},
		{"no operator", "a 1", 2},
		{"injection attempt", "a = 1; DROP TABLE x", 5},
		{"sql comment", "a = 1 -- x", 6},
		{"unknown function", "lower(a) = 'x'", 0},
		{"arithmetic", "a + 1 = 2", 2},
		{"unclosed paren", "(a = 1", 6},
		{"extra paren", "a = 1)", 5},
		{"open ring", "S_WITHIN(geom, POLYGON((0 0, 1 0, 1 1, 0 1)))", 23},
		{"short line", "S_INTERSECTS(geom, LINESTRING(0 0))", 19},
		{"bad date", "d = DATE('2020-13-01')", 9},
		{"hindi before error", "name_hi = 'धिरौली' AND", 22},
		{"reserved word as value", "a = AND", 4},
		{"accenti", "ACCENTI(a) = 'x'", 0},
		{"unquoted string", "state = Odisha OR", 17},
		{"bad bbox", "S_INTERSECTS(geom, BBOX(1,2,3))", 19},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseText(tt.in)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("ParseText(%q) = %v, want an *Error", tt.in, err)
			}
			if ce.Pos.Offset != tt.offset || ce.Pos.Path != "" {
				t.Fatalf("ParseText(%q): error at %s (%v), want character %d", tt.in, ce.Pos, err, tt.offset)
			}
		})
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"comparison", `{"op":"=","args":[{"property":"state"},"Odisha"]}`, `"state" = 'Odisha'`},
		{"and or not", `{"op":"and","args":[{"op":">","args":[{"property":"a"},1]},{"op":"not","args":[{"op":"isNull","args":[{"property":"b"}]}]}]}`,
			`("a" > 1 AND NOT ("b" IS NULL))`},
		{"like casei", `{"op":"like","args":[{"op":"casei","args":[{"property":"name"}]},{"op":"casei","args":["dh%"]}]}`,
			`CASEI("name") LIKE CASEI('dh%')`},
		{"between", `{"op":"between","args":[{"property":"a"},1,2.5]}`, `"a" BETWEEN 1 AND 2.5`},
		{"in", `{"op":"in","args":[{"property":"s"},["x","y"]]}`, `"s" IN ('x', 'y')`},
		{"geojson", `{"op":"s_intersects","args":[{"property":"geom"},{"type":"Point","coordinates":[82.3,23.9]}]}`,
			`S_INTERSECTS("geom", POINT(82.3 23.9))`},
		{"bbox", `{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[82,23,83,24]}]}`, `S_INTERSECTS("geom", BBOX(82,23,83,24))`},
		{"dates", `{"op":"t_intersects","args":[{"property":"d"},{"interval":["2020-01-01","2021-01-01T00:00:00Z"]}]}`,
			`T_INTERSECTS("d", INTERVAL('2020-01-01', '2021-01-01T00:00:00Z'))`},
		{"date", `{"op":"<","args":[{"property":"d"},{"date":"2020-01-01"}]}`, `"d" < DATE('2020-01-01')`},
		{"dwithin", `{"op":"s_dwithin","args":[{"property":"geom"},{"type":"Point","coordinates":[82,23]},1000]}`,
			`S_DWITHIN("geom", POINT(82 23), 1000)`},
		{"true", `true`, `TRUE`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseJSON([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseJSON(%s): %v", tt.in, err)
			}
			if got := e.String(); got != tt.want {
				t.Fatalf("ParseJSON(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseJSONErrors(t *testing.T) {
	tests := []struct {
		name, in, path string
		offset         int
	}{
		{"malformed", `{"op":"=","args":[}`, "", 18},
		{"trailing", `true false`, "", 5},
		{"unknown op", `{"op":"drop","args":[]}`, "$.op", 0},
		{"arity", `{"op":"=","args":[{"property":"a"}]}`, "$.args", 0},
		{"deep path", `{"op":"and","args":[{"op":"=","args":[{"property":"a"},1]},{"op":"=","args":[{"property":"b"},[1]]}]}`, "$.args[1].args[1]", 0},
		{"bad property", `{"op":"=","args":[{"property":"a;b"},1]}`, "$.args[0].property", 0},
		{"arithmetic", `{"op":"=","args":[{"op":"+","args":[{"property":"a"},1]},2]}`, "$.args[0].op", 0},
		{"bad geojson", `{"op":"s_intersects","args":[{"property":"geom"},{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}]}`, "$.args[1]", 0},
		{"not a predicate", `{"property":"a"}`, "$", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseJSON([]byte(tt.in))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("ParseJSON(%s) = %v, want an *Error", tt.in, err)
			}
			if ce.Pos.Path != tt.path || tt.path == "" && ce.Pos.Offset != tt.offset {
				t.Fatalf("ParseJSON(%s): error at %s (%v), want %q/%d", tt.in, ce.Pos, err, tt.path, tt.offset)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	s := Schema{"name": TypeString, "area": TypeNumber, "active": TypeBoolean, "d": TypeDate, "ts": TypeTimestamp, "geom": TypeGeometry}
	ok := []string{
		"name = 'x' AND area > 2 AND active = TRUE",
		"d BETWEEN DATE('2020-01-01') AND DATE('2020-12-31')",
		"CASEI(name) LIKE 'a%'",
		"S_INTERSECTS(geom, POINT(1 2))",
		"T_AFTER(ts, TIMESTAMP('2020-01-01T00:00:00Z'))",
		"T_INTERSECTS(d, INTERVAL('..', '2020-01-01'))",
		"geom IS NULL",
		"area IN (1, 2.5)",
	}
	for _, in := range ok {
		e, err := ParseText(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if err := Check(e, s); err != nil {
			t.Errorf("Check(%s) = %v, want nil", in, err)
		}
	}
	bad := []struct {
		in     string
		offset int
	}{
		{"nope = 1", 0},
		{"name = 1", 7},
		{"area > 'big'", 7},
		{"area LIKE 'a%'", 0},
		{"S_INTERSECTS(name, POINT(1 2))", 13},
		{"active < TRUE", 0},
		{"d = TIMESTAMP('2020-01-01T00:00:00Z')", 4},
		{"area IN (1, 'x')", 12},
		{"geom = 'x'", 0},
		{"T_AFTER(area, DATE('2020-01-01'))", 8},
		{"S_DWITHIN(geom, POINT(1 2), -5)", 28},
	}
	for _, tt := range bad {
		e, err := ParseText(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		err = Check(e, s)
		var ce *Error
		if !errors.As(err, &ce) || ce.Pos.Offset != tt.offset {
			t.Errorf("Check(%s) = %v, want an error at character %d", tt.in, err, tt.offset)
		}
	}
}

func TestLegacyText(t *testing.T) {
	s := Schema{"name": TypeString, "ok": TypeBoolean, "d": TypeDate}
	e, err := ParseLegacyText("(name ILIKE 'dh%') AND (ok = 1) AND (d >= '2020-01-01T')")
	if err != nil {
		t.Fatal(err)
	}
	e = Loosen(e, s)
	if err := Check(e, s); err != nil {
		t.Fatal(err)
	}
	if want := `(CASEI("name") LIKE CASEI('dh%') AND "ok" = TRUE AND "d" >= DATE('2020-01-01'))`; e.String() != want {
		t.Fatalf("got %s, want %s", e, want)
	}
	if _, err := ParseText("name ILIKE 'x'"); err == nil {
		t.Fatal("cql2-text read ILIKE")
	}
}
