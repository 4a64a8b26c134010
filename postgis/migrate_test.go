package postgis_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/coalmap/coalmap/migrations"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

func TestMigrationsApplied(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	ms, err := postgis.LoadMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatal("no migrations embedded")
	}
	if err := postgis.Ready(ctx, pool, ms); err != nil {
		t.Fatalf("fresh test database not ready: %v", err)
	}
	again, err := postgis.Migrate(ctx, pool, ms)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Migrate applied %d, err %v; want 0, nil", len(again), err)
	}
	var version string
	if err := pool.QueryRow(ctx, `SELECT postgis_lib_version()`).Scan(&version); err != nil {
		t.Fatalf("PostGIS not available: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'catalog'`).Scan(&n); err != nil || n < 4 {
		t.Fatalf("catalog tables: %d, %v", n, err)
	}
}

func TestMigrateInOrderEachInItsTransaction(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	fsys := fstest.MapFS{
		"9001_a.sql": {Data: []byte(`CREATE TABLE mig_a (x int);`)},
		"9002_b.sql": {Data: []byte(`INSERT INTO mig_a VALUES (1); CREATE TABLE mig_b (y int);`)},
		"9003_c.sql": {Data: []byte(`INSERT INTO mig_a VALUES (2); SELECT no_such_function();`)},
	}
	ms, err := postgis.LoadMigrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := postgis.Migrate(ctx, pool, ms)
	if err == nil {
		t.Fatal("a failing migration returned no error")
	}
	if len(applied) != 2 {
		t.Fatalf("applied %d migrations before the failure, want 2", len(applied))
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM mig_a`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows in mig_a = %d (%v): the failed migration's insert must be rolled back", n, err)
	}
	pending, err := postgis.Pending(ctx, pool, ms)
	if err != nil || len(pending) != 1 || pending[0].Version != 9003 {
		t.Fatalf("pending = %+v, %v; want only 9003", pending, err)
	}
}

func TestLoadMigrationsRejectsBadNames(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no number": {"init.sql": {Data: []byte("SELECT 1")}},
		"duplicate": {"0001_a.sql": {Data: []byte("SELECT 1")}, "0001_b.sql": {Data: []byte("SELECT 1")}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := postgis.LoadMigrations(fsys); err == nil {
				t.Fatal("no error")
			}
		})
	}
}
