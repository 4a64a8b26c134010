package postgis

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Leases of overlap runs: like an import's staging lease, a run is marked
// alive by an advisory lock that its process holds, here on one connection
// per process for all its runs, from CreateRun to FinishRun or DeleteRun.
// A killed process's connection closes and its locks go with it, so any
// server's FailDeadRuns tells the runs it left queued or running from live
// ones at once, whatever their age.

// runLockClass is the first key of the run leases' advisory locks.
const runLockClass = 0x636e

type runLeases struct {
	mu   sync.Mutex
	conn *pgxpool.Conn
	live map[int64]bool
}

// lease takes run id's lock on the leases' connection, opening it (and
// taking again the locks of the runs still live, should it have been lost
// with a restart of the server) when needed.
func (s *Runs) lease(ctx context.Context, id int64) error {
	l := &s.leases
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.live == nil {
		l.live = map[int64]bool{}
	}
	l.live[id] = true
	if l.conn != nil && l.conn.Conn().IsClosed() {
		l.conn.Release()
		l.conn = nil
	}
	if l.conn == nil {
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			return translate("run lease", err)
		}
		l.conn = c
		for held := range l.live {
			if _, err := c.Exec(ctx, `SELECT pg_advisory_lock($1, $2::int)`, runLockClass, int32(held)); err != nil {
				return translate("run lease", err)
			}
		}
		return nil
	}
	_, err := l.conn.Exec(ctx, `SELECT pg_advisory_lock($1, $2::int)`, runLockClass, int32(id))
	return translate("run lease", err)
}

// unlease gives run id's lock back.
func (s *Runs) unlease(ctx context.Context, id int64) {
	l := &s.leases
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.live[id] {
		return
	}
	delete(l.live, id)
	if l.conn != nil && !l.conn.Conn().IsClosed() {
		_, _ = l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2::int)`, runLockClass, int32(id))
	}
	if len(l.live) == 0 && l.conn != nil {
		l.conn.Release()
		l.conn = nil
	}
}

// Close gives back the leases' connection (its runs' locks go with it):
// call it before closing the pool, which waits for acquired connections.
func (s *Runs) Close() {
	l := &s.leases
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		l.conn.Release()
		l.conn = nil
	}
	l.live = nil
}

// FailDeadRuns marks failed the runs left queued or running by a process
// that has ended (no lease held), on any server; it returns how many.
func (s *Runs) FailDeadRuns(ctx context.Context) (int, error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, translate("interrupted runs", err)
	}
	defer c.Release()
	rows, err := c.Query(ctx, `SELECT id FROM catalog.overlap_runs WHERE status IN ('queued', 'running')`)
	if err != nil {
		return 0, translate("interrupted runs", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, translate("interrupted runs", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	n := 0
	for _, id := range ids {
		var free bool
		if err := c.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2::int)`, runLockClass, int32(id)).Scan(&free); err != nil {
			return n, translate("interrupted runs", err)
		}
		if !free {
			continue
		}
		tag, err := c.Exec(ctx, `UPDATE catalog.overlap_runs SET status = 'failed', finished_at = now(),
    error = 'interrupted: the process running it ended before it finished'
WHERE id = $1 AND status IN ('queued', 'running')`, id)
		if err == nil && tag.RowsAffected() > 0 {
			// What it saved before it died is not a result: a failed run
			// shows none.
			_, err = c.Exec(ctx, `DELETE FROM catalog.overlap_results WHERE run_id = $1`, id)
		}
		_, uerr := c.Exec(ctx, `SELECT pg_advisory_unlock($1, $2::int)`, runLockClass, int32(id))
		if err != nil {
			return n, translate(fmt.Sprintf("interrupted run %d", id), err)
		}
		if uerr != nil {
			return n, translate("interrupted runs", uerr)
		}
		n += int(tag.RowsAffected())
	}
	return n, nil
}
