package postgis

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Migration is one numbered SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// migrationLock is the advisory lock key that serialises concurrent migrators
// (several replicas starting at once).
const migrationLock = 0x636f616c6d6170 // "coalmap"

const (
	sqlCreateMigrations = `CREATE TABLE IF NOT EXISTS public.coalmap_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`
	sqlAppliedMigrations = `SELECT version FROM public.coalmap_migrations`
	sqlRecordMigration   = `INSERT INTO public.coalmap_migrations (version, name) VALUES ($1, $2)`
	sqlHasMigrations     = `SELECT to_regclass('public.coalmap_migrations') IS NOT NULL`
)

// LoadMigrations reads NNNN_name.sql files from fsys in version order.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, n := range names {
		num, rest, ok := strings.Cut(n, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("postgis: migration %q: want NNNN_name.sql", n)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("postgis: migrations %q and %q share version %d", prev, n, v)
		}
		seen[v] = n
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// Migrate applies the migrations not yet recorded in the database, in order,
// each in its own transaction, and returns the ones it applied.
func Migrate(ctx context.Context, pool *pgxpool.Pool, ms []Migration) ([]Migration, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgis: migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return nil, fmt.Errorf("postgis: migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock) //nolint:errcheck
	if _, err := conn.Exec(ctx, sqlCreateMigrations); err != nil {
		return nil, fmt.Errorf("postgis: migrate: %w", err)
	}
	done, err := applied(ctx, conn.Conn())
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, m := range ms {
		if done[m.Version] {
			continue
		}
		err := pgx.BeginFunc(ctx, conn.Conn(), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, sqlRecordMigration, m.Version, m.Name)
			return err
		})
		if err != nil {
			return out, fmt.Errorf("postgis: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// Pending returns the migrations of ms that the database has not applied.
func Pending(ctx context.Context, pool *pgxpool.Pool, ms []Migration) ([]Migration, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgis: %w", err)
	}
	defer conn.Release()
	var has bool
	if err := conn.QueryRow(ctx, sqlHasMigrations).Scan(&has); err != nil {
		return nil, fmt.Errorf("postgis: %w", err)
	}
	if !has {
		return ms, nil
	}
	done, err := applied(ctx, conn.Conn())
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, m := range ms {
		if !done[m.Version] {
			out = append(out, m)
		}
	}
	return out, nil
}

func applied(ctx context.Context, conn *pgx.Conn) (map[int]bool, error) {
	rows, err := conn.Query(ctx, sqlAppliedMigrations)
	if err != nil {
		return nil, fmt.Errorf("postgis: migrations: %w", err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("postgis: migrations: %w", err)
	}
	done := make(map[int]bool, len(vs))
	for _, v := range vs {
		done[v] = true
	}
	return done, nil
}
