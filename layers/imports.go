package layers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/coalmap/coalmap/formats"
)

// ImportStore is what the import service needs of the store: the staging
// port, the job records and the catalog's metadata.
type ImportStore interface {
	Stager
	ImportJobs
	// PutLayer updates an existing layer's descriptive metadata (an import
	// that finds its data unchanged may still carry new metadata).
	PutLayer(ctx context.Context, l *Layer, actor string) (created bool, err error)
}

// ImportSpec is one import: files, or an open stream of features, into a
// layer that is replaced (or created) as a whole.
type ImportSpec struct {
	Layer string
	// Files are read as one source (formats.Open each, with Read).
	Files []string
	// Source, instead of Files, is an open stream (the demo generator):
	// SourceName and Checksum then say what it is. The import reads it to
	// its end and does not close it.
	Source     FeatureSource
	SourceName string
	Checksum   string
	// Meta, when not nil, is the layer's metadata (from a manifest): it
	// describes a new layer or updates an existing one's description.
	// Title, when not "", names a new layer or retitles an existing one.
	Meta  *Layer
	Title string
	// Read are the reader options (SRID, IDField, Encoding, SourceLayer,
	// Format, MaxUncompressed); Read.SRID, when not 0, overrides the
	// source's CRS.
	Read formats.Options
	// Invalid says what happens to invalid geometries: repaired (the
	// default) or rejected and named in the report.
	Invalid InvalidMode
	// AllowOutside accepts data whose extent leaves India's bounds after
	// reprojection (refused by default: it almost always means a wrong CRS).
	AllowOutside bool
	// Actor is who imports, for lineage and audit.
	Actor string
	// Progress, when not nil, is called now and then (about five times a
	// second, and at each phase) with how far the import has got; from a
	// goroutine of the import's, never concurrently with itself.
	Progress func(ImportProgress)
	// Opened, when not nil, is called with the files' source once they are
	// open (for a progress display).
	Opened func(*FileSource)
	// Finished, when not nil, is called once with how the import ended,
	// after its record is written and before Wait returns.
	Finished func(ImportResult, error)
	// Release, when not nil, is called once a started import has ended,
	// whatever the outcome (an upload's temporary files are removed). When
	// Start fails, it is not called: the caller still owns the files.
	Release func()
}

// sourceName is what the job record names before the import reads.
func (s *ImportSpec) sourceName() string {
	if s.SourceName != "" || len(s.Files) == 0 {
		return s.SourceName
	}
	n := ""
	for i, f := range s.Files {
		if i > 0 {
			n += ", "
		}
		n += baseName(f)
	}
	return n
}

// ImportsConfig bounds an import service.
type ImportsConfig struct {
	// Parallel is how many imports run at once; 2 when 0.
	Parallel int
	// MaxQueued bounds the imports waiting for a slot; beyond it Start
	// fails with ErrBusy. 0 means 64; negative means none may wait.
	MaxQueued int
	// VisibleTimeout bounds how long an import waits, after its commit,
	// for the servers following the change feed to have its change
	// (ChangeAcks) before it reports success; 10 s when 0. The report says
	// how long it waited and whether every server had it.
	VisibleTimeout time.Duration
}

// Imports is the import service: the twin of overlaps.Runs for imports. It
// queues jobs (bounded), runs at most Parallel at once in the background,
// runs each through the row loop and the store's staging port, publishes
// the change and waits until the servers have it. The HTTP upload and the
// command line both go through it.
type Imports struct {
	store ImportStore
	acks  ChangeAcks
	cfg   ImportsConfig
	log   *slog.Logger
	base  context.Context
	slots chan struct{}

	mu      sync.Mutex
	running map[int64]*importRun
	waiting int
	wg      sync.WaitGroup
}

// importRun is a job of this process.
type importRun struct {
	cancel context.CancelFunc
	done   chan struct{}
	res    ImportResult
	err    error
}

// NewImports returns an import service over store. base bounds every
// import: cancelling it (at shutdown) stops them, and they are recorded as
// cancelled, their layers unchanged. acks may be nil (nothing to wait for).
func NewImports(base context.Context, store ImportStore, acks ChangeAcks, cfg ImportsConfig, log *slog.Logger) *Imports {
	if cfg.Parallel <= 0 {
		cfg.Parallel = 2
	}
	if cfg.MaxQueued == 0 {
		cfg.MaxQueued = 64
	}
	if cfg.VisibleTimeout <= 0 {
		cfg.VisibleTimeout = 10 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	return &Imports{store: store, acks: acks, cfg: cfg, log: log, base: base,
		slots: make(chan struct{}, cfg.Parallel), running: map[int64]*importRun{}}
}

// Start checks spec, records a queued job and runs it in the background.
// It fails with ErrBusy when the queue is full.
func (s *Imports) Start(ctx context.Context, spec ImportSpec) (ImportJob, error) {
	if !ValidID(spec.Layer) {
		return ImportJob{}, &ValidationError{Feature: -1, Field: "layer", Reason: fmt.Sprintf(
			"%q is not a valid layer id (lower-case letters, digits, _; starting with a letter; at most 63)", spec.Layer)}
	}
	if len(spec.Files) == 0 && spec.Source == nil {
		return ImportJob{}, &ValidationError{Feature: -1, Field: "files", Reason: "no input file"}
	}
	s.mu.Lock()
	if s.waiting >= s.cfg.Parallel+max(s.cfg.MaxQueued, 0) {
		s.mu.Unlock()
		return ImportJob{}, fmt.Errorf("layers: import %s: %d imports running or queued: %w", spec.Layer, s.waiting, ErrBusy)
	}
	s.waiting++
	s.mu.Unlock()
	job, err := s.store.QueueImport(ctx, spec.Layer, spec.sourceName(), spec.Actor)
	if err != nil {
		s.mu.Lock()
		s.waiting--
		s.mu.Unlock()
		return job, err
	}
	runCtx, cancel := context.WithCancel(s.base)
	r := &importRun{cancel: cancel, done: make(chan struct{})}
	s.mu.Lock()
	s.running[job.ID] = r
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		if spec.Release != nil {
			defer spec.Release()
		}
		r.res, r.err = s.execute(runCtx, job.ID, spec)
		if spec.Finished != nil {
			spec.Finished(r.res, r.err)
		}
		s.mu.Lock()
		delete(s.running, job.ID)
		s.waiting--
		s.mu.Unlock()
		close(r.done)
	}()
	return job, nil
}

