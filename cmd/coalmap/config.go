package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/postgis"
)

// dbConfig is how a command reaches its database.
type dbConfig struct {
	URL     string // DATABASE_URL; empty means the embedded cluster in DataDir
	DataDir string
}

func (c *dbConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.URL, "database-url", "",
		"PostgreSQL URL (env DATABASE_URL or COALMAP_DATABASE_URL); empty: the embedded PostGIS cluster in --data-dir")
	fs.StringVar(&c.DataDir, "data-dir", "./var", "directory of the embedded PostGIS cluster (env COALMAP_DATA_DIR)")
}

func (c *dbConfig) validate() error {
	if c.URL == "" && c.DataDir == "" {
		return errors.New("--data-dir is empty and no --database-url is given")
	}
	return nil
}

// database is an open route to the database: its URL, and what to do when the
// command ends (stop the cluster it started, if any).
type database struct {
	URL     string
	cluster *postgis.Cluster
}

// Close stops the embedded cluster if this command started it.
func (d *database) Close(ctx context.Context) error {
	if d.cluster == nil {
		return nil
	}
	return d.cluster.Stop(ctx)
}

// openDatabase applies the rule every command follows: the URL when given,
// else the embedded cluster — owned by this command (started now, stopped on
// Close) when it is free, or the one a running `coalmap serve` owns. With own
// set, the command must own the cluster (serve).
func openDatabase(ctx context.Context, c dbConfig, log *slog.Logger, own bool) (*database, error) {
	if c.URL != "" {
		return &database{URL: c.URL}, nil
	}
	cl, err := postgis.StartCluster(ctx, postgis.ClusterOptions{Dir: c.DataDir, Logger: log})
	if errors.Is(err, postgis.ErrBusy) && !own {
		url, aerr := postgis.Attach(c.DataDir, "")
		if aerr != nil {
			return nil, fmt.Errorf("%w; and attaching failed: %v", err, aerr)
		}
		return &database{URL: url}, nil
	}
	if errors.Is(err, postgis.ErrBusy) {
		return nil, fmt.Errorf("%w: is another `coalmap serve` running on this data directory? Stop it or choose another --data-dir", err)
	}
	if err != nil {
		return nil, err
	}
	return &database{URL: cl.URL(), cluster: cl}, nil
}

// openPool opens the database a command works on, by openDatabase's rule,
// with a pool of at most maxConns connections; done closes both.
func openPool(ctx context.Context, c dbConfig, log *slog.Logger, maxConns int32) (*pgxpool.Pool, func(), error) {
	db, err := openDatabase(ctx, c, log, false)
	if err != nil {
		return nil, nil, err
	}
	pool, err := postgis.Connect(ctx, db.URL, maxConns)
	if err != nil {
		db.Close(context.WithoutCancel(ctx)) //nolint:errcheck
		return nil, nil, err
	}
	return pool, func() {
		pool.Close()
		db.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	}, nil
}

// logConfig selects the log format and level.
type logConfig struct {
	Format string
	Level  string
}

func (c *logConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.Format, "log-format", "text", "log format: text or json (env COALMAP_LOG_FORMAT)")
	fs.StringVar(&c.Level, "log-level", "info", "log level: debug, info, warn, error (env COALMAP_LOG_LEVEL)")
}

func (c *logConfig) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.Level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.Format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", c.Format)
}

// envNames are the environment variables that set a flag the command line
// does not: COALMAP_<FLAG> (--data-dir → COALMAP_DATA_DIR), and DATABASE_URL
// first for --database-url.
func envNames(flagName string) []string {
	own := "COALMAP_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
	if flagName == "database-url" {
		return []string{"DATABASE_URL", own}
	}
	return []string{own}
}

// parseFlags parses args into fs, refusing stray positional arguments unless
// the command takes them.
//
// A flag not given on the command line takes its value from the environment
// (COALMAP_<FLAG>, and DATABASE_URL for --database-url); a bad value there is
// an error naming the variable.
func parseFlags(fs *flag.FlagSet, args []string, positional bool) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		for _, key := range envNames(f.Name) {
			if v, ok := os.LookupEnv(key); ok && v != "" {
				if serr := fs.Set(f.Name, v); serr != nil {
					err = fmt.Errorf("environment %s=%q: %v", key, v, serr)
				}
				return
			}
		}
	})
	if err != nil {
		return err
	}
	if !positional && fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
