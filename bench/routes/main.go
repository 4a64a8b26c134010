// Command routes-bench measures POST /routes of a running `coalmap serve`
// from a separate process over loopback. First it compares the planner's
// best alternatives on the demo's four real cases with the convex-hull
// detour of the version before it (`coalmap check --reroute`, whose JSON
// answers it reads), then it times the latency scenarios, reading serve's
// resident set after each. bench/routes/run.sh starts everything and runs
// it:
//
//	go run ./bench/routes -url http://127.0.0.1:PORT -pid SERVE_PID -cases DIR -old DIR [-n 40]
//
// Latency: k = 3 alternatives, hard constraint coal_blocks, the forest
// layers as soft costs, for the Dhirauli line and a 300 km line across the
// Singrauli and Korba coalfields; one warm-up request each (it loads the
// layers), then n requests one after the other; p50, p95 and the slowest.
// Memory: the serve process's resident set after each step and its peak
// (VmRSS and VmHWM of /proc/PID/status).
//
// With -database-url instead of -url it serves the API in this process (as
// `coalmap serve` does: the catalog, the overlap engine with line layers),
// for -cpuprofile; the figures of BENCHMARKS.md come from the separate
// serve process.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/coalmap/coalmap/api"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "the service")
	pid := flag.Int("pid", 0, "process id of the serve process (for its peak memory)")
	n := flag.Int("n", 40, "requests per scenario after the warm-up")
	cases := flag.String("cases", "", "directory of the four real cases as GeoJSON features (<id>.geojson)")
	old := flag.String("old", "", "directory of the previous version's `check --reroute --format json` answers (<id>.json)")
	dbURL := flag.String("database-url", "", "serve in this process over this database (for -cpuprofile) instead of -url")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the in-process server to this file")
	only := flag.String("only", "", "run only the scenarios whose name holds this text")
	flag.Parse()
	if *dbURL != "" {
		srv, stop := serveInProcess(*dbURL)
		defer stop()
		*url = srv
		if *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err != nil {
				fail(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				fail(err)
			}
			defer pprof.StopCPUProfile()
		}
	}

	fmt.Printf("# routes benchmark, %s, %s\n\n", time.Now().UTC().Format(time.RFC3339), *url)
	dhirauli, err := os.ReadFile(filepath.Join(*cases, "dhirauli-765kv.geojson"))
	if err != nil {
		fail(err)
	}
	forests := map[string]any{
		"polygons":       []map[string]any{{"layer": "reserved_forests", "cost_per_km": 1.0}, {"layer": "protected_forests", "cost_per_km": 0.5}, {"layer": "forest_cover", "cost_per_km": 0.2}},
		"crossings":      []any{},
		"parallel":       []any{},
		"angle_point_km": 0.2,
	}
	corridor := map[string]any{"voltage_kv": 765, "circuit": "dc"}
	scenarios := []struct {
		name string
		body map[string]any
	}{
		{"Dhirauli 765 kV D/C (191 km), k = 3, forests soft", map[string]any{
			"alignment": json.RawMessage(dhirauli), "k": 3, "corridor": corridor, "hard": []string{"coal_blocks"}, "soft": forests}},
		{"Singrauli → Korba 765 kV D/C (302 km), k = 3, forests soft", map[string]any{
			"alignment": map[string]any{"type": "LineString", "coordinates": [][2]float64{{82.25, 24.25}, {82.75, 21.55}}},
			"k":         3, "corridor": corridor, "hard": []string{"coal_blocks"}, "soft": forests}},
		{"Singrauli → Korba, k = 3, the default soft costs (forests and crossings)", map[string]any{
			"alignment": map[string]any{"type": "LineString", "coordinates": [][2]float64{{82.25, 24.25}, {82.75, 21.55}}},
			"k":         3, "corridor": corridor}},
	}
	if *old != "" {
		compareOld(*url, *cases, *old)
		if *pid > 0 {
			fmt.Printf("\nserve's resident set with coal_blocks loaded: %s\n\n", status(*pid, "VmRSS"))
		}
	}
	fmt.Println("| request | routes | best alternative | p50 | p95 | slowest | serve's RSS after |")
	fmt.Println("|---|---:|---|---:|---:|---:|---:|")
	for _, sc := range scenarios {
		if !strings.Contains(sc.name, *only) {
			continue
		}
		body, _ := json.Marshal(sc.body)
		first, _, err := post(*url, body) // warm-up: loads the layers
		if err != nil {
			fail(fmt.Errorf("%s: %w", sc.name, err))
		}
		var times []time.Duration
		for i := 0; i < *n; i++ {
			_, d, err := post(*url, body)
			if err != nil {
				fail(fmt.Errorf("%s: %w", sc.name, err))
			}
			times = append(times, d)
		}
		best := alternatives(first)[0]
		rss := "-"
		if *pid > 0 {
			rss = status(*pid, "VmRSS")
		}
		fmt.Printf("| %s | %d | %.2f km (%+.2f km), %d angle points | %s | %s | %s | %s |\n", sc.name, len(alternatives(first)),
			best.LengthM/1000, best.AddedLengthM/1000, best.AnglePoints, ms(pct(times, 0.5)), ms(pct(times, 0.95)), ms(slices.Max(times)), rss)
	}
	if *pid > 0 {
		fmt.Printf("\nserve's peak resident set (VmHWM): %s\n", status(*pid, "VmHWM"))
	}
}

