package overlaps

import (
	"errors"
	"fmt"
)

// Sentinel errors of the overlap engine. Inspect them with errors.Is; the
// typed errors below wrap them.
var (
	// ErrInvalidOptions means an option is out of range; the error is an
	// *OptionError naming it.
	ErrInvalidOptions = errors.New("overlaps: invalid options")
	// ErrNoAlignments means a check was asked for with no alignment.
	ErrNoAlignments = errors.New("overlaps: no alignment given")
	// ErrTooManyAlignments means a check holds more alignments than
	// Config.MaxAlignments.
	ErrTooManyAlignments = errors.New("overlaps: too many alignments")
	// ErrLayerLoad means a polygon layer could not be loaded from the
	// source; the source's own error (for instance layers.ErrNotFound) is
	// wrapped too, so errors.Is matches either.
	ErrLayerLoad = errors.New("overlaps: cannot load layer")
)

// OptionError tells which option was refused and why. It wraps
// ErrInvalidOptions.
type OptionError struct {
	Field  string // the option's API name, such as "row_width_m"
	Reason string
}

// Error returns "overlaps: invalid options: field: reason".
func (e *OptionError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrInvalidOptions, e.Field, e.Reason)
}

// Unwrap returns ErrInvalidOptions.
func (e *OptionError) Unwrap() error { return ErrInvalidOptions }

// AlignmentError tells which input alignment was refused. Err is the
// geometry error, a *geo.LineError wrapping geo.ErrNotLine, geo.ErrEmpty,
// geo.ErrOutOfRange, geo.ErrZeroLength or geo.ErrTooManyVertices; errors.Is
// and errors.As see through to it.
type AlignmentError struct {
	Index int    // position in the request, from 0
	ID    string // the alignment's ID, if it had one
	Err   error
}

// Error names the alignment and the reason.
func (e *AlignmentError) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("overlaps: alignment %d (%s): %v", e.Index, e.ID, e.Err)
	}
	return fmt.Sprintf("overlaps: alignment %d: %v", e.Index, e.Err)
}

// Unwrap returns the geometry error.
func (e *AlignmentError) Unwrap() error { return e.Err }

// layerError wraps a source's failure to load a layer.
type layerError struct {
	layer string
	err   error
}

func (e *layerError) Error() string {
	return fmt.Sprintf("%v %q: %v", ErrLayerLoad, e.layer, e.err)
}

func (e *layerError) Unwrap() []error { return []error{ErrLayerLoad, e.err} }
