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
	// Layers the caller cannot see are answered as unknown ones.
	for i, id := range req.Hard {
		if _, err := s.visibleLayer(r, id); err != nil {
			s.writeError(w, r, &overlaps.RouteInputError{Field: fmt.Sprintf("hard[%d]", i), Reason: fmt.Sprintf("unknown layer %q", id)})
			return
		}
	}
	if req.Soft == nil {
		d := overlaps.DefaultSoftCosts()
		d.Polygons = keep(d.Polygons, func(p overlaps.PolygonCost) bool { return s.canSee(r, p.Layer) })
		d.Crossings = keep(d.Crossings, func(c overlaps.CrossingCost) bool { return s.canSee(r, c.Layer) })
		d.Parallel = keep(d.Parallel, func(p overlaps.ParallelBonus) bool { return s.canSee(r, p.Layer) })
		req.Soft = &d
	} else {
		for i, p := range req.Soft.Polygons {
			if !s.canSee(r, p.Layer) {
				s.writeError(w, r, &overlaps.RouteInputError{Field: fmt.Sprintf("soft.polygons[%d].layer", i), Reason: fmt.Sprintf("unknown layer %q", p.Layer)})
				return
			}
		}
		for i, c := range req.Soft.Crossings {
			if !s.canSee(r, c.Layer) {
				s.writeError(w, r, &overlaps.RouteInputError{Field: fmt.Sprintf("soft.crossings[%d].layer", i), Reason: fmt.Sprintf("unknown layer %q", c.Layer)})
				return
			}
		}
		for i, p := range req.Soft.Parallel {
			if !s.canSee(r, p.Layer) {
				s.writeError(w, r, &overlaps.RouteInputError{Field: fmt.Sprintf("soft.parallel[%d].layer", i), Reason: fmt.Sprintf("unknown layer %q", p.Layer)})
				return
			}
		}
	}
	res, err := s.deps.Overlaps.Routes(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch format {
	case "geojson":
		w.Header().Set("Content-Type", "application/geo+json")
		writeJSONBody(w, http.StatusOK, overlaps.RoutesFeatures(res))
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="routes.csv"`)
		w.WriteHeader(http.StatusOK)
		if err := overlaps.WriteRoutesCSV(csv.NewWriter(w), res); err != nil {
			s.log.WarnContext(r.Context(), "writing routes CSV", "err", err)
		}
	default:
		writeJSON(w, http.StatusOK, res)
	}
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

// routesOpenAPI describes /overlaps/corridors and /routes for the OpenAPI
// document.
func routesOpenAPI(errResp obj) obj {
	str := obj{"type": "string"}
	num := obj{"type": "number"}
	return obj{
		"/overlaps/corridors": obj{"get": obj{"summary": "The right-of-way table and the default soft costs of routes", "operationId": "getCorridors",
			"tags": []string{"Overlaps"},
			"description": "Rows of width by voltage and circuit configuration (Ministry of Power) and rail, with the minimum straight section " +
				"between angle points. Choose a row with row_width_m, voltage_kv (+ circuit=sc-delta|dc|sc-horizontal) or rail=true on " +
				"/overlaps/check, /overlaps/reroute, and in the corridor object of /routes. 765 kV without a circuit is S/C delta (64 m).",
			"responses": obj{"200": obj{"description": "{corridors: [...], default: id, soft_defaults: {...}}", "content": obj{mediaJSON: obj{"schema": obj{"type": "object"}}}}}}},
		"/routes": obj{"post": obj{"summary": "Alternative alignments: exact, several, ranked by cost", "operationId": "postRoutes",
			"tags": []string{"Overlaps"},
			"description": "Routes between the ends of an alignment (or from/to), through waypoints in order, that keep half the corridor plus " +
				"the clearance from every polygon of the hard layers; soft costs in km-equivalents (cost = length_km + Σ km inside·cost_per_km + " +
				"Σ crossings·penalty_km − Σ km beside·bonus_per_km + angle points·angle_point_km); k alternatives (1–5) any two sharing at most " +
				"max_shared of their length; mode keep replaces only the conflicting stretches. The original alignment is row 0.",
			"parameters": []obj{{"name": "f", "in": "query", "schema": obj{"type": "string", "enum": []string{"json", "geojson", "csv"}, "default": "json"}}},
			"requestBody": obj{"required": true, "content": obj{mediaJSON: obj{"schema": obj{"type": "object", "properties": obj{
				"alignment": obj{"type": "object", "description": "GeoJSON LineString, Feature or FeatureCollection of one line"},
				"from":      obj{"type": "array", "items": num}, "to": obj{"type": "array", "items": num},
				"waypoints":   obj{"type": "array", "items": obj{"type": "array", "items": num}},
				"mode":        obj{"type": "string", "enum": []string{"free", "keep"}, "default": "free"},
				"k":           obj{"type": "integer", "minimum": 1, "maximum": overlaps.MaxK, "default": overlaps.DefaultK},
				"max_shared":  obj{"type": "number", "minimum": 0, "maximum": 1, "default": overlaps.DefaultMaxShared},
				"corridor":    obj{"type": "object", "properties": obj{"row_width_m": num, "voltage_kv": obj{"type": "integer"}, "circuit": str, "rail": obj{"type": "boolean"}}},
				"clearance_m": num, "min_section_m": num,
				"hard": obj{"type": "array", "items": str, "default": []string{"coal_blocks"}},
				"soft": obj{"type": "object", "description": "polygons [{layer, cost_per_km}], crossings [{layer, penalty_km}], parallel [{layer, bonus_per_km, within_m}], angle_point_km; omitted: the defaults of /overlaps/corridors"},
			}}}}},
			"responses": obj{"200": obj{"description": "{parameters, data_versions, unavoidable, routes: [{rank, kind, geometry, length_m, ...}]}",
				"content": obj{mediaJSON: obj{"schema": obj{"type": "object"}}, "application/geo+json": obj{}, "text/csv": obj{}}},
				"400": errResp, "413": errResp, "422": errResp}}},
	}
}
