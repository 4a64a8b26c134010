package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/coalmap/coalmap/api"
	"github.com/coalmap/coalmap/data"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/migrations"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/tiles"
)

// serveCmd runs the HTTP service.
type serveCmd struct {
	stdout, stderr io.Writer

	db                dbConfig
	log               logConfig
	addr              string
	readHeaderTimeout time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	requestTimeout    time.Duration
	jobTimeout        time.Duration
	shutdownTimeout   time.Duration
	maxConns          int
	maxUpload         int64
	uploadDir         string
	noDemo            bool
	demoSeed          int64
	catalogRefresh    time.Duration
	leaseCheck        time.Duration
	baseURL           string
	corsOrigins       string
	cors              []string
	tiles             tileConfig
	limits            api.RateLimits
	reads             readConfig
}

func (c *serveCmd) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	c.db.register(fs)
	c.log.register(fs)
	fs.StringVar(&c.addr, "addr", ":8080", "listen address (env COALMAP_ADDR)")
	fs.DurationVar(&c.readHeaderTimeout, "read-header-timeout", 10*time.Second, "time to read a request's headers")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 5*time.Minute, "time to write a response (uploads and exports included)")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 2*time.Minute, "keep-alive idle time")
	fs.DurationVar(&c.requestTimeout, "request-timeout", time.Minute, "bound on a request's database work")
	fs.DurationVar(&c.jobTimeout, "job-timeout", 10*time.Minute, "bound on an asynchronous process job (OGC API – Processes)")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 8*time.Second, "time in-flight requests get to finish on SIGTERM")
	fs.IntVar(&c.maxConns, "max-conns", 32, "maximum database connections")
	fs.Int64Var(&c.maxUpload, "max-upload", api.DefaultMaxUpload, "largest import upload in bytes (413 beyond)")
	fs.StringVar(&c.uploadDir, "upload-dir", "", "directory holding uploads while they are imported (env COALMAP_UPLOAD_DIR; default: the system's temporary directory, $TMPDIR or /tmp)")
	fs.BoolVar(&c.noDemo, "no-demo", false, "do not load the demo catalog on the first start (empty catalog)")
	fs.Int64Var(&c.demoSeed, "demo-seed", DefaultDemoSeed, "seed of the demo catalog loaded on the first start")
	fs.DurationVar(&c.catalogRefresh, "catalog-refresh", time.Minute, "period of the catalog reload that backs up LISTEN/NOTIFY")
	fs.DurationVar(&c.leaseCheck, "lease-check", 10*time.Second, "period of the check that fails the import jobs and overlap runs of servers that have ended: each is failed within about two periods; those left by servers that ended before this one started (itself, restarted), three quarters of a period after its start")
	fs.StringVar(&c.baseURL, "base-url", "", "public URL of the service, for the links it writes in OGC documents and TileJSON (default: from each request)")
	fs.StringVar(&c.corsOrigins, "cors-origins", "*", `origins whose web pages may call the service from a browser: "*" (any), "none", or a comma list such as https://maps.example.gov.in (env COALMAP_CORS_ORIGINS)`)
	fs.Float64Var(&c.limits.PerToken, "rate-limit-token", 0, "checks, reroutes, routes, runs and imports a token may start a minute (0: no limit; 429 with Retry-After beyond)")
	fs.Float64Var(&c.limits.PerAddress, "rate-limit-address", 0, "the same for anonymous callers, per remote address (0: no limit)")
	fs.IntVar(&c.limits.Burst, "rate-limit-burst", 10, "requests a caller may make at once before the rate limits apply")
	c.tiles.register(fs)
	c.reads.register(fs)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if err := c.reads.validate(); err != nil {
		return err
	}
	cors, err := api.ParseCORSOrigins(c.corsOrigins)
	if err != nil {
		return fmt.Errorf("--cors-origins: %v", err)
	}
	c.cors = cors
	if err := c.tiles.validate(); err != nil {
		return err
	}
	if err := c.db.validate(); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return fmt.Errorf("--addr %q: %v", c.addr, err)
	}
	for name, d := range map[string]time.Duration{"read-header-timeout": c.readHeaderTimeout, "write-timeout": c.writeTimeout,
		"idle-timeout": c.idleTimeout, "request-timeout": c.requestTimeout, "job-timeout": c.jobTimeout, "shutdown-timeout": c.shutdownTimeout,
		"catalog-refresh": c.catalogRefresh, "lease-check": c.leaseCheck} {
		if d <= 0 {
			return fmt.Errorf("--%s must be positive, got %v", name, d)
		}
	}
	if c.limits.PerToken < 0 || c.limits.PerAddress < 0 || c.limits.Burst < 1 {
		return fmt.Errorf("--rate-limit-token and --rate-limit-address must be 0 or more, --rate-limit-burst at least 1")
	}
	if c.uploadDir != "" {
		if fi, err := os.Stat(c.uploadDir); err != nil || !fi.IsDir() {
			return fmt.Errorf("--upload-dir %q: not a directory", c.uploadDir)
		}
	}
	if c.maxConns < 8 {
		return fmt.Errorf("--max-conns must be at least 8 (an import holds up to four), got %d", c.maxConns)
	}
	return nil
}

