package overlaps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Errors of the job runner.
var (
	// ErrJobNotFound means no job has the id asked for (or it was dismissed).
	ErrJobNotFound = errors.New("overlaps: job not found")
	// ErrJobsBusy means the runner's queue is full: retry later.
	ErrJobsBusy = errors.New("overlaps: too many jobs running or queued")
)

// JobStatus is where a job is in its life: the status codes of OGC API –
// Processes.
type JobStatus string

// Job statuses.
const (
	JobAccepted   JobStatus = "accepted"
	JobRunning    JobStatus = "running"
	JobSuccessful JobStatus = "successful"
	JobFailed     JobStatus = "failed"
	JobDismissed  JobStatus = "dismissed"
)

// Done reports whether a job in status s has ended.
func (s JobStatus) Done() bool { return s == JobSuccessful || s == JobFailed || s == JobDismissed }

// JobSpec describes a job to run in the background.
type JobSpec struct {
	// Process names what the job computes (a process id).
	Process string
	// Inputs are the job's inputs as JSON, kept with it for the record.
	Inputs json.RawMessage
	// Layers are the layers the job reads: a caller who may not see one of
	// them may not see the job.
	Layers []string
	// CreatedBy is who asked for it.
	CreatedBy string
}

// JobInfo is a job's state as its store keeps it.
type JobInfo struct {
	ID        string
	Process   string
	Status    JobStatus
	Message   string
	Layers    []string
	CreatedBy string
	Created   time.Time
	Started   *time.Time
	Finished  *time.Time
	Updated   time.Time
}

// JobFailure is how a job failed: a message safe to show anyone and the
// document to answer with (the error a synchronous execution would have
// given), kept as the job's failure.
type JobFailure struct {
	Message  string
	Document json.RawMessage
}

func (f *JobFailure) Error() string { return "overlaps: job failed: " + f.Message }

// JobStore keeps jobs, their state and their results where every server can
// read them. Package postgis implements it.
type JobStore interface {
	// CreateJob records an accepted job that its server will have ended by
	// lease; a job still going after its lease reads as failed.
	CreateJob(ctx context.Context, spec JobSpec, lease time.Time) (*JobInfo, error)
	// StartJob marks a job running.
	StartJob(ctx context.Context, id string) error
	// FinishJob records how a job ended, with its result or failure
	// document; a job dismissed meanwhile is left alone (ErrJobNotFound).
	FinishJob(ctx context.Context, id string, status JobStatus, message string, result, failure json.RawMessage) error
	// Job returns a job's state.
	Job(ctx context.Context, id string) (*JobInfo, error)
	// JobResult returns the result (successful) or failure (failed)
	// document of a job.
	JobResult(ctx context.Context, id string) (result, failure json.RawMessage, err error)
	// ListJobs returns the most recent jobs, newest first.
	ListJobs(ctx context.Context, limit int) ([]JobInfo, error)
	// DeleteJob removes a job and its result.
	DeleteJob(ctx context.Context, id string) error
}

// JobFunc computes a job's result: any value that encodes as JSON. A
// *JobFailure error is kept as the job's failure; any other error fails the
// job with a plain message (its cause goes to the log only).
type JobFunc func(ctx context.Context) (any, error)

// JobsConfig bounds a job runner.
type JobsConfig struct {
	// Parallel bounds the jobs running at once; 2 when 0.
	Parallel int
	// MaxQueued bounds the jobs waiting for a slot; beyond it Start fails
	// with ErrJobsBusy. 64 when 0.
	MaxQueued int
	// Timeout bounds a job from its acceptance; 10 minutes when 0. The
	// job's lease is its acceptance plus Timeout plus a minute.
	Timeout time.Duration
}

// Jobs runs computations in the background and keeps their state and
// results in a JobStore, so that a job accepted by one server can be
// followed, and its result read, through any other. Like Runs, it ends
// with its base context: jobs going then are recorded as failed.
type Jobs struct {
	store JobStore
	cfg   JobsConfig
	log   *slog.Logger
	base  context.Context
	slots chan struct{}

	mu      sync.Mutex
	waiting int
	cancels map[string]context.CancelFunc
	wg      sync.WaitGroup
}

