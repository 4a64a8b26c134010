package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/layers"
)

// The import jobs' records, in catalog.imports.

var _ layers.ImportJobs = (*Store)(nil)

const importJobColumns = `id, layer_id, status, source, checksum, options, progress, report, error, created_by, created_at, started_at, finished_at`

const (
	sqlJobQueue = `INSERT INTO catalog.imports (layer_id, status, source, created_by) VALUES ($1, 'queued', $2, $3)
RETURNING ` + importJobColumns
	// A queued job starts only once: a second runner finds no row.
	sqlJobStart = `UPDATE catalog.imports SET status = 'running', source = CASE WHEN $2 = '' THEN source ELSE $2 END,
    checksum = $3, options = $4, started_at = now() WHERE id = $1 AND status = 'queued' RETURNING id`
	// The checksum too: a file's is computed while it is read, after the
	// job has started.
	sqlJobFinish = `UPDATE catalog.imports SET status = $2, report = $3, error = $4, progress = $5,
    checksum = CASE WHEN $6 = '' THEN checksum ELSE $6 END,
    started_at = coalesce(started_at, now()), finished_at = now() WHERE id = $1`
	sqlJobProgress = `UPDATE catalog.imports SET progress = $2 WHERE id = $1 AND status = 'running'`
	sqlJob         = `SELECT ` + importJobColumns + ` FROM catalog.imports WHERE id = $1`
	sqlLayerJobs   = `SELECT ` + importJobColumns + ` FROM catalog.imports WHERE layer_id = $1 ORDER BY id DESC LIMIT $2`
	// The options of the import that loaded the layer's current data.
	sqlLastOptions = `SELECT options FROM catalog.imports WHERE layer_id = $1 AND status = 'succeeded'
ORDER BY id DESC LIMIT 1`
	sqlJobInterrupted = `UPDATE catalog.imports SET status = 'failed', finished_at = now(),
    error = 'interrupted: the process running the import ended before it finished'
WHERE id = $1 AND status IN ('queued', 'running')`
	sqlJobFailed = `UPDATE catalog.imports SET status = 'failed', finished_at = now(), error = $2
WHERE id = $1 AND status IN ('queued', 'running')`
)

// importLockClass is the first key of the import jobs' leases (leases.go):
// held from QueueImport to FinishImport.
const importLockClass = 0x636a

// QueueImport records a queued job for layer, leased to this process until
// FinishImport.
func (s *Store) QueueImport(ctx context.Context, layer, source, actor string) (layers.ImportJob, error) {
	j, err := scanJob(s.pool.QueryRow(ctx, sqlJobQueue, layer, source, actor))
	if err != nil {
		return j, translate("queue import of "+layer, err)
	}
	if err := s.jobs.take(ctx, s.pool, j.ID); err != nil {
		s.jobs.give(ctx, j.ID)
		_, _ = s.pool.Exec(context.WithoutCancel(ctx), sqlJobFailed, j.ID, "could not mark it alive")
		return j, translate("queue import of "+layer, err)
	}
	return j, nil
}

// KeepLeases takes the leases of this process's live import jobs again
// should the database have lost them (a restart, a failover).
func (s *Store) KeepLeases(ctx context.Context) error {
	return translate("import leases", s.jobs.keep(ctx, s.pool))
}

// Close ends the leases of this process's import jobs.
func (s *Store) Close() { s.jobs.close() }

