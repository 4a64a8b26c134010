package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/coalmap/coalmap/overlaps"
)

// OverlapChecker is what the check route needs of the overlap engine.
type OverlapChecker interface {
	Check(ctx context.Context, alignments []overlaps.Alignment, opts overlaps.Options) (*overlaps.Report, error)
}

// defaultMaxCheckBytes bounds an alignment document: a 100,000-vertex line
// as GeoJSON is about 4 MB.
const defaultMaxCheckBytes = 16 << 20

func (s *Server) routesOverlaps(r chi.Router) {
	if s.deps.Overlaps == nil || s.deps.Catalog == nil {
		return
	}
	r.Post("/overlaps/check", s.handleOverlapCheck)
}

var checkParams = map[string]bool{"against": true, "row_width_m": true, "voltage_kv": true, "rail": true, "clearance_m": true, "f": true}

// handleOverlapCheck answers POST /overlaps/check: every polygon of the
// chosen layers that the posted alignments cross, with lengths, crossings,
// entry and exit chainages and corridor areas, and the near-misses.
func (s *Server) handleOverlapCheck(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if !checkParams[k] {
			s.writeError(w, r, badParam(k, "unknown parameter (known: against, row_width_m, voltage_kv, rail, clearance_m, f)"))
			return
		}
	}
	var opts overlaps.Options
	var err error
	if v := q.Get("against"); v != "" {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				opts.Layers = append(opts.Layers, id)
			}
		}
	}
	if opts.Corridor.RowWidthM, err = floatParam(q, "row_width_m"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if opts.ClearanceM, err = floatParam(q, "clearance_m"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if v := q.Get("voltage_kv"); v != "" {
		kv, err := strconv.Atoi(v)
		if err != nil {
			s.writeError(w, r, badParam("voltage_kv", "want a whole number of kV, got %q", v))
			return
		}
		opts.Corridor.VoltageKV = kv
	}
	if v := q.Get("rail"); v != "" {
		rail, err := strconv.ParseBool(v)
		if err != nil {
			s.writeError(w, r, badParam("rail", "want true or false, got %q", v))
			return
		}
		opts.Corridor.Rail = rail
	}
	format := q.Get("f")
	switch format {
	case "", "json", "geojson", "csv":
	default:
		s.writeError(w, r, badParam("f", "want json, geojson or csv, got %q", format))
		return
	}
	for _, id := range opts.Layers {
		if _, err := s.visibleLayer(r, id); err != nil {
			s.writeError(w, r, err)
			return
		}
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxCheckBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.writeError(w, r, errorf(http.StatusRequestEntityTooLarge, "the alignment document is larger than %d bytes", s.cfg.MaxCheckBytes))
			return
		}
		s.writeError(w, r, errorf(http.StatusBadRequest, "reading the body: %v", err))
		return
	}
	alignments, err := overlaps.ParseAlignments(bytes.TrimSpace(body))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	report, err := s.deps.Overlaps.Check(r.Context(), alignments, opts)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch format {
	case "geojson":
		w.Header().Set("Content-Type", "application/geo+json")
		writeJSONBody(w, http.StatusOK, overlaps.ReportFeatures(report))
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="overlaps.csv"`)
		w.WriteHeader(http.StatusOK)
		if err := overlaps.WriteReportCSV(w, report); err != nil {
			s.log.WarnContext(r.Context(), "writing a check's CSV", "err", err)
		}
	default:
		writeJSON(w, http.StatusOK, report)
	}
}

func floatParam(q map[string][]string, name string) (float64, error) {
	vs := q[name]
	if len(vs) == 0 || vs[0] == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(vs[0], 64)
	if err != nil {
		return 0, badParam(name, "want a number of metres, got %q", vs[0])
	}
	if v < 0 {
		return 0, badParam(name, "must not be negative, got %g", v)
	}
	return v, nil
}