// execute waits for a slot and runs the job, recording how it ended.
func (s *Imports) execute(ctx context.Context, id int64, spec ImportSpec) (ImportResult, error) {
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		res := ImportResult{Layer: spec.Layer, ImportID: id, Status: ImportCancelled, Error: "cancelled before it started"}
		s.finish(ctx, &res, ctx.Err())
		return res, fmt.Errorf("layers: import %s: %w", spec.Layer, ctx.Err())
	}
	res, err := s.run(ctx, id, spec)
	if err != nil {
		s.log.InfoContext(ctx, "import failed", "layer", spec.Layer, "job", id, "err", err, "cause", Cause(err))
	}
	return res, err
}

// Get returns a job.
func (s *Imports) Get(ctx context.Context, id int64) (ImportJob, error) {
	return s.store.ImportJob(ctx, id)
}

// List returns a layer's jobs, newest first, at most limit.
func (s *Imports) List(ctx context.Context, layer string, limit int) ([]ImportJob, error) {
	return s.store.LayerImports(ctx, layer, limit)
}

// Wait waits until job id has ended and returns its report and error. For
// a job of another process it follows the job's record.
func (s *Imports) Wait(ctx context.Context, id int64) (ImportResult, error) {
	s.mu.Lock()
	r := s.running[id]
	s.mu.Unlock()
	if r != nil {
		select {
		case <-r.done:
			return r.res, r.err
		case <-ctx.Done():
			return ImportResult{}, ctx.Err()
		}
	}
	for pause := 10 * time.Millisecond; ; pause = min(2*pause, time.Second) {
		j, err := s.store.ImportJob(ctx, id)
		if err != nil {
			return ImportResult{}, err
		}
		if j.Status.Done() {
			res := ImportResult{Layer: j.Layer, ImportID: j.ID, Status: j.Status}
			if j.Report != nil {
				res = *j.Report
			}
			if j.Status == ImportFailed || j.Status == ImportCancelled {
				return res, fmt.Errorf("layers: import %d of %s: %s", j.ID, j.Layer, res.Error)
			}
			return res, nil
		}
		select {
		case <-ctx.Done():
			return ImportResult{}, ctx.Err()
		case <-time.After(pause):
		}
	}
}

// Cancel stops a queued or running job of this process; its layer keeps
// its previous data. A job that has ended, or runs elsewhere, is
// ErrConflict; no such job, ErrNotFound.
func (s *Imports) Cancel(ctx context.Context, id int64) error {
	s.mu.Lock()
	r := s.running[id]
	s.mu.Unlock()
	if r != nil {
		r.cancel()
		return nil
	}
	j, err := s.store.ImportJob(ctx, id)
	if err != nil {
		return err
	}
	if j.Status.Done() {
		return fmt.Errorf("layers: import %d has ended (%s): %w", id, j.Status, ErrConflict)
	}
	return fmt.Errorf("layers: import %d runs on another server: %w", id, ErrConflict)
}

// Import runs one import to its end: Start, then Wait. If ctx ends first
// the import is cancelled (and recorded so).
func (s *Imports) Import(ctx context.Context, spec ImportSpec) (ImportResult, error) {
	job, err := s.Start(ctx, spec)
	if err != nil {
		return ImportResult{Layer: spec.Layer}, err
	}
	res, err := s.Wait(ctx, job.ID)
	if ctx.Err() != nil {
		_ = s.Cancel(context.WithoutCancel(ctx), job.ID)
		return s.Wait(context.WithoutCancel(ctx), job.ID)
	}
	return res, err
}

// Close waits until every job started has ended (cancel base to hurry
// them).
func (s *Imports) Close() { s.wg.Wait() }

// finish records how a job ended.
func (s *Imports) finish(ctx context.Context, res *ImportResult, err error) {
	cause := ""
	if err != nil {
		cause = err.Error()
		if c := Cause(err); c != nil {
			cause += " (cause: " + c.Error() + ")"
		}
		if res.Status == "" || res.Status == ImportRunning {
			res.Status = ImportFailed
			if errors.Is(err, context.Canceled) {
				res.Status = ImportCancelled
			}
		}
		if res.Error == "" {
			res.Error = err.Error()
		}
	}
	if ferr := s.store.FinishImport(context.WithoutCancel(ctx), res.ImportID, res, cause); ferr != nil {
		s.log.ErrorContext(ctx, "recording the end of an import", "job", res.ImportID, "err", ferr, "cause", Cause(ferr))
	}
}
