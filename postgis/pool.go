package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// clientCheckInterval is PostgreSQL's client_connection_check_interval
// (ms) on coalmap's connections: a statement whose client has gone (a
// server killed with -9, a dropped link) is cancelled within it, its
// transaction rolled back and its locks (a tile-band build's, a swap's)
// released, rather than running on to its end for no one.
const clientCheckInterval = "2000"

// Connect opens a connection pool to url and checks that the server answers
// and has PostGIS available.
func Connect(ctx context.Context, url string, maxConns int32) (*pgxpool.Pool, error) {
	return ConnectWarm(ctx, url, maxConns, 0)
}

// ConnectWarm is Connect with warm connections, at least as many as warm,
// opened at once in the background and kept: a command whose work holds
// several connections at a time (an import: its COPY, its lease, its tile
// bands) then finds them open rather than opening them one after another
// on its way, a few milliseconds each.
func ConnectWarm(ctx context.Context, url string, maxConns, warm int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgis: database URL: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	cfg.MinConns = max(cfg.MinConns, min(warm, cfg.MaxConns))
	cfg.ConnConfig.RuntimeParams["application_name"] = "coalmap"
	cfg.ConnConfig.RuntimeParams["client_connection_check_interval"] = clientCheckInterval
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgis: cannot reach the database: %w", err)
	}
	return pool, nil
}

// Ready reports whether the database answers and has every migration of ms
// applied.
func Ready(ctx context.Context, pool *pgxpool.Pool, ms []Migration) error {
	if err := pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgis: database unreachable: %w", err)
	}
	p, err := Pending(ctx, pool, ms)
	if err != nil {
		return err
	}
	if len(p) > 0 {
		return fmt.Errorf("postgis: %d migrations pending (first %04d_%s)", len(p), p[0].Version, p[0].Name)
	}
	return nil
}

// PoolCollector exports a pool's statistics as Prometheus metrics.
type PoolCollector struct {
	pool                               *pgxpool.Pool
	total, idle, acquired, max         *prometheus.Desc
	acquires, waits, waitSecs, canceld *prometheus.Desc
}

var _ prometheus.Collector = (*PoolCollector)(nil)

// NewPoolCollector returns a collector of pool's statistics, named
// coalmap_db_pool_*.
func NewPoolCollector(pool *pgxpool.Pool) *PoolCollector {
	return NewPoolCollectorPrefix(pool, "coalmap_db_pool_")
}

// NewPoolCollectorPrefix returns a collector of pool's statistics whose
// metric names start with prefix (the tile renderer's pool:
// coalmap_tile_db_pool_).
func NewPoolCollectorPrefix(pool *pgxpool.Pool, prefix string) *PoolCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prefix+name, help, nil, nil)
	}
	return &PoolCollector{
		pool:     pool,
		total:    d("connections", "Connections open in the pool."),
		idle:     d("idle_connections", "Idle connections in the pool."),
		acquired: d("acquired_connections", "Connections in use."),
		max:      d("max_connections", "Maximum size of the pool."),
		acquires: d("acquires_total", "Connections acquired from the pool."),
		waits:    d("empty_acquires_total", "Acquires that had to wait for a connection."),
		waitSecs: d("acquire_wait_seconds_total", "Time spent waiting for a connection."),
		canceld:  d("canceled_acquires_total", "Acquires cancelled by their context."),
	}
}

// Describe implements prometheus.Collector.
func (c *PoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.total, c.idle, c.acquired, c.max, c.acquires, c.waits, c.waitSecs, c.canceld} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *PoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	g := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	k := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	g(c.total, float64(s.TotalConns()))
	g(c.idle, float64(s.IdleConns()))
	g(c.acquired, float64(s.AcquiredConns()))
	g(c.max, float64(s.MaxConns()))
	k(c.acquires, float64(s.AcquireCount()))
	k(c.waits, float64(s.EmptyAcquireCount()))
	k(c.waitSecs, s.AcquireDuration().Seconds())
	k(c.canceld, float64(s.CanceledAcquireCount()))
}
