package layers

import (
	"context"

	"github.com/paulmach/orb"
)

// The store port of the import service: what an import needs of the
// database, and nothing of the pipeline itself. Package postgis implements
// it; the service (Imports) owns the rest: the job queue, the row loop
// (validate, repair or reject, dedupe ids, progress), the decisions and the
// publishing.

// Stager stages new versions of layers.
type Stager interface {
	// Layer returns one layer, or an error wrapping ErrNotFound.
	Layer(ctx context.Context, id string) (Layer, error)
	// KnownSRID reports whether the store can transform from srid.
	KnownSRID(ctx context.Context, srid int) (bool, error)
	// Stage creates an empty staging table shaped as spec says, marked as a
	// live import's (so that no cleaner drops it) until Close.
	Stage(ctx context.Context, spec StageSpec) (Staged, error)
}

// StageSpec shapes a staging table: the layer table to be, in the
// source's SRID.
type StageSpec struct {
	Layer string
	// Job is the import job the staging table belongs to.
	Job          int64
	GeometryType GeometryType
	// SRID is the source's CRS; Check transforms to StorageSRID.
	SRID    int
	Columns []Attribute
}

// RowSource is a stream of staging rows: fid, feature_id, geometry (WKB,
// nil for none), then one value per StageSpec column. Its shape is that of
// pgx.CopyFromSource.
type RowSource interface {
	Next() bool
	Values() ([]any, error)
	Err() error
}

// Staged is a layer version being built aside. Its methods run in order:
// Copy, Check, Swap; Close always, last.
type Staged interface {
	// Copy streams rows into the staging table and returns how many it
	// took. An error of rows.Err is returned as it is.
	Copy(ctx context.Context, rows RowSource) (int64, error)
	// Check transforms the staged geometries to StorageSRID, finds the
	// invalid ones among spec.Suspects (the store is the judge) and repairs
	// or deletes them, and measures the extent and what lies outside
	// spec.Bounds.
	Check(ctx context.Context, spec CheckSpec) (CheckResult, error)
	// Swap builds the staged table's keys, index and statistics, then in
	// one transaction puts it in place of the layer's table (creating the
	// layer when it is not in the catalog yet), writes the catalog entry
	// (spec.Layer: its attributes, counts, extent, lineage and, when
	// spec.Describe is set, its descriptive metadata), the audit record and
	// the change event, which it returns.
	Swap(ctx context.Context, spec SwapSpec) (Change, error)
	// Close drops whatever is left in staging and ends the lease.
	Close() error
}

// CheckSpec says how to check a staged layer.
type CheckSpec struct {
	// Suspects are the fids of the geometries Go could not prove valid:
	// the only ones the store checks.
	Suspects []int64
	// Reject deletes the invalid ones (else they are repaired).
	Reject bool
	// Bounds, in StorageSRID: features not inside are counted.
	Bounds orb.Bound
	// Measured, when not nil, is the staged features' extent and how many
	// lie outside Bounds, as the import measured them while reading: Check
	// takes them unless it changed a feature (a repair, a rejection).
	Measured *Measure
}

// Measure is the extent of an import's features, in StorageSRID (nil when
// none has a geometry), and how many lie outside the bounds of India.
type Measure struct {
	Extent  *Extent
	Outside int64
}

// CheckResult is what Check found and did.
type CheckResult struct {
	// Invalid are the invalid geometries found (the first MaxRejections),
	// InvalidCount all of them; they were repaired, or deleted when
	// rejecting.
	Invalid      []Rejection
	InvalidCount int64
	// Extent of the staged features (nil when none has a geometry), and
	// how many lie outside CheckSpec.Bounds.
	Extent  *Extent
	Outside int64
	// OutOfRange counts the features with a coordinate that is not a
	// finite longitude in −180…180 and latitude in −90…90 once in
	// StorageSRID: never stored, whatever the options.
	OutOfRange int64
	// OutsideFeatures are the first MaxNamed features outside Bounds (the
	// out-of-range ones first), each with its extent as its reason.
	OutsideFeatures []Rejection
}

// MaxNamed caps the features an error names one by one.
const MaxNamed = 10

// SwapSpec is the catalog entry a swap writes.
type SwapSpec struct {
	// Layer is the entry after the swap: for a new layer all of it; for an
	// existing one its geometry type, attributes, feature count, extent,
	// lineage and source CRS, and its descriptive metadata too when
	// Describe is set.
	Layer    Layer
	Describe bool
	Actor    string
	// Audit is the audit record's detail.
	Audit map[string]any
}

// ImportJobs keeps the import jobs' records. Implemented by postgis.Store.
type ImportJobs interface {
	// QueueImport records a queued job for layer.
	QueueImport(ctx context.Context, layer, source, actor string) (ImportJob, error)
	// StartImport moves a queued job to running with what the import
	// reads; ErrConflict when the job is not queued.
	StartImport(ctx context.Context, id int64, source, checksum string, options map[string]string) error
	// SaveProgress records how far a running job has got.
	SaveProgress(ctx context.Context, id int64, p ImportProgress) error
	// FinishImport records how a job ended (res.Status), with its report
	// and the cause of a failure for the log (never shown).
	FinishImport(ctx context.Context, id int64, res *ImportResult, cause string) error
	// ImportJob returns one job, or an error wrapping ErrNotFound.
	ImportJob(ctx context.Context, id int64) (ImportJob, error)
	// LayerImports returns a layer's jobs, newest first, at most limit.
	LayerImports(ctx context.Context, layer string, limit int) ([]ImportJob, error)
	// LastOptions returns the options of the import that loaded the
	// layer's current data; ok is false when no import is on record.
	LastOptions(ctx context.Context, layer string) (opts map[string]string, ok bool, err error)
}