func (c *serveCmd) Run(ctx context.Context) error {
	log, err := c.log.logger(c.stderr)
	if err != nil {
		return err
	}
	// The cluster and pool must outlive the signal: requests drain first.
	bg := context.WithoutCancel(ctx)
	db, err := openDatabase(ctx, c.db, log, true)
	if err != nil {
		return err
	}
	defer func() {
		t0 := time.Now()
		defer func() { log.Debug("shutdown: database closed", "took", time.Since(t0)) }()
		if err := db.Close(bg); err != nil {
			log.Error("stopping the database", "err", err)
		}
	}()
	if db.cluster != nil {
		// The embedded server, should it end, is started again; the
		// supervision ends before the deferred Stop above.
		superviseCtx, stopSupervising := context.WithCancel(bg)
		defer stopSupervising()
		go db.cluster.Supervise(superviseCtx, time.Second)
	}
	pool, err := postgis.Connect(ctx, db.URL, int32(c.maxConns))
	if err != nil {
		return err
	}
	defer func() { t0 := time.Now(); pool.Close(); log.Debug("shutdown: pool closed", "took", time.Since(t0)) }()
	ms, err := postgis.LoadMigrations(migrations.FS)
	if err != nil {
		return err
	}
	applied, err := postgis.Migrate(ctx, pool, ms)
	if err != nil {
		return err
	}
	for _, m := range applied {
		log.Info("migration applied", "version", m.Version, "name", m.Name)
	}

	store := postgis.NewStore(pool)
	defer store.Close()
	reads, err := postgis.OpenReads(ctx, pool, c.reads.urls, postgis.ReadsOptions{
		Wait: c.reads.wait, MaxLag: c.reads.maxLag, MaxConns: int32(c.maxConns)}, log)
	if err != nil {
		return fmt.Errorf("--read-database-url: %w", err)
	}
	defer reads.Close()
	store.UseReads(reads)
	// Staging tables of killed imports (their leases are gone with their
	// connections); their job records are the lease sweep's, below.
	if n, err := store.CleanStaging(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("dropped staging tables of interrupted imports", "tables", n)
	}
	catalog := layers.NewCatalog(store, log)
	if err := catalog.Refresh(ctx); err != nil {
		return err
	}
	followCtx, stopFollow := context.WithCancel(bg)
	// Imports end with the process: cancelled on shutdown, recorded as
	// such, their layers unchanged. Each holds up to four connections
	// (the fourth, for its tile bands, only when one is free): leave some
	// to the API.
	importCtx, stopImports := context.WithCancel(bg)
	imports := layers.NewImports(importCtx, store, store, layers.ImportsConfig{
		Parallel: max(1, min(3, (c.maxConns-4)/4)), MaxQueued: 256}, log)
	demoDone := make(chan struct{})
	defer func() {
		t0 := time.Now()
		stopImports()
		<-demoDone // the loader uses the pool: let it end first
		imports.Close()
		stopFollow()
		log.Debug("shutdown: imports and change feed stopped", "took", time.Since(t0))
	}()

	renderer, err := c.tiles.renderer(ctx, db.URL)
	if err != nil {
		return err
	}
	defer func() {
		t0 := time.Now()
		renderer.Close()
		log.Debug("shutdown: renderer closed", "took", time.Since(t0))
	}()
	if reads.Replicas() > 0 {
		if err := renderer.UseReads(ctx, reads); err != nil {
			return fmt.Errorf("--read-database-url: %w", err)
		}
		go reads.Run(followCtx, c.reads.check)
		log.Info("reading layer data from replicas", "replicas", reads.Replicas(), "wait", c.reads.wait, "max_lag", c.reads.maxLag)
	}
	tileSvc := tiles.NewService(catalog, renderer, c.tiles.service())
	ocfg := overlaps.DefaultConfig()
	// The engine reloads a layer whose data version the catalog (kept
	// current by the change feed on every replica) says has moved on.
	ocfg.CurrentVersion = func(id string) (int64, bool) {
		l, ok := catalog.Layer(id)
		if !ok {
			return 0, false
		}
		return l.DataVersion, true
	}
	// Routes count crossings of line layers and run beside them.
	ocfg.Lines = postgis.NewRuns(pool)
	polys := postgis.NewPolygons(pool)
	polys.UseReads(reads)
	engine := overlaps.New(polys, ocfg)
	// The subscribers of the change event: each change is applied to the
	// tile cache and the overlap engine before it is acknowledged, so that
	// an import reports success only once they have it.
	catalog.OnChange(tileSvc.Apply)
	catalog.OnChange(engine.Apply)
	go catalog.Follow(followCtx, store, c.catalogRefresh) //nolint:errcheck

	// The first start on an empty catalog loads the demo in the background;
	// /readyz answers 503 until it is in.
	var demoLoading atomic.Bool
	if !c.noDemo && len(catalog.Snapshot().Layers()) == 0 {
		demoLoading.Store(true)
		go func() {
			defer close(demoDone)
			defer demoLoading.Store(false)
			start := time.Now()
			log.Info("empty catalog: loading the demo catalog", "seed", c.demoSeed)
			sum, err := loadDemo(importCtx, imports, data.Demo(), c.demoSeed, log)
			if err != nil {
				log.Error("loading the demo catalog failed", "err", err)
			}
			log.Info("demo catalog loaded", "layers", sum.Layers, "features", sum.Features, "duration", time.Since(start).Round(time.Millisecond))
		}()
	} else {
		close(demoDone)
	}
	keeper := tiles.NewBandKeeper(catalog, store, log)
	keeper.Built = tileSvc.DropLayer
	keeperDone := make(chan struct{})
	go func() { defer close(keeperDone); keeper.Run(followCtx, demoDone, 5*time.Minute) }()
	defer func() { stopFollow(); <-keeperDone }() // it builds with the pool: end it first

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		postgis.NewPoolCollector(pool), postgis.NewPoolCollectorPrefix(renderer.Pool(), "coalmap_tile_db_pool_"), reads.Collector())
	// Runs end with the process: cancelled on shutdown, recorded as such.
	runStore := postgis.NewRuns(pool)
	defer runStore.Close()
	// Jobs (imports, runs) that ended servers left queued or running — this
	// one before its restart, or others, killed or crashed — are failed by
	// the live servers' lease sweep: a job whose lease is free now and
	// still is a grace later. The same rule at the start as after it: a
	// live server whose leases a restart or failover of the database
	// dropped has that grace to take them again, so a server started
	// meanwhile does not fail its work.
	sweeper := jobSweeper{log: log, store: store, runs: runStore, grace: leaseGrace(c.leaseCheck)}
	sweeper.sweep(ctx)
	go sweeper.loop(followCtx, c.leaseCheck)
	runCtx, stopRuns := context.WithCancel(bg)
	runs := overlaps.NewRuns(runCtx, engine, runStore, runStore, 1, log)
	defer func() {
		t0 := time.Now()
		stopRuns()
		runs.Wait()
		log.Debug("shutdown: runs stopped", "took", time.Since(t0))
	}()
	// Process jobs (OGC API – Processes) likewise; their state is in the
	// database, so any replica answers for them.
	jobCtx, stopJobs := context.WithCancel(bg)
	jobs := overlaps.NewJobs(jobCtx, postgis.NewJobs(pool), overlaps.JobsConfig{Timeout: c.jobTimeout}, log)
	defer func() {
		stopJobs()
		jobs.Wait()
	}()
	srv := api.New(api.Config{Logger: log, Registry: reg, Version: version(), RequestTimeout: c.requestTimeout, BaseURL: c.baseURL,
		TileCacheControl: c.tiles.cacheControl, VersionedTileCacheControl: c.tiles.cacheControlVersioned,
		MaxUploadBytes: c.maxUpload, UploadDir: c.uploadDir, CORSOrigins: c.cors, RateLimits: c.limits},
		api.Deps{
			Ready: func(ctx context.Context) error {
				if demoLoading.Load() {
					return &api.NotReadyError{Reason: "loading the demo catalog"}
				}
				if err := pool.Ping(ctx); err != nil {
					return &api.NotReadyError{Reason: "the database cannot be reached; requests that need it answer 503 until it is back", Err: err}
				}
				if err := postgis.Ready(ctx, pool, ms); err != nil {
					return &api.NotReadyError{Reason: "database migrations pending or unreadable", Err: err}
				}
				return nil
			},
			ReadyDetail: func() any {
				if reads.Replicas() == 0 {
					return nil
				}
				return map[string]any{"replicas": reads.Status()}
			},
			Catalog: catalog, Store: store, Search: store, Features: store, Tokens: store,
			Overlaps: engine,
			Runs:     runs,
			Jobs:     jobs,
			Tiles:    tileSvc,
			Imports:  imports,
		})

	hs := &http.Server{
		Addr:              c.addr,
		Handler:           srv,
		ReadHeaderTimeout: c.readHeaderTimeout,
		WriteTimeout:      c.writeTimeout,
		IdleTimeout:       c.idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	log.Info("coalmap serving", "addr", ln.Addr().String(), "version", version())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Background work (imports, runs, the change feed, tile-band builds)
	// is cancelled at once: only requests in flight get the shutdown
	// timeout, so an idle server exits in well under a second.
	stopRuns()
	stopImports()
	stopFollow()
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(bg, c.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		log.Warn("shutdown timeout: closing the requests still in flight", "timeout", c.shutdownTimeout)
		hs.Close() //nolint:errcheck // the connections are being dropped either way
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Debug("shutdown: HTTP server closed")
	return nil
}

// leaseGrace is how long a job's lease must stay free before a sweep fails
// the job: three keeps of its owner (every quarter period).
func leaseGrace(period time.Duration) time.Duration { return period * 3 / 4 }

// jobSweeper keeps this process's job leases and fails the import jobs and
// overlap runs of ended processes.
type jobSweeper struct {
	log   *slog.Logger
	store *postgis.Store
	runs  *postgis.Runs
	grace time.Duration
}

// sweep fails the jobs whose lease an earlier sweep found free at least a
// grace ago and is still free, and notes those it finds free now.
func (s jobSweeper) sweep(ctx context.Context) {
	ni, err := s.store.SweepImports(ctx, s.grace)
	if err != nil && ctx.Err() == nil {
		s.log.Warn("failing the imports of ended servers", "err", err)
	} else if ni > 0 {
		s.log.Info("marked imports of ended servers failed", "jobs", ni)
	}
	nr, err := s.runs.SweepRuns(ctx, s.grace)
	if err != nil && ctx.Err() == nil {
		s.log.Warn("failing the runs of ended servers", "err", err)
	} else if nr > 0 {
		s.log.Info("marked runs of ended servers failed", "runs", nr)
	}
	s.log.Debug("job leases swept", "imports_failed", ni, "runs_failed", nr)
}

// loop keeps this process's job leases (taking them again after a restart
// or failover of the database, every quarter period) and sweeps a grace
// after the start's sweep, then every period, until ctx ends: a job whose
// server ended before this one started is failed a grace after the start,
// one whose server ends later within about two periods.
func (s jobSweeper) loop(ctx context.Context, period time.Duration) {
	keep := time.NewTicker(max(period/4, 10*time.Millisecond))
	defer keep.Stop()
	next := time.NewTimer(s.grace)
	defer next.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-keep.C:
			for _, err := range []error{s.store.KeepLeases(ctx), s.runs.KeepLeases(ctx)} {
				if err != nil && ctx.Err() == nil {
					s.log.Warn("keeping job leases", "err", err)
				}
			}
		case <-next.C:
			s.sweep(ctx)
			next.Reset(period)
		}
	}
}
