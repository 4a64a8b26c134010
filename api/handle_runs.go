package api

import (
	"context"
	"encoding/json"

	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/coalmap/coalmap/overlaps"
)

// OverlapRuns is what the run routes need of the run manager.
type OverlapRuns interface {
	Start(ctx context.Context, spec overlaps.RunSpec, createdBy string) (*overlaps.RunInfo, error)
	Get(ctx context.Context, id int64) (*overlaps.RunInfo, error)
	List(ctx context.Context, limit int) ([]overlaps.RunInfo, error)
	Results(ctx context.Context, id int64, fn func(overlaps.ResultRow) error) error
	Delete(ctx context.Context, id int64) error
}

func (s *Server) routesRuns(r chi.Router) {
	if s.deps.Runs == nil || s.deps.Catalog == nil {
		return
	}
	r.With(s.limit("/overlaps/runs")).Post("/overlaps/runs", s.handleRunCreate)
	r.Get("/overlaps/runs", s.handleRunList)
	r.Get("/overlaps/runs/{run}", s.handleRunGet)
	r.Get("/overlaps/runs/{run}/results", s.handleRunResults)
	r.Delete("/overlaps/runs/{run}", s.handleRunDelete)
}

func (s *Server) handleRunCreate(w http.ResponseWriter, r *http.Request) {
	if !s.requireWrite(w, r) {
		return
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	var spec overlaps.RunSpec
	if err := dec.Decode(&spec); err != nil {
		s.writeError(w, r, errorf(http.StatusBadRequest, "run request: %v (want {\"lines\":[…],\"polygons\":[…],\"row_width_m\":46,\"clearance_m\":0})", err))
		return
	}
	for _, id := range append(append([]string(nil), spec.Lines...), spec.Polygons...) {
		if _, err := s.visibleLayer(r, id); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	info, err := s.deps.Runs.Start(r.Context(), spec, principal(r).Actor())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/overlaps/runs/%d", info.ID))
	writeJSON(w, http.StatusAccepted, runBody(info))
}

type runResponse struct {
	*overlaps.RunInfo
	Links []link `json:"links"`
}

func runBody(info *overlaps.RunInfo) runResponse {
	base := fmt.Sprintf("/overlaps/runs/%d", info.ID)
	return runResponse{RunInfo: info, Links: []link{
		{Href: base, Rel: "self", Type: "application/json"},
		{Href: base + "/results?f=csv", Rel: "results", Type: "text/csv"},
		{Href: base + "/results?f=geojson", Rel: "results", Type: "application/geo+json"},
		{Href: base + "/results?f=json", Rel: "results", Type: "application/json"},
	}}
}

// runVisible reports whether the caller may see every layer a run read: a
// run over a restricted layer is as invisible as the layer.
func (s *Server) runVisible(r *http.Request, info *overlaps.RunInfo) bool {
	for _, id := range append(append([]string(nil), info.Spec.Lines...), info.Spec.Polygons...) {
		if _, err := s.visibleLayer(r, id); err != nil {
			return false
		}
	}
	return true
}

// visibleRun returns the run the path names if the caller may see it.
func (s *Server) visibleRun(r *http.Request) (*overlaps.RunInfo, error) {
	id, err := runID(r)
	if err != nil {
		return nil, err
	}
	info, err := s.deps.Runs.Get(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !s.runVisible(r, info) {
		return nil, overlaps.ErrRunNotFound
	}
	return info, nil
}

func (s *Server) handleRunList(w http.ResponseWriter, r *http.Request) {
	runs, err := s.deps.Runs.List(r.Context(), 100)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := []runResponse{}
	for i := range runs {
		if s.runVisible(r, &runs[i]) {
			out = append(out, runBody(&runs[i]))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": out})
}

func runID(r *http.Request) (int64, error) {
	v := chi.URLParam(r, "run")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errorf(http.StatusNotFound, "no run %q", v)
	}
	return id, nil
}

func (s *Server) handleRunGet(w http.ResponseWriter, r *http.Request) {
	info, err := s.visibleRun(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, runBody(info))
}

func (s *Server) handleRunDelete(w http.ResponseWriter, r *http.Request) {
	if !s.requireWrite(w, r) {
		return
	}
	info, err := s.visibleRun(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.deps.Runs.Delete(r.Context(), info.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleRunResults(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("f")
	switch format {
	case "", "json", "csv", "geojson":
	default:
		s.writeError(w, r, badParam("f", "want json, csv or geojson, got %q", format))
		return
	}
	info, err := s.visibleRun(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := info.ID
	if info.Status != overlaps.RunSucceeded {
		s.writeError(w, r, errorf(http.StatusConflict, "run %d is %s; results are available once it has succeeded", id, info.Status))
		return
	}
	if info.Stale {
		w.Header().Set("Warning", `199 coalmap "stale: a layer of this run has changed since it ran"`)
	}
	switch format {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="overlap-run-%d.csv"`, id))
	case "geojson":
		w.Header().Set("Content-Type", "application/geo+json")
	default:
		w.Header().Set("Content-Type", "application/json")
	}
	rw, err := overlaps.NewResultWriter(w, format)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.deps.Runs.Results(r.Context(), id, rw.Write); err != nil {
		// Headers are gone: the body is cut short, and the log says why.
		s.log.ErrorContext(r.Context(), "run results", "run", id, "err", err)
		return
	}
	_ = rw.Close()
}
