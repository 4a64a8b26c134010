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
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/coalmap/coalmap/api"
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
	tiles             tileConfig
	publicURL         string
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
	fs.StringVar(&c.publicURL, "public-url", "", "public root URL for links in TileJSON and OGC documents (default: from the request)")
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
		"idle-timeout": c.idleTimeout, "request-timeout": c.requestTimeout, "shutdown-timeout": c.shutdownTimeout} {
		if d <= 0 {
			return fmt.Errorf("--%s must be positive, got %v", name, d)
		}
	}
	if c.maxConns < 2 {
		return fmt.Errorf("--max-conns must be at least 2, got %d", c.maxConns)
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

	snap, err := postgis.NewLayerSnapshot(ctx, pool, log)
	if err != nil {
		return err
	}
	followCtx, stopFollow := context.WithCancel(bg)
	defer stopFollow()
	go snap.Follow(followCtx)
	renderer, err := c.tiles.renderer(ctx, db.URL)
	if err != nil {
		return err
	}
	defer renderer.Close()
	tileSvc := tiles.NewService(snap, renderer, c.tiles.service())

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		postgis.NewPoolCollector(pool))
	engine := overlaps.New(postgis.NewPolygons(pool), overlaps.DefaultConfig())
	// Runs end with the process: cancelled on shutdown, recorded as such.
	runCtx, stopRuns := context.WithCancel(bg)
	runStore := postgis.NewRuns(pool)
	runs := overlaps.NewRuns(runCtx, engine, runStore, runStore, 1, log)
	defer func() {
		stopRuns()
		runs.Wait()
	}()
	srv := api.New(api.Config{Logger: log, Registry: reg, Version: version(), RequestTimeout: c.requestTimeout,
		PublicURL: c.publicURL, TileCacheControl: c.tiles.cacheControl, VersionedTileCacheControl: c.tiles.cacheControlVersioned},
		api.Deps{
			Ready:    func(ctx context.Context) error { return postgis.Ready(ctx, pool, ms) },
			Overlaps: engine,
			Runs:     runs,
			Tiles:    tileSvc,
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
