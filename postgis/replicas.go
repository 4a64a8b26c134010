package postgis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Read replicas. See "Reads from replicas" in the package documentation for
// why a read of a layer at data version N goes to a standby only once the
// standby has replayed the WAL past the commit of version N.

// ReplicaState is a replica's place in the rotation.
type ReplicaState string

// The states of a replica.
const (
	// ReplicaUp: reachable and within the lag bound; in rotation.
	ReplicaUp ReplicaState = "up"
	// ReplicaLagging: reachable but behind the primary by more than the
	// bound; out of rotation until it catches up.
	ReplicaLagging ReplicaState = "lagging"
	// ReplicaDown: not answering; out of rotation until it answers.
	ReplicaDown ReplicaState = "down"
)

// ReplicaStatus is what the health check last saw of a replica.
type ReplicaStatus struct {
	Name       string       `json:"name"`
	State      ReplicaState `json:"state"`
	Standby    bool         `json:"standby"`
	ReplayLSN  string       `json:"replay_lsn,omitempty"`
	LagBytes   int64        `json:"lag_bytes"`
	LagSeconds float64      `json:"lag_seconds"`
	Error      string       `json:"error,omitempty"`
	CheckedAt  time.Time    `json:"checked_at"`
}

// ReadsOptions configure Reads.
type ReadsOptions struct {
	// Wait bounds how long a read waits for a replica to replay the change
	// it needs before it goes to the primary.
	Wait time.Duration
	// MaxLag is the replay delay beyond which a replica leaves the rotation.
	MaxLag time.Duration
	// MaxConns bounds each replica's pool.
	MaxConns int32
}

type replica struct {
	name   string
	url    string
	pool   *pgxpool.Pool
	replay atomic.Uint64 // last replay LSN seen
	inRot  atomic.Bool   // in rotation

	mu     sync.Mutex
	status ReplicaStatus
	reads  atomic.Int64
}

// Reads routes the read queries of layer data (tiles, items, polygon loads)
// to read replicas that have replayed what the reader needs, and to the
// primary otherwise. The zero of replicas (no read URL) sends everything to
// the primary.
type Reads struct {
	primary *pgxpool.Pool
	reps    []*replica
	opt     ReadsOptions
	log     *slog.Logger

	mu      sync.Mutex
	need    map[string]uint64 // per layer: the LSN its current version needs
	needAll uint64            // the greatest of need: catalog-wide reads

	next      atomic.Uint64
	fallbacks atomic.Int64
	// gaveUp is the lowest position a read waited for in vain: reads that
	// need it or more go to the primary without waiting until a replica
	// is seen past it (one wait per stuck position, not one per read).
	gaveUp    atomic.Uint64
	refreshMu sync.Mutex
}

// ParseLSN reads a pg_lsn's text ("16/B374D848").
func ParseLSN(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok {
		return 0, fmt.Errorf("postgis: LSN %q: want hi/lo", s)
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("postgis: LSN %q: %w", s, err)
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("postgis: LSN %q: %w", s, err)
	}
	return h<<32 | l, nil
}

// FormatLSN writes an LSN as pg_lsn text.
func FormatLSN(v uint64) string { return fmt.Sprintf("%X/%X", v>>32, v&0xffffffff) }

// Close closes the replicas' pools (not the primary's).
func (r *Reads) Close() {
	for _, rep := range r.reps {
		rep.pool.Close()
	}
}

// Replicas is the number of read URLs.
func (r *Reads) Replicas() int {
	if r == nil {
		return 0
	}
	return len(r.reps)
}

// URLs are the read URLs, in order (for pools of other kinds, such as the
// tile renderer's).
func (r *Reads) URLs() []string {
	var us []string
	for _, rep := range r.reps {
		us = append(us, rep.url)
	}
	return us
}

// Require records that layer's current version needs a replica that has
// replayed up to lsn ("" for the whole catalog).
func (r *Reads) Require(layer string, lsn uint64) {
	if r == nil || len(r.reps) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if layer != "" && lsn > r.need[layer] {
		r.need[layer] = lsn
	}
	if lsn > r.needAll {
		r.needAll = lsn
	}
}

// Rewound starts the rule again after a failover lost commits: positions
// recorded on the old primary's history mean nothing on the new one, so
// every layer now needs a replica at pos, the new primary's position, or
// past it.
func (r *Reads) Rewound(pos uint64) {
	if r == nil || len(r.reps) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.need {
		r.need[k] = pos
	}
	r.needAll = pos
	r.gaveUp.Store(0)
}

