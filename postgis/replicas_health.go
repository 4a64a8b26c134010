package postgis

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"
)

// The replicas' health check, their status and metrics.

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
		wasStandby := rep.status.Standby
		rep.status = st
		rep.mu.Unlock()
		if err == nil && wasStandby && !st.Standby && r.log != nil {
			// Promoted (a failover): its reads are current, as a
			// primary's are; it stays in the rotation.
			r.log.Warn("read database is now a primary, not a standby (promoted): reads from it are current, but if it is the primary they take no load off it",
				"replica", rep.name)
		}
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
