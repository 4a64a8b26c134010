// Package pgtest gives tests a real PostGIS: each test gets a fresh database,
// with PostGIS and every migration applied, on a throwaway cluster shared by
// the test binary — or on the server named by COALMAP_TEST_DATABASE_URL, which
// `make test` sets so that all packages share one cluster.
//
// A missing PostgreSQL or PostGIS is a failure, never a skip, unless the
// developer asked for `go test -short`.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	neturl "net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/migrations"
	"github.com/coalmap/coalmap/postgis"
)

// EnvURL names the environment variable holding the maintenance URL of a test
// server (a superuser connection to any database of it).
const EnvURL = "COALMAP_TEST_DATABASE_URL"

// envUnavailable carries, from Main to the tests, why no server could be had.
const envUnavailable = "COALMAP_TEST_UNAVAILABLE"

// Main runs a package's tests with a PostGIS server: the one named by
// COALMAP_TEST_DATABASE_URL, else a throwaway cluster started for this test
// binary and removed afterwards. Call it from TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	if os.Getenv(EnvURL) != "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "coalmap-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := postgis.StartCluster(ctx, postgis.ClusterOptions{Dir: dir, Ephemeral: true, Logger: quiet})
	if err != nil {
		if testing.Short() {
			os.Setenv(envUnavailable, err.Error())
			return m.Run()
		}
		fmt.Fprintf(os.Stderr, "pgtest: no PostGIS for the tests: %v\n(run the tests with `make test`, or set %s)\n", err, EnvURL)
		return 1
	}
	defer c.Stop(ctx) //nolint:errcheck
	os.Setenv(EnvURL, c.AdminURL())
	return m.Run()
}

// URL returns the connection string of a fresh, migrated database that is
// dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvURL)
	if admin == "" {
		if why := os.Getenv(envUnavailable); why != "" {
			t.Skipf("no PostGIS (-short): %s", why)
		}
		t.Fatalf("pgtest: %s is not set: call pgtest.Main from TestMain", EnvURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	tpl, err := template(ctx, conn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := "t_" + strings.ToLower(rand.Text()[:16])
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{tpl}.Sanitize())); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

// NewPool returns a pool on a fresh, migrated database that is dropped when the
// test ends.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return NewPoolFor(t, URL(t))
}

// NewPoolFor returns a pool on url (from URL), closed when the test ends.
func NewPoolFor(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := postgis.Connect(context.Background(), url, 8)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// template returns the name of a template database holding PostGIS and the
// current migrations, creating it once per set of migrations: concurrent test
// binaries serialise on an advisory lock.
func template(ctx context.Context, conn *pgx.Conn) (string, error) {
	ms, err := postgis.LoadMigrations(migrations.FS)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%d %s\n%s\n", m.Version, m.Name, m.SQL)
	}
	name := "coalmap_tpl_" + hex.EncodeToString(h.Sum(nil))[:16]
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7301)`); err != nil {
		return "", err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7301)`) //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	url := withDatabase(conn.Config().ConnString(), name)
	pool, err := postgis.Connect(ctx, url, 2)
	if err != nil {
		return "", err
	}
	_, err = postgis.Migrate(ctx, pool, ms)
	pool.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH IS_TEMPLATE true"); err != nil {
		return "", err
	}
	return name, nil
}

// withDatabase returns url with its database replaced by name; url is a
// postgres:// URL or a keyword/value connection string.
func withDatabase(raw, name string) string {
	if u, err := neturl.Parse(raw); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		return u.String()
	}
	return raw + " dbname=" + name
}
