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
	"github.com/prometheus/client_golang/prometheus"
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

// ConfigError is a read URL refused at start.
type ConfigError struct {
	URL    string // the URL, password removed
	Reason string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("read database %s: %s", e.URL, e.Reason) }

// redact removes the password of a database URL for messages.
func redact(url string) string {
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		return "(unparsable URL)"
	}
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

type dbIdentity struct {
	system   string // pg_control_system().system_identifier, "" when not readable
	database string
	postgis  bool
	catalog  bool // schema catalog with its change log
	standby  bool
}

func identify(ctx context.Context, pool *pgxpool.Pool) (dbIdentity, error) {
	var id dbIdentity
	err := pool.QueryRow(ctx, `SELECT current_database(), pg_is_in_recovery(),
    EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis'),
    to_regclass('catalog.changes') IS NOT NULL`).Scan(&id.database, &id.standby, &id.postgis, &id.catalog)
	if err != nil {
		return id, err
	}
	// pg_control_system() is for superusers and pg_monitor members; without
	// it the database name and the catalog stand in.
	var sys int64
	if pool.QueryRow(ctx, `SELECT system_identifier FROM pg_control_system()`).Scan(&sys) == nil {
		id.system = strconv.FormatInt(sys, 10)
	}
	return id, nil
}

// OpenReads connects to each read URL, checks that it is a copy of
// primary's database (same system identifier and database name, PostGIS and
// the catalog present) and returns the router. A read URL that is itself a
// primary is accepted with a warning in the log (reads from it are never
// stale, but it takes no load off the primary if it is the primary). A
// refused URL is a *ConfigError.
func OpenReads(ctx context.Context, primary *pgxpool.Pool, urls []string, opt ReadsOptions, log *slog.Logger) (*Reads, error) {
	if opt.Wait <= 0 {
		opt.Wait = 250 * time.Millisecond
	}
	if opt.MaxLag <= 0 {
		opt.MaxLag = 10 * time.Second
	}
	r := &Reads{primary: primary, opt: opt, log: log, need: map[string]uint64{}}
	if len(urls) == 0 {
		return r, nil
	}
	pid, err := identify(ctx, primary)
	if err != nil {
		return nil, translate("primary identity", err)
	}
	for _, u := range urls {
		name := redact(u)
		pool, err := Connect(ctx, u, opt.MaxConns)
		if err != nil {
			r.Close()
			return nil, &ConfigError{URL: name, Reason: err.Error()}
		}
		rep := &replica{name: name, url: u, pool: pool}
		r.reps = append(r.reps, rep)
		// A standby just made, or behind, may not have replayed the
		// migrations yet: give it a moment to catch up to now.
		catchUp(ctx, primary, pool, 10*time.Second)
		id, err := identify(ctx, pool)
		switch {
		case err != nil:
			err = &ConfigError{URL: name, Reason: "cannot read its identity: " + err.Error()}
		case !id.postgis:
			err = &ConfigError{URL: name, Reason: "PostGIS is not installed there: not a copy of the primary's database"}
		case id.database != pid.database:
			err = &ConfigError{URL: name, Reason: fmt.Sprintf("database %q, the primary's is %q", id.database, pid.database)}
		case id.system != "" && pid.system != "" && id.system != pid.system:
			err = &ConfigError{URL: name, Reason: fmt.Sprintf("another cluster (system identifier %s, the primary's is %s): not a replica of the primary", id.system, pid.system)}
		case !id.catalog:
			err = &ConfigError{URL: name, Reason: "no coalmap catalog there (catalog.changes is missing)"}
		}
		if err != nil {
			r.Close()
			return nil, err
		}
		if id.system == "" {
			log.Warn("read database: cannot read pg_control_system() (grant pg_monitor); checked by database name and catalog only", "replica", name)
		}
		if !id.standby {
			log.Warn("read database is a primary, not a standby: reads from it are current but take no load off the primary if it is the same server", "replica", name)
		}
	}
	r.check(ctx)
	return r, nil
}

// catchUp waits, up to limit, until the standby behind pool has replayed
// the primary's WAL up to where it is now.
func catchUp(ctx context.Context, primary, pool *pgxpool.Pool, limit time.Duration) {
	var s string
	if primary.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&s) != nil {
		return
	}
	want, err := ParseLSN(s)
	if err != nil {
		return
	}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if pool.QueryRow(ctx, sqlReplayLSN).Scan(&s) != nil {
			return
		}
		if got, err := ParseLSN(s); err != nil || got >= want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

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

const sqlReplicaStatus = `SELECT pg_is_in_recovery(),
    (CASE WHEN pg_is_in_recovery() THEN coalesce(pg_last_wal_replay_lsn(), '0/0') ELSE pg_current_wal_lsn() END)::text,
    coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)::float8`

