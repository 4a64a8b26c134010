package postgis

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Leases of jobs (overlap runs, imports): a job is marked alive by an
// advisory lock (class, id) that its process holds on one connection of its
// own for all its jobs of that kind, from the job's record to its end. A
// killed process's connection closes and its locks go with it, so any
// server tells the jobs it left queued or running from live ones by trying
// their locks.
//
// A live process loses its locks too when the database restarts or fails
// over; keep takes them again on a new connection (serve calls it every
// few seconds), and a sweep fails a job only once it has found its lock
// free on two sweeps at least a grace apart, which leaves the owner that
// time to take it again.

type leases struct {
	class int32

	mu   sync.Mutex
	conn *pgx.Conn // not the pool's: closing the pool never waits for it
	live map[int64]bool

	sweepMu   sync.Mutex
	freeSince map[int64]time.Time // jobs of others seen without a lease, since
}

const (
	sqlLeaseLock    = `SELECT pg_advisory_lock($1, $2::int)`
	sqlLeaseTryLock = `SELECT pg_try_advisory_lock($1, $2::int)`
	sqlLeaseUnlock  = `SELECT pg_advisory_unlock($1, $2::int)`
)

// open makes sure l has a connection that holds every live job's lock; it
// reports whether it opened one (and so took every lock). l.mu is held.
func (l *leases) open(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	if l.conn != nil && !l.conn.IsClosed() {
		return false, nil
	}
	if l.conn != nil {
		_ = l.conn.Close(ctx)
		l.conn = nil
	}
	cfg := pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = "coalmap-leases"
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, err
	}
	for id := range l.live {
		if _, err := c.Exec(ctx, sqlLeaseLock, l.class, int32(id)); err != nil {
			_ = c.Close(ctx)
			return false, err
		}
	}
	l.conn = c
	return true, nil
}

// take marks job id alive.
func (l *leases) take(ctx context.Context, pool *pgxpool.Pool, id int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.live == nil {
		l.live = map[int64]bool{}
	}
	l.live[id] = true
	opened, err := l.open(ctx, pool)
	if err != nil || opened {
		return err
	}
	_, err = l.conn.Exec(ctx, sqlLeaseLock, l.class, int32(id))
	return err
}

// give ends job id's lease.
func (l *leases) give(ctx context.Context, id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.live[id] {
		return
	}
	delete(l.live, id)
	if l.conn != nil && !l.conn.IsClosed() {
		_, _ = l.conn.Exec(ctx, sqlLeaseUnlock, l.class, int32(id))
	}
	if len(l.live) == 0 && l.conn != nil {
		_ = l.conn.Close(ctx)
		l.conn = nil
	}
}

// keep takes the live jobs' locks again on a new connection when the
// database has lost them (its connection is gone: a restart, a failover).
func (l *leases) keep(ctx context.Context, pool *pgxpool.Pool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.live) == 0 {
		return nil
	}
	if l.conn != nil {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := l.conn.Ping(pctx)
		cancel()
		if err != nil {
			_ = l.conn.Close(ctx)
			l.conn = nil
		}
	}
	_, err := l.open(ctx, pool)
	return err
}

// close ends every lease (the process is leaving).
func (l *leases) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		_ = l.conn.Close(context.Background())
		l.conn = nil
	}
	l.live = nil
}

func (l *leases) mine(id int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.live[id]
}

// sweep fails, with fail (called while the job's lock is held here, so
// that its owner cannot take it meanwhile), the jobs of ids whose lock is
// free: at once when grace is 0, else once it has been seen free on an
// earlier sweep at least grace ago. It returns how many fail changed.
func (l *leases) sweep(ctx context.Context, pool *pgxpool.Pool, ids []int64, grace time.Duration,
	fail func(ctx context.Context, c *pgxpool.Conn, id int64) (int64, error)) (int, error) {
	l.sweepMu.Lock()
	defer l.sweepMu.Unlock()
	if l.freeSince == nil {
		l.freeSince = map[int64]time.Time{}
	}
	c, err := pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer c.Release()
	listed := make(map[int64]bool, len(ids))
	n := 0
	for _, id := range ids {
		listed[id] = true
		if l.mine(id) {
			continue
		}
		var free bool
		if err := c.QueryRow(ctx, sqlLeaseTryLock, l.class, int32(id)).Scan(&free); err != nil {
			return n, err
		}
		if !free {
			delete(l.freeSince, id)
			continue
		}
		now := time.Now()
		first, seen := l.freeSince[id]
		var ferr error
		if grace <= 0 || (seen && now.Sub(first) >= grace) {
			var k int64
			k, ferr = fail(ctx, c, id)
			n += int(k)
			delete(l.freeSince, id)
		} else if !seen {
			l.freeSince[id] = now
		}
		_, uerr := c.Exec(ctx, sqlLeaseUnlock, l.class, int32(id))
		if ferr != nil {
			return n, fmt.Errorf("job %d: %w", id, ferr)
		}
		if uerr != nil {
			return n, uerr
		}
	}
	for id := range l.freeSince {
		if !listed[id] {
			delete(l.freeSince, id)
		}
	}
	return n, nil
}
