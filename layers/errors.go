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

// More sentinels: ErrBusy when a bounded queue is full, ErrUnavailable when
// the store cannot do it now (a conflicting transaction, a lost
// connection): both mean "retry later". ErrNoSpace when a disk the store
// writes to is full: retrying helps only once an operator has made room.
var (
	ErrBusy        = errors.New("layers: busy")
	ErrUnavailable = errors.New("layers: unavailable")
	ErrNoSpace     = errors.New("layers: no space left")
)

// ErrHistoryRewound is a change feed's word that its log no longer holds
// the last change a follower saw, as it saw it: the database failed over to
// a standby that had not received the last commits, and the changes (and
// data versions) after the standby's position may be handed out again with
// other contents. A follower must forget what it derived from the lost
// changes (caches keyed by data version) and start again from the log's
// newest change.
var ErrHistoryRewound = errors.New("layers: change history rewound (commits lost in a failover)")

// StoreError is a failure of a store, told in words safe to show anyone:
// Error() holds what was being done and a safe reason, never the database's
// own text, which stays in the cause for the log (see Cause). It matches
// the sentinel Kind (ErrNotFound, ErrConflict, ErrInvalid, ErrUnavailable),
// or none for an unexpected failure.
type StoreError struct {
	Op     string // what was being done: "import coal_blocks"
	Kind   error  // a sentinel of this package, or nil
	Reason string // safe to show
	cause  error
}

// NewStoreError returns a StoreError whose cause (kept for the log) is
// cause.
func NewStoreError(op string, kind error, reason string, cause error) *StoreError {
	return &StoreError{Op: op, Kind: kind, Reason: reason, cause: cause}
}

func (e *StoreError) Error() string {
	if e.Op == "" {
		return "layers: " + e.Reason
	}
	return "layers: " + e.Op + ": " + e.Reason
}

// Unwrap returns Kind: the cause is deliberately not in the chain, so that
// no error text derived from it can carry the database's words.
func (e *StoreError) Unwrap() error { return e.Kind }

// Cause returns the underlying failure, for the log only.
func (e *StoreError) Cause() error { return e.cause }

// Cause returns the logged-only cause of the first StoreError in err's
// chain, or nil.
func Cause(err error) error {
	var se *StoreError
	if errors.As(err, &se) {
		return se.cause
	}
	return nil
}
