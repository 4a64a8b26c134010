package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// sample is one look at the server.
type sample struct {
	at         time.Duration // since the start
	rssKB      int64         // VmRSS
	hwmKB      int64         // VmHWM
	goroutines int64         // go_goroutines
	heapMB     float64       // go_memstats_heap_inuse_bytes
	liveMB     float64       // go_memstats_next_gc_bytes / 2: the heap live at the last GC (GOGC 100)
	poolConns  int64         // coalmap_db_pool_connections
	poolBusy   int64         // coalmap_db_pool_acquired_connections
	dbSessions int64         // pg_stat_activity of serve's database, client backends
	dbActive   int64         // … of which active
	cacheMB    float64       // coalmap_tile_cache_bytes
	inFlight   int64         // coalmap_http_requests_in_flight
	load1      string        // /proc/loadavg
	load5      string
	load15     string
}

// sampler reads serve's /proc status, /metrics and pg_stat_activity.
type sampler struct {
	base string
	pid  int
	http *http.Client
	db   *pgxpool.Pool
	t0   time.Time
}

func procStatus(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = kb
		case "VmHWM":
			hwm = kb
		}
	}
	return rss, hwm, sc.Err()
}

// metrics reads the unlabelled gauges of a Prometheus text page.
func (s *sampler) metrics(ctx context.Context) (map[string]float64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/metrics", nil)
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	m := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			m[k] = f
		}
	}
	return m, nil
}

func (s *sampler) take(ctx context.Context) (sample, error) {
	x := sample{at: time.Since(s.t0)}
	var err error
	if s.pid > 0 {
		if x.rssKB, x.hwmKB, err = procStatus(s.pid); err != nil {
			return x, fmt.Errorf("serve's /proc status: %w", err)
		}
	}
	m, err := s.metrics(ctx)
	if err != nil {
		return x, fmt.Errorf("/metrics: %w", err)
	}
	x.goroutines = int64(m["go_goroutines"])
	x.heapMB = m["go_memstats_heap_inuse_bytes"] / (1 << 20)
	x.liveMB = m["go_memstats_next_gc_bytes"] / 2 / (1 << 20)
	x.poolConns = int64(m["coalmap_db_pool_connections"])
	x.poolBusy = int64(m["coalmap_db_pool_acquired_connections"])
	x.cacheMB = m["coalmap_tile_cache_bytes"] / (1 << 20)
	x.inFlight = int64(m["coalmap_http_requests_in_flight"])
	if s.db != nil {
		// serve's sessions: every client backend on its database but this
		// sampler's own.
		if err := s.db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE state = 'active')
			FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`).
			Scan(&x.dbSessions, &x.dbActive); err != nil {
			return x, fmt.Errorf("pg_stat_activity: %w", err)
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		x.load1, x.load5, x.load15 = f[0], f[1], f[2]
	}
	return x, nil
}

func writeSamples(path string, ss []sample) error {
	var b strings.Builder
	b.WriteString("seconds,rss_kb,hwm_kb,goroutines,heap_inuse_mb,live_heap_mb,pool_conns,pool_acquired,db_sessions,db_active,tile_cache_mb,in_flight,load1,load5,load15\n")
	for _, x := range ss {
		fmt.Fprintf(&b, "%.0f,%d,%d,%d,%.1f,%.1f,%d,%d,%d,%d,%.1f,%d,%s,%s,%s\n", x.at.Seconds(), x.rssKB, x.hwmKB, x.goroutines, x.heapMB, x.liveMB,
			x.poolConns, x.poolBusy, x.dbSessions, x.dbActive, x.cacheMB, x.inFlight, x.load1, x.load5, x.load15)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
