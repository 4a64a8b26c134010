package overlaps

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/coalmap/coalmap/layers"
)

// ErrRunNotFound means no run has the id asked for.
var ErrRunNotFound = errors.New("overlaps: run not found")

// RunSpec is what a layer-against-layer run is asked to do.
type RunSpec struct {
	Lines      []string `json:"lines"`
	Polygons   []string `json:"polygons"`
	RowWidthM  float64  `json:"row_width_m,omitempty"`
	ClearanceM float64  `json:"clearance_m,omitempty"`
}

// RunStatus is where a run is in its life.
type RunStatus string

// Run statuses.
const (
	RunQueued    RunStatus = "queued"
	RunRunning   RunStatus = "running"
	RunSucceeded RunStatus = "succeeded"
	RunFailed    RunStatus = "failed"
	RunCancelled RunStatus = "cancelled"
)

// RunInfo describes a run: its spec, progress, the data versions of the
// layers it read, and whether any of them has changed since (Stale).
type RunInfo struct {
	ID            int64            `json:"id"`
	Status        RunStatus        `json:"status"`
	Spec          RunSpec          `json:"spec"`
	LayerVersions map[string]int64 `json:"layer_versions"`
	LinesTotal    int              `json:"lines_total"`
	LinesDone     int              `json:"lines_done"`
	ResultRows    int              `json:"result_rows"`
	Error         string           `json:"error,omitempty"`
	CreatedBy     string           `json:"created_by,omitempty"`
	CreatedAt     time.Time        `json:"created_at"`
	StartedAt     *time.Time       `json:"started_at,omitempty"`
	FinishedAt    *time.Time       `json:"finished_at,omitempty"`
	Stale         bool             `json:"stale"`
}

// ResultRow is one stored row of a run: a Row and the line layer it came from.
type ResultRow struct {
	LineLayer string `json:"line_layer"`
	Row
}

// LineSource gives a run the features of a line layer with the layer's
// version. Each line carries its own corridor when the layer says so (a
// voltage column, a rail layer).
type LineSource interface {
	Lines(ctx context.Context, layer string) (version int64, lines []Line, err error)
}

// RunStore keeps runs and their results. Package postgis implements it.
type RunStore interface {
	CreateRun(ctx context.Context, spec RunSpec, createdBy string) (int64, error)
	StartRun(ctx context.Context, id int64, versions map[string]int64, linesTotal int) error
	SaveResults(ctx context.Context, id int64, rows []ResultRow, linesDone int) error
	FinishRun(ctx context.Context, id int64, status RunStatus, message string) error
	RunInfo(ctx context.Context, id int64) (*RunInfo, error)
	ListRuns(ctx context.Context, limit int) ([]RunInfo, error)
	Results(ctx context.Context, id int64, fn func(ResultRow) error) error
	DeleteRun(ctx context.Context, id int64) error
	// LayerStates returns the data versions and geometry types of the
	// layers of ids that exist; a missing layer is absent from the map.
	LayerStates(ctx context.Context, ids []string) (map[string]LayerState, error)
}

// LayerState is what a run needs to know of a layer before it reads it.
type LayerState struct {
	Version      int64
	GeometryType string
}

// Runs executes layer-against-layer runs in the background, one at a time
// per slot, storing their rows as they come.
type Runs struct {
	engine *Engine
	lines  LineSource
	store  RunStore
	log    *slog.Logger
	base   context.Context
	slots  chan struct{}

	mu      sync.Mutex
	cancels map[int64]context.CancelFunc
	wg      sync.WaitGroup
}

// NewRuns returns a run manager. base bounds every run: cancelling it (at
// shutdown) stops the runs, which are then marked cancelled. At most
// parallel runs execute at once; the others wait queued.
func NewRuns(base context.Context, engine *Engine, lines LineSource, store RunStore, parallel int, log *slog.Logger) *Runs {
	if parallel < 1 {
		parallel = 1
	}
	if log == nil {
		log = slog.Default()
	}
	return &Runs{engine: engine, lines: lines, store: store, log: log, base: base,
		slots: make(chan struct{}, parallel), cancels: map[int64]context.CancelFunc{}}
}

// Start validates spec, records a queued run and starts it in the
// background.
func (r *Runs) Start(ctx context.Context, spec RunSpec, createdBy string) (*RunInfo, error) {
	if len(spec.Lines) == 0 {
		return nil, &OptionError{Field: "lines", Reason: "name at least one line layer"}
	}
	if len(spec.Polygons) == 0 {
		spec.Polygons = r.engine.cfg.DefaultLayers
	}
	opts := Options{Layers: spec.Polygons, Corridor: Corridor{RowWidthM: spec.RowWidthM}, ClearanceM: spec.ClearanceM}
	if _, _, err := opts.resolve(&r.engine.cfg); err != nil {
		return nil, err
	}
	// Unknown layers and layers of the wrong kind fail here, not later in
	// the background.
	names := append(append([]string(nil), spec.Lines...), spec.Polygons...)
	found, err := r.store.LayerStates(ctx, names)
	if err != nil {
		return nil, err
	}
	for i, n := range names {
		st, ok := found[n]
		if !ok {
			return nil, fmt.Errorf("overlaps: layer %q: %w", n, layers.ErrNotFound)
		}
		field, want := "lines", "LineString"
		if i >= len(spec.Lines) {
			field, want = "polygons", "Polygon"
		}
		if !strings.HasSuffix(st.GeometryType, want) {
			return nil, &OptionError{Field: field, Reason: fmt.Sprintf("layer %q holds %s features, not %ss", n, st.GeometryType, want)}
		}
	}
	id, err := r.store.CreateRun(ctx, spec, createdBy)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(r.base)
	r.mu.Lock()
	r.cancels[id] = cancel
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() {
			r.mu.Lock()
			delete(r.cancels, id)
			r.mu.Unlock()
			cancel()
		}()
		r.execute(runCtx, id, spec)
	}()
	return r.store.RunInfo(ctx, id)
}

