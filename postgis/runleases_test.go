package postgis_test

import (
	"context"
	"testing"

	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// A run is followed through any server (its state is in the database), and
// one whose process has ended is failed by the next server's start, while
// live runs of other processes are left alone.
func TestRunsOfEndedProcessesFail(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	// Two processes: their own pools (connections) over one database.
	poolA, poolB := pgtest.NewPoolFor(t, url), pgtest.NewPoolFor(t, url)
	a, b := postgis.NewRuns(poolA), postgis.NewRuns(poolB)
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	spec := overlaps.RunSpec{Lines: []string{"lines"}, Polygons: []string{"blocks"}, RowWidthM: 46}
	queued, err := a.CreateRun(ctx, spec, "tester")
	if err != nil {
		t.Fatal(err)
	}
	running, err := a.CreateRun(ctx, spec, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.StartRun(ctx, running, map[string]int64{"lines": 1}, 10); err != nil {
		t.Fatal(err)
	}
	done, err := a.CreateRun(ctx, spec, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.FinishRun(ctx, done, overlaps.RunSucceeded, ""); err != nil {
		t.Fatal(err)
	}
	// B sees A's runs as A left them, and leaves them: A is alive.
	if n, err := b.FailDeadRuns(ctx); err != nil || n != 0 {
		t.Fatalf("FailDeadRuns with A alive: %d, %v; want 0", n, err)
	}
	for id, want := range map[int64]overlaps.RunStatus{queued: overlaps.RunQueued, running: overlaps.RunRunning, done: overlaps.RunSucceeded} {
		info, err := b.RunInfo(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if info.Status != want {
			t.Errorf("run %d through B: %s, want %s", id, info.Status, want)
		}
	}
	// A's process ends without finishing its runs: its connections close
	// (here, the one that holds its leases is ended from outside).
	if _, err := poolB.Exec(ctx, `SELECT pg_terminate_backend(pid, 10000) FROM pg_locks
WHERE locktype = 'advisory' AND classid = $1 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, 0x636e); err != nil {
		t.Fatal(err)
	}
	if n, err := b.FailDeadRuns(ctx); err != nil || n != 2 {
		t.Fatalf("FailDeadRuns after A ended: %d, %v; want 2", n, err)
	}
	for id, want := range map[int64]overlaps.RunStatus{queued: overlaps.RunFailed, running: overlaps.RunFailed, done: overlaps.RunSucceeded} {
		info, err := b.RunInfo(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if info.Status != want {
			t.Errorf("run %d after A ended: %s, want %s", id, info.Status, want)
		}
	}
}