// Run checks the replicas every period until ctx ends: their lag behind the
// primary and their place in the rotation.
func (r *Reads) Run(ctx context.Context, period time.Duration) {
	if r == nil || len(r.reps) == 0 {
		return
	}
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.check(ctx)
		}
	}
}

// check updates every replica's status once.
func (r *Reads) check(ctx context.Context) {
	var primaryLSN uint64
	{
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		var s string
		if r.primary.QueryRow(qctx, `SELECT pg_current_wal_lsn()::text`).Scan(&s) == nil {
			primaryLSN, _ = ParseLSN(s)
		}
		cancel()
	}
	for _, rep := range r.reps {
		st := ReplicaStatus{Name: rep.name, CheckedAt: time.Now()}
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		var lsn string
		var secs float64
		err := rep.pool.QueryRow(qctx, sqlReplicaStatus).Scan(&st.Standby, &lsn, &secs)
		cancel()
		var replay uint64
		if err == nil {
			replay, err = ParseLSN(lsn)
		}
		switch {
		case err != nil:
			st.State, st.Error = ReplicaDown, "unreachable"
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) {
				st.Error = pgErr.Message
			}
		default:
			st.ReplayLSN = lsn
			rep.replay.Store(max(rep.replay.Load(), replay))
			if primaryLSN > replay {
				st.LagBytes = int64(primaryLSN - replay)
				// The time since the last transaction replayed: the lag
				// when the standby is behind (when it is level, nothing is
				// waiting and the lag is zero whatever that time is).
				st.LagSeconds = secs
			}
			st.State = ReplicaUp
			if st.LagBytes > 0 && time.Duration(st.LagSeconds*float64(time.Second)) > r.opt.MaxLag {
				st.State = ReplicaLagging
			}
		}
		was := rep.inRot.Swap(st.State == ReplicaUp)
		if st.State == ReplicaUp {
			r.seen(replay)
		}
		if was != (st.State == ReplicaUp) && r.log != nil {
			r.log.Info("read replica", "replica", rep.name, "state", st.State, "lag_bytes", st.LagBytes, "lag_seconds", st.LagSeconds, "err", st.Error)
		}
		rep.mu.Lock()
		rep.status = st
		rep.mu.Unlock()
	}
}

// Status returns what the health check last saw of each replica.
func (r *Reads) Status() []ReplicaStatus {
	if r == nil {
		return nil
	}
	var out []ReplicaStatus
	for _, rep := range r.reps {
		rep.mu.Lock()
		out = append(out, rep.status)
		rep.mu.Unlock()
	}
	return out
}

// Collector exports the replicas' lag and state as Prometheus metrics.
func (r *Reads) Collector() prometheus.Collector { return readsCollector{r} }

type readsCollector struct{ r *Reads }

var (
	descLagBytes  = prometheus.NewDesc("coalmap_replica_lag_bytes", "WAL bytes the replica has yet to replay.", []string{"replica"}, nil)
	descLagSecs   = prometheus.NewDesc("coalmap_replica_lag_seconds", "Seconds since the last transaction the replica replayed, when behind.", []string{"replica"}, nil)
	descInRot     = prometheus.NewDesc("coalmap_replica_up", "1 when the replica is in the read rotation.", []string{"replica", "state"}, nil)
	descReads     = prometheus.NewDesc("coalmap_replica_reads_total", "Reads sent to the replica.", []string{"replica"}, nil)
	descFallbacks = prometheus.NewDesc("coalmap_replica_fallbacks_total", "Reads sent to the primary because no replica had replayed what they need in time.", nil, nil)
)

func (c readsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descLagBytes, descLagSecs, descInRot, descReads, descFallbacks} {
		ch <- d
	}
}

func (c readsCollector) Collect(ch chan<- prometheus.Metric) {
	for i, st := range c.r.Status() {
		rep := c.r.reps[i]
		ch <- prometheus.MustNewConstMetric(descLagBytes, prometheus.GaugeValue, float64(st.LagBytes), st.Name)
		ch <- prometheus.MustNewConstMetric(descLagSecs, prometheus.GaugeValue, st.LagSeconds, st.Name)
		up := 0.0
		if st.State == ReplicaUp {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(descInRot, prometheus.GaugeValue, up, st.Name, string(st.State))
		ch <- prometheus.MustNewConstMetric(descReads, prometheus.CounterValue, float64(rep.reads.Load()), st.Name)
	}
	ch <- prometheus.MustNewConstMetric(descFallbacks, prometheus.CounterValue, float64(c.r.fallbacks.Load()))
}
