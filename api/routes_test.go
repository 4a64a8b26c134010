package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/api"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

func TestCorridorsTable(t *testing.T) {
	pool := pgtest.NewPool(t)
	overlapFixture(t, pool)
	ts, _, _ := newOverlapServer(t, pool, overlaps.Config{}, api.Config{})
	resp, err := http.Get(ts.URL + "/overlaps/corridors")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Corridors []overlaps.CorridorSpec `json:"corridors"`
		Default   string                  `json:"default"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	want := map[string]float64{"765-sc-delta": 64, "765-dc": 67, "765-sc-horizontal": 85, "400": 46, "rail": 46}
	for _, c := range body.Corridors {
		if w, ok := want[c.ID]; ok && w != c.RowWidthM {
			t.Errorf("%s: %g m, want %g", c.ID, c.RowWidthM, w)
		}
		delete(want, c.ID)
	}
	if len(want) != 0 || body.Default == "" {
		t.Errorf("missing rows %v, default %q", want, body.Default)
	}
	// The check takes the circuit; an unknown configuration is a 400 naming it.
	r, b := post(t, ts.URL+"/overlaps/check?voltage_kv=765&circuit=dc", lineAcross)
	var rep overlaps.Report
	json.Unmarshal(b, &rep)
	if r.StatusCode != 200 || rep.RowWidthM != 67 {
		t.Errorf("765 D/C check: %d, width %g", r.StatusCode, rep.RowWidthM)
	}
	r, b = post(t, ts.URL+"/overlaps/check?voltage_kv=765&circuit=triple", lineAcross)
	if r.StatusCode != 400 || !strings.Contains(string(b), "circuit") || !strings.Contains(string(b), "sc-horizontal") {
		t.Errorf("unknown circuit: %d %s", r.StatusCode, b)
	}
}

func TestRoutesEndToEnd(t *testing.T) {
	pool := pgtest.NewPool(t)
	overlapFixture(t, pool)
	ts, _, _ := newOverlapServerLines(t, pool)
	body := `{"alignment":` + lineAcross + `,"k":3,"corridor":{"voltage_kv":765,"circuit":"dc"},"clearance_m":10,
		"soft":{"crossings":[{"layer":"tx_400kv","penalty_km":0.5}],"angle_point_km":0.1}}`
	resp, b := post(t, ts.URL+"/routes", body)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	var res overlaps.RoutesResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Routes) < 2 || res.Routes[0].Kind != "original" || res.Routes[1].Rank != 1 {
		t.Fatalf("routes %+v", res.Routes)
	}
	if res.Parameters.Corridor.RowWidthM != 67 || res.Parameters.MarginM != 33.5+10 || res.DataVersions["coal_blocks"] != 1 {
		t.Errorf("parameters %+v, versions %v", res.Parameters, res.DataVersions)
	}
	for _, r := range res.Routes[1:] {
		if r.Crossings["hard"] != 0 || len(r.HardCrossed) != 0 || r.MinClearanceM == nil || *r.MinClearanceM < 10-0.05 {
			t.Errorf("route %d: crossings %v, clearance %v", r.Rank, r.Crossings, deref(r.MinClearanceM))
		}
		if len(r.SharedM) != len(res.Routes) {
			t.Errorf("route %d: shared %v", r.Rank, r.SharedM)
		}
	}
	for _, f := range []string{"geojson", "csv"} {
		resp, b := post(t, ts.URL+"/routes?f="+f, body)
		if resp.StatusCode != 200 || (f == "geojson" && strings.Count(string(b), `"Feature"`) != len(res.Routes)) ||
			(f == "csv" && strings.Count(string(b), "\n") != len(res.Routes)+1) {
			t.Errorf("f=%s: %d %s", f, resp.StatusCode, b)
		}
	}
}

// newOverlapServerLines is newOverlapServer with the line layers read too.
func newOverlapServerLines(t *testing.T, pool *pgxpool.Pool) (*httptest.Server, string, string) {
	t.Helper()
	return newOverlapServer(t, pool, overlaps.Config{Lines: postgis.NewRuns(pool)}, api.Config{})
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestRoutesBadInput sends POST /routes the mistakes a user makes and checks
// each answer: the status, a message naming what is wrong and where (the
// field, or the point and the polygon), and no database text. The fixture's
// Dhirauli block has a hole; its centre is enclosed by the block.
func TestRoutesBadInput(t *testing.T) {
	pool := pgtest.NewPool(t)
	overlapFixture(t, pool)
	ts, _, editor := newOverlapServer(t, pool, overlaps.Config{Lines: postgis.NewRuns(pool)}, api.Config{MaxCheckBytes: 64 << 10})
	const line = `{"type":"LineString","coordinates":[[82.28,23.95],[82.48,23.95]]}`
	tests := []struct {
		name   string
		body   string
		status int
		want   []string // in the error message
		detail map[string]any
	}{
		{"end enclosed by a hard polygon", `{"from":[82.33,23.95],"to":[82.50,23.99],"k":1}`, 422,
			[]string{"from", "enclosed", "coal_blocks/dhirauli", "Dhirauli"}, map[string]any{"point": "from"}},
		{"other end enclosed", `{"from":[82.50,23.99],"to":[82.33,23.95],"k":1}`, 422,
			[]string{"to", "enclosed", "coal_blocks/dhirauli"}, map[string]any{"point": "to"}},
		{"waypoint inside a hard polygon", `{"alignment":` + line + `,"waypoints":[[82.25,23.99],[82.41,23.95]]}`, 422,
			[]string{"waypoint 2", "coal_blocks/twoparts", "Two Parts", "margin"}, map[string]any{"point": "waypoint 2"}},
		{"waypoint within the margin", `{"alignment":` + line + `,"waypoints":[[82.4202,23.95]],"corridor":{"row_width_m":100}}`, 422,
			[]string{"waypoint 1", "within the 50 m margin", "coal_blocks/twoparts"}, map[string]any{"point": "waypoint 1"}},
		{"enclosed waypoint", `{"alignment":` + line + `,"waypoints":[[82.33,23.95]]}`, 422,
			[]string{"waypoint 1", "enclosed", "coal_blocks/dhirauli"}, map[string]any{"point": "waypoint 1"}},
		{"k zero", `{"alignment":` + line + `,"k":0}`, 400, []string{"k:", "1 to 5", "got 0"}, map[string]any{"field": "k"}},
		{"k six", `{"alignment":` + line + `,"k":6}`, 400, []string{"k:", "1 to 5", "got 6"}, map[string]any{"field": "k"}},
		{"k not a number", `{"alignment":` + line + `,"k":"x"}`, 400, []string{"k:", "want a number", `"x"`}, map[string]any{"field": "k"}},
		{"k fractional", `{"alignment":` + line + `,"k":2.5}`, 400, []string{"k:", "whole number"}, map[string]any{"field": "k"}},
		{"unknown hard layer", `{"alignment":` + line + `,"hard":["coal_blocks","nope"]}`, 400,
			[]string{"hard[1]:", `unknown layer "nope"`}, map[string]any{"field": "hard[1]"}},
		{"restricted hard layer without a token", `{"alignment":` + line + `,"hard":["coal_blocks","sensitive_zones"]}`, 400,
			[]string{"hard[1]:", `unknown layer "sensitive_zones"`}, map[string]any{"field": "hard[1]"}},
		{"unknown soft polygon layer", `{"alignment":` + line + `,"soft":{"polygons":[{"layer":"nope","cost_per_km":1}]}}`, 400,
			[]string{"soft.polygons[0].layer:", `unknown layer "nope"`}, map[string]any{"field": "soft.polygons[0].layer"}},
		{"restricted soft layer without a token", `{"alignment":` + line + `,"soft":{"polygons":[{"layer":"sensitive_zones","cost_per_km":1}]}}`, 400,
			[]string{"soft.polygons[0].layer:", `unknown layer "sensitive_zones"`}, map[string]any{"field": "soft.polygons[0].layer"}},
		{"unknown crossing layer", `{"alignment":` + line + `,"soft":{"crossings":[{"layer":"tx_400kv","penalty_km":1},{"layer":"canals","penalty_km":1}]}}`, 400,
			[]string{"soft.crossings[1].layer:", `unknown layer "canals"`}, map[string]any{"field": "soft.crossings[1].layer"}},
		{"polygon layer as a crossing layer", `{"alignment":` + line + `,"soft":{"crossings":[{"layer":"coal_blocks","penalty_km":1}]}}`, 400,
			[]string{"soft.crossings[0].layer:", `layer "coal_blocks" is not a line layer`}, map[string]any{"field": "soft.crossings[0].layer"}},
		{"line layer as a hard layer", `{"alignment":` + line + `,"hard":["tx_400kv"]}`, 400,
			[]string{"hard[0]:", `layer "tx_400kv" is not a polygon layer`}, map[string]any{"field": "hard[0]"}},
		{"cost not a number", `{"alignment":` + line + `,"soft":{"polygons":[{"layer":"coal_blocks","cost_per_km":"high"}]}}`, 400,
			[]string{"soft.polygons[0].cost_per_km:", "want a number", `"high"`}, map[string]any{"field": "soft.polygons[0].cost_per_km"}},
		{"penalty not a number", `{"alignment":` + line + `,"soft":{"crossings":[{"layer":"tx_400kv","penalty_km":null,"x":1}]}}`, 400,
			[]string{"soft.crossings[0].x:", "unknown field"}, map[string]any{"field": "soft.crossings[0].x"}},
		{"angle cost not a number", `{"alignment":` + line + `,"soft":{"angle_point_km":[1]}}`, 400,
			[]string{"soft.angle_point_km:", "want a number"}, map[string]any{"field": "soft.angle_point_km"}},
		{"negative cost", `{"alignment":` + line + `,"soft":{"polygons":[{"layer":"coal_blocks","cost_per_km":-1}]}}`, 400,
			[]string{"soft.polygons[0].cost_per_km:", "got -1"}, map[string]any{"field": "soft.polygons[0].cost_per_km"}},
		{"negative penalty", `{"alignment":` + line + `,"soft":{"crossings":[{"layer":"tx_400kv","penalty_km":-0.5}]}}`, 400,
			[]string{"soft.crossings[0].penalty_km:", "got -0.5"}, map[string]any{"field": "soft.crossings[0].penalty_km"}},
		{"negative distance", `{"alignment":` + line + `,"soft":{"parallel":[{"layer":"tx_400kv","bonus_per_km":0.2,"within_m":-5}]}}`, 400,
			[]string{"soft.parallel[0].within_m:", "got -5"}, map[string]any{"field": "soft.parallel[0].within_m"}},
		{"bonus that pays", `{"alignment":` + line + `,"soft":{"parallel":[{"layer":"tx_400kv","bonus_per_km":1.5}]}}`, 400,
			[]string{"soft.parallel[0].bonus_per_km:", "under 1"}, map[string]any{"field": "soft.parallel[0].bonus_per_km"}},
		{"bonuses adding up to a gain", `{"alignment":` + line + `,"soft":{"parallel":[{"layer":"tx_400kv","bonus_per_km":0.6},{"layer":"tx_400kv","bonus_per_km":0.5}]}}`, 400,
			[]string{"soft.parallel[1].bonus_per_km:", "add up to 1.1"}, map[string]any{"field": "soft.parallel[1].bonus_per_km"}},
		{"negative angle cost", `{"alignment":` + line + `,"soft":{"angle_point_km":-1}}`, 400,
			[]string{"soft.angle_point_km:", "got -1"}, map[string]any{"field": "soft.angle_point_km"}},
		{"negative width", `{"alignment":` + line + `,"corridor":{"row_width_m":-46}}`, 400,
			[]string{"corridor.row_width_m:", "-46"}, map[string]any{"field": "corridor.row_width_m"}},
		{"negative clearance", `{"alignment":` + line + `,"clearance_m":-10}`, 400,
			[]string{"clearance_m:", "-10"}, map[string]any{"field": "clearance_m"}},
		{"negative minimum section", `{"alignment":` + line + `,"min_section_m":-1}`, 400,
			[]string{"min_section_m:", "-1"}, map[string]any{"field": "min_section_m"}},
		{"max_shared over 1", `{"alignment":` + line + `,"max_shared":1.5}`, 400,
			[]string{"max_shared:", "0 to 1"}, map[string]any{"field": "max_shared"}},
		{"keep without an alignment", `{"from":[82.28,23.95],"to":[82.48,23.95],"mode":"keep"}`, 400,
			[]string{"mode:", "keep needs an alignment"}, map[string]any{"field": "mode"}},
		{"unknown mode", `{"alignment":` + line + `,"mode":"fast"}`, 400, []string{"mode:", `"fast"`}, map[string]any{"field": "mode"}},
		{"unknown circuit for the voltage", `{"alignment":` + line + `,"corridor":{"voltage_kv":765,"circuit":"triple"}}`, 400,
			[]string{"corridor.circuit:", `"triple"`, "sc-delta", "dc", "sc-horizontal"}, map[string]any{"field": "corridor.circuit"}},
		{"unknown voltage", `{"alignment":` + line + `,"corridor":{"voltage_kv":999}}`, 400,
			[]string{"corridor.voltage_kv:", "999", "66, 110, 132, 220, 400, 500, 765"}, map[string]any{"field": "corridor.voltage_kv"}},
		{"circuit without a voltage", `{"alignment":` + line + `,"corridor":{"circuit":"dc"}}`, 400,
			[]string{"corridor.circuit:", "voltage_kv"}, map[string]any{"field": "corridor.circuit"}},
		{"unknown corridor field", `{"alignment":` + line + `,"corridor":{"width":46}}`, 400,
			[]string{"corridor.width:", "unknown field"}, map[string]any{"field": "corridor.width"}},
		{"no ends", `{"k":2}`, 400, []string{"alignment:", "from and to"}, map[string]any{"field": "alignment"}},
		{"point outside India", `{"from":[23.95,82.28],"to":[82.48,23.95]}`, 400,
			[]string{"from:", "outside India", "[lon, lat]"}, map[string]any{"field": "from"}},
		{"waypoint not a point", `{"alignment":` + line + `,"waypoints":[[82.3]]}`, 400,
			[]string{"waypoints[0]:", "[lon, lat]"}, map[string]any{"field": "waypoints[0]"}},
		{"alignment not a line", `{"alignment":{"type":"Point","coordinates":[82.3,23.9]}}`, 400,
			[]string{"alignment:"}, map[string]any{"field": "alignment"}},
		{"unknown field", `{"alignment":` + line + `,"avoid":["coal_blocks"]}`, 400,
			[]string{"avoid:", "unknown field"}, map[string]any{"field": "avoid"}},
		{"malformed JSON", `{"alignment":` + line + `,"k":3`, 400, []string{"body:", "not JSON"}, map[string]any{"field": "body"}},
		{"text after the object", `{"alignment":` + line + `} {"k":1}`, 400, []string{"body:", "after the object"}, map[string]any{"field": "body"}},
		{"not an object", `[1,2,3]`, 400, []string{"body:", "want a JSON object, got array"}, map[string]any{"field": "body"}},
		{"null", `null`, 400, []string{"body:", "want a JSON object"}, map[string]any{"field": "body"}},
		{"empty body", ``, 400, []string{"body:", "empty"}, map[string]any{"field": "body"}},
		{"body too large", `{"alignment":` + line + `,"waypoints":[` + strings.Repeat(`[82.3,23.9],`, 7000) + `[82.3,23.9]]}`, 413,
			[]string{"larger than 65536 bytes"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := post(t, ts.URL+"/routes", tc.body)
			checkErrorAnswer(t, resp, b, tc.status, tc.want, tc.detail)
		})
	}

	t.Run("restricted layer: the same answer as an unknown one, and usable with a token", func(t *testing.T) {
		_, unknown := post(t, ts.URL+"/routes", `{"alignment":`+line+`,"hard":["sensitive_zonez"]}`)
		_, restricted := post(t, ts.URL+"/routes", `{"alignment":`+line+`,"hard":["sensitive_zones"]}`)
		if strings.ReplaceAll(string(unknown), "sensitive_zonez", "sensitive_zones") != string(restricted) {
			t.Errorf("restricted %s, unknown %s", restricted, unknown)
		}
		resp, b := postAs(t, editor, ts.URL+"/routes", `{"alignment":`+line+`,"hard":["sensitive_zones"],"k":1}`)
		if resp.StatusCode != 200 {
			t.Errorf("with a token: %d %s", resp.StatusCode, b)
		}
	})
	t.Run("query parameters", func(t *testing.T) {
		resp, b := post(t, ts.URL+"/routes?f=kml", `{"alignment":`+line+`}`)
		checkErrorAnswer(t, resp, b, 400, []string{"parameter f", "json, geojson, csv"}, map[string]any{"parameter": "f"})
		resp, b = post(t, ts.URL+"/routes?k=3", `{"alignment":`+line+`}`)
		checkErrorAnswer(t, resp, b, 400, []string{"parameter k", "unknown parameter"}, map[string]any{"parameter": "k"})
	})
}

// dbWords are fragments of database and Go error text that must never reach
// a client.
var dbWords = []string{"SQLSTATE", "ERROR:", "pgx", "postgres", "relation ", "syntax error at", "goroutine", "panic", "overlaps:", "geo:",
	"interface {}", "Go value", "json:"}

// checkErrorAnswer checks an error answer: status, JSON body {error,
// detail}, the words wanted in the message, the detail's fields, and no
// database text.
func checkErrorAnswer(t *testing.T, resp *http.Response, b []byte, status int, want []string, detail map[string]any) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, b)
	}
	var body struct {
		Error  string         `json:"error"`
		Detail map[string]any `json:"detail"`
	}
	if err := json.Unmarshal(b, &body); err != nil || body.Error == "" {
		t.Fatalf("not a JSON error (%v): %s", err, b)
	}
	t.Logf("%d %s", resp.StatusCode, b)
	for _, w := range want {
		if !strings.Contains(body.Error, w) {
			t.Errorf("message %q lacks %q", body.Error, w)
		}
	}
	for k, v := range detail {
		if body.Detail[k] != v {
			t.Errorf("detail %s = %v, want %v (%s)", k, body.Detail[k], v, b)
		}
	}
	for _, w := range dbWords {
		if strings.Contains(string(b), w) {
			t.Errorf("answer shows %q: %s", w, b)
		}
	}
}
