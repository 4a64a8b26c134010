package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coalmap/coalmap/layers"
)

// startKillable starts `coalmap serve` on url like startServe and returns
// its process too, for a kill -9.
func startKillable(t *testing.T, bin, url string, extra ...string) (*exec.Cmd, *server) {
	t.Helper()
	addr := freePort(t)
	s := &server{base: "http://" + addr}
	cmd := exec.Command(bin, append([]string{"serve", "--database-url", url, "--addr", addr, "--no-demo", "--log-level", "warn"}, extra...)...)
	cmd.Stdout, cmd.Stderr = s, s
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck
	if err := waitReady(addr, time.Minute); err != nil {
		t.Fatalf("%v\n%s", err, s.log())
	}
	return cmd, s
}

// TestStartSparesLiveJobs starts a second server on a database where the
// first has an import and an overlap run in progress (each held up by a
// lock the test holds) whose leases it has just lost, as it does in a
// restart or failover of the database (the test ends the leases'
// connection, again and again until the second server is up). The second
// server's start must not fail them: the first takes its leases again and
// both jobs complete. Then the first is killed (SIGKILL) with another run
// in progress, and the second fails that run within about two lease
// checks.
func TestStartSparesLiveJobs(t *testing.T) {
	e := newWriteEnv(t)
	ctx := context.Background()
	const check = "4s" // keeps every second; a lease free for 3 s is an ended server's
	a, srvA := startKillable(t, e.bin, e.url, "--lease-check", check)

	// A polygon layer, a line layer across it, and a layer to re-import.
	const polys, lines, probe = "spare_blocks", "spare_lines", "spare_probe"
	for _, imp := range []struct{ id, file string }{
		{polys, e.layerFile(polys, 1, 20)},
		{lines, e.lineFile(lines, 5)},
		{probe, e.layerFile(probe, 1, 10)},
	} {
		if _, _, err := e.importHTTP(srvA, imp.id, imp.file); err != nil {
			t.Fatalf("import of %s: %v", imp.id, err)
		}
	}
	waiting := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); ; {
			var got int
			if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
WHERE wait_event_type = 'Lock' AND datname = current_database()`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d queries wait for the test's locks, want %d\n%s", got, n, srvA.log())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// holdLines locks the line layer's table: a run waits to read it.
	holdLines := func() pgx.Tx {
		t.Helper()
		tx, err := e.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE layers.`+lines+` IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	startRun := func(s *server) int64 {
		t.Helper()
		req, _ := http.NewRequest("POST", s.base+"/overlaps/runs",
			strings.NewReader(fmt.Sprintf(`{"lines":[%q],"polygons":[%q],"row_width_m":46}`, lines, polys)))
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Content-Type", "application/json")
		status, body, _, err := do(req)
		var info struct{ ID int64 }
		if err != nil || status != http.StatusAccepted || json.Unmarshal([]byte(body), &info) != nil {
			t.Fatalf("run: %d %v %s", status, err, body)
		}
		return info.ID
	}
	states := func(importID, runID int64) (imp, run string) {
		t.Helper()
		if err := e.pool.QueryRow(ctx, `SELECT (SELECT status FROM catalog.imports WHERE id = $1),
    (SELECT status FROM catalog.overlap_runs WHERE id = $2)`, importID, runID).Scan(&imp, &run); err != nil {
			t.Fatal(err)
		}
		return imp, run
	}

	// The import of revision 2 waits in its swap for the layer's row.
	rowTx, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rowTx.Rollback(ctx) //nolint:errcheck
	if _, err := rowTx.Exec(ctx, `SELECT 1 FROM catalog.layers WHERE id = $1 FOR UPDATE`, probe); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(e.layerFile(probe, 2, 10))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", srvA.base+"/layers/"+probe+"/imports?filename=r2.geojson", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/geo+json")
	status, resp, _, err := do(req)
	var acc struct{ Job layers.ImportJob }
	if err != nil || status != http.StatusAccepted || json.Unmarshal([]byte(resp), &acc) != nil {
		t.Fatalf("upload: %d %v %s", status, err, resp)
	}
	importID := acc.Job.ID
	waiting(1)
	// The run waits to read its lines.
	linesTx := holdLines()
	defer linesTx.Rollback(ctx) //nolint:errcheck
	runID := startRun(srvA)
	waiting(2)

	// Every state the two jobs pass through, from now on.
	var mu sync.Mutex
	var seen []string
	stopWatch := make(chan struct{})
	var watch sync.WaitGroup
	watch.Add(1)
	go func() {
		defer watch.Done()
		for {
			imp, run := states(importID, runID)
			mu.Lock()
			if len(seen) == 0 || seen[len(seen)-1] != imp+"/"+run {
				seen = append(seen, imp+"/"+run)
			}
			mu.Unlock()
			select {
			case <-stopWatch:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	endWatch := func() []string {
		close(stopWatch)
		watch.Wait()
		mu.Lock()
		defer mu.Unlock()
		return seen
	}

	// A's leases lost (their connection ended, as a restart of the
	// database ends it) until B is up: B starts while they are free.
	stopKill := make(chan struct{})
	var killer sync.WaitGroup
	killer.Add(1)
	ended := 0
	go func() {
		defer killer.Done()
		for {
			var n int
			if err := e.pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE application_name = 'coalmap-leases' AND datname = current_database()`).Scan(&n); err == nil {
				ended += n
			}
			select {
			case <-stopKill:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	srvB := startServe(t, e.bin, e.url, "--lease-check", check, "--log-level", "debug")
	close(stopKill)
	killer.Wait()
	t.Logf("A's lease connections ended %d times while B started", ended)
	if ended == 0 {
		t.Fatal("A held no lease connection to end")
	}
	// A takes its leases again; B sweeps a grace after its start's sweep.
	held := func(class, id int64) bool {
		var ok bool
		if err := e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.granted
    AND a.application_name = 'coalmap-leases')`, class, id).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for deadline := time.Now().Add(time.Minute); !held(0x636a, importID) || !held(0x636e, runID); {
		if time.Now().After(deadline) {
			t.Fatalf("A never took its leases again\n%s", srvA.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for deadline := time.Now().Add(time.Minute); strings.Count(srvB.log(), "job leases swept") < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("B never swept after its start\n%s", srvB.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if imp, run := states(importID, runID); imp != "running" || run != "queued" {
		t.Fatalf("after B's start and sweep: import %s, run %s; want them running and queued (A's, alive)\n%s", imp, run, srvB.log())
	}
	// Released, both complete on A.
	if err := linesTx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rowTx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; {
		imp, run := states(importID, runID)
		if imp == "succeeded" && run == "succeeded" {
			break
		}
		if time.Now().After(deadline) || imp == "failed" || run == "failed" {
			t.Fatalf("A's jobs after the locks' release: import %s, run %s; want both succeeded\n%s\n%s", imp, run, srvA.log(), srvB.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, s := range endWatch() {
		if strings.Contains(s, "failed") {
			t.Errorf("A's jobs passed through %v: failed on the way", seen)
			break
		}
	}
	t.Logf("A's jobs went through %v", seen)

	// A killed with a run in progress: B fails it.
	linesTx = holdLines()
	defer linesTx.Rollback(ctx) //nolint:errcheck
	runID = startRun(srvA)
	waiting(1)
	if err := a.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	a.Wait() //nolint:errcheck
	killed := time.Now()
	if err := linesTx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; {
		status, body, _, err := get(srvB.base+"/overlaps/runs/"+strconv.FormatInt(runID, 10), "Authorization", "Bearer "+e.token)
		var info struct{ Status, Error string }
		if err != nil || status != 200 || json.Unmarshal([]byte(body), &info) != nil {
			t.Fatalf("run %d through B: %d %v %s", runID, status, err, body)
		}
		if info.Status == "failed" {
			if !strings.Contains(info.Error, "interrupted") {
				t.Errorf("run %d failed with %q, want the interruption named", runID, info.Error)
			}
			break
		}
		if info.Status == "succeeded" || time.Now().After(deadline) {
			t.Fatalf("run %d of the killed server: %s\n%s", runID, info.Status, srvB.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the killed server's run failed by B %v after the kill (--lease-check %s)", time.Since(killed).Round(time.Millisecond), check)
}

// lineFile writes a line layer of n east-west lines across the squares of
// layerFile's rows.
func (e *writeEnv) lineFile(id string, n int) string {
	var fs []string
	for i := range n {
		y := 23.9007 + float64(i)*0.002
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","id":"%s-%d","properties":{"name":"%s #%d"},`+
			`"geometry":{"type":"LineString","coordinates":[[82.299,%g],[82.3205,%g]]}}`, id, i, id, i, y, y))
	}
	p := filepath.Join(e.dir, id+".geojson")
	if err := os.WriteFile(p, collection(fs...), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}
