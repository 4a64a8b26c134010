package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// Error is an error with an HTTP status and a message safe to show a client.
type Error struct {
	Status  int
	Message string
	Detail  any
}

func (e *Error) Error() string { return e.Message }

func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// badParam is a 400 naming the query parameter at fault.
func badParam(param, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("parameter %s: %s", param, fmt.Sprintf(format, args...)),
		Detail: map[string]string{"parameter": param}}
}

type errorBody struct {
	Error  string `json:"error"`
	Detail any    `json:"detail,omitempty"`
}

// statusOf is the one table from domain errors to HTTP statuses. Anything not
// listed is a 500 whose cause is logged and never shown.
func statusOf(err error) (int, string, any) {
	var apiErr *Error
	var verr *layers.ValidationError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.Status, apiErr.Message, apiErr.Detail
	case errors.As(err, &verr):
		d := map[string]any{}
		if verr.Feature >= 0 {
			d["feature"] = verr.Feature
		}
		if verr.Field != "" {
			d["field"] = verr.Field
		}
		return http.StatusBadRequest, verr.Error(), d
	case errors.Is(err, layers.ErrNotFound):
		return http.StatusNotFound, err.Error(), nil
	case errors.Is(err, layers.ErrInvalid):
		return http.StatusBadRequest, err.Error(), nil
	case errors.Is(err, layers.ErrConflict):
		return http.StatusConflict, err.Error(), nil
	case errors.Is(err, layers.ErrUnauthorized):
		return http.StatusUnauthorized, "a valid token is required", nil
	case errors.Is(err, layers.ErrForbidden):
		return http.StatusForbidden, "the token does not allow this", nil
	case errors.Is(err, tiles.ErrOverloaded):
		return http.StatusServiceUnavailable, "too many tiles being rendered; retry shortly", nil
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "the request took too long", nil
	case errors.Is(err, context.Canceled):
		return 499, "request cancelled", nil
	}
	return http.StatusInternalServerError, "internal error", nil
}

// writeError answers with the error's status and a JSON body; the cause of a
// 5xx is logged with the request id, never sent.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg, detail := statusOf(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path,
			"request_id", requestID(r), "err", err)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(5))
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="coalmap"`)
	}
	writeJSON(w, status, errorBody{Error: msg, Detail: detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
