package geo

import (
	"errors"
	"fmt"
)

// Sentinel errors reported by this package. They are wrapped by *LineError,
// which tells where in the input the problem was; inspect them with errors.Is.
var (
	// ErrEmpty means the geometry has no coordinates, or a part has fewer
	// than two vertices.
	ErrEmpty = errors.New("geo: empty geometry")
	// ErrNotLine means the geometry is not a LineString or MultiLineString.
	ErrNotLine = errors.New("geo: not a line")
	// ErrOutOfRange means a coordinate is not a finite longitude in
	// [-180, 180] and latitude in [-90, 90].
	ErrOutOfRange = errors.New("geo: coordinate outside longitude/latitude range")
	// ErrZeroLength means a line (or one of its parts) has no length: all its
	// vertices are the same point.
	ErrZeroLength = errors.New("geo: zero-length line")
	// ErrWideSegment means a segment spans more than 180° of longitude,
	// which planar (degree) and geodesic readings of it disagree about.
	ErrWideSegment = errors.New("geo: segment spans more than 180 degrees of longitude")
	// ErrTooManyVertices means the line has more vertices than allowed.
	ErrTooManyVertices = errors.New("geo: too many vertices")
)

// LineError tells why a geometry was refused as a line and where. Part and
// Vertex are zero-based indexes into the input (-1 when not applicable). Err is
// one of the sentinels above.
type LineError struct {
	Err    error
	Type   string // the input's geometry type, for ErrNotLine
	Part   int
	Vertex int
	Limit  int // the vertex limit, for ErrTooManyVertices
	Got    int // the vertex count, for ErrTooManyVertices and a part's ErrEmpty
	Point  [2]float64
}

// Error returns a message that names the sentinel and the location.
func (e *LineError) Error() string {
	switch {
	case errors.Is(e.Err, ErrNotLine):
		return fmt.Sprintf("%v: got %s", e.Err, e.Type)
	case errors.Is(e.Err, ErrTooManyVertices):
		return fmt.Sprintf("%v: %d vertices, limit %d", e.Err, e.Got, e.Limit)
	case errors.Is(e.Err, ErrOutOfRange), errors.Is(e.Err, ErrWideSegment):
		return fmt.Sprintf("%v: part %d vertex %d is (%g, %g)", e.Err, e.Part, e.Vertex, e.Point[0], e.Point[1])
	case errors.Is(e.Err, ErrEmpty) && e.Part >= 0:
		return fmt.Sprintf("a line needs at least two distinct points: part %d has %d", e.Part, e.Got)
	case errors.Is(e.Err, ErrZeroLength) && e.Part >= 0:
		return fmt.Sprintf("a line needs at least two distinct points: every vertex of part %d is the same point (zero-length)", e.Part)
	case e.Part >= 0:
		return fmt.Sprintf("%v: part %d", e.Err, e.Part)
	}
	return e.Err.Error()
}

// Unwrap returns the sentinel.
func (e *LineError) Unwrap() error { return e.Err }
