package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/coalmap/coalmap/overlaps"
)

// OverlapChecker is what the check and reroute routes need of the overlap
// engine.
type OverlapChecker interface {
	Check(ctx context.Context, alignments []overlaps.Alignment, opts overlaps.Options) (*overlaps.Report, error)
	Reroute(ctx context.Context, a overlaps.Alignment, opts overlaps.Options) (*overlaps.RerouteResult, error)
	Routes(ctx context.Context, req *overlaps.RouteRequest) (*overlaps.RoutesResult, error)
	Corridors() ([]overlaps.CorridorSpec, string)
}

// defaultMaxCheckBytes bounds an alignment document: a 100,000-vertex line
// as GeoJSON is about 4 MB.
const defaultMaxCheckBytes = 16 << 20

func (s *Server) routesOverlaps(r chi.Router) {
	if s.deps.Overlaps == nil || s.deps.Catalog == nil {
		return
	}
	r.With(s.limit("/overlaps/check")).Post("/overlaps/check", s.handleOverlapCheck)
	r.With(s.limit("/overlaps/reroute")).Post("/overlaps/reroute", s.handleReroute)
	r.Get("/overlaps/corridors", s.handleCorridors)
	r.With(s.limit("/routes")).Post("/routes", s.handleRoutes)
}

var checkParams = map[string]bool{"against": true, "row_width_m": true, "voltage_kv": true, "circuit": true, "rail": true, "clearance_m": true, "f": true}

// checkRequest reads what the check and reroute routes share: the query
// (layers, corridor, clearance, output format) and the alignment document.
func (s *Server) checkRequest(w http.ResponseWriter, r *http.Request, formats ...string) ([]overlaps.Alignment, overlaps.Options, string, error) {
	var opts overlaps.Options
	q := r.URL.Query()
	for k := range q {
		if !checkParams[k] {
			return nil, opts, "", badParam(k, "unknown parameter (known: against, row_width_m, voltage_kv, circuit, rail, clearance_m, f)")
		}
	}
	if v := q.Get("against"); v != "" {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				opts.Layers = append(opts.Layers, id)
			}
		}
	}
	var err error
	if opts.Corridor.RowWidthM, err = floatParam(q, "row_width_m"); err != nil {
		return nil, opts, "", err
	}
	if opts.ClearanceM, err = floatParam(q, "clearance_m"); err != nil {
		return nil, opts, "", err
	}
	if v := q.Get("voltage_kv"); v != "" {
		kv, err := strconv.Atoi(v)
		if err != nil {
			return nil, opts, "", badParam("voltage_kv", "want a whole number of kV, got %q", v)
		}
		opts.Corridor.VoltageKV = kv
	}
	opts.Corridor.Circuit = q.Get("circuit")
	if v := q.Get("rail"); v != "" {
		rail, err := strconv.ParseBool(v)
		if err != nil {
			return nil, opts, "", badParam("rail", "want true or false, got %q", v)
		}
		opts.Corridor.Rail = rail
	}
	format := q.Get("f")
	if format != "" && !slices.Contains(formats, format) {
		return nil, opts, "", badParam("f", "want one of %s, got %q", strings.Join(formats, ", "), format)
	}
	for _, id := range opts.Layers {
		if _, err := s.visibleLayer(r, id); err != nil {
			return nil, opts, "", err
		}
	}
	body, err := readBody(http.MaxBytesReader(w, r.Body, s.cfg.MaxCheckBytes), r.ContentLength, s.cfg.MaxCheckBytes)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, opts, "", errorf(http.StatusRequestEntityTooLarge, "the alignment document is larger than %d bytes", s.cfg.MaxCheckBytes)
		}
		return nil, opts, "", errorf(http.StatusBadRequest, "reading the body: %v", err)
	}
	alignments, err := overlaps.ParseAlignments(body)
	return alignments, opts, format, err
}

// handleOverlapCheck answers POST /overlaps/check: every polygon of the
// chosen layers that the posted alignments cross, with lengths, crossings,
// entry and exit chainages and corridor areas, and the near-misses.
func (s *Server) handleOverlapCheck(w http.ResponseWriter, r *http.Request) {
	alignments, opts, format, err := s.checkRequest(w, r, "json", "geojson", "csv")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	report, err := s.deps.Overlaps.Check(r.Context(), alignments, opts)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeFormatted(w, r, format, formatted{json: report, geojson: overlaps.ReportFeatures(report), csvName: "overlaps.csv",
		csv: func(w io.Writer) error { return overlaps.WriteReportCSV(w, report) }})
}

// formatted is an answer in the formats f= chooses.
type formatted struct {
	json, geojson any
	csvName       string // the attachment's file name
	csv           func(io.Writer) error
}

// writeFormatted writes a 200 answer as f= asks: GeoJSON, CSV (as an
// attachment) or JSON.
func (s *Server) writeFormatted(w http.ResponseWriter, r *http.Request, format string, a formatted) {
	switch format {
	case "geojson":
		w.Header().Set("Content-Type", "application/geo+json")
		writeJSONBody(w, http.StatusOK, a.geojson)
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+a.csvName+`"`)
		w.WriteHeader(http.StatusOK)
		if err := a.csv(w); err != nil {
			s.log.WarnContext(r.Context(), "writing CSV", "file", a.csvName, "err", err)
		}
	default:
		writeJSON(w, http.StatusOK, a.json)
	}
}

// handleReroute answers POST /overlaps/reroute: for one alignment, an
// alternative that keeps its corridor out of the polygons, with the length
// it adds and the check that shows it clear.
func (s *Server) handleReroute(w http.ResponseWriter, r *http.Request) {
	alignments, opts, format, err := s.checkRequest(w, r, "json", "geojson")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(alignments) != 1 {
		s.writeError(w, r, errorf(http.StatusBadRequest, "a reroute takes exactly one alignment, got %d", len(alignments)))
		return
	}
	res, err := s.deps.Overlaps.Reroute(r.Context(), alignments[0], opts)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if format == "geojson" {
		w.Header().Set("Content-Type", "application/geo+json")
		writeJSONBody(w, http.StatusOK, overlaps.RerouteFeatures(alignments[0], res))
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// readBody reads a request body into a buffer sized by its Content-Length
// when that is given and allowed (one allocation, no regrowth).
func readBody(rd io.Reader, length, limit int64) ([]byte, error) {
	if length <= 0 || length > limit {
		return io.ReadAll(rd)
	}
	buf := bytes.NewBuffer(make([]byte, 0, length+bytes.MinRead))
	_, err := buf.ReadFrom(rd)
	return buf.Bytes(), err
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
