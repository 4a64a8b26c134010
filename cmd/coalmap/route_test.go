package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coalmap/coalmap/overlaps"
)

func TestRouteCommand(t *testing.T) {
	url := blocksFixture(t)
	dir := t.TempDir()
	line := filepath.Join(dir, "proposed.geojson")
	os.WriteFile(line, []byte(`{"type":"Feature","id":"proposed","geometry":{"type":"LineString","coordinates":[[82.28,23.95],[82.48,23.95]]},"properties":{}}`), 0o644)
	args := []string{"route", "--database-url", url, "--voltage-kv", "765", "--circuit", "dc", "--clearance-m", "10", "--crossings", "tx_765kv:0.5", "--k", "3"}

	var out, errb bytes.Buffer
	if code := run(context.Background(), append(append([]string{}, args...), "--format", "json", line), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var res overlaps.RoutesResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Routes) < 3 || res.Routes[0].Kind != "original" || res.Parameters.Corridor.RowWidthM != 67 {
		t.Fatalf("%d routes, corridor %+v", len(res.Routes), res.Parameters.Corridor)
	}
	if res.Routes[0].Crossings["hard"] != 2 || res.Routes[1].Crossings["hard"] != 0 {
		t.Errorf("hard crossings: original %d, best %d", res.Routes[0].Crossings["hard"], res.Routes[1].Crossings["hard"])
	}

	t.Run("text", func(t *testing.T) {
		out.Reset()
		if code := run(context.Background(), append(append([]string{}, args...), line), &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		for _, s := range []string{"765 kV D/C", "original", "alternative", "margin 43.5 m"} {
			if !strings.Contains(out.String(), s) {
				t.Errorf("text lacks %q:\n%s", s, out.String())
			}
		}
	})
	t.Run("csv and geojson", func(t *testing.T) {
		out.Reset()
		if code := run(context.Background(), append(append([]string{}, args...), "--format", "csv", line), &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		recs, err := csv.NewReader(&out).ReadAll()
		if err != nil || len(recs) != len(res.Routes)+1 {
			t.Fatalf("%d rows, %v", len(recs), err)
		}
		out.Reset()
		if code := run(context.Background(), append(append([]string{}, args...), "--format", "geojson", line), &out, &errb); code != 0 ||
			strings.Count(out.String(), `"Feature"`) != len(res.Routes) {
			t.Fatalf("exit %d: %s", code, out.String())
		}
	})
	t.Run("ends only, waypoint", func(t *testing.T) {
		out.Reset()
		if code := run(context.Background(), []string{"route", "--database-url", url, "--from", "82.28,23.95", "--to", "82.48,23.95",
			"--waypoint", "82.38,23.99", "--no-soft", "--k", "1", "--format", "json"}, &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		var r overlaps.RoutesResult
		json.Unmarshal(out.Bytes(), &r)
		if len(r.Routes) != 1 || r.Routes[0].Kind != "alternative" || !r.Routes[0].Geometry.Coordinates.Bound().Contains([2]float64{82.38, 23.99}) {
			t.Fatalf("%s", out.String())
		}
	})
	t.Run("bad input", func(t *testing.T) {
		tests := []struct {
			args []string
			code int
			want []string // in the message
		}{
			{[]string{"--crossings", "tx_765kv:lots", line}, 2, []string{"--crossings", `"lots" is not a number`}},
			{[]string{"--from", "82.28", line}, 2, []string{"--from", "LON,LAT"}},
			{[]string{"--format", "kml", line}, 2, []string{"--format", "text, json, geojson or csv"}},
			{[]string{"--k", "0", line}, 1, []string{"--k: want 1 to 5 alternatives, got 0"}},
			{[]string{"--k", "6", line}, 1, []string{"--k: want 1 to 5 alternatives, got 6"}},
			{[]string{"--hard", "coal_blocks,nope", line}, 1, []string{`--hard #2: unknown layer "nope"`}},
			{[]string{"--crossings", "tx_765kv:1", "--crossings", "canals:1", line}, 1, []string{`--crossings #2: unknown layer "canals"`}},
			{[]string{"--crossings", "coal_blocks:1", line}, 1, []string{`--crossings #1: layer "coal_blocks" is not a line layer`}},
			{[]string{"--soft-polygons", "coal_blocks:-2", line}, 1, []string{"--soft-polygons #1: want 0 to 1000, got -2"}},
			{[]string{"--voltage-kv", "765", "--circuit", "triple", line}, 1, []string{"--circuit", `"triple"`, "sc-delta, dc, sc-horizontal"}},
			{[]string{"--row-width-m", "-3", line}, 1, []string{"--row-width-m", "-3"}},
			{[]string{"--mode", "keep", "--from", "82.28,23.95", "--to", "82.48,23.95"}, 1, []string{"--mode: keep needs an alignment"}},
			{[]string{"--from", "23.95,82.28", "--to", "82.48,23.95"}, 1, []string{"--from", "outside India"}},
			{[]string{"--waypoint", "82.41,23.95", line}, 1, []string{"waypoint 1 lies inside or within the 23 m margin of coal_blocks/other (Other)"}},
		}
		for _, tc := range tests {
			out.Reset()
			errb.Reset()
			code := run(context.Background(), append([]string{"route", "--database-url", url, "--log-level", "error"}, tc.args...), &out, &errb)
			msg := errb.String()
			if code != tc.code {
				t.Errorf("%v: exit %d, want %d: %s", tc.args, code, tc.code, msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%v: message %q lacks %q", tc.args, msg, w)
				}
			}
			for _, w := range []string{"SQLSTATE", "ERROR:", "pgx", "overlaps:", "postgis:"} {
				if strings.Contains(msg, w) {
					t.Errorf("%v: message shows %q: %s", tc.args, w, msg)
				}
			}
		}
	})
}
