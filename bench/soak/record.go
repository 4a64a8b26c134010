package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// recorder keeps every request's latency and status by route.
type recorder struct {
	mu     sync.Mutex
	routes map[string]*routeStats
	// bad holds the first few unexpected answers (5xx other than 503,
	// 503 without Retry-After, transport errors), to show in the report.
	bad []string
}

type routeStats struct {
	ms       []float64
	status   map[int]int
	errors   int // transport errors: no answer at all
	no503RA  int // 503 without Retry-After
	tooMany  int // 429
	noRA429  int // 429 without Retry-After
	fiveXX   int // 5xx other than 503
	deliber8 int // 503 with Retry-After
}

func newRecorder() *recorder { return &recorder{routes: map[string]*routeStats{}} }

func (r *recorder) stats(route string) *routeStats {
	s, ok := r.routes[route]
	if !ok {
		s = &routeStats{status: map[int]int{}}
		r.routes[route] = s
	}
	return s
}

// add records one answer (resp nil: a transport error).
func (r *recorder) add(route string, d time.Duration, resp *http.Response, err error, body []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats(route)
	if err != nil {
		s.errors++
		r.note(fmt.Sprintf("%s: %v", route, err))
		return
	}
	s.ms = append(s.ms, float64(d.Microseconds())/1000)
	s.status[resp.StatusCode]++
	switch c := resp.StatusCode; {
	case c == http.StatusServiceUnavailable:
		if resp.Header.Get("Retry-After") == "" {
			s.no503RA++
			r.note(fmt.Sprintf("%s: 503 without Retry-After: %.200s", route, body))
		} else {
			s.deliber8++
		}
	case c >= 500:
		s.fiveXX++
		r.note(fmt.Sprintf("%s: %d %s: %.300s", route, c, resp.Request.URL.RequestURI(), body))
	case c == http.StatusTooManyRequests:
		s.tooMany++
		if resp.Header.Get("Retry-After") == "" {
			s.noRA429++
		}
	}
}

func (r *recorder) note(s string) {
	if len(r.bad) < 20 {
		r.bad = append(r.bad, time.Now().UTC().Format("15:04:05 ")+s)
	}
}

// unexpected counts the answers that must not happen: 5xx other than a 503
// with Retry-After, and requests that got no answer.
func (r *recorder) unexpected() (fiveXX, noRetryAfter, transport int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.routes {
		fiveXX += s.fiveXX
		noRetryAfter += s.no503RA
		transport += s.errors
	}
	return
}

// percentile of sorted values (nearest rank).
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(len(sorted)-1, i))]
}

// table writes the per-route markdown table.
func (r *recorder) table(w io.Writer, secs float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.routes))
	for k := range r.routes {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "| route | requests | req/s | statuses | p50 ms | p99 ms | max ms |")
	fmt.Fprintln(w, "|---|---:|---:|---|---:|---:|---:|")
	for _, k := range names {
		s := r.routes[k]
		v := slices.Clone(s.ms)
		slices.Sort(v)
		codes := make([]int, 0, len(s.status))
		for c := range s.status {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		var st []string
		for _, c := range codes {
			st = append(st, fmt.Sprintf("%d×%d", c, s.status[c]))
		}
		if s.errors > 0 {
			st = append(st, fmt.Sprintf("no answer×%d", s.errors))
		}
		maxv := 0.0
		if len(v) > 0 {
			maxv = v[len(v)-1]
		}
		fmt.Fprintf(w, "| %s | %d | %.1f | %s | %.1f | %.1f | %.0f |\n", k, len(v)+s.errors, float64(len(v))/secs,
			strings.Join(st, " "), percentile(v, 0.50), percentile(v, 0.99), maxv)
	}
}

// latencies returns a route's sorted latencies in ms.
func (r *recorder) latencies(route string) []float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.routes[route]
	if !ok {
		return nil
	}
	v := slices.Clone(s.ms)
	slices.Sort(v)
	return v
}

func (r *recorder) count(route string, status int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.routes[route]; ok {
		return s.status[status]
	}
	return 0
}

func sortFloats(v []float64) { slices.Sort(v) }
