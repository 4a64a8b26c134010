package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coalmap/coalmap/postgis/pgtest"
)

// TestServeKilledDuringBandBuildAndRun kills `coalmap serve` (SIGKILL)
// twice on one database: first while it builds a layer's tile bands, then
// while an overlap run is going. After each, the next start finds no
// partial band table nor the killed build's session holding its lock,
// serves the layer's tiles from its table meanwhile and builds the bands
// again; the killed run is failed with a reason and keeps no partial
// results, and the same run started again succeeds, its crossings counted
// as PostGIS counts them.
func TestServeKilledDuringBandBuildAndRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no subprocess")
	}
	bin := coalmapBinary(t)
	url := pgtest.URL(t)
	env := append(os.Environ(), "DATABASE_URL=", "COALMAP_DATABASE_URL=")
	psql := func(sql string) string {
		t.Helper()
		out, err := exec.Command("psql", "-X", "-Atc", sql, url).CombinedOutput()
		if err != nil {
			t.Fatalf("psql %q: %v\n%s", sql, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	dir := t.TempDir()
	write := func(name string, n int, feature func(i int) string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(f)
		w.WriteString(`{"type":"FeatureCollection","features":[`) //nolint:errcheck
		for i := range n {
			if i > 0 {
				w.WriteString(",\n") //nolint:errcheck
			}
			w.WriteString(feature(i)) //nolint:errcheck
		}
		w.WriteString("]}") //nolint:errcheck
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return path
	}
	// big: a layer whose bands take a while to build; blocks and lines:
	// the run's polygons and lines, lines long enough that a run is still
	// going when it is killed.
	big := write("big.geojson", 30000, func(i int) string {
		return square(fmt.Sprintf("f%d", i), 70+float64(i%300)*0.02, 10+float64(i/300)*0.02, `{"name":"x"}`)
	})
	blocks := write("blocks.geojson", 900, func(i int) string {
		return square(fmt.Sprintf("b%d", i), 82.2+float64(i%30)*0.013, 23.8+float64(i/30)*0.013, `{"name":"block"}`)
	})
	lines := write("lines.geojson", 15000, func(i int) string {
		// A pseudo-random short line in the blocks' area.
		a, b := float64((i*7919)%3900)/10000, float64((i*104729)%3900)/10000
		return fmt.Sprintf(`{"type":"Feature","id":"l%d","properties":{"name":"line"},"geometry":{"type":"LineString","coordinates":[[%g,%g],[%g,%g]]}}`,
			i, 82.2+a, 23.8+b, 82.2+a+0.021, 23.8+b+0.017)
	})
	for _, l := range []struct{ id, path string }{{"big", big}, {"blocks", blocks}, {"lines", lines}} {
		cmd := exec.Command(bin, "import", "--database-url", url, "--layer", l.id, l.path)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("import %s: %v\n%s", l.id, err, out)
		}
	}
	tok := exec.Command(bin, "token", "create", "--role", "editor", "--database-url", url)
	tok.Env = env
	tb, err := tok.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	token := strings.TrimSpace(string(tb))
	start := func() (*exec.Cmd, string, *syncBuffer) {
		t.Helper()
		addr := freePort(t)
		var logs syncBuffer
		cmd := exec.Command(bin, "serve", "--database-url", url, "--addr", addr, "--no-demo", "--log-level", "info", "--lease-check", "2s")
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck
		return cmd, "http://" + addr, &logs
	}
	kill := func(cmd *exec.Cmd) {
		t.Helper()
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait() //nolint:errcheck
	}
	call := func(method, u, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, u, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	bandsCurrent := func(id string) bool {
		return psql(fmt.Sprintf(`SELECT count(*) FROM tilegen.bands b JOIN catalog.layers l ON l.id = b.layer_id
			WHERE b.layer_id = '%s' AND b.data_version = l.data_version`, id)) == "1"
	}
	// The build of big's bands is under way while a session of serve holds
	// big's band lock (postgis: an advisory lock of class 0x6362 on the
	// layer id's hash, held by the build's transaction).
	building := `SELECT count(*) FROM pg_locks k JOIN pg_stat_activity a ON a.pid = k.pid
		WHERE k.locktype = 'advisory' AND k.granted AND k.classid = 25442 AND k.objid::int = hashtext('big')
		AND a.application_name = 'coalmap' AND a.state = 'active'`

	// 1. Killed while building tile bands. An import builds its layer's
	// bands before its swap; serve builds those of layers whose bands are
	// behind their data (a layer changed in the database behind its back,
	// or loaded by an older release): big's made so here.
	if !bandsCurrent("big") {
		t.Fatal("big's import did not build its bands")
	}
	psql(`UPDATE tilegen.bands SET data_version = data_version - 1 WHERE layer_id = 'big'`)
	srv, base, logs := start()
	for psql(building) == "0" {
		if bandsCurrent("big") {
			t.Fatalf("big's bands were built before the test saw the build: make the layer bigger\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	kill(srv)
	t.Log("serve killed while building big's tile bands")
	if bandsCurrent("big") {
		t.Fatal("big's bands are current although their build was killed")
	}
	srv, base, logs = start()
	if err := waitReady(strings.TrimPrefix(base, "http://"), time.Minute); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	// Tiles answer meanwhile, from the layer table.
	x, y := tileXY(70.5, 10.5, 12)
	if status, body := call("GET", fmt.Sprintf("%s/tiles/big/12/%d/%d.mvt", base, x, y), ""); status != 200 {
		t.Fatalf("a tile of big after the restart: %d %s", status, body)
	}
	rebuilt := time.Now()
	for !bandsCurrent("big") {
		if time.Since(rebuilt) > 3*time.Minute {
			t.Fatalf("big's bands not built again 3 minutes after the restart; sessions: %s\n%s",
				psql(`SELECT string_agg(application_name || ' ' || state || ' ' || left(query, 60), '; ') FROM pg_stat_activity WHERE datname = current_database()`), logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("big's bands built again %v after the restart", time.Since(rebuilt).Round(100*time.Millisecond))
	// Exactly the bands of the layers built, nothing half made: per layer,
	// five generalised bands and an index table of pieces for each of the
	// six (the full band is a view of the layer table), and nothing left
	// under staging names.
	for _, id := range []string{"big", "blocks", "lines"} {
		for !bandsCurrent(id) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if got := psql(`SELECT count(*) FROM pg_tables WHERE schemaname = 'tilegen' AND tablename ~ '__z[0-9]+(_i)?$'`); got != "33" {
		t.Errorf("tilegen holds %s band tables, want 33 (3 layers × (5 bands + 6 indexes)): %s", got,
			psql(`SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'tilegen'`))
	}
	if got := psql(`SELECT count(*) FROM pg_views WHERE schemaname = 'tilegen' AND viewname ~ '__z14$'`); got != "3" {
		t.Errorf("tilegen holds %s full-band views, want 3", got)
	}
	if got := psql(`SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'`); got != "0" {
		t.Errorf("staging holds %s tables after the rebuild: %s", got,
			psql(`SELECT string_agg(tablename, ' ') FROM pg_tables WHERE schemaname = 'staging'`))
	}
	if status, body := call("GET", fmt.Sprintf("%s/tiles/big/12/%d/%d.mvt", base, x, y), ""); status != 200 {
		t.Fatalf("a tile of big from its bands: %d %s", status, body)
	}

	// 2. Killed during an overlap run.
	const spec = `{"lines":["lines"],"polygons":["blocks"],"row_width_m":46}`
	type runInfo struct {
		ID         int64  `json:"id"`
		Status     string `json:"status"`
		LinesDone  int    `json:"lines_done"`
		LinesTotal int    `json:"lines_total"`
		ResultRows int    `json:"result_rows"`
		Error      string `json:"error"`
	}
	get := func(base string, id int64) runInfo {
		t.Helper()
		status, body := call("GET", fmt.Sprintf("%s/overlaps/runs/%d", base, id), "")
		var r runInfo
		if status != 200 || json.Unmarshal(body, &r) != nil {
			t.Fatalf("run %d: %d %s", id, status, body)
		}
		return r
	}
	startRun := func(base string) int64 {
		t.Helper()
		status, body := call("POST", base+"/overlaps/runs", spec)
		var r runInfo
		if status != http.StatusAccepted || json.Unmarshal(body, &r) != nil {
			t.Fatalf("POST /overlaps/runs: %d %s", status, body)
		}
		return r.ID
	}
	id := startRun(base)
	for {
		r := get(base, id)
		if r.Status == "running" && r.LinesDone > 0 {
			break
		}
		if r.Status != "queued" && r.Status != "running" {
			t.Fatalf("the run is %s before it could be killed: make it longer (%+v)", r.Status, r)
		}
		time.Sleep(10 * time.Millisecond)
	}
	kill(srv)
	if got := psql(fmt.Sprintf(`SELECT count(*) FROM catalog.overlap_results WHERE run_id = %d`, id)); got == "0" {
		t.Fatal("the killed run had saved no results: the test cannot tell whether they are cleaned")
	}
	t.Logf("serve killed with run %d running", id)
	_, base, logs = start()
	if err := waitReady(strings.TrimPrefix(base, "http://"), time.Minute); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	// The restarted server fails a run whose lease is free now and still
	// free a grace later (three quarters of --lease-check, here 2 s): wait for
	// that sweep, within a bound of two periods.
	r := get(base, id)
	for deadline := time.Now().Add(10 * time.Second); r.Status == "running" && time.Now().Before(deadline); r = get(base, id) {
		time.Sleep(100 * time.Millisecond)
	}
	if r.Status != "failed" || !strings.Contains(r.Error, "interrupted") {
		t.Fatalf("after the restart the killed run is %s (%q), want failed, interrupted\n%s", r.Status, r.Error, logs.String())
	}
	t.Logf("killed run: %s: %s", r.Status, r.Error)
	if got := psql(fmt.Sprintf(`SELECT count(*) FROM catalog.overlap_results WHERE run_id = %d`, id)); got != "0" {
		t.Errorf("the failed run keeps %s partial results", got)
	}
	if status, body := call("GET", fmt.Sprintf("%s/overlaps/runs/%d/results?f=json", base, id), ""); status != http.StatusConflict {
		t.Errorf("results of the failed run: %d %s", status, body)
	}
	// Started again, the run goes through, and finds each line–block
	// crossing PostGIS finds.
	id = startRun(base)
	for {
		r = get(base, id)
		if r.Status != "queued" && r.Status != "running" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r.Status != "succeeded" {
		t.Fatalf("the run started again: %+v\n%s", r, logs.String())
	}
	// A crossing has a length inside: a line that touches a block's
	// corner, or clips it by less than a millimetre (a point contact as
	// rounding makes it, by the engine's rule), does not cross it.
	const crossings = `layers.lines l JOIN layers.blocks b ON ST_Intersects(l.geom, b.geom)
		AND ST_Length(ST_CollectionExtract(ST_Intersection(l.geom, b.geom), 2)::geography) >= 0.001`
	want, _ := strconv.Atoi(psql(`SELECT count(*) FROM ` + crossings))
	got, _ := strconv.Atoi(psql(fmt.Sprintf(`SELECT count(*) FROM catalog.overlap_results WHERE run_id = %d AND kind = 'crossing'`, id)))
	if want == 0 || got != want {
		t.Errorf("the run started again found %d crossings, PostGIS %d; some PostGIS finds and the run does not: %s; some the run finds and PostGIS does not: %s", got, want,
			psql(fmt.Sprintf(`SELECT string_agg(format('%%s × %%s (%%s m)', lid, bid, len), '; ') FROM (
				SELECT l.feature_id AS lid, b.feature_id AS bid, round(ST_Length(ST_Intersection(l.geom, b.geom)::geography)::numeric, 3) AS len
				FROM `+crossings+`
				WHERE NOT EXISTS (SELECT 1 FROM catalog.overlap_results r WHERE r.run_id = %d AND r.kind = 'crossing' AND r.line_id = l.feature_id AND r.polygon_id = b.feature_id)
				LIMIT 5) x`, id)),
			psql(fmt.Sprintf(`SELECT string_agg(format('%%s × %%s', r.line_id, r.polygon_id), '; ') FROM (SELECT * FROM catalog.overlap_results r WHERE r.run_id = %d AND r.kind = 'crossing'
				AND NOT EXISTS (SELECT 1 FROM `+crossings+` WHERE r.line_id = l.feature_id AND r.polygon_id = b.feature_id) LIMIT 5) r`, id)))
	}
	t.Logf("the run started again: %d crossings, as PostGIS", got)
}
