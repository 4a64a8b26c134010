package postgis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// TestRunsFailInterrupted: runs a killed process left queued or running
// before the cutoff are failed with the reason; later ones and finished
// ones are left alone.
func TestRunsFailInterrupted(t *testing.T) {
	ctx := context.Background()
	runs := postgis.NewRuns(pgtest.NewPool(t))
	mk := func(start, finish bool) int64 {
		id, err := runs.CreateRun(ctx, overlaps.RunSpec{}, "test")
		if err != nil {
			t.Fatal(err)
		}
		if start {
			if err := runs.StartRun(ctx, id, map[string]int64{"a": 1}, 10); err != nil {
				t.Fatal(err)
			}
		}
		if finish {
			if err := runs.FinishRun(ctx, id, overlaps.RunSucceeded, ""); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	queued, running, done := mk(false, false), mk(true, false), mk(true, true)
	cutoff := time.Now().Add(time.Second) // the database's clock may run a little ahead of ours
	time.Sleep(1100 * time.Millisecond)
	later := mk(true, false)
	n, err := runs.FailInterrupted(ctx, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d runs marked, want 2", n)
	}
	for _, tc := range []struct {
		id     int64
		status overlaps.RunStatus
	}{{queued, overlaps.RunFailed}, {running, overlaps.RunFailed}, {done, overlaps.RunSucceeded}, {later, overlaps.RunRunning}} {
		info, err := runs.RunInfo(ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if info.Status != tc.status {
			t.Errorf("run %d: %s, want %s", tc.id, info.Status, tc.status)
		}
		if tc.status == overlaps.RunFailed && !strings.Contains(info.Error, "interrupted") {
			t.Errorf("run %d failed without the reason: %q", tc.id, info.Error)
		}
	}
}
