package postgis

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
)

// translate is the edge between the driver and the domain: it turns an
// error of pgx or PostgreSQL into a *layers.StoreError that says what was
// being done (what) and why in words safe to show anyone, matching the
// domain's sentinel (ErrNotFound, ErrConflict, ErrInvalid,
// ErrUnavailable), and keeps the driver's error as the cause for the log.
// Errors that are already the domain's (validation, a reader's, a sentinel,
// a cancelled context) pass through unchanged.
func translate(what string, err error) error {
	if err == nil {
		return nil
	}
	var (
		se   *layers.StoreError
		verr *layers.ValidationError
		oerr *layers.OutsideError
		rerr *layers.RangeError
		ferr *formats.Error
	)
	switch {
	case errors.As(err, &se), errors.As(err, &verr), errors.As(err, &oerr), errors.As(err, &rerr), errors.As(err, &ferr):
		return err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &ctxError{what: what, err: err}
	case errors.Is(err, pgx.ErrNoRows):
		return layers.NewStoreError(what, layers.ErrNotFound, "not found", err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		kind, reason := classify(pgErr.Code)
		return layers.NewStoreError(what, kind, reason, err)
	}
	for _, sentinel := range []error{layers.ErrNotFound, layers.ErrConflict, layers.ErrInvalid, layers.ErrUnavailable,
		layers.ErrUnauthorized, layers.ErrForbidden, overlaps.ErrRunNotFound} {
		if errors.Is(err, sentinel) {
			// Our own errors, made with fmt.Errorf from safe parts.
			return err
		}
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) || isConnError(err) {
		return layers.NewStoreError(what, layers.ErrUnavailable, "the database could not be reached; retry shortly", err)
	}
	return layers.NewStoreError(what, nil, "internal database error (the server log has the cause)", err)
}

// classify maps an SQLSTATE to a sentinel and a safe reason.
func classify(code string) (error, string) {
	switch {
	case code == "23505":
		return layers.ErrConflict, "a value that must be unique repeats"
	case code == "23503":
		return layers.ErrConflict, "it is still referred to, or refers to something missing"
	case code == "40P01", code == "40001", code == "55P03", code == "55006":
		return layers.ErrUnavailable, "the database was busy with a conflicting change; retry"
	case code == "53100":
		return layers.ErrNoSpace, "the database server's disk is full (no space left on device); the operator must make room"
	case code == "57014":
		return layers.ErrUnavailable, "the database took too long"
	case strings.HasPrefix(code, "23"), strings.HasPrefix(code, "22"):
		// Integrity and data exceptions: a value the database refused.
		return layers.ErrInvalid, "the database refused a value of the input"
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"), strings.HasPrefix(code, "57P"):
		return layers.ErrUnavailable, "the database is unavailable; retry shortly"
	}
	return nil, "internal database error (the server log has the cause)"
}

// isConnError reports whether err is a failure of the connection itself.
// A connection cut under a statement (reset, closed by the server or a
// proxy, a read that timed out) surfaces as the network's error, wrapped
// by pgconn: it is the database unreachable, not an internal error.
func isConnError(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.Is(err, pgx.ErrTxClosed) || strings.Contains(err.Error(), "conn closed") ||
		errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED)
}

// ctxError is a cancelled or timed-out context, named by what was being
// done; it matches the context's error.
type ctxError struct {
	what string
	err  error
}

func (e *ctxError) Error() string {
	if errors.Is(e.err, context.DeadlineExceeded) {
		return "postgis: " + e.what + ": " + context.DeadlineExceeded.Error()
	}
	return "postgis: " + e.what + ": " + context.Canceled.Error()
}

func (e *ctxError) Is(target error) bool {
	return (target == context.Canceled || target == context.DeadlineExceeded) && errors.Is(e.err, target)
}

// reshapedTable reports whether err says a table changed under a read that
// looks its columns up first: a column, or the table, gone because a swap
// committed between the lookup and the query. Such a read is worth doing
// again.
func reshapedTable(err error) bool {
	if c := layers.Cause(err); c != nil {
		err = c
	}
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "42703" || pgErr.Code == "42P01")
}