// compareOld plans the four real cases with hard constraints only and
// compares the best alternative with the previous version's detour.
func compareOld(url, cases, old string) {
	fmt.Println("\nThe four real cases: hard constraint coal_blocks, half the RoW, no clearance, no soft costs; the previous version's")
	fmt.Println("convex-hull detour (`coalmap check --reroute`) against the planner's best alternative (k = 1).")
	fmt.Println()
	fmt.Println("| case | RoW | alignment | previous detour | planner's best | planner − previous |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for _, c := range []struct {
		id    string
		label string
		width float64
	}{
		{"tentuloi-budhapank", "Tentuloi–Budhapank rail", 46},
		{"pelma-sardega", "Pelma–Sardega rail", 46},
		{"jharsuguda-dharamjaygarh", "Jharsuguda–Dharamjaygarh 765 kV", 67},
		{"dhirauli-765kv", "Dhirauli 765 kV", 67},
	} {
		line, err := os.ReadFile(filepath.Join(cases, c.id+".geojson"))
		if err != nil {
			fail(err)
		}
		before, orig, err := oldDetour(filepath.Join(old, c.id+".json"))
		if err != nil {
			fail(fmt.Errorf("%s: %w", c.id, err))
		}
		body, _ := json.Marshal(map[string]any{"alignment": json.RawMessage(line), "k": 1, "corridor": map[string]any{"row_width_m": c.width},
			"hard": []string{"coal_blocks"}, "soft": map[string]any{}})
		res, _, err := post(url, body)
		if err != nil {
			fail(fmt.Errorf("%s: %w", c.id, err))
		}
		best := alternatives(res)[0]
		fmt.Printf("| %s | %g m | %.2f km | %.2f km (%+.2f km) | %.2f km (%+.2f km) | %+.2f km |\n", c.label, c.width, orig/1000,
			before/1000, (before-orig)/1000, best.LengthM/1000, (best.LengthM-orig)/1000, (best.LengthM-before)/1000)
	}
}

type route struct {
	Kind         string  `json:"kind"`
	LengthM      float64 `json:"length_m"`
	AddedLengthM float64 `json:"added_length_m"`
	AnglePoints  int     `json:"angle_points"`
}

type answer struct {
	Routes []route `json:"routes"`
}

func alternatives(a *answer) []route {
	var out []route
	for _, r := range a.Routes {
		if r.Kind == "alternative" {
			out = append(out, r)
		}
	}
	return out
}

// post sends one route request and times it, the answer read in full.
func post(url string, body []byte) (*answer, time.Duration, error) {
	t0 := time.Now()
	resp, err := http.Post(url+"/routes", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("%d %s", resp.StatusCode, b)
	}
	var a answer
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, 0, err
	}
	if len(alternatives(&a)) == 0 {
		return nil, 0, fmt.Errorf("no alternative: %s", b)
	}
	return &a, d, nil
}

// oldDetour reads the previous version's reroute answer: the detour's
// length and the alignment's.
func oldDetour(path string) (detour, alignment float64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	var res []struct {
		Alternatives []struct {
			LengthM      float64 `json:"length_m"`
			AddedLengthM float64 `json:"added_length_m"`
		} `json:"alternatives"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return 0, 0, err
	}
	if len(res) != 1 || len(res[0].Alternatives) == 0 {
		return 0, 0, fmt.Errorf("%s: no alternative", path)
	}
	a := res[0].Alternatives[0]
	return a.LengthM, a.LengthM - a.AddedLengthM, nil
}

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(math.Ceil(p*float64(len(s))))-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }

// status returns a field of /proc/PID/status (VmRSS, VmHWM), in MB.
func status(pid int, field string) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return err.Error()
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(v), "%f", &kb)
			return fmt.Sprintf("%.0f MB", kb/1024)
		}
	}
	return "unknown"
}

// serveInProcess serves the API over the database in this process and
// returns its URL.
func serveInProcess(dbURL string) (string, func()) {
	ctx := context.Background()
	pool, err := postgis.Connect(ctx, dbURL, 8)
	if err != nil {
		fail(err)
	}
	cat := layers.NewCatalog(postgis.NewStore(pool), nil)
	if err := cat.Refresh(ctx); err != nil {
		fail(err)
	}
	cfg := overlaps.DefaultConfig()
	cfg.Lines = postgis.NewRuns(pool)
	engine := overlaps.New(postgis.NewPolygons(pool), cfg)
	srv := httptest.NewServer(api.New(api.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, api.Deps{Catalog: cat, Overlaps: engine}))
	return srv.URL, func() { srv.Close(); pool.Close() }
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "routes-bench:", err)
	os.Exit(1)
}