// Get returns a run, marked stale when a layer it read has changed since.
func (r *Runs) Get(ctx context.Context, id int64) (*RunInfo, error) {
	info, err := r.store.RunInfo(ctx, id)
	if err != nil {
		return nil, err
	}
	return r.markStale(ctx, info)
}

// List returns the most recent runs, newest first.
func (r *Runs) List(ctx context.Context, limit int) ([]RunInfo, error) {
	runs, err := r.store.ListRuns(ctx, limit)
	if err != nil {
		return nil, err
	}
	for i := range runs {
		if _, err := r.markStale(ctx, &runs[i]); err != nil {
			return nil, err
		}
	}
	return runs, nil
}

func (r *Runs) markStale(ctx context.Context, info *RunInfo) (*RunInfo, error) {
	if len(info.LayerVersions) == 0 {
		return info, nil
	}
	ids := make([]string, 0, len(info.LayerVersions))
	for id := range info.LayerVersions {
		ids = append(ids, id)
	}
	now, err := r.store.LayerStates(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, v := range info.LayerVersions {
		// A layer changed or deleted since makes the run stale.
		if cur, ok := now[id]; !ok || cur.Version != v {
			info.Stale = true
		}
	}
	return info, nil
}

// Results streams a run's rows to fn in order.
func (r *Runs) Results(ctx context.Context, id int64, fn func(ResultRow) error) error {
	return r.store.Results(ctx, id, fn)
}

// Delete cancels a run if it is going and removes it with its results.
func (r *Runs) Delete(ctx context.Context, id int64) error {
	r.mu.Lock()
	cancel := r.cancels[id]
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return r.store.DeleteRun(ctx, id)
}

// Wait blocks until every run started has ended.
func (r *Runs) Wait() { r.wg.Wait() }

// resultBatch is how many rows are stored at a time.
const resultBatch = 2000

func (r *Runs) execute(ctx context.Context, id int64, spec RunSpec) {
	// Bookkeeping outlives a cancelled run, so that it is recorded.
	bk := context.WithoutCancel(ctx)
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-ctx.Done():
		_ = r.store.FinishRun(bk, id, RunCancelled, "cancelled before it started")
		return
	}
	err := r.run(ctx, id, spec)
	switch {
	case err == nil:
		err = r.store.FinishRun(bk, id, RunSucceeded, "")
	case ctx.Err() != nil:
		err = r.store.FinishRun(bk, id, RunCancelled, "cancelled")
	default:
		r.log.Warn("overlap run failed", "run", id, "err", err)
		err = r.store.FinishRun(bk, id, RunFailed, err.Error())
	}
	if err != nil && !errors.Is(err, ErrRunNotFound) {
		r.log.Error("recording the end of an overlap run", "run", id, "err", err)
	}
}

func (r *Runs) run(ctx context.Context, id int64, spec RunSpec) error {
	versions := map[string]int64{}
	type lineLayer struct {
		name  string
		lines []Line
	}
	var all []lineLayer
	total := 0
	for _, name := range spec.Lines {
		v, lines, err := r.lines.Lines(ctx, name)
		if err != nil {
			return fmt.Errorf("line layer %q: %w", name, err)
		}
		versions[name] = v
		if spec.RowWidthM > 0 {
			// An explicit width wins over each line's own (its voltage).
			for i := range lines {
				lines[i].Corridor = Corridor{}
			}
		}
		all = append(all, lineLayer{name, lines})
		total += len(lines)
	}
	// Load the polygon layers now, so that their versions are recorded.
	for _, name := range spec.Polygons {
		li, err := r.engine.layer(ctx, name)
		if err != nil {
			return err
		}
		versions[name] = li.version
	}
	if err := r.store.StartRun(ctx, id, versions, total); err != nil {
		return err
	}
	opts := RunOptions{Layers: spec.Polygons, Corridor: Corridor{RowWidthM: spec.RowWidthM}, ClearanceM: spec.ClearanceM}
	done := 0
	var batch []ResultRow
	flush := func() error {
		err := r.store.SaveResults(ctx, id, batch, done)
		batch = batch[:0]
		return err
	}
	for _, ll := range all {
		last := ""
		err := r.engine.Run(ctx, ll.lines, opts, func(row Row) error {
			if row.LineID != last {
				done++
				last = row.LineID
			}
			batch = append(batch, ResultRow{LineLayer: ll.name, Row: row})
			if len(batch) >= resultBatch {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	done = total
	return flush()
}

// ParseRowKind is the inverse of RowKind.String.
func ParseRowKind(s string) RowKind {
	switch s {
	case "crossing":
		return RowCrossing
	case "near_miss":
		return RowNearMiss
	}
	return RowInvalidLine
}
