package cql2

import "fmt"

// Position says where in a filter something is: Offset is a character
// (not byte) offset from 0 into cql2-text; Path a JSON path into
// cql2-json ("$" is the whole document). Exactly one is meaningful: Path
// when it is not empty.
type Position struct {
	Offset int
	Path   string
}

// String is the position in words: "character 12" or "$.args[0]".
func (p Position) String() string {
	if p.Path != "" {
		return p.Path
	}
	return fmt.Sprintf("character %d", p.Offset)
}

// Error is a filter that cannot be read or does not fit the queryables:
// where, and why.
type Error struct {
	Pos    Position
	Reason string
}

func (e *Error) Error() string { return "cql2: at " + e.Pos.String() + ": " + e.Reason }

func errAt(p Position, format string, args ...any) *Error {
	return &Error{Pos: p, Reason: fmt.Sprintf(format, args...)}
}

// Bounds on a filter, against abuse.
const (
	// MaxLength is the longest filter read, in bytes.
	MaxLength = 256 << 10
	// MaxDepth bounds the nesting of expressions and geometries.
	MaxDepth = 64
	// MaxPoints bounds the coordinates of all geometry literals together.
	MaxPoints = 100000
	// MaxList bounds the values of an IN list.
	MaxList = 10000
)