func (r *Reads) needed(layer string) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if layer == "" {
		return r.needAll
	}
	return r.need[layer]
}

// Choose returns the index of a replica in rotation that has replayed what
// layer's current version needs (layer "": every layer's), waiting up to
// the bound for one; -1 means the primary.
func (r *Reads) Choose(ctx context.Context, layer string) int {
	if r == nil || len(r.reps) == 0 {
		return -1
	}
	need := r.needed(layer)
	deadline := time.Now().Add(r.opt.Wait)
	pause := time.Millisecond
	for {
		if i := r.pick(need); i >= 0 {
			r.reps[i].reads.Add(1)
			return i
		}
		stuck := r.gaveUp.Load()
		if !r.anyInRotation() || ctx.Err() != nil || (stuck != 0 && need >= stuck) {
			r.fallbacks.Add(1)
			return -1
		}
		if !time.Now().Before(deadline) {
			for {
				g := r.gaveUp.Load()
				if (g != 0 && g <= need) || r.gaveUp.CompareAndSwap(g, need) {
					break
				}
			}
			r.fallbacks.Add(1)
			return -1
		}
		r.refreshReplay(ctx)
		if r.pick(need) >= 0 {
			continue
		}
		t := time.NewTimer(min(pause, time.Until(deadline)))
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
		pause = min(2*pause, 20*time.Millisecond)
	}
}

// Pool returns the pool a read of layer goes to (see Choose).
func (r *Reads) Pool(ctx context.Context, layer string) *pgxpool.Pool {
	if i := r.Choose(ctx, layer); i >= 0 {
		return r.reps[i].pool
	}
	return r.primary
}

// Broken tells r that a read on replica i failed with err; when err is not
// an answer of the server (a lost or refused connection), the replica
// leaves the rotation at once, the health check puts it back, and Broken
// returns true: read again from the primary.
func (r *Reads) Broken(i int, err error) bool {
	if r == nil || i < 0 || i >= len(r.reps) || err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// The server answered. Conflicts with recovery (a standby
		// cancelling a query whose rows replay removes) are worth a
		// second try on the primary; other errors are the query's own.
		return pgErr.Code == "40001" || strings.HasPrefix(pgErr.Code, "57P")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	rep := r.reps[i]
	if rep.inRot.Swap(false) && r.log != nil {
		r.log.Warn("read replica out of rotation", "replica", rep.name, "err", err)
	}
	rep.mu.Lock()
	rep.status.State, rep.status.Error = ReplicaDown, "unreachable"
	rep.mu.Unlock()
	return true
}

// index is the replica whose pool is p, -1 for none.
func (r *Reads) index(p *pgxpool.Pool) int {
	if r == nil {
		return -1
	}
	for i, rep := range r.reps {
		if rep.pool == p {
			return i
		}
	}
	return -1
}

// seen clears gaveUp once a replica in rotation has replayed past it.
func (r *Reads) seen(replay uint64) {
	if g := r.gaveUp.Load(); g != 0 && replay >= g {
		r.gaveUp.CompareAndSwap(g, 0)
	}
}

func (r *Reads) pick(need uint64) int {
	n := len(r.reps)
	start := int(r.next.Add(1) % uint64(n))
	for k := 0; k < n; k++ {
		i := (start + k) % n
		rep := r.reps[i]
		if rep.inRot.Load() && rep.replay.Load() >= need {
			return i
		}
	}
	return -1
}

func (r *Reads) anyInRotation() bool {
	for _, rep := range r.reps {
		if rep.inRot.Load() {
			return true
		}
	}
	return false
}

// refreshReplay reads the replay position of the replicas in rotation, one
// reader at a time (the others wait for it rather than query too).
func (r *Reads) refreshReplay(ctx context.Context) {
	if !r.refreshMu.TryLock() {
		return
	}
	defer r.refreshMu.Unlock()
	for _, rep := range r.reps {
		if !rep.inRot.Load() {
			continue
		}
		qctx, cancel := context.WithTimeout(ctx, time.Second)
		var lsn string
		err := rep.pool.QueryRow(qctx, sqlReplayLSN).Scan(&lsn)
		cancel()
		if err != nil {
			continue
		}
		if v, err := ParseLSN(lsn); err == nil {
			rep.replay.Store(v)
			r.seen(v)
		}
	}
}

// On a standby, the position replayed; on a primary (a read URL that is
// one), the position written.
const sqlReplayLSN = `SELECT (CASE WHEN pg_is_in_recovery() THEN coalesce(pg_last_wal_replay_lsn(), '0/0') ELSE pg_current_wal_lsn() END)::text`
