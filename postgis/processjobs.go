package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/overlaps"
)

// Jobs keeps the jobs of asynchronous process executions in
// catalog.process_jobs (overlaps.JobStore).
type Jobs struct {
	pool *pgxpool.Pool
}

var _ overlaps.JobStore = (*Jobs)(nil)

// NewJobs returns a JobStore over pool.
func NewJobs(pool *pgxpool.Pool) *Jobs { return &Jobs{pool: pool} }

// A job still accepted or running after its lease belonged to a server that
// stopped: it reads as failed.
const (
	sqlJobStatus = `CASE WHEN status IN ('accepted', 'running') AND lease_until < now() THEN 'failed' ELSE status END`
	sqlJobMsg    = `CASE WHEN status IN ('accepted', 'running') AND lease_until < now()
    THEN 'the server running the job stopped before it ended' ELSE message END`
	sqlJobColumns = `id::text, process, ` + sqlJobStatus + `, ` + sqlJobMsg + `, layers, created_by, created_at, started_at, finished_at, updated_at`
	sqlCreateJob  = `INSERT INTO catalog.process_jobs (process, status, inputs, layers, created_by, lease_until)
VALUES ($1, 'accepted', $2, $3, $4, $5) RETURNING ` + sqlJobColumns
	sqlStartJob = `UPDATE catalog.process_jobs SET status = 'running', started_at = now(), updated_at = now()
WHERE id = $1 AND status = 'accepted'`
	sqlFinishJob = `UPDATE catalog.process_jobs SET status = $2, message = $3, result = $4, failure = $5,
    finished_at = now(), updated_at = now()
WHERE id = $1 AND status IN ('accepted', 'running')`
	sqlProcessJob       = `SELECT ` + sqlJobColumns + ` FROM catalog.process_jobs WHERE id = $1`
	sqlProcessJobResult = `SELECT result, failure FROM catalog.process_jobs WHERE id = $1`
	sqlListJobs         = `SELECT ` + sqlJobColumns + ` FROM catalog.process_jobs ORDER BY created_at DESC, id LIMIT $1`
	sqlDeleteJob        = `DELETE FROM catalog.process_jobs WHERE id = $1`
)

// uuidPattern is the text form of a job id.
var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func processJobID(id string) error {
	if !uuidPattern.MatchString(id) {
		return fmt.Errorf("postgis: job %q: %w", id, overlaps.ErrJobNotFound)
	}
	return nil
}

func scanProcessJob(row pgx.Row) (*overlaps.JobInfo, error) {
	var j overlaps.JobInfo
	var status string
	if err := row.Scan(&j.ID, &j.Process, &status, &j.Message, &j.Layers, &j.CreatedBy, &j.Created, &j.Started, &j.Finished, &j.Updated); err != nil {
		return nil, err
	}
	j.Status = overlaps.JobStatus(status)
	return &j, nil
}

// CreateJob records an accepted job.
func (s *Jobs) CreateJob(ctx context.Context, spec overlaps.JobSpec, lease time.Time) (*overlaps.JobInfo, error) {
	inputs := spec.Inputs
	if len(inputs) == 0 {
		inputs = json.RawMessage(`{}`)
	}
	ls := spec.Layers
	if ls == nil {
		ls = []string{}
	}
	j, err := scanProcessJob(s.pool.QueryRow(ctx, sqlCreateJob, spec.Process, inputs, ls, spec.CreatedBy, lease))
	if err != nil {
		return nil, translate("create job", err)
	}
	return j, nil
}

// StartJob marks an accepted job running.
func (s *Jobs) StartJob(ctx context.Context, id string) error { return s.exec(ctx, sqlStartJob, id) }

// FinishJob records how a job ended; a job dismissed (deleted) or ended
// meanwhile is ErrJobNotFound.
func (s *Jobs) FinishJob(ctx context.Context, id string, status overlaps.JobStatus, message string, result, failure json.RawMessage) error {
	var res, fail any // NULL when empty
	if len(result) > 0 {
		res = result
	}
	if len(failure) > 0 {
		fail = failure
	}
	return s.exec(ctx, sqlFinishJob, id, string(status), message, res, fail)
}

func (s *Jobs) exec(ctx context.Context, sql string, id string, args ...any) error {
	if err := processJobID(id); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, sql, append([]any{id}, args...)...)
	if err != nil {
		return translate("job "+id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgis: job %s: %w", id, overlaps.ErrJobNotFound)
	}
	return nil
}

// Job returns a job's state.
func (s *Jobs) Job(ctx context.Context, id string) (*overlaps.JobInfo, error) {
	if err := processJobID(id); err != nil {
		return nil, err
	}
	j, err := scanProcessJob(s.pool.QueryRow(ctx, sqlProcessJob, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgis: job %s: %w", id, overlaps.ErrJobNotFound)
	}
	if err != nil {
		return nil, translate("job "+id, err)
	}
	return j, nil
}

// JobResult returns a job's result and failure documents.
func (s *Jobs) JobResult(ctx context.Context, id string) (result, failure json.RawMessage, err error) {
	if err := processJobID(id); err != nil {
		return nil, nil, err
	}
	err = s.pool.QueryRow(ctx, sqlProcessJobResult, id).Scan(&result, &failure)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, fmt.Errorf("postgis: job %s: %w", id, overlaps.ErrJobNotFound)
	}
	if err != nil {
		return nil, nil, translate("job "+id, err)
	}
	return result, failure, nil
}

// ListJobs returns the most recent jobs, newest first.
func (s *Jobs) ListJobs(ctx context.Context, limit int) ([]overlaps.JobInfo, error) {
	rows, err := s.pool.Query(ctx, sqlListJobs, limit)
	if err != nil {
		return nil, translate("list jobs", err)
	}
	defer rows.Close()
	var out []overlaps.JobInfo
	for rows.Next() {
		j, err := scanProcessJob(rows)
		if err != nil {
			return nil, translate("list jobs", err)
		}
		out = append(out, *j)
	}
	return out, translate("list jobs", rows.Err())
}

// DeleteJob removes a job and its result.
func (s *Jobs) DeleteJob(ctx context.Context, id string) error { return s.exec(ctx, sqlDeleteJob, id) }
