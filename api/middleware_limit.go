package api

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
)

// RateLimits bound how often one caller may start expensive work: overlap
// checks, reroutes and routes, overlap runs and imports. A caller with a
// token is limited per token, an anonymous one per remote address. A rate
// of zero turns that limit off.
type RateLimits struct {
	// PerToken and PerAddress are the sustained rates, in requests per
	// minute.
	PerToken, PerAddress float64
	// Burst is how many requests a caller may make at once before the
	// rate applies; at least 1.
	Burst int
}

// limiterIdle is how long a caller's bucket is kept after its last use.
const limiterIdle = 10 * time.Minute

// A refused request is answered once its caller's next request would be
// allowed, or after refusalHold, whichever is sooner: a client that ignores
// Retry-After and asks again at once (a flood) then gets a few answers a
// second per connection instead of thousands, and the CPU it would have
// taken stays with the other callers. At most maxHeldRefusals are held at
// once; beyond, refusals are answered at once.
const (
	refusalHold     = time.Second
	maxHeldRefusals = 256
)

// limiters holds a token bucket per caller.
type limiters struct {
	cfg     RateLimits
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
	refused *prometheus.CounterVec
	held    atomic.Int64 // refusals being held
}

type bucket struct {
	lim  *rate.Limiter
	used time.Time
}

func newLimiters(cfg RateLimits, reg prometheus.Registerer) *limiters {
	if cfg.Burst < 1 {
		cfg.Burst = 1
	}
	l := &limiters{cfg: cfg, buckets: map[string]*bucket{},
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "coalmap_http_rate_limited_total",
			Help: "Requests refused with 429 by the per-token or per-address rate limits, by route and kind of caller."},
			[]string{"route", "caller"})}
	reg.MustRegister(l.refused)
	return l
}

// reserve takes one request from key's bucket at perMinute and tells how
// long to wait when there is none (0 when the request may go).
func (l *limiters) reserve(key string, perMinute float64, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > limiterIdle {
		for k, b := range l.buckets {
			if now.Sub(b.used) > limiterIdle {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(perMinute/60), l.cfg.Burst)}
		l.buckets[key] = b
	}
	b.used = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// hold delays a refusal by d (at most refusalHold), or until the client
// goes away.
func (l *limiters) hold(ctx context.Context, d time.Duration) {
	if l.held.Add(1) > maxHeldRefusals {
		l.held.Add(-1)
		return
	}
	defer l.held.Add(-1)
	t := time.NewTimer(min(d, refusalHold))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// limit refuses a request over its caller's rate with 429 and Retry-After.
func (s *Server) limit(route string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if s.limiters == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			caller, key, perMinute := "address", "", s.limiters.cfg.PerAddress
			if p := principal(r); p.TokenID != 0 {
				caller, key, perMinute = "token", "t:"+strconv.FormatInt(p.TokenID, 10), s.limiters.cfg.PerToken
			} else {
				host, _, err := net.SplitHostPort(r.RemoteAddr)
				if err != nil {
					host = r.RemoteAddr
				}
				key = "a:" + host
			}
			if perMinute <= 0 {
				next.ServeHTTP(w, r)
				return
			}
			if d := s.limiters.reserve(key, perMinute, time.Now()); d > 0 {
				s.limiters.refused.WithLabelValues(route, caller).Inc()
				s.limiters.hold(r.Context(), d)
				secs := int(math.Ceil(d.Seconds()))
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				writeJSON(w, http.StatusTooManyRequests, errorBody{
					Error: fmt.Sprintf("too many requests to %s from this %s (limit %g a minute, burst %d); retry in %d s",
						route, caller, perMinute, s.limiters.cfg.Burst, secs),
					Detail: map[string]any{"caller": caller, "per_minute": perMinute, "burst": s.limiters.cfg.Burst, "retry_after": secs}})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
