package postgis

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Opening read replicas: the checks of a read URL at start.

// ConfigError is a read URL refused at start.
type ConfigError struct {
	URL    string // the URL, password removed
	Reason string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("read database %s: %s", e.URL, e.Reason) }

// redact removes the password of a database URL for messages.
func redact(url string) string {
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		return "(unparsable URL)"
	}
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

type dbIdentity struct {
	system   string // pg_control_system().system_identifier, "" when not readable
	database string
	postgis  bool
	catalog  bool // schema catalog with its change log
	standby  bool
}

func identify(ctx context.Context, pool *pgxpool.Pool) (dbIdentity, error) {
	var id dbIdentity
	err := pool.QueryRow(ctx, `SELECT current_database(), pg_is_in_recovery(),
    EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis'),
    to_regclass('catalog.changes') IS NOT NULL`).Scan(&id.database, &id.standby, &id.postgis, &id.catalog)
	if err != nil {
		return id, err
	}
	// pg_control_system() is for superusers and pg_monitor members; without
	// it the database name and the catalog stand in.
	var sys int64
	if pool.QueryRow(ctx, `SELECT system_identifier FROM pg_control_system()`).Scan(&sys) == nil {
		id.system = strconv.FormatInt(sys, 10)
	}
	return id, nil
}

// OpenReads connects to each read URL, checks that it is a copy of
// primary's database (same system identifier and database name, PostGIS and
// the catalog present) and returns the router. A read URL that is itself a
// primary is accepted with a warning in the log (reads from it are never
// stale, but it takes no load off the primary if it is the primary). A
// refused URL is a *ConfigError.
func OpenReads(ctx context.Context, primary *pgxpool.Pool, urls []string, opt ReadsOptions, log *slog.Logger) (*Reads, error) {
	if opt.Wait <= 0 {
		opt.Wait = 250 * time.Millisecond
	}
	if opt.MaxLag <= 0 {
		opt.MaxLag = 10 * time.Second
	}
	r := &Reads{primary: primary, opt: opt, log: log, need: map[string]uint64{}}
	if len(urls) == 0 {
		return r, nil
	}
	pid, err := identify(ctx, primary)
	if err != nil {
		return nil, translate("primary identity", err)
	}
	for _, u := range urls {
		name := redact(u)
		pool, err := Connect(ctx, u, opt.MaxConns)
		if err != nil {
			r.Close()
			return nil, &ConfigError{URL: name, Reason: err.Error()}
		}
		rep := &replica{name: name, url: u, pool: pool}
		r.reps = append(r.reps, rep)
		// A standby just made, or behind, may not have replayed the
		// migrations yet: give it a moment to catch up to now.
		catchUp(ctx, primary, pool, 10*time.Second)
		id, err := identify(ctx, pool)
		switch {
		case err != nil:
			err = &ConfigError{URL: name, Reason: "cannot read its identity: " + err.Error()}
		case !id.postgis:
			err = &ConfigError{URL: name, Reason: "PostGIS is not installed there: not a copy of the primary's database"}
		case id.database != pid.database:
			err = &ConfigError{URL: name, Reason: fmt.Sprintf("database %q, the primary's is %q", id.database, pid.database)}
		case id.system != "" && pid.system != "" && id.system != pid.system:
			err = &ConfigError{URL: name, Reason: fmt.Sprintf("another cluster (system identifier %s, the primary's is %s): not a replica of the primary", id.system, pid.system)}
		case !id.catalog:
			err = &ConfigError{URL: name, Reason: "no coalmap catalog there (catalog.changes is missing)"}
		}
		if err != nil {
			r.Close()
			return nil, err
		}
		if id.system == "" {
			log.Warn("read database: cannot read pg_control_system() (grant pg_monitor); checked by database name and catalog only", "replica", name)
		}
		if !id.standby {
			log.Warn("read database is a primary, not a standby: reads from it are current but take no load off the primary if it is the same server", "replica", name)
		}
	}
	r.check(ctx)
	return r, nil
}

// catchUp waits, up to limit, until the standby behind pool has replayed
// the primary's WAL up to where it is now.
func catchUp(ctx context.Context, primary, pool *pgxpool.Pool, limit time.Duration) {
	var s string
	if primary.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&s) != nil {
		return
	}
	want, err := ParseLSN(s)
	if err != nil {
		return
	}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if pool.QueryRow(ctx, sqlReplayLSN).Scan(&s) != nil {
			return
		}
		if got, err := ParseLSN(s); err != nil || got >= want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
