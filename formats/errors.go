package formats

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, wrapped by *Error where they apply; test with errors.Is.
var (
	// ErrUnsupported is returned for a file no reader here handles.
	ErrUnsupported = errors.New("formats: unsupported format")
	// ErrEmpty is returned for a file that holds nothing to read.
	ErrEmpty = errors.New("formats: empty input")
	// ErrUnsafeArchive is returned for an archive entry whose name would
	// escape the archive (zip slip) or that is otherwise refused.
	ErrUnsafeArchive = errors.New("formats: unsafe archive")
	// ErrUnsafeXML is returned for XML that declares entities in its
	// DOCTYPE (external entities, entity expansion bombs).
	ErrUnsafeXML = errors.New("formats: XML entity declarations refused")
	// ErrTooLarge is returned when an archive decompresses to more than
	// Options.MaxUncompressed (a zip bomb).
	ErrTooLarge = errors.New("formats: archive too large when decompressed")
	// ErrNoGDAL is returned when a format needs ogr2ogr and it is not on
	// PATH.
	ErrNoGDAL = errors.New("formats: ogr2ogr not found on PATH (apt-get install gdal-bin)")
	// ErrInvalidGeometry is wrapped by errors about a feature's geometry:
	// NaN or infinite coordinates, unclosed or short rings, bad structure.
	ErrInvalidGeometry = errors.New("formats: invalid geometry")
)

// Error is an error found while reading a file, with where it was found.
type Error struct {
	// Format is the reader's name: "geojson", "geojsonseq", "shapefile",
	// "dbf", "prj", "gpkg", "kml", "kmz", "csv", "ogr", or "open" for a
	// file that could not be opened at all.
	Format string
	// Index is the 0-based feature index, or -1 when the error is not about
	// one feature.
	Index int
	// Line is the 1-based line of the input (GeoJSONSeq, CSV, KML), or 0.
	Line int
	// Offset is the byte offset in the input, or -1 when unknown.
	Offset int64
	// Field is the attribute or member concerned, or "".
	Field string
	// Reason says what is wrong.
	Reason string
	// Err is the underlying error, if any (ErrInvalidGeometry, ErrEmpty,
	// an *os.PathError…).
	Err error
}

// Error returns a message of the form
// "formats: geojson: feature 12: offset 3456: field "area": reason".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("formats: ")
	b.WriteString(e.Format)
	b.WriteString(": ")
	if e.Index >= 0 {
		fmt.Fprintf(&b, "feature %d: ", e.Index)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Offset >= 0 {
		fmt.Fprintf(&b, "offset %d: ", e.Offset)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "field %q: ", e.Field)
	}
	b.WriteString(e.Reason)
	if e.Err != nil && !strings.Contains(e.Reason, strings.TrimPrefix(e.Err.Error(), "formats: ")) {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "formats: "))
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// newError returns an *Error about the whole input.
func newError(format, reason string, err error) *Error {
	return &Error{Format: format, Index: -1, Offset: -1, Reason: reason, Err: err}
}

// featureError returns an *Error about feature index.
func featureError(format string, index int, reason string, err error) *Error {
	return &Error{Format: format, Index: index, Offset: -1, Reason: reason, Err: err}
}

// asError returns err as an *Error of the given format, filling in the
// feature index when err is a geometry error without one.
func asError(format string, index int, err error) error {
	var fe *Error
	if errors.As(err, &fe) {
		if fe.Index < 0 {
			fe.Index = index
		}
		return fe
	}
	var ge *geomError
	if errors.As(err, &ge) {
		return featureError(format, index, ge.reason, ErrInvalidGeometry)
	}
	return featureError(format, index, err.Error(), err)
}

// geomError is a geometry problem found by a shared helper, before the
// caller knows the format and index.
type geomError struct{ reason string }

func (e *geomError) Error() string { return "invalid geometry: " + e.reason }

func geomErrorf(format string, args ...any) error {
	return &geomError{reason: fmt.Sprintf(format, args...)}
}
