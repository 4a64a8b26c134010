package layers

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/formats"
)

// India's bounds in EPSG:4326 (68–98°E, 6–38°N): a layer's extent must stay
// inside them after reprojection unless the import allows otherwise, since
// data outside almost always had the wrong CRS.
const (
	IndiaWest  = 68.0
	IndiaSouth = 6.0
	IndiaEast  = 98.0
	IndiaNorth = 38.0
)

// India returns India's bounds as an orb.Bound.
func India() orb.Bound {
	return orb.Bound{Min: orb.Point{IndiaWest, IndiaSouth}, Max: orb.Point{IndiaEast, IndiaNorth}}
}

// InvalidMode says what an import does with invalid geometries.
type InvalidMode int

// Invalid-geometry modes.
const (
	// Repair fixes them with ST_MakeValid (method=structure) and counts them.
	Repair InvalidMode = iota
	// Reject leaves them out of the layer and names each one (feature index
	// and reason) in the report. Features whose geometry does not fit the
	// layer's type are rejected the same way.
	Reject
)

var invalidModeNames = [...]string{Repair: "repair", Reject: "reject"}

// String returns the mode's name.
func (m InvalidMode) String() string {
	if m < 0 || int(m) >= len(invalidModeNames) {
		return fmt.Sprintf("InvalidMode(%d)", int(m))
	}
	return invalidModeNames[m]
}

// ParseInvalidMode returns the mode named s ("repair" or "reject").
func ParseInvalidMode(s string) (InvalidMode, error) {
	for i, n := range invalidModeNames {
		if n == s {
			return InvalidMode(i), nil
		}
	}
	return 0, fmt.Errorf("layers: unknown invalid-geometry mode %q (want repair or reject): %w", s, ErrInvalid)
}

// MarshalText implements encoding.TextMarshaler.
func (m InvalidMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *InvalidMode) UnmarshalText(b []byte) error {
	v, err := ParseInvalidMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ReportingSource is what an import reads of a source, beyond its features,
// for its report: the text encoding and the reader's counts.
// formats.Source implements it.
type ReportingSource interface {
	Encoding() (name, from string)
	Stats() formats.Stats
}

var _ ReportingSource = formats.Source(nil)

// Rejection is a feature an import left out, and why.
type Rejection struct {
	Feature int    `json:"feature"`
	ID      string `json:"id,omitempty"`
	Reason  string `json:"reason"`
}

// MaxRejections caps the rejections a report lists one by one; the count
// goes on.
const MaxRejections = 1000

// ImportStatus is the state of an import job.
type ImportStatus string

// Import states, as stored in catalog.imports.
const (
	ImportQueued    ImportStatus = "queued"
	ImportRunning   ImportStatus = "running"
	ImportSucceeded ImportStatus = "succeeded"
	ImportUnchanged ImportStatus = "unchanged"
	ImportFailed    ImportStatus = "failed"
	ImportCancelled ImportStatus = "cancelled"
)

// Done reports whether the job has ended.
func (s ImportStatus) Done() bool {
	return s == ImportSucceeded || s == ImportUnchanged || s == ImportFailed || s == ImportCancelled
}

// Import phases, in order, as ImportProgress.Phase.
const (
	PhaseQueued   = "queued"
	PhaseReading  = "reading"  // streaming features into staging
	PhaseChecking = "checking" // validity, bounds
	PhaseBuilding = "building" // reproject, repair, type; index, statistics
	PhaseSwapping = "swapping"
	// Committed; waiting until the servers following the change feed have
	// the new version.
	PhasePublishing = "publishing"
	PhaseDone       = "done"
)

// ImportProgress is how far an import has got.
type ImportProgress struct {
	Phase    string `json:"phase"`
	Features int64  `json:"features"`
	// Bytes and TotalBytes measure the reading of the file, when known.
	Bytes      int64 `json:"bytes,omitempty"`
	TotalBytes int64 `json:"total_bytes,omitempty"`
}

// ImportJob is one import as recorded in the catalog: queued, running or
// done, with its report once it has one.
type ImportJob struct {
	ID         int64           `json:"id"`
	Layer      string          `json:"layer"`
	Status     ImportStatus    `json:"status"`
	Source     string          `json:"source"`
	Checksum   string          `json:"checksum,omitempty"`
	Options    json.RawMessage `json:"options,omitempty"`
	Progress   ImportProgress  `json:"progress"`
	Report     *ImportResult   `json:"report,omitempty"`
	Error      string          `json:"error,omitempty"`
	CreatedBy  string          `json:"created_by"`
	CreatedAt  time.Time       `json:"created_at"`
	StartedAt  *time.Time      `json:"started_at,omitempty"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
}

// OutsideError refuses a source some of whose features leave the allowed
// bounds after reprojection. When most do, its CRS is almost certainly
// wrong and the message says so; when a few do, it names them.
type OutsideError struct {
	Extent  Extent
	Outside int64  // features not inside the bounds
	Total   int64  // features with a geometry
	SRID    int    // the CRS the source was taken to be in
	From    string // where that CRS came from
	// Features are the first MaxNamed of them, each with its extent.
	Features []Rejection
}

// CRSWrong reports whether most features lie outside: the CRS, not the
// features, is then to blame.
func (e *OutsideError) CRSWrong() bool { return e.Total == 0 || e.Outside*2 > e.Total }

func (e *OutsideError) Error() string {
	if e.CRSWrong() {
		return fmt.Sprintf("layers: the data lies outside India (68–98°E, 6–38°N) once reprojected from EPSG:%d (CRS from %s): "+
			"extent [%.4f, %.4f, %.4f, %.4f], %d of %d feature(s) outside%s; the CRS is probably wrong — give the right one with --srid "+
			"(srid= over HTTP), or allow it with --allow-outside (allow_outside=true)",
			e.SRID, e.From, e.Extent[0], e.Extent[1], e.Extent[2], e.Extent[3], e.Outside, e.Total, namedFeatures(e.Features, e.Outside))
	}
	return fmt.Sprintf("layers: %d of %d feature(s) lie outside India (68–98°E, 6–38°N) once reprojected from EPSG:%d (CRS from %s)%s; "+
		"correct or remove them, or allow them with --allow-outside (allow_outside=true over HTTP)",
		e.Outside, e.Total, e.SRID, e.From, namedFeatures(e.Features, e.Outside))
}

// Is makes an OutsideError match ErrInvalid.
func (e *OutsideError) Is(target error) bool { return target == ErrInvalid }

// RangeError refuses features whose coordinates are not a finite
// longitude in −180…180 and latitude in −90…90 once reprojected: nothing
// may store them, with or without allow_outside.
type RangeError struct {
	Count    int64
	Total    int64 // features with a geometry
	SRID     int
	From     string
	Features []Rejection // the first MaxNamed
}

func (e *RangeError) Error() string {
	fix := "correct or remove them"
	if e.Total == 0 || e.Count*2 > e.Total {
		fix = "the CRS is probably wrong — give the right one with --srid (srid= over HTTP)"
	}
	return fmt.Sprintf("layers: %d of %d feature(s) have coordinates outside longitude −180…180, latitude −90…90 once reprojected "+
		"from EPSG:%d (CRS from %s)%s; %s (such coordinates are never stored, --allow-outside or not)",
		e.Count, e.Total, e.SRID, e.From, namedFeatures(e.Features, e.Count), fix)
}

// Is makes a RangeError match ErrInvalid.
func (e *RangeError) Is(target error) bool { return target == ErrInvalid }

// namedFeatures lists fs as ": feature 3 (id "a"): reason; …", with how
// many more of total there are.
func namedFeatures(fs []Rejection, total int64) string {
	if len(fs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(": ")
	for i, f := range fs {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "feature %d", f.Feature)
		if f.ID != "" {
			fmt.Fprintf(&b, " (id %q)", f.ID)
		}
		b.WriteString(": " + f.Reason)
	}
	if more := total - int64(len(fs)); more > 0 {
		fmt.Fprintf(&b, "; and %d more", more)
	}
	return b.String()
}
