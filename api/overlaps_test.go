package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/api"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// overlapFixture makes a polygon layer of three blocks (one with a hole, one
// in two parts) and a line layer of two 400 kV lines, by SQL.
func overlapFixture(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO catalog.layers (id, title, geometry_type, category, data_version) VALUES
		 ('coal_blocks', 'Coal blocks', 'MultiPolygon', 'coal_resources', 1),
		 ('tx_400kv', 'Transmission lines 400 kV', 'MultiLineString', 'power', 1)`,
		`INSERT INTO catalog.layers (id, title, geometry_type, category, access) VALUES
		 ('sensitive_zones', 'Sensitive zones', 'MultiPolygon', 'environment', 'restricted')`,
		`CREATE TABLE layers.sensitive_zones (fid bigint PRIMARY KEY, feature_id text NOT NULL UNIQUE, geom geometry(MultiPolygon, 4326))`,
		`INSERT INTO layers.sensitive_zones VALUES (1, 'z1', ST_Multi(ST_GeomFromText('POLYGON((82.29 23.90, 82.31 23.90, 82.31 24.0, 82.29 24.0, 82.29 23.90))', 4326)))`,
		`CREATE TABLE layers.coal_blocks (fid bigint PRIMARY KEY, feature_id text NOT NULL UNIQUE,
		 geom geometry(MultiPolygon, 4326), name text, allocatee text, status text)`,
		`INSERT INTO layers.coal_blocks VALUES
		 (1, 'dhirauli', ST_Multi(ST_GeomFromText('POLYGON((82.30 23.93, 82.36 23.93, 82.36 23.97, 82.30 23.97, 82.30 23.93),
		   (82.32 23.94, 82.34 23.94, 82.34 23.96, 82.32 23.96, 82.32 23.94))', 4326)), 'Dhirauli', 'Stratatech Mineral Resources', 'allocated'),
		 (2, 'twoparts', ST_GeomFromText('MULTIPOLYGON(((82.40 23.93, 82.42 23.93, 82.42 23.97, 82.40 23.97, 82.40 23.93)),
		   ((82.44 23.93, 82.46 23.93, 82.46 23.97, 82.44 23.97, 82.44 23.93)))', 4326), 'Two Parts', '', 'unallocated'),
		 (3, 'far', ST_Multi(ST_GeomFromText('POLYGON((83.0 22.0, 83.1 22.0, 83.1 22.1, 83.0 22.1, 83.0 22.0))', 4326)), 'Far away', '', '')`,
		`CREATE TABLE layers.tx_400kv (fid bigint PRIMARY KEY, feature_id text NOT NULL UNIQUE,
		 geom geometry(MultiLineString, 4326), voltage_kv integer)`,
		`INSERT INTO layers.tx_400kv VALUES
		 (1, 'L1', ST_Multi(ST_GeomFromText('LINESTRING(82.28 23.95, 82.48 23.95)', 4326)), 400),
		 (2, 'L2', ST_Multi(ST_GeomFromText('LINESTRING(82.28 23.90, 82.48 23.91)', 4326)), 400)`,
	} {
		if _, err := pool.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

// newOverlapServer serves the check and run routes over pool's catalog and
// returns the server with a viewer's and an editor's token.
func newOverlapServer(t *testing.T, pool *pgxpool.Pool, cfg overlaps.Config, apiCfg api.Config) (ts *httptest.Server, viewer, editor string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store := postgis.NewStore(pool)
	cat := layers.NewCatalog(store, nil)
	if err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	tokens := map[layers.Role]string{}
	for _, role := range []layers.Role{layers.Viewer, layers.Editor} {
		tok, hash := layers.NewToken()
		if _, err := store.CreateToken(ctx, role.String(), role, hash, "test"); err != nil {
			t.Fatal(err)
		}
		tokens[role] = tok
	}
	engine := overlaps.New(postgis.NewPolygons(pool), cfg)
	runStore := postgis.NewRuns(pool)
	runs := overlaps.NewRuns(ctx, engine, runStore, runStore, 1, nil)
	t.Cleanup(func() { cancel(); runs.Wait() })
	apiCfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ts = httptest.NewServer(api.New(apiCfg, api.Deps{Catalog: cat, Tokens: store, Overlaps: engine, Runs: runs}))
	t.Cleanup(ts.Close)
	return ts, tokens[layers.Viewer], tokens[layers.Editor]
}

func post(t *testing.T, url, body string) (*http.Response, []byte) {
	t.Helper()
	return postAs(t, "", url, body)
}

func postAs(t *testing.T, token, url, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/geo+json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func getAs(t *testing.T, token, url string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

const lineAcross = `{"type":"Feature","id":"proposed-765","geometry":{"type":"LineString","coordinates":[[82.28,23.95],[82.48,23.95]]},"properties":{}}`

func TestOverlapCheckMatchesPostGIS(t *testing.T) {
	pool := pgtest.NewPool(t)
	overlapFixture(t, pool)
	ts, viewer, _ := newOverlapServer(t, pool, overlaps.Config{}, api.Config{})

	resp, body := post(t, ts.URL+"/overlaps/check?against=coal_blocks&row_width_m=64&clearance_m=45", lineAcross)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var rep overlaps.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	// The oracle: PostGIS's own intersection, geodesic length and corridor area.
	rows, err := pool.Query(context.Background(), `
		WITH a AS (SELECT ST_GeomFromText('LINESTRING(82.28 23.95, 82.48 23.95)', 4326) AS g)
		SELECT b.feature_id,
		       ST_Length(ST_Intersection(a.g, b.geom)::geography),
		       ST_NumGeometries(ST_LineMerge(ST_CollectionExtract(ST_Intersection(a.g, b.geom), 2))),
		       ST_Area(ST_Intersection(ST_Buffer(a.g::geography, 32)::geometry, b.geom)::geography) / 10000
		FROM layers.coal_blocks b, a WHERE ST_Intersects(a.g, b.geom) ORDER BY b.feature_id`)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		length, area float64
		n            int
	}
	oracle := map[string]want{}
	for rows.Next() {
		var id string
		var w want
		if err := rows.Scan(&id, &w.length, &w.n, &w.area); err != nil {
			t.Fatal(err)
		}
		oracle[id] = w
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if len(rep.Crossings) != len(oracle) {
		t.Fatalf("%d crossings, PostGIS finds %d: %+v", len(rep.Crossings), len(oracle), rep.Crossings)
	}
	for _, c := range rep.Crossings {
		w, ok := oracle[c.ID]
		if !ok {
			t.Fatalf("crossing of %s that PostGIS does not see", c.ID)
		}
		if d := math.Abs(c.LengthM - w.length); d > math.Max(1, w.length*0.001) {
			t.Errorf("%s: length %.2f m, PostGIS %.2f m", c.ID, c.LengthM, w.length)
		}
		if c.Crossings != w.n {
			t.Errorf("%s: %d crossings, PostGIS %d", c.ID, c.Crossings, w.n)
		}
		if d := math.Abs(c.CorridorAreaHa - w.area); d > w.area*0.01 {
			t.Errorf("%s: corridor %.3f ha, PostGIS %.3f ha", c.ID, c.CorridorAreaHa, w.area)
		}
		if c.ID == "dhirauli" && (c.Name != "Dhirauli" || c.Allocatee == "" || c.AlignmentID != "proposed-765") {
			t.Errorf("dhirauli crossing lacks its attributes: %+v", c)
		}
	}
	if rep.RowWidthM != 64 || rep.ClearanceM != 45 {
		t.Errorf("report says width %g clearance %g", rep.RowWidthM, rep.ClearanceM)
	}

	t.Run("csv", func(t *testing.T) {
		resp, body := post(t, ts.URL+"/overlaps/check?f=csv", lineAcross)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("status %d, type %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1+len(oracle) || recs[0][0] != "kind" {
			t.Fatalf("csv rows %d: %v", len(recs), recs)
		}
	})
	t.Run("geojson", func(t *testing.T) {
		resp, body := post(t, ts.URL+"/overlaps/check?f=geojson", lineAcross)
		var fc struct {
			Features []struct {
				Geometry struct{ Type string }
			}
		}
		if err := json.Unmarshal(body, &fc); err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d: %v %s", resp.StatusCode, err, body)
		}
		if len(fc.Features) != len(oracle) || fc.Features[0].Geometry.Type != "MultiLineString" {
			t.Fatalf("features: %+v", fc.Features)
		}
	})
	t.Run("restricted layer needs a token", func(t *testing.T) {
		resp, body := post(t, ts.URL+"/overlaps/check?against=sensitive_zones", lineAcross)
		if resp.StatusCode != 404 {
			t.Fatalf("anonymous: %d %s", resp.StatusCode, body)
		}
		resp, body = postAs(t, viewer, ts.URL+"/overlaps/check?against=sensitive_zones,coal_blocks", lineAcross)
		if resp.StatusCode != 200 {
			t.Fatalf("viewer: %d %s", resp.StatusCode, body)
		}
		var r overlaps.Report
		json.Unmarshal(body, &r)
		if len(r.Crossings) != len(oracle)+1 {
			t.Fatalf("viewer sees %d crossings, want %d", len(r.Crossings), len(oracle)+1)
		}
	})
	t.Run("kml", func(t *testing.T) {
		kml := `<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>kml-line</name>
<LineString><coordinates>82.28,23.95,310 82.48,23.95,320</coordinates></LineString></Placemark></Document></kml>`
		resp, body := post(t, ts.URL+"/overlaps/check?row_width_m=64", kml)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var r overlaps.Report
		json.Unmarshal(body, &r)
		if len(r.Crossings) != len(oracle) {
			t.Fatalf("KML alignment: %d crossings, want %d", len(r.Crossings), len(oracle))
		}
	})
}

func TestOverlapCheckBadInput(t *testing.T) {
	pool := pgtest.NewPool(t)
	overlapFixture(t, pool)
	ts, _, _ := newOverlapServer(t, pool, overlaps.Config{MaxVertices: 50}, api.Config{MaxCheckBytes: 4096})
	many := make([]string, 60)
	for i := range many {
		many[i] = fmt.Sprintf("[%g,23.95]", 82.28+float64(i)*0.001)
	}
	for _, tc := range []struct {
		name, query, body string
		status            int
		mention           string
	}{
		{"point", "", `{"type":"Point","coordinates":[82.3,23.9]}`, 400, "alignment 0"},
		{"polygon in a collection", "", `{"type":"FeatureCollection","features":[` + lineAcross + `,{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[82,23],[83,23],[83,24],[82,23]]]},"properties":{}}]}`, 400, "alignment 1"},
		{"empty geometry", "", `{"type":"LineString","coordinates":[]}`, 400, "empty"},
		{"zero length", "", `{"type":"LineString","coordinates":[[82.3,23.9],[82.3,23.9]]}`, 422, "zero-length"},
		{"one vertex", "", `{"type":"LineString","coordinates":[[82.3,23.9]]}`, 422, "a line needs at least two distinct points: part 0 has 1"},
		{"one-vertex part", "", `{"type":"MultiLineString","coordinates":[[[82.3,23.9],[82.4,23.9]],[[82.5,23.9]]]}`, 422, "part 1 has 1"},
		{"out of range", "", `{"type":"LineString","coordinates":[[182.3,23.9],[82.3,23.9]]}`, 400, "range"},
		{"negative width", "?row_width_m=-5", lineAcross, 400, "row_width_m"},
		{"width not a number", "?row_width_m=wide", lineAcross, 400, "row_width_m"},
		{"unknown voltage", "?voltage_kv=999", lineAcross, 400, "voltage_kv"},
		{"unknown layer", "?against=no_such_layer", lineAcross, 404, ""},
		{"line layer as polygons", "?against=tx_400kv", lineAcross, 400, "polygon layers"},
		{"unknown parameter", "?widht=5", lineAcross, 400, "widht"},
		{"malformed JSON", "", `{"type":"LineString","coordinates":[[82.3,23.9],`, 400, "JSON"},
		{"empty body", "", ``, 400, "empty"},
		{"too many vertices", "", `{"type":"LineString","coordinates":[` + strings.Join(many, ",") + `]}`, 413, "vertices"},
		{"too large", "", `{"type":"LineString","coordinates":[` + strings.Repeat("[82.3,23.9],", 400) + `[82.4,23.9]]}`, 413, "larger"},
		{"KML with an entity", "", `<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]><kml><Placemark><LineString><coordinates>&x;</coordinates></LineString></Placemark></kml>`, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := post(t, ts.URL+"/overlaps/check"+tc.query, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
				t.Fatalf("not a JSON error: %s", body)
			}
			if !strings.Contains(e.Error, tc.mention) {
				t.Fatalf("error %q does not mention %q", e.Error, tc.mention)
			}
			if strings.Contains(strings.ToLower(e.Error), "sqlstate") || strings.Contains(e.Error, "SELECT") {
				t.Fatalf("SQL leaked: %s", e.Error)
			}
		})
	}
}

func TestOverlapRuns(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	overlapFixture(t, pool)
	ts, viewer, editor := newOverlapServer(t, pool, overlaps.Config{}, api.Config{})

	const spec = `{"lines":["tx_400kv"],"polygons":["coal_blocks"],"clearance_m":100}`
	if resp, _ := post(t, ts.URL+"/overlaps/runs", spec); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous run: %d, want 401", resp.StatusCode)
	}
	if resp, _ := postAs(t, viewer, ts.URL+"/overlaps/runs", spec); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer's run: %d, want 403", resp.StatusCode)
	}
	resp, body := postAs(t, editor, ts.URL+"/overlaps/runs", spec)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var run overlaps.RunInfo
	json.Unmarshal(body, &run)
	deadline := time.Now().Add(30 * time.Second)
	for run.Status != overlaps.RunSucceeded {
		if run.Status == overlaps.RunFailed || time.Now().After(deadline) {
			t.Fatalf("run: %+v", run)
		}
		time.Sleep(50 * time.Millisecond)
		r, err := http.Get(fmt.Sprintf("%s/overlaps/runs/%d", ts.URL, run.ID))
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(r.Body).Decode(&run)
		r.Body.Close()
	}
	if run.LinesTotal != 2 || run.LinesDone != 2 || run.Stale {
		t.Fatalf("finished run: %+v", run)
	}
	r, err := http.Get(fmt.Sprintf("%s/overlaps/runs/%d/results?f=csv", ts.URL, run.ID))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(r.Body).ReadAll()
	r.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0][:7], ",") != "line_layer,line_id,polygon_layer,polygon_id,length_m,crossings,corridor_area_ha" {
		t.Fatalf("header %v", recs[0])
	}
	// Oracle: the pairs PostGIS sees crossing, with their lengths.
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM layers.tx_400kv l JOIN layers.coal_blocks b
		ON ST_Intersects(l.geom, b.geom) AND ST_Length(ST_Intersection(l.geom, b.geom)) > 0`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	crossings := 0
	for _, rec := range recs[1:] {
		if rec[7] != "crossing" {
			continue
		}
		crossings++
		var want float64
		if err := pool.QueryRow(ctx, `SELECT ST_Length(ST_Intersection(l.geom, b.geom)::geography)
			FROM layers.tx_400kv l, layers.coal_blocks b WHERE l.feature_id = $1 AND b.feature_id = $2`, rec[1], rec[3]).Scan(&want); err != nil {
			t.Fatal(err)
		}
		var got float64
		fmt.Sscanf(rec[4], "%g", &got)
		if math.Abs(got-want) > math.Max(1, want*0.001) {
			t.Errorf("%s × %s: %.1f m, PostGIS %.1f m", rec[1], rec[3], got, want)
		}
		if rec[11] != "46.0" {
			t.Errorf("400 kV line got row width %s, want 46.0", rec[11])
		}
	}
	if crossings != n {
		t.Fatalf("%d crossing rows, PostGIS finds %d pairs", crossings, n)
	}

	// A re-import (version bump) makes the run stale.
	if _, err := pool.Exec(ctx, `UPDATE catalog.layers SET data_version = data_version + 1 WHERE id = 'coal_blocks'`); err != nil {
		t.Fatal(err)
	}
	r, _ = http.Get(fmt.Sprintf("%s/overlaps/runs/%d", ts.URL, run.ID))
	json.NewDecoder(r.Body).Decode(&run)
	r.Body.Close()
	if !run.Stale {
		t.Fatal("run not marked stale after its polygon layer changed")
	}

	req, _ := http.NewRequest(http.MethodDelete, fmt.Sprintf("%s/overlaps/runs/%d", ts.URL, run.ID), nil)
	req.Header.Set("Authorization", "Bearer "+editor)
	r, err = http.DefaultClient.Do(req)
	if err != nil || r.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v %v", err, r.Status)
	}
	r, _ = http.Get(fmt.Sprintf("%s/overlaps/runs/%d", ts.URL, run.ID))
	if r.StatusCode != 404 {
		t.Fatalf("deleted run: %d", r.StatusCode)
	}

	// A run over a restricted layer is as invisible as the layer.
	resp, body = postAs(t, editor, ts.URL+"/overlaps/runs", `{"lines":["tx_400kv"],"polygons":["sensitive_zones"]}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("restricted run: %d %s", resp.StatusCode, body)
	}
	json.Unmarshal(body, &run)
	for _, path := range []string{"", "/results?f=csv"} {
		u := fmt.Sprintf("%s/overlaps/runs/%d%s", ts.URL, run.ID, path)
		if r := getAs(t, "", u); r.StatusCode != 404 {
			t.Errorf("anonymous GET %s: %d, want 404", path, r.StatusCode)
		}
		if r := getAs(t, viewer, u); r.StatusCode == 404 {
			t.Errorf("viewer GET %s: 404", path)
		}
	}
	r = getAs(t, "", ts.URL+"/overlaps/runs")
	listing, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if strings.Contains(string(listing), "sensitive_zones") {
		t.Errorf("anonymous run listing shows the restricted run: %s", listing)
	}

	for _, bad := range []string{`{"lines":[]}`, `{"lines":["nope"]}`, `{"lines":["coal_blocks"]}`, `{"lines":["tx_400kv"],"bogus":1}`, `not json`} {
		resp, body := postAs(t, editor, ts.URL+"/overlaps/runs", bad)
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("%s: status %d %s", bad, resp.StatusCode, body)
		}
	}
}

func TestReroute(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	overlapFixture(t, pool)
	ts, _, _ := newOverlapServer(t, pool, overlaps.Config{}, api.Config{})

	resp, body := post(t, ts.URL+"/overlaps/reroute?row_width_m=64&clearance_m=45", lineAcross)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var res overlaps.RerouteResult
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Original.Crossings) == 0 || len(res.Alternatives) != 1 {
		t.Fatalf("original crossings %d, alternatives %d", len(res.Original.Crossings), len(res.Alternatives))
	}
	alt := res.Alternatives[0]
	line := alt.Geometry.Coordinates
	if line[0] != (orb.Point{82.28, 23.95}) || line[len(line)-1] != (orb.Point{82.48, 23.95}) {
		t.Errorf("alternative moved the ends: %v … %v", line[0], line[len(line)-1])
	}
	// Oracle: PostGIS sees no block within half the RoW plus the clearance
	// of the alternative, and measures the same added length.
	b, _ := json.Marshal(alt.Geometry)
	var minDist, altLen, origLen float64
	var crossing int
	if err := pool.QueryRow(ctx, `WITH a AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g)
		SELECT (SELECT min(ST_Distance(a.g::geography, b.geom::geography)) FROM layers.coal_blocks b),
		       (SELECT count(*) FROM layers.coal_blocks b WHERE ST_Intersects(a.g, b.geom)),
		       ST_Length(a.g::geography),
		       ST_Length(ST_GeomFromText('LINESTRING(82.28 23.95, 82.48 23.95)', 4326)::geography)
		FROM a`, string(b)).Scan(&minDist, &crossing, &altLen, &origLen); err != nil {
		t.Fatal(err)
	}
	if crossing != 0 || minDist < 32+45-1 {
		t.Fatalf("alternative crosses %d blocks, comes within %.1f m of one (want ≥ %d m)", crossing, minDist, 32+45)
	}
	if d := math.Abs(alt.AddedLengthM - (altLen - origLen)); d > math.Max(1, altLen*0.001) {
		t.Errorf("added length %.1f m, PostGIS %.1f m", alt.AddedLengthM, altLen-origLen)
	}
	if len(alt.Check.Crossings) != 0 || len(alt.Avoided) < 2 {
		t.Errorf("alternative's check %d crossings, avoided %v", len(alt.Check.Crossings), alt.Avoided)
	}
	t.Logf("detour adds %.0f m (%.1f%%) around %v", alt.AddedLengthM, alt.AddedPct, alt.Avoided)

	t.Run("clear alignment needs no alternative", func(t *testing.T) {
		resp, body := post(t, ts.URL+"/overlaps/reroute", `{"type":"LineString","coordinates":[[82.28,23.80],[82.48,23.80]]}`)
		var r overlaps.RerouteResult
		json.Unmarshal(body, &r)
		if resp.StatusCode != 200 || len(r.Alternatives) != 0 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("starting inside a block", func(t *testing.T) {
		// A line from inside Dhirauli (a siding in its own block, say)
		// cannot avoid Dhirauli: nothing to propose, and it says why.
		resp, body := post(t, ts.URL+"/overlaps/reroute", `{"type":"LineString","coordinates":[[82.305,23.95],[82.48,23.80]]}`)
		var r overlaps.RerouteResult
		json.Unmarshal(body, &r)
		if resp.StatusCode != 200 || len(r.Alternatives) != 0 || len(r.Unavoidable) != 1 || r.Unavoidable[0].ID != "dhirauli" {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		// From inside Dhirauli across Two Parts: Two Parts is avoided.
		resp, body = post(t, ts.URL+"/overlaps/reroute?row_width_m=46", `{"type":"LineString","coordinates":[[82.305,23.95],[82.48,23.95]]}`)
		r = overlaps.RerouteResult{}
		json.Unmarshal(body, &r)
		if resp.StatusCode != 200 || len(r.Alternatives) != 1 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		alt := r.Alternatives[0]
		if len(alt.Unavoidable) != 1 || alt.Unavoidable[0].ID != "dhirauli" || len(alt.Avoided) != 1 || alt.Avoided[0].ID != "twoparts" {
			t.Fatalf("avoided %v, unavoidable %v", alt.Avoided, alt.Unavoidable)
		}
		b, _ := json.Marshal(alt.Geometry)
		var hits []string
		rows, err := pool.Query(ctx, `SELECT feature_id FROM layers.coal_blocks b
			WHERE ST_DWithin(b.geom::geography, ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)::geography, 22) ORDER BY 1`, string(b))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			hits = append(hits, id)
		}
		if len(hits) != 1 || hits[0] != "dhirauli" {
			t.Fatalf("PostGIS: the alternative's corridor reaches %v, want only dhirauli", hits)
		}
	})
	t.Run("geojson", func(t *testing.T) {
		resp, body := post(t, ts.URL+"/overlaps/reroute?f=geojson", lineAcross)
		if resp.StatusCode != 200 || strings.Count(string(body), `"Feature"`) != 2 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
}
