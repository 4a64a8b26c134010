package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// Import jobs hold leases like runs: a job whose process has ended is
// failed by a sweep of another process, queued or running, staging table
// or not; a live process's jobs are left alone, and so are they when the
// database dropped its lease connection (a restart, a failover) and it
// took its leases again.
func TestImportJobsOfEndedProcessesFail(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	poolA, poolB := pgtest.NewPoolFor(t, url), pgtest.NewPoolFor(t, url)
	a, b := postgis.NewStore(poolA), postgis.NewStore(poolB)
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	queued, err := a.QueueImport(ctx, "blocks", "blocks.geojson", "tester")
	if err != nil {
		t.Fatal(err)
	}
	running, err := a.QueueImport(ctx, "blocks", "blocks.geojson", "tester")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.StartImport(ctx, running.ID, "blocks.geojson", "sum", map[string]string{}); err != nil {
		t.Fatal(err)
	}
	done, err := a.QueueImport(ctx, "blocks", "blocks.geojson", "tester")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.FinishImport(ctx, done.ID, &layers.ImportResult{Layer: "blocks", ImportID: done.ID, Status: layers.ImportSucceeded}, ""); err != nil {
		t.Fatal(err)
	}
	status := func(want map[int64]layers.ImportStatus, when string) {
		t.Helper()
		for id, w := range want {
			j, err := b.ImportJob(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if j.Status != w {
				t.Errorf("%s: job %d is %s, want %s (%s)", when, id, j.Status, w, j.Error)
			}
		}
	}
	alive := map[int64]layers.ImportStatus{queued.ID: layers.ImportQueued, running.ID: layers.ImportRunning, done.ID: layers.ImportSucceeded}
	// endLeases ends A's lease connection from outside, as a killed
	// process's or a restarted database's would end.
	endLeases := func() {
		t.Helper()
		if _, err := poolB.Exec(ctx, `SELECT pg_terminate_backend(pid, 10000) FROM pg_locks
WHERE locktype = 'advisory' AND classid = $1 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, 0x636a); err != nil {
			t.Fatal(err)
		}
	}
	sweep := func(grace time.Duration, want int, when string) {
		t.Helper()
		if n, err := b.SweepImports(ctx, grace); err != nil || n != want {
			t.Fatalf("%s: SweepImports: %d, %v; want %d", when, n, err, want)
		}
	}

	sweep(0, 0, "A alive")
	status(alive, "A alive")

	// The lease connection lost, then taken again by A's keeper between
	// two sweeps: nothing is failed.
	endLeases()
	sweep(time.Nanosecond, 0, "A's leases lost, first sweep")
	if err := a.KeepLeases(ctx); err != nil {
		t.Fatal(err)
	}
	sweep(time.Nanosecond, 0, "A's leases taken again")
	status(alive, "A's leases taken again")

	// A ends: seen free once (the grace), then failed.
	endLeases()
	sweep(time.Hour, 0, "A ended, first sweep")
	sweep(time.Hour, 0, "A ended, within the grace")
	status(alive, "A ended, within the grace")
	sweep(time.Nanosecond, 2, "A ended, after the grace")
	status(map[int64]layers.ImportStatus{queued.ID: layers.ImportFailed, running.ID: layers.ImportFailed, done.ID: layers.ImportSucceeded}, "A ended")
	j, _ := b.ImportJob(ctx, queued.ID)
	if j.Error == "" {
		t.Error("a failed job without a reason")
	}
}
