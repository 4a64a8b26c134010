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
	shutdownTimeout   time.Duration
	maxConns          int
	maxUpload         int64
	noDemo            bool
	demoSeed          int64
	catalogRefresh    time.Duration
	baseURL           string
	tiles             tileConfig
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
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 8*time.Second, "time in-flight requests get to finish on SIGTERM")
	fs.IntVar(&c.maxConns, "max-conns", 32, "maximum database connections")
	fs.Int64Var(&c.maxUpload, "max-upload", api.DefaultMaxUpload, "largest import upload in bytes (413 beyond)")
	fs.BoolVar(&c.noDemo, "no-demo", false, "do not load the demo catalog on the first start (empty catalog)")
	fs.Int64Var(&c.demoSeed, "demo-seed", DefaultDemoSeed, "seed of the demo catalog loaded on the first start")
	fs.DurationVar(&c.catalogRefresh, "catalog-refresh", time.Minute, "period of the catalog reload that backs up LISTEN/NOTIFY")
	fs.StringVar(&c.baseURL, "base-url", "", "public URL of the service, for the links it writes in OGC documents and TileJSON (default: from each request)")
	c.tiles.register(fs)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
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
		"idle-timeout": c.idleTimeout, "request-timeout": c.requestTimeout, "shutdown-timeout": c.shutdownTimeout,
		"catalog-refresh": c.catalogRefresh} {
		if d <= 0 {
			return fmt.Errorf("--%s must be positive, got %v", name, d)
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
		if err := db.Close(bg); err != nil {
			log.Error("stopping the database", "err", err)
		}
	}()
	pool, err := postgis.Connect(ctx, db.URL, int32(c.maxConns))
	if err != nil {
		return err
	}
	defer pool.Close()
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
	// Leftovers of killed imports: all of them on a cluster this process
	// owns; on a shared server only old ones (another replica may be
	// importing now).
	staleAge := time.Hour
	if db.cluster != nil {
		staleAge = 0
	}
	if n, err := store.CleanStaging(ctx, staleAge); err != nil {
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
		stopImports()
		<-demoDone // the loader uses the pool: let it end first
		imports.Close()
		stopFollow()
	}()

	renderer, err := c.tiles.renderer(ctx, db.URL)
	if err != nil {
		return err
	}
	defer renderer.Close()
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
	engine := overlaps.New(postgis.NewPolygons(pool), ocfg)
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
	go keeper.Run(followCtx, demoDone, 5*time.Minute)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		postgis.NewPoolCollector(pool))
	// Runs end with the process: cancelled on shutdown, recorded as such.
	runCtx, stopRuns := context.WithCancel(bg)
	runStore := postgis.NewRuns(pool)
	runs := overlaps.NewRuns(runCtx, engine, runStore, runStore, 1, log)
	defer func() {
		stopRuns()
		runs.Wait()
	}()
	srv := api.New(api.Config{Logger: log, Registry: reg, Version: version(), RequestTimeout: c.requestTimeout, BaseURL: c.baseURL,
		TileCacheControl: c.tiles.cacheControl, VersionedTileCacheControl: c.tiles.cacheControlVersioned,
		MaxUploadBytes: c.maxUpload},
		api.Deps{
			Ready: func(ctx context.Context) error {
				if demoLoading.Load() {
					return errors.New("loading the demo catalog")
				}
				return postgis.Ready(ctx, pool, ms)
			},
			Catalog: catalog, Store: store, Search: store, Features: store, Tokens: store,
			Overlaps: engine,
			Runs:     runs,
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
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(bg, c.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
