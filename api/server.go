package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Config is what the HTTP surface needs to know about its process.
type Config struct {
	// Logger receives access and error logs.
	Logger *slog.Logger
	// Registry collects the service's metrics; /metrics exposes it.
	Registry *prometheus.Registry
	// Version is the build's version, shown by / and /healthz.
	Version string
	// RequestTimeout bounds every request's context.
	RequestTimeout time.Duration
}

// Deps are the services behind the routes.
type Deps struct {
	// Ready reports whether the service can answer: database reachable,
	// migrations applied.
	Ready func(ctx context.Context) error
}

// Server is coalmap's HTTP handler.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	router  chi.Router
	metrics *httpMetrics
}

// New returns the HTTP handler with every route mounted.
func New(cfg Config, deps Deps) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 60 * time.Second
	}
	s := &Server{cfg: cfg, deps: deps, log: cfg.Logger, metrics: newHTTPMetrics(cfg.Registry)}
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.recoverer, s.accessLog, s.instrument, s.timeout)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(http.StatusNotFound, "no such resource: %s", r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path))
	})
	s.routesHealth(r)
	s.routesMap(r)
	s.router = r
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

func (s *Server) routesHealth(r chi.Router) {
	r.Get("/healthz", s.handleHealthz)
	r.Get("/readyz", s.handleReadyz)
	r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{}))
}
