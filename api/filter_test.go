package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// filterFixture is the items fixture with 400 blocks, some of whose
// attributes are NULL, so that filters meet missing values too.
func filterFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, 400)
	if _, err := f.store.Pool().Exec(context.Background(), `
UPDATE layers.blocks SET state = NULL WHERE fid % 17 = 0;
UPDATE layers.blocks SET area_km2 = NULL WHERE fid % 13 = 0;
UPDATE layers.blocks SET name = 'Dhirauli ' || fid WHERE fid % 23 = 0;
UPDATE layers.blocks SET name = 'धिरौली' WHERE fid = 46`); err != nil {
		t.Fatal(err)
	}
	return f
}

// ids returns every feature id of a filtered read, following next links.
func (f *fixture) ids(t *testing.T, query string) ([]string, int, response) {
	t.Helper()
	var out []string
	matched := -1
	next := "/collections/blocks/items?limit=1000&" + query
	for pages := 0; next != ""; pages++ {
		r := f.get(t, next)
		if r.status != 200 {
			return nil, 0, r
		}
		var p page
		var m struct {
			NumberMatched *int `json:"numberMatched"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(r.body, &m)
		if pages == 0 && m.NumberMatched != nil {
			matched = *m.NumberMatched
		}
		for _, ft := range p.Features {
			out = append(out, ft.ID)
		}
		next = strings.TrimPrefix(p.next(), f.ts.URL)
		if pages > 50 {
			t.Fatal("paging does not end")
		}
	}
	return out, matched, response{status: 200}
}

// TestFilterAgainstPostGIS runs CQL2 filters, in text and JSON, through
// /items and compares the features returned with the same predicate
// written directly in SQL by the test and evaluated by PostGIS.
func TestFilterAgainstPostGIS(t *testing.T) {
	f := filterFixture(t)
	ctx := context.Background()
	// A polygon in UTM 44N (EPSG:32644) over part of the grid, and the same
	// area's coordinates as PostGIS computes them, for filter-crs.
	var utm string
	if err := f.store.Pool().QueryRow(ctx, `SELECT ST_AsText(ST_Transform(ST_MakeEnvelope(82.05, 23.8, 82.12, 23.8015, 4326), 32644), 3)`).Scan(&utm); err != nil {
		t.Fatal(err)
	}
	const env = `'POLYGON((82.01 23.8, 82.03 23.8, 82.03 23.802, 82.01 23.802, 82.01 23.8))'`
	tests := []struct {
		name, lang, filter, sql string
		extra                   string // more query parameters
	}{
		{"equal text", "", "state = 'Odisha'", "state = 'Odisha'", ""},
		{"not equal", "", "state <> 'Odisha'", "state <> 'Odisha'", ""},
		{"less than", "", "area_km2 < 10", "area_km2 < 10", ""},
		{"less or equal real", "", "area_km2 <= 10.5", "area_km2 <= 10.5", ""},
		{"greater than integer", "", "seam_count > 4", "seam_count > 4", ""},
		{"greater or equal", "", "seam_count >= 4", "seam_count >= 4", ""},
		{"integer against a fraction", "", "seam_count < 2.5", "seam_count < 2.5", ""},
		{"boolean", "", "operational = TRUE", "operational", ""},
		{"boolean not equal", "", "operational <> true", "operational <> true", ""},
		{"date", "", "allotted_on >= DATE('2020-01-01')", "allotted_on >= date '2020-01-01'", ""},
		{"and", "", "state = 'Odisha' AND seam_count = 3", "state = 'Odisha' AND seam_count = 3", ""},
		{"or", "", "seam_count = 0 OR area_km2 > 45", "seam_count = 0 OR area_km2 > 45", ""},
		{"not", "", "NOT (state = 'Odisha')", "NOT (state = 'Odisha')", ""},
		{"precedence", "", "seam_count = 1 OR seam_count = 2 AND operational = true", "seam_count = 1 OR (seam_count = 2 AND operational)", ""},
		{"parentheses", "", "(seam_count = 1 OR seam_count = 2) AND operational = true", "(seam_count = 1 OR seam_count = 2) AND operational", ""},
		{"like prefix", "", "name LIKE 'Block 1%'", "name LIKE 'Block 1%'", ""},
		{"like one character", "", "name LIKE 'Block _'", "name LIKE 'Block _'", ""},
		{"not like", "", "name NOT LIKE 'Block%'", "name NOT LIKE 'Block%'", ""},
		{"like casei", "", "CASEI(name) LIKE CASEI('dhirauli%')", "lower(name) LIKE 'dhirauli%'", ""},
		{"casei equal", "", "CASEI(state) = CASEI('ODISHA')", "lower(state) = 'odisha'", ""},
		{"hindi", "", "name = 'धिरौली'", "name = 'धिरौली'", ""},
		{"between", "", "area_km2 BETWEEN 10 AND 20", "area_km2 BETWEEN 10 AND 20", ""},
		{"not between", "", "seam_count NOT BETWEEN 2 AND 5", "seam_count NOT BETWEEN 2 AND 5", ""},
		{"between dates", "", "allotted_on BETWEEN DATE('2016-01-01') AND DATE('2018-12-31')", "allotted_on BETWEEN '2016-01-01' AND '2018-12-31'", ""},
		{"in", "", "seam_count IN (1, 3, 5)", "seam_count IN (1, 3, 5)", ""},
		{"not in", "", "state NOT IN ('Odisha')", "state NOT IN ('Odisha')", ""},
		{"is null", "", "state IS NULL", "state IS NULL", ""},
		{"is not null", "", "area_km2 IS NOT NULL", "area_km2 IS NOT NULL", ""},
		{"property against property", "", "area_km2 > seam_count", "area_km2 > seam_count", ""},
		{"literal on the left", "", "3 < seam_count", "3 < seam_count", ""},
		{"s_intersects polygon", "", "S_INTERSECTS(geom, POLYGON((82.01 23.8, 82.03 23.8, 82.03 23.802, 82.01 23.802, 82.01 23.8)))",
			"ST_Intersects(geom, ST_GeomFromText(" + env + ", 4326))", ""},
		{"s_intersects bbox", "", "S_INTERSECTS(geom, BBOX(82.1, 23.8, 82.15, 23.801))", "ST_Intersects(geom, ST_MakeEnvelope(82.1, 23.8, 82.15, 23.801, 4326))", ""},
		{"s_intersects point", "", "S_INTERSECTS(geom, POINT(82.0054 23.8004))", "ST_Intersects(geom, ST_SetSRID(ST_Point(82.0054, 23.8004), 4326))", ""},
		{"s_within", "", "S_WITHIN(geom, POLYGON((82.01 23.8, 82.03 23.8, 82.03 23.802, 82.01 23.802, 82.01 23.8)))",
			"ST_Within(geom, ST_GeomFromText(" + env + ", 4326))", ""},
		{"s_dwithin metres", "", "S_DWITHIN(geom, POINT(82.1 23.8), 300)",
			"ST_DWithin(geom::geography, ST_SetSRID(ST_Point(82.1, 23.8), 4326)::geography, 300)", ""},
		{"s_disjoint", "", "S_DISJOINT(geom, BBOX(82, 23, 82.1, 24))", "ST_Disjoint(geom, ST_MakeEnvelope(82, 23, 82.1, 24, 4326))", ""},
		{"s_crosses line", "", "S_CROSSES(geom, LINESTRING(82.0003 23.7995, 82.0003 23.8011))",
			"ST_Crosses(geom, ST_GeomFromText('LINESTRING(82.0003 23.7995, 82.0003 23.8011)', 4326))", ""},
		{"spatial and attribute", "", "S_INTERSECTS(geom, BBOX(82.0, 23.8, 82.2, 23.802)) AND state = 'Odisha'",
			"ST_Intersects(geom, ST_MakeEnvelope(82.0, 23.8, 82.2, 23.802, 4326)) AND state = 'Odisha'", ""},
		{"filter-crs utm", "", "S_INTERSECTS(geom, " + utm + ")",
			"ST_Intersects(geom, ST_Transform(ST_GeomFromText('" + utm + "', 32644), 4326))", "&filter-crs=http://www.opengis.net/def/crs/EPSG/0/32644"},
		{"filter-crs latitude first", "", "S_INTERSECTS(geom, POINT(23.8004 82.0054))",
			"ST_Intersects(geom, ST_SetSRID(ST_Point(82.0054, 23.8004), 4326))", "&filter-crs=http://www.opengis.net/def/crs/EPSG/0/4326"},
		{"t_intersects interval", "", "T_INTERSECTS(allotted_on, INTERVAL('2017-01-01', '2018-06-30'))",
			"allotted_on BETWEEN '2017-01-01' AND '2018-06-30'", ""},
		{"t_before", "", "T_BEFORE(allotted_on, DATE('2017-01-01'))", "allotted_on < '2017-01-01'", ""},
		{"t_after timestamp", "", "T_AFTER(allotted_on, TIMESTAMP('2021-06-01T10:00:00Z'))", "allotted_on > '2021-06-01'", ""},
		{"datetime instant", "", "", "allotted_on = '2019-01-01'", "&datetime=2019-01-01"},
		{"datetime interval", "", "", "allotted_on BETWEEN '2018-01-01' AND '2019-12-31'", "&datetime=2018-01-01T00:00:00Z/2019-12-31T23:59:59Z"},
		{"datetime open start", "", "", "allotted_on <= '2016-05-01'", "&datetime=../2016-05-01"},
		{"datetime open end with filter", "", "seam_count = 2", "allotted_on >= '2022-01-01' AND seam_count = 2", "&datetime=2022-01-01/.."},
		{"json equal", "cql2-json", `{"op":"=","args":[{"property":"state"},"Odisha"]}`, "state = 'Odisha'", ""},
		{"json and or", "cql2-json", `{"op":"or","args":[{"op":"and","args":[{"op":">","args":[{"property":"area_km2"},40]},{"op":"=","args":[{"property":"operational"},false]}]},{"op":"isNull","args":[{"property":"state"}]}]}`,
			"(area_km2 > 40 AND NOT operational) OR state IS NULL", ""},
		{"json like", "cql2-json", `{"op":"like","args":[{"property":"name"},"Block 2%"]}`, "name LIKE 'Block 2%'", ""},
		{"json in", "cql2-json", `{"op":"in","args":[{"property":"seam_count"},[0,6]]}`, "seam_count IN (0, 6)", ""},
		{"json between", "cql2-json", `{"op":"between","args":[{"property":"area_km2"},5.5,7.5]}`, "area_km2 BETWEEN 5.5 AND 7.5", ""},
		{"json not", "cql2-json", `{"op":"not","args":[{"op":"<","args":[{"property":"seam_count"},3]}]}`, "NOT (seam_count < 3)", ""},
		{"json geojson polygon", "cql2-json", `{"op":"s_intersects","args":[{"property":"geom"},{"type":"Polygon","coordinates":[[[82.01,23.8],[82.03,23.8],[82.03,23.802],[82.01,23.802],[82.01,23.8]]]}]}`,
			"ST_Intersects(geom, ST_GeomFromText(" + env + ", 4326))", ""},
		{"json bbox", "cql2-json", `{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[82.1,23.8,82.15,23.801]}]}`,
			"ST_Intersects(geom, ST_MakeEnvelope(82.1, 23.8, 82.15, 23.801, 4326))", ""},
		{"json date", "cql2-json", `{"op":"<","args":[{"property":"allotted_on"},{"date":"2016-01-01"}]}`, "allotted_on < '2016-01-01'", ""},
		{"json interval", "cql2-json", `{"op":"t_intersects","args":[{"property":"allotted_on"},{"interval":["2023-01-01",".."]}]}`, "allotted_on >= '2023-01-01'", ""},
		{"json dwithin", "cql2-json", `{"op":"s_dwithin","args":[{"property":"geom"},{"type":"Point","coordinates":[82.05,23.801]},250]}`,
			"ST_DWithin(geom::geography, ST_SetSRID(ST_Point(82.05, 23.801), 4326)::geography, 250)", ""},
		{"json casei like", "cql2-json", `{"op":"like","args":[{"op":"casei","args":[{"property":"name"}]},{"op":"casei","args":["DHIRAULI 2%"]}]}`,
			"lower(name) LIKE 'dhirauli 2%'", ""},
		{"nothing matches", "", "seam_count > 100", "seam_count > 100", ""},
		{"true", "", "TRUE", "true", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := ""
			if tt.filter != "" {
				q = "filter=" + url.QueryEscape(tt.filter)
			}
			if tt.lang != "" {
				q += "&filter-lang=" + tt.lang
			}
			q += tt.extra
			got, matched, r := f.ids(t, q)
			if r.status != 200 {
				t.Fatalf("%s: %d %s", q, r.status, r.body)
			}
			rows, err := f.store.Pool().Query(ctx, "SELECT feature_id FROM layers.blocks WHERE "+tt.sql+" ORDER BY fid")
			if err != nil {
				t.Fatalf("oracle %s: %v", tt.sql, err)
			}
			var want []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				want = append(want, id)
			}
			rows.Close()
			if !slices.Equal(got, want) {
				t.Fatalf("filter %s: %d features, PostGIS %d (%s)\ngot  %v\nwant %v", tt.filter, len(got), len(want), tt.sql, head(got), head(want))
			}
			if matched != len(want) {
				t.Fatalf("numberMatched %d, want %d", matched, len(want))
			}
			if len(want) == 0 && !strings.Contains(tt.name, "nothing") {
				t.Fatalf("the oracle selects nothing: not a test")
			}
		})
	}
}

func head(s []string) []string {
	if len(s) > 8 {
		return append(slices.Clone(s[:8]), fmt.Sprintf("…(%d)", len(s)))
	}
	return s
}

// TestFilterErrors: malformed filters, unknown properties, type mismatches
// and injection attempts are 400s naming the parameter and the position.
func TestFilterErrors(t *testing.T) {
	f := filterFixture(t)
	tests := []struct {
		name, query string
		param       string
		offset      int    // cql2-text: character offset (-1: none)
		path        string // cql2-json
	}{
		{"unknown property", "filter=" + url.QueryEscape("state = 'Odisha' AND owner = 'x'"), "filter", 21, ""},
		{"type mismatch", "filter=" + url.QueryEscape("area_km2 > 'big'"), "filter", 11, ""},
		{"string against integer", "filter=" + url.QueryEscape("seam_count IN (1, '2')"), "filter", 18, ""},
		{"injection in a value", "filter=" + url.QueryEscape("state = 'x'; DROP TABLE layers.blocks; --'"), "filter", 11, ""},
		{"injection closing a quote", "filter=" + url.QueryEscape("state = 'x' OR 1=1 --"), "filter", 19, ""},
		{"injection as a property", "filter=" + url.QueryEscape(`"state; DROP TABLE x" = 'a'`), "filter", 0, ""},
		{"injection as a function", "filter=" + url.QueryEscape("pg_sleep(10) = 1"), "filter", 0, ""},
		{"sql comment", "filter=" + url.QueryEscape("seam_count = 1 /* x */"), "filter", 15, ""},
		{"unclosed string", "filter=" + url.QueryEscape("state = 'Odisha"), "filter", 8, ""},
		{"dangling operator", "filter=" + url.QueryEscape("seam_count >"), "filter", 12, ""},
		{"spatial on text", "filter=" + url.QueryEscape("S_INTERSECTS(state, POINT(82 23))"), "filter", 13, ""},
		{"outside the world", "filter=" + url.QueryEscape("S_INTERSECTS(geom, POINT(182 23))"), "filter", 19, ""},
		{"open ring", "filter=" + url.QueryEscape("S_WITHIN(geom, POLYGON((82 23, 83 23, 83 24, 82 24)))"), "filter", 23, ""},
		{"boolean order", "filter=" + url.QueryEscape("operational < TRUE"), "filter", 0, ""},
		{"json unknown property", "filter-lang=cql2-json&filter=" + url.QueryEscape(`{"op":"=","args":[{"property":"owner"},"x"]}`), "filter", -1, "$.args[0]"},
		{"json type mismatch", "filter-lang=cql2-json&filter=" + url.QueryEscape(`{"op":"and","args":[{"op":"=","args":[{"property":"state"},"x"]},{"op":">","args":[{"property":"seam_count"},"3"]}]}`), "filter", -1, "$.args[1].args[1]"},
		{"json injection op", "filter-lang=cql2-json&filter=" + url.QueryEscape(`{"op":"= 1; DROP TABLE x; --","args":[{"property":"state"},"x"]}`), "filter", -1, "$.op"},
		{"json malformed", "filter-lang=cql2-json&filter=" + url.QueryEscape(`{"op":"=","args":[{"property":"state"},}`), "filter", 39, ""},
		{"unknown language", "filter-lang=sql&filter=x", "filter-lang", -1, ""},
		{"bad filter-crs", "filter-crs=EPSG:1234&filter=TRUE", "filter-crs", -1, ""},
		{"datetime malformed", "datetime=yesterday", "datetime", -1, ""},
		{"datetime reversed", "datetime=2020-01-01/2019-01-01", "datetime", -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.get(t, "/collections/blocks/items?"+tt.query)
			if r.status != 400 {
				t.Fatalf("%s: %d %s, want 400", tt.query, r.status, r.body)
			}
			var body struct {
				Error  string         `json:"error"`
				Detail map[string]any `json:"detail"`
			}
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatal(err)
			}
			if body.Detail["parameter"] != tt.param {
				t.Fatalf("detail %v, want parameter %s (%s)", body.Detail, tt.param, body.Error)
			}
			if tt.offset >= 0 && body.Detail["offset"] != float64(tt.offset) {
				t.Fatalf("detail %v, want offset %d (%s)", body.Detail, tt.offset, body.Error)
			}
			if tt.path != "" && body.Detail["path"] != tt.path {
				t.Fatalf("detail %v, want path %s (%s)", body.Detail, tt.path, body.Error)
			}
			if strings.Contains(strings.ToLower(body.Error), "sqlstate") || strings.Contains(body.Error, "syntax error at") {
				t.Fatalf("database text in %q", body.Error)
			}
		})
	}
	// The table is still there.
	if r := f.get(t, "/collections/blocks/items?limit=1"); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
}
