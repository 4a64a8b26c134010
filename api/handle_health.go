package api

import (
	"context"
	"errors"
	"net/http"
	"time"
)

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if s.deps.Ready == nil {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.deps.Ready(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", "err", err)
		why := "database unreachable or migrations pending"
		var nr *NotReadyError
		if errors.As(err, &nr) {
			why = nr.Reason
		}
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "not ready", Detail: why})
		return
	}
	body := map[string]any{"status": "ready"}
	if s.deps.ReadyDetail != nil {
		if d := s.deps.ReadyDetail(); d != nil {
			body["detail"] = d
		}
	}
	writeJSON(w, http.StatusOK, body)
}

// NotReadyError is what Deps.Ready returns to say why the service cannot
// answer, in words safe to show (/readyz shows Reason; Err is logged).
type NotReadyError struct {
	Reason string
	Err    error
}

func (e *NotReadyError) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *NotReadyError) Unwrap() error { return e.Err }
