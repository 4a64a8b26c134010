package layers

import (
	"errors"
	"fmt"
)

// Sentinel errors of the catalog domain. Stores wrap them; callers test with errors.Is.
var (
	ErrNotFound     = errors.New("layers: not found")
	ErrInvalid      = errors.New("layers: invalid")
	ErrConflict     = errors.New("layers: conflict")
	ErrUnauthorized = errors.New("layers: unauthorized")
	ErrForbidden    = errors.New("layers: forbidden")
)

// ValidationError names what is wrong with an input and where: the feature index
// (or -1), the field or parameter, and the reason.
type ValidationError struct {
	Feature int
	Field   string
	Reason  string
}

func (e *ValidationError) Error() string {
	switch {
	case e.Feature >= 0 && e.Field != "":
		return fmt.Sprintf("layers: feature %d: %s: %s", e.Feature, e.Field, e.Reason)
	case e.Feature >= 0:
		return fmt.Sprintf("layers: feature %d: %s", e.Feature, e.Reason)
	case e.Field != "":
		return fmt.Sprintf("layers: %s: %s", e.Field, e.Reason)
	}
	return "layers: " + e.Reason
}

// Is makes a ValidationError match ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }
