package api

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/coalmap/coalmap/overlaps"
)

// handleCorridors answers GET /overlaps/corridors: the right-of-way table
// (one table, in the overlap domain) and the default soft costs of routes.
func (s *Server) handleCorridors(w http.ResponseWriter, r *http.Request) {
	table, def := s.deps.Overlaps.Corridors()
	writeJSON(w, http.StatusOK, map[string]any{
		"corridors": table,
		"default":   def,
		"notes": "Query parameters choosing a corridor: row_width_m, or voltage_kv with an optional circuit " +
			"(765 kV without a circuit is the S/C delta row, 64 m; give circuit=dc for a D/C line), or rail=true.",
		"soft_defaults": overlaps.DefaultSoftCosts(),
	})
}

var routesParams = map[string]bool{"f": true}

// handleRoutes answers POST /routes: alternative alignments that keep half
// the corridor plus the clearance from every hard polygon, ranked by cost,
// with the original alignment scored as row 0.
func (s *Server) handleRoutes(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if !routesParams[k] {
			s.writeError(w, r, badParam(k, "unknown parameter (known: f)"))
			return
		}
	}
	format := q.Get("f")
	switch format {
	case "", "json", "geojson", "csv":
	default:
		s.writeError(w, r, badParam("f", "want one of json, geojson, csv, got %q", format))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxCheckBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.writeError(w, r, errorf(http.StatusRequestEntityTooLarge, "the route request is larger than %d bytes", s.cfg.MaxCheckBytes))
			return
		}
		s.writeError(w, r, errorf(http.StatusBadRequest, "reading the body: %v", err))
		return
	}
	req, err := overlaps.ParseRouteRequest(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.routeLayers(r, req); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.deps.Overlaps.Routes(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeFormatted(w, r, format, formatted{json: res, geojson: overlaps.RoutesFeatures(res), csvName: "routes.csv",
		csv: func(w io.Writer) error { return overlaps.WriteRoutesCSV(csv.NewWriter(w), res) }})
}

// routeLayers checks the layers of a route request against what the caller
// may see: a layer the caller cannot see is answered as an unknown one (400
// naming the field). Without soft costs, the defaults are taken, less the
// layers the caller cannot see.
func (s *Server) routeLayers(r *http.Request, req *overlaps.RouteRequest) error {
	for i, id := range req.Hard {
		if _, err := s.visibleLayer(r, id); err != nil {
			return &overlaps.RouteInputError{Field: fmt.Sprintf("hard[%d]", i), Reason: fmt.Sprintf("unknown layer %q", id)}
		}
	}
	if req.Soft == nil {
		d := overlaps.DefaultSoftCosts()
		d.Polygons = keep(d.Polygons, func(p overlaps.PolygonCost) bool { return s.canSee(r, p.Layer) })
		d.Crossings = keep(d.Crossings, func(c overlaps.CrossingCost) bool { return s.canSee(r, c.Layer) })
		d.Parallel = keep(d.Parallel, func(p overlaps.ParallelBonus) bool { return s.canSee(r, p.Layer) })
		req.Soft = &d
		return nil
	}
	for i, p := range req.Soft.Polygons {
		if !s.canSee(r, p.Layer) {
			return &overlaps.RouteInputError{Field: fmt.Sprintf("soft.polygons[%d].layer", i), Reason: fmt.Sprintf("unknown layer %q", p.Layer)}
		}
	}
	for i, c := range req.Soft.Crossings {
		if !s.canSee(r, c.Layer) {
			return &overlaps.RouteInputError{Field: fmt.Sprintf("soft.crossings[%d].layer", i), Reason: fmt.Sprintf("unknown layer %q", c.Layer)}
		}
	}
	for i, p := range req.Soft.Parallel {
		if !s.canSee(r, p.Layer) {
			return &overlaps.RouteInputError{Field: fmt.Sprintf("soft.parallel[%d].layer", i), Reason: fmt.Sprintf("unknown layer %q", p.Layer)}
		}
	}
	return nil
}

func (s *Server) canSee(r *http.Request, id string) bool {
	_, err := s.visibleLayer(r, id)
	return err == nil
}

func keep[T any](xs []T, ok func(T) bool) []T {
	out := xs[:0:0]
	for _, x := range xs {
		if ok(x) {
			out = append(out, x)
		}
	}
	return out
}