// SweepImports marks failed the import jobs that a process which has ended
// left queued or running: those whose lease was free on an earlier sweep at
// least grace ago and still is (at once when grace is 0), whether or not
// they had got as far as a staging table. It also drops the staging tables
// of ended imports (see CleanStaging). It returns how many jobs it failed.
func (s *Store) SweepImports(ctx context.Context, grace time.Duration) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM catalog.imports WHERE status IN ('queued', 'running')`)
	if err != nil {
		return 0, translate("interrupted imports", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, translate("interrupted imports", err)
	}
	n, err := s.jobs.sweep(ctx, s.pool, ids, grace, func(ctx context.Context, c *pgxpool.Conn, id int64) (int64, error) {
		tag, err := c.Exec(ctx, sqlJobInterrupted, id)
		return tag.RowsAffected(), err
	})
	if err != nil {
		return n, translate(fmt.Sprintf("interrupted imports (%d failed)", n), err)
	}
	if _, err := s.cleanDead(ctx); err != nil {
		return n, translate("clean staging", err)
	}
	return n, nil
}

// StartImport moves a queued job to running.
func (s *Store) StartImport(ctx context.Context, id int64, source, checksum string, options map[string]string) error {
	var got int64
	err := s.pool.QueryRow(ctx, sqlJobStart, id, source, checksum, options).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgis: import job %d is not queued: %w", id, layers.ErrConflict)
	}
	return translate(fmt.Sprintf("start import %d", id), err)
}

// SaveProgress records how far a running job has got.
func (s *Store) SaveProgress(ctx context.Context, id int64, p layers.ImportProgress) error {
	_, err := s.pool.Exec(ctx, sqlJobProgress, id, jsonArg(p))
	return translate(fmt.Sprintf("import %d progress", id), err)
}

// FinishImport records how a job ended, with its report; cause is kept for
// the operators, never shown.
func (s *Store) FinishImport(ctx context.Context, id int64, res *layers.ImportResult, cause string) error {
	prog := layers.ImportProgress{Phase: layers.PhaseDone, Features: res.Read}
	if res.Unchanged {
		prog.Features = res.Features
	}
	_, err := s.pool.Exec(ctx, sqlJobFinish, id, string(res.Status), jsonArg(res), cause, jsonArg(prog), res.Checksum)
	s.jobs.give(ctx, id)
	return translate(fmt.Sprintf("finish import %d", id), err)
}

// ImportJob returns one job, or an error wrapping layers.ErrNotFound.
func (s *Store) ImportJob(ctx context.Context, id int64) (layers.ImportJob, error) {
	j, err := scanJob(s.pool.QueryRow(ctx, sqlJob, id))
	return j, translate(fmt.Sprintf("import %d", id), err)
}

// LayerImports returns the jobs of layer, newest first, at most limit.
func (s *Store) LayerImports(ctx context.Context, layer string, limit int) ([]layers.ImportJob, error) {
	rows, err := s.pool.Query(ctx, sqlLayerJobs, layer, limit)
	if err != nil {
		return nil, translate("imports of "+layer, err)
	}
	js, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (layers.ImportJob, error) { return scanJob(r) })
	return js, translate("imports of "+layer, err)
}

// LastOptions returns the options of the import that loaded the layer's
// current data.
func (s *Store) LastOptions(ctx context.Context, layer string) (map[string]string, bool, error) {
	var last map[string]string
	err := s.pool.QueryRow(ctx, sqlLastOptions, layer).Scan(&last)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, translate("last import of "+layer, err)
	}
	return last, true, nil
}

func scanJob(row pgx.Row) (layers.ImportJob, error) {
	var j layers.ImportJob
	var status string
	var options, progress, report []byte
	if err := row.Scan(&j.ID, &j.Layer, &status, &j.Source, &j.Checksum, &options, &progress, &report, &j.Error,
		&j.CreatedBy, &j.CreatedAt, &j.StartedAt, &j.FinishedAt); err != nil {
		return j, err
	}
	j.Status = layers.ImportStatus(status)
	j.Options = options
	if err := json.Unmarshal(progress, &j.Progress); err != nil {
		return j, err
	}
	if len(report) > 2 { // not "{}"
		j.Report = new(layers.ImportResult)
		if err := json.Unmarshal(report, j.Report); err != nil {
			return j, err
		}
	}
	if j.Progress.Phase == "" {
		j.Progress.Phase = string(j.Status)
	}
	return j, nil
}
