package postgis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/coalmap/coalmap/layers"
)

// StagingPrefix starts the name of every table an import creates in schema
// staging; CleanStaging drops those an interrupted import left behind.
const StagingPrefix = "coalmap_"

// layerTable is the quoted name of layer id's table.
func layerTable(id string) string { return pgx.Identifier{layers.Schema, id}.Sanitize() }

func quote(name string) string { return pgx.Identifier{name}.Sanitize() }

// pgType is the column type of an attribute type.
func pgType(t layers.AttrType) string {
	switch t {
	case layers.Integer:
		return "bigint"
	case layers.Real:
		return "double precision"
	case layers.Boolean:
		return "boolean"
	case layers.Date:
		return "date"
	case layers.Timestamp:
		return "timestamptz"
	}
	return "text"
}

// createTableSQL creates an empty layer table with the convention's columns.
func createTableSQL(id string, gt layers.GeometryType, attrs []layers.Attribute) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (fid bigint PRIMARY KEY, feature_id text NOT NULL UNIQUE, geom geometry(%s, %d)",
		layerTable(id), gt, layers.StorageSRID)
	for _, a := range attrs {
		fmt.Fprintf(&b, ", %s %s", quote(a.Name), pgType(a.Type))
	}
	fmt.Fprintf(&b, "); CREATE INDEX ON %s USING gist (geom)", layerTable(id))
	return b.String()
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// stagingLockClass is the first key of the advisory locks that mark live
// imports (the second is the hash of the staging table's stem).
const stagingLockClass = 0x636d

const (
	sqlStagingLock    = `SELECT pg_advisory_lock($1, hashtext($2))`
	sqlStagingTryLock = `SELECT pg_try_advisory_lock($1, hashtext($2))`
	sqlStagingUnlock  = `SELECT pg_advisory_unlock($1, hashtext($2))`
	sqlJobStaging     = `UPDATE catalog.imports SET staging = $2 WHERE id = $1`
	sqlJobUnstaged    = `UPDATE catalog.imports SET staging = '' WHERE id = $1 AND staging = $2`
	sqlStagingAll     = `SELECT tablename FROM pg_tables WHERE schemaname = 'staging' AND tablename ~ '^coalmap_[0-9]+_'`
	sqlJobsLive       = `SELECT id, staging FROM catalog.imports WHERE status = 'running' AND staging <> ''`
	sqlPruneChanges   = `DELETE FROM catalog.changes WHERE at < now() - interval '7 days'
    AND id < (SELECT max(id) - 10000 FROM catalog.changes)`
	sqlJobDead = `UPDATE catalog.imports SET status = 'failed', finished_at = now(),
    error = 'interrupted: the process running the import ended before it finished' WHERE id = $1 AND status = 'running'`
)

// CleanStaging drops the staging tables of imports whose process has died
// (killed, crashed): each live import holds an advisory lock named after its
// staging tables, which dies with its connections, so leftovers are told
// from a live import's tables on any server and at any age; the jobs of
// those imports left running are failed with them (without its table an
// import cannot finish). It also prunes the change log of changes older
// than a week (keeping at least the last 10,000). Jobs left queued, or
// running before they had a staging table, are the lease sweep's
// (SweepImports): a job's lease may be free for a moment while its server
// lives, after a restart or failover of the database.
func (s *Store) CleanStaging(ctx context.Context) (int, error) {
	// The change log keeps a week, and at least its last 10,000 changes:
	// a listener away for longer reloads the whole catalog anyway (its
	// periodic reload).
	if _, err := s.pool.Exec(ctx, sqlPruneChanges); err != nil {
		return 0, translate("prune the change log", err)
	}
	n, err := s.cleanDead(ctx)
	if err != nil {
		return n, translate("clean staging", err)
	}
	return n, nil
}

// leaseStaging marks the import whose staging tables start with stem as
// alive: an advisory lock held, for the import's duration, on a connection
// of its own. A killed process's connections close and its locks go with
// them, which is how CleanStaging tells a dead import's leftovers from a
// live one's, on any server, without waiting.
func (s *Store) leaseStaging(ctx context.Context, id int64, stem string) (release func(), err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, sqlStagingLock, stagingLockClass, stem); err != nil {
		conn.Release()
		return nil, err
	}
	if id != 0 {
		if _, err := s.pool.Exec(ctx, sqlJobStaging, id, stem); err != nil {
			conn.Release()
			return nil, err
		}
	}
	return func() {
		bg := context.WithoutCancel(ctx)
		if id != 0 {
			// The job is still "running" until the pipeline records its
			// end, just after: unmarked first, so that another process's
			// CleanStaging, finding the lock free, does not take it for a
			// dead import and fail it in between (a succeeded import seen
			// as failed, under load).
			_, _ = conn.Exec(bg, sqlJobUnstaged, id, stem)
		}
		_, _ = conn.Exec(bg, sqlStagingUnlock, stagingLockClass, stem)
		conn.Release()
	}, nil
}

// cleanDead drops the staging tables and fails the running jobs of imports
// whose process has died (their advisory lock is free).
func (s *Store) cleanDead(ctx context.Context) (int, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, sqlStagingAll)
	if err != nil {
		return 0, err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	// dead tries the lock of stem; if it was free, fn runs while it is held.
	dead := func(stem string, fn func() error) error {
		var free bool
		if err := conn.QueryRow(ctx, sqlStagingTryLock, stagingLockClass, stem).Scan(&free); err != nil || !free {
			return err
		}
		err := fn()
		_, uerr := conn.Exec(ctx, sqlStagingUnlock, stagingLockClass, stem)
		return errors.Join(err, uerr)
	}
	n := 0
	for _, t := range tables {
		stem := t
		if i := strings.LastIndexByte(t, '_'); i > 0 {
			stem = t[:i] // coalmap_<time>_<random>_new
		}
		if err := dead(stem, func() error {
			n++
			_, err := conn.Exec(ctx, "DROP TABLE IF EXISTS "+pgx.Identifier{"staging", t}.Sanitize())
			return err
		}); err != nil {
			return n, err
		}
	}
	rows, err = conn.Query(ctx, sqlJobsLive)
	if err != nil {
		return n, err
	}
	type job struct {
		id   int64
		stem string
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (job, error) {
		var j job
		return j, r.Scan(&j.id, &j.stem)
	})
	if err != nil {
		return n, err
	}
	for _, j := range jobs {
		if err := dead(j.stem, func() error {
			_, err := conn.Exec(ctx, sqlJobDead, j.id)
			return err
		}); err != nil {
			return n, err
		}
	}
	return n, nil
}
