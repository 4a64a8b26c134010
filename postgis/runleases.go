package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Leases of overlap runs (see leases.go): held from CreateRun to FinishRun
// or DeleteRun.

// runLockClass is the first key of the run leases' advisory locks.
const runLockClass = 0x636e

// lease marks run id alive.
func (s *Runs) lease(ctx context.Context, id int64) error {
	return translate("run lease", s.leases.take(ctx, s.pool, id))
}

// unlease gives run id's lease back.
func (s *Runs) unlease(ctx context.Context, id int64) { s.leases.give(ctx, id) }

// Close ends the leases of this process's runs (their locks go with their
// connection).
func (s *Runs) Close() { s.leases.close() }

// KeepLeases takes the leases of this process's live runs again should the
// database have lost them (a restart, a failover).
func (s *Runs) KeepLeases(ctx context.Context) error {
	return translate("run leases", s.leases.keep(ctx, s.pool))
}

// FailDeadRuns marks failed, at once, the runs left queued or running by a
// process that has ended (no lease held), on any server; it returns how
// many. A live process's leases are free for a moment after a restart or
// failover of the database: a server sweeps with a grace (SweepRuns)
// instead, at its start too.
func (s *Runs) FailDeadRuns(ctx context.Context) (int, error) { return s.SweepRuns(ctx, 0) }

// SweepRuns marks failed the runs left queued or running by a process that
// has ended: those whose lease was free on an earlier sweep at least grace
// ago and still is (at once when grace is 0); it returns how many.
func (s *Runs) SweepRuns(ctx context.Context, grace time.Duration) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM catalog.overlap_runs WHERE status IN ('queued', 'running')`)
	if err != nil {
		return 0, translate("interrupted runs", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, translate("interrupted runs", err)
	}
	n, err := s.leases.sweep(ctx, s.pool, ids, grace, func(ctx context.Context, c *pgxpool.Conn, id int64) (int64, error) {
		tag, err := c.Exec(ctx, `UPDATE catalog.overlap_runs SET status = 'failed', finished_at = now(),
    error = 'interrupted: the process running it ended before it finished'
WHERE id = $1 AND status IN ('queued', 'running')`, id)
		if err == nil && tag.RowsAffected() > 0 {
			// What it saved before it died is not a result: a failed run
			// shows none.
			_, err = c.Exec(ctx, `DELETE FROM catalog.overlap_results WHERE run_id = $1`, id)
		}
		return tag.RowsAffected(), err
	})
	if err != nil {
		return n, translate(fmt.Sprintf("interrupted runs (%d failed)", n), err)
	}
	return n, nil
}
