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
