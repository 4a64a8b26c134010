package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/styles"
	"github.com/coalmap/coalmap/tiles"
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
	// MaxCheckBytes bounds the alignment document of an overlap check.
	MaxCheckBytes int64
	// BaseURL, when set, prefixes every link the service writes (a proxy's
	// public address); else links use the request's scheme and host.
	BaseURL string
	// Title and Description head the OGC API landing page.
	Title, Description string
	// TileCacheControl is the Cache-Control of tiles fetched without the
	// current data versions in the URL; DefaultTileCacheControl when empty.
	TileCacheControl string
	// VersionedTileCacheControl is the Cache-Control of tiles fetched with the
	// current data versions (?v=…); DefaultVersionedTileCacheControl when empty.
	VersionedTileCacheControl string
	// MaxUploadBytes caps an import's upload (413 beyond); 0 means
	// DefaultMaxUpload. UploadDir holds uploads while they are imported
	// ("" means the system's temporary directory).
	MaxUploadBytes int64
	UploadDir      string
	// CORSOrigins are the origins whose pages may call the service from a
	// browser (ParseCORSOrigins): nil or ["*"] any origin, an empty list
	// none but the service's own.
	CORSOrigins []string
	// RateLimits bound the expensive routes per token and per address
	// (429 with Retry-After beyond); the zero value sets no limit.
	RateLimits RateLimits
}

// Deps are the services behind the routes.
type Deps struct {
	// Ready reports whether the service can answer: database reachable,
	// migrations applied.
	Ready func(ctx context.Context) error
	// ReadyDetail, when set, adds what it returns (the read replicas' lag
	// and state) to /readyz's answer.
	ReadyDetail func() any
	// Overlaps answers overlap checks; nil leaves the routes out.
	Overlaps OverlapChecker
	// Runs runs layer-against-layer overlap checks; nil leaves the routes out.
	Runs OverlapRuns
	// Catalog is the in-memory catalog snapshot the read routes consult;
	// with Store it mounts the OGC API – Features routes.
	Catalog *layers.Catalog
	// Store reads and writes layer metadata.
	Store layers.Store
	// Search is the full-text search of /collections?q=.
	Search layers.Searcher
	// Features reads layer tables.
	Features layers.FeatureStore
	// Tokens authenticates bearer tokens; nil means every caller is
	// anonymous.
	Tokens layers.TokenStore
	// Tiles serves vector tiles; nil leaves the tile routes out.
	Tiles *tiles.Service
	// Edits runs single-feature edits (OGC API – Features Part 4); nil
	// means one over Store, when it can edit.
	Edits *layers.Edits
	// Imports runs and records imports; nil leaves uploads out (503).
	Imports ImportService
	// Jobs runs processes asynchronously (OGC API – Processes) and keeps
	// their jobs; nil offers the check and reroute processes synchronously
	// only.
	Jobs ProcessJobs
	// Styles are the sprite, glyphs and font files of the style documents;
	// nil means the ones built into the binary (styles.Embedded).
	Styles *styles.Assets
}

// Server is coalmap's HTTP handler.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	router  chi.Router
	metrics *httpMetrics
	styles  *styles.Assets

	tileMetrics *tileMetrics
	limiters    *limiters // nil: no rate limits
}

// New returns the HTTP handler with every route mounted.
func New(cfg Config, deps Deps) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Title == "" {
		cfg.Title = "coalmap — coal sector layers"
	}
	if cfg.Description == "" {
		cfg.Description = "The Ministry of Coal's planning layers (coal blocks, mines, sidings, rail, power, forests…) as OGC API – Features and vector tiles."
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 60 * time.Second
	}
	if cfg.MaxCheckBytes <= 0 {
		cfg.MaxCheckBytes = defaultMaxCheckBytes
	}
	if cfg.TileCacheControl == "" {
		cfg.TileCacheControl = DefaultTileCacheControl
	}
	if cfg.VersionedTileCacheControl == "" {
		cfg.VersionedTileCacheControl = DefaultVersionedTileCacheControl
	}
	s := &Server{cfg: cfg, deps: deps, log: cfg.Logger, metrics: newHTTPMetrics(cfg.Registry), styles: deps.Styles}
	if s.styles == nil {
		a, err := styles.Embedded()
		if err != nil { // a malformed build: serve styles without sprite and glyphs
			cfg.Logger.Error("the sprite and glyphs built into the binary are unreadable", "err", err)
			a = styles.NotBuilt()
		}
		s.styles = a
	}
	if cfg.RateLimits.PerToken > 0 || cfg.RateLimits.PerAddress > 0 {
		s.limiters = newLimiters(cfg.RateLimits, cfg.Registry)
	}
	if deps.Tiles != nil {
		s.tileMetrics = newTileMetrics(cfg.Registry)
		cfg.Registry.MustRegister(newCacheCollector(deps.Tiles.Cache()))
	}
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.recoverer, s.accessLog, s.instrument,
		newCORSPolicy(cfg.CORSOrigins, s.baseURL).handler(s), s.timeout, s.authenticate)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(http.StatusNotFound, "no such resource: %s", r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path))
	})
	s.routesHealth(r)
	s.routesMap(r)
	s.routesOverlaps(r)
	s.routesRuns(r)
	s.routesProcesses(r)
	if deps.Catalog != nil && deps.Store != nil && deps.Features != nil {
		s.routesLanding(r)
		s.routesRecords(r)
		s.routesCollections(r)
		s.routesItems(r)
		s.routesEdits(r)
		s.routesImports(r)
	}
	s.routesTiles(r)
	s.routesStyles(r)
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

// baseURL is the scheme and host links are written with.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host = h
	}
	return scheme + "://" + host
}