// NewJobs returns a job runner over store; cancelling base stops its jobs.
func NewJobs(base context.Context, store JobStore, cfg JobsConfig, log *slog.Logger) *Jobs {
	if cfg.Parallel <= 0 {
		cfg.Parallel = 2
	}
	if cfg.MaxQueued == 0 {
		cfg.MaxQueued = 64
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Minute
	}
	if log == nil {
		log = slog.Default()
	}
	return &Jobs{store: store, cfg: cfg, log: log, base: base, slots: make(chan struct{}, cfg.Parallel),
		cancels: map[string]context.CancelFunc{}}
}

// Start records an accepted job and runs fn for it in the background.
func (j *Jobs) Start(ctx context.Context, spec JobSpec, fn JobFunc) (*JobInfo, error) {
	j.mu.Lock()
	if j.waiting >= j.cfg.Parallel+max(j.cfg.MaxQueued, 0) {
		j.mu.Unlock()
		return nil, fmt.Errorf("overlaps: job %s: %w", spec.Process, ErrJobsBusy)
	}
	j.waiting++
	j.mu.Unlock()
	release := func() {
		j.mu.Lock()
		j.waiting--
		j.mu.Unlock()
	}
	info, err := j.store.CreateJob(ctx, spec, time.Now().Add(j.cfg.Timeout+time.Minute))
	if err != nil {
		release()
		return nil, err
	}
	runCtx, cancel := context.WithTimeout(j.base, j.cfg.Timeout)
	j.mu.Lock()
	j.cancels[info.ID] = cancel
	j.mu.Unlock()
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		defer func() {
			j.mu.Lock()
			delete(j.cancels, info.ID)
			j.mu.Unlock()
			cancel()
			release()
		}()
		j.execute(runCtx, info.ID, fn)
	}()
	return info, nil
}

func (j *Jobs) execute(ctx context.Context, id string, fn JobFunc) {
	// Bookkeeping outlives a cancelled job, so that its end is recorded.
	bk := context.WithoutCancel(ctx)
	finish := func(status JobStatus, msg string, result, failure json.RawMessage) {
		if err := j.store.FinishJob(bk, id, status, msg, result, failure); err != nil && !errors.Is(err, ErrJobNotFound) {
			j.log.Error("recording the end of a job", "job", id, "err", err)
		}
	}
	select {
	case j.slots <- struct{}{}:
		defer func() { <-j.slots }()
	case <-ctx.Done():
		finish(JobFailed, "the service stopped or the job timed out before it started", nil, nil)
		return
	}
	if err := j.store.StartJob(ctx, id); err != nil {
		if !errors.Is(err, ErrJobNotFound) {
			finish(JobFailed, "the job could not be started", nil, nil)
			j.log.Error("starting a job", "job", id, "err", err)
		}
		return
	}
	v, err := fn(ctx)
	var failure *JobFailure
	switch {
	case err == nil:
		b, merr := json.Marshal(v)
		if merr != nil {
			j.log.Error("encoding a job's result", "job", id, "err", merr)
			finish(JobFailed, "the result could not be encoded", nil, nil)
			return
		}
		finish(JobSuccessful, "", b, nil)
	case errors.As(err, &failure):
		finish(JobFailed, failure.Message, nil, failure.Document)
	case ctx.Err() != nil:
		finish(JobFailed, "the service stopped or the job timed out", nil, nil)
	default:
		j.log.Warn("job failed", "job", id, "err", err)
		finish(JobFailed, "internal error", nil, nil)
	}
}

// Get returns a job's state.
func (j *Jobs) Get(ctx context.Context, id string) (*JobInfo, error) { return j.store.Job(ctx, id) }

// Result returns a job's result document (successful) or failure document
// (failed; nil when it failed without one).
func (j *Jobs) Result(ctx context.Context, id string) (result, failure json.RawMessage, err error) {
	return j.store.JobResult(ctx, id)
}

// List returns the most recent jobs, newest first.
func (j *Jobs) List(ctx context.Context, limit int) ([]JobInfo, error) {
	return j.store.ListJobs(ctx, limit)
}

// Dismiss cancels a job if this server runs it and removes it with its
// result; a job another server runs ends there unrecorded.
func (j *Jobs) Dismiss(ctx context.Context, id string) error {
	j.mu.Lock()
	cancel := j.cancels[id]
	j.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return j.store.DeleteJob(ctx, id)
}

// Wait blocks until every job started has ended.
func (j *Jobs) Wait() { j.wg.Wait() }
