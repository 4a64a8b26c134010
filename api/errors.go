package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/styles"
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
	var geomErr *layers.GeometryError
	var optErr *overlaps.OptionError
	var alignErr *overlaps.AlignmentError
	var inErr *overlaps.InputError
	var routeErr *overlaps.RouteInputError
	var blockedErr *overlaps.RouteBlockedError
	switch {
	case errors.As(err, &routeErr):
		return http.StatusBadRequest, routeErr.Field + ": " + routeErr.Reason, map[string]string{"field": routeErr.Field}
	case errors.As(err, &blockedErr):
		return http.StatusUnprocessableEntity, strings.TrimPrefix(blockedErr.Error(), overlaps.ErrRouteBlocked.Error()+": "),
			map[string]any{"point": blockedErr.Point, "polygon": blockedErr.Polygon}
	case errors.As(err, &apiErr):
		return apiErr.Status, apiErr.Message, apiErr.Detail
	case errors.As(err, &optErr):
		return http.StatusBadRequest, "parameter " + optErr.Field + ": " + optErr.Reason, map[string]string{"parameter": optErr.Field}
	case errors.As(err, &inErr):
		d := map[string]any{}
		if inErr.Feature >= 0 {
			d["feature"] = inErr.Feature
		}
		if inErr.Offset > 0 {
			d["offset"] = inErr.Offset
		}
		return http.StatusBadRequest, inErr.Error(), d
	case errors.As(err, &alignErr):
		d := map[string]any{"alignment": alignErr.Index}
		if alignErr.ID != "" {
			d["alignment_id"] = alignErr.ID
		}
		var le *geo.LineError
		if errors.As(err, &le) && le.Part >= 0 {
			d["part"] = le.Part
			if le.Vertex >= 0 {
				d["vertex"] = le.Vertex
			}
		}
		switch {
		case errors.Is(err, geo.ErrZeroLength), errors.Is(err, geo.ErrEmpty) && le != nil && le.Part >= 0:
			return http.StatusUnprocessableEntity, alignErr.Error(), d
		case errors.Is(err, geo.ErrTooManyVertices):
			return http.StatusRequestEntityTooLarge, alignErr.Error(), d
		}
		return http.StatusBadRequest, alignErr.Error(), d
	case errors.Is(err, overlaps.ErrNoDetour):
		return http.StatusUnprocessableEntity, err.Error(), nil
	case errors.Is(err, overlaps.ErrRunNotFound):
		return http.StatusNotFound, "no such overlap run", nil
	case errors.Is(err, overlaps.ErrNoAlignments):
		return http.StatusBadRequest, err.Error(), nil
	case errors.Is(err, overlaps.ErrTooManyAlignments):
		return http.StatusRequestEntityTooLarge, err.Error(), nil
	case errors.As(err, &geomErr):
		d := map[string]any{"field": geomErr.Field}
		if geomErr.Location != nil {
			d["location"] = []float64{geomErr.Location[0], geomErr.Location[1]}
		}
		return http.StatusUnprocessableEntity, geomErr.Error(), d
	case errors.Is(err, layers.ErrStale):
		return http.StatusPreconditionFailed, "the feature has changed since your ETag was read: GET it again, redo the edit, and send the new ETag", nil
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
	case errors.Is(err, layers.ErrBusy):
		return http.StatusServiceUnavailable, "too many imports running or queued; retry shortly", nil
	case errors.Is(err, layers.ErrNoSpace):
		return http.StatusInsufficientStorage, err.Error(), nil
	case errors.Is(err, syscall.ENOSPC):
		// The server's own disk (an upload's temporary file): say so in
		// words, never with the path.
		return http.StatusInsufficientStorage, "the server has no space left on its disk to hold the upload (no space left on device); retry once its operator has made room", nil
	case errors.Is(err, layers.ErrUnavailable):
		return http.StatusServiceUnavailable, err.Error(), nil
	case errors.Is(err, tiles.ErrOverloaded):
		return http.StatusServiceUnavailable, "too many tiles being rendered; retry shortly", nil
	case errors.Is(err, styles.ErrNotFound), errors.Is(err, styles.ErrNotBuilt):
		return http.StatusNotFound, err.Error(), nil
	case errors.Is(err, styles.ErrInvalid):
		return http.StatusBadRequest, err.Error(), nil
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
			"request_id", requestID(r), "err", err, "cause", layers.Cause(err))
	} else if c := layers.Cause(err); c != nil {
		s.log.InfoContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path,
			"request_id", requestID(r), "err", err, "cause", c)
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
	writeJSONBody(w, status, v)
}

// writeJSONBody writes v as JSON under the Content-Type already set.
func writeJSONBody(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
