package api

import (
	"context"
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
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "not ready", Detail: "database unreachable or migrations pending"})
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
