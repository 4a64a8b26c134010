package overlaps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// RouteMode says how a route is looked for.
type RouteMode string

// The route modes.
const (
	// ModeFree routes between the ends, through the waypoints in order.
	ModeFree RouteMode = "free"
	// ModeKeep keeps the drawn alignment wherever it is clear and replaces
	// each conflicting stretch.
	ModeKeep RouteMode = "keep"
)

// Route request limits.
const (
	DefaultK         = 3
	MaxK             = 5
	DefaultMaxShared = 0.5
	MaxWaypoints     = 50
)

// PolygonCost is a soft cost per km of route inside a polygon layer.
type PolygonCost struct {
	Layer     string  `json:"layer"`
	CostPerKm float64 `json:"cost_per_km"`
}

// CrossingCost is a penalty per crossing of a line layer, in km.
type CrossingCost struct {
	Layer     string  `json:"layer"`
	PenaltyKm float64 `json:"penalty_km"`
}

// ParallelBonus rewards each km of route within WithinM of a line layer.
type ParallelBonus struct {
	Layer      string  `json:"layer"`
	BonusPerKm float64 `json:"bonus_per_km"`
	WithinM    float64 `json:"within_m"`
}

// SoftCosts are the soft terms of a route's cost, in km-equivalents: cost =
// length_km + Σ km inside·cost_per_km + Σ crossings·penalty_km − Σ km
// beside·bonus_per_km + angle points·angle_point_km.
type SoftCosts struct {
	Polygons     []PolygonCost   `json:"polygons"`
	Crossings    []CrossingCost  `json:"crossings"`
	Parallel     []ParallelBonus `json:"parallel"`
	AnglePointKm float64         `json:"angle_point_km"`
}

// DefaultSoftCosts returns the soft costs used when a request gives none:
// a km in a reserved forest costs 1 km, in a protected forest 0.5 km; a
// crossing of an existing railway costs 0.5 km, of a national highway or a
// 400/765 kV line 0.3 km, of a river 0.2 km; an angle point 0.2 km; no
// parallel bonus. Layers the catalog lacks are left out.
func DefaultSoftCosts() SoftCosts {
	return SoftCosts{
		Polygons: []PolygonCost{{"reserved_forests", 1.0}, {"protected_forests", 0.5}},
		Crossings: []CrossingCost{{"railway_lines_existing", 0.5}, {"national_highways", 0.3}, {"rivers", 0.2},
			{"transmission_lines_765kv", 0.3}, {"transmission_lines_400kv", 0.3}},
		Parallel:     []ParallelBonus{},
		AnglePointKm: 0.2,
	}
}

// RouteRequest asks for routes.
type RouteRequest struct {
	// Alignment is the drawn alignment (EPSG:4326), or nil when only the
	// ends are given.
	Alignment orb.LineString
	// AlignmentID is the alignment's id, if it had one.
	AlignmentID string
	From, To    *orb.Point
	Waypoints   []orb.Point
	Mode        RouteMode
	K           int
	MaxShared   float64
	Corridor    Corridor
	ClearanceM  float64
	// MinSectionM is the shortest straight section between angle points;
	// nil means the corridor's (Config.Corridors).
	MinSectionM *float64
	// Hard are the polygon layers no route may come within the margin of;
	// none means Config.DefaultLayers.
	Hard []string
	// Soft are the soft costs; nil means DefaultSoftCosts, with the layers
	// the source lacks left out.
	Soft *SoftCosts
}

// RouteInputError says which field of a route request is wrong, in the
// request's own words ("k", "soft.polygons[0].cost_per_km",
// "waypoints[2]"). It wraps ErrInvalidOptions.
type RouteInputError struct {
	Field  string
	Reason string
}

func (e *RouteInputError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrInvalidOptions, e.Field, e.Reason)
}

// Unwrap returns ErrInvalidOptions.
func (e *RouteInputError) Unwrap() error { return ErrInvalidOptions }

func inErr(field, format string, args ...any) error {
	return &RouteInputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// ParseRouteRequest reads a route request from its JSON document (see
// README: POST /routes). Every error is a *RouteInputError naming the field.
func ParseRouteRequest(doc []byte) (*RouteRequest, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, inErr("body", "not JSON: %v at byte %d", se, se.Offset)
		}
		return nil, inErr("body", "want a JSON object: %v", err)
	}
	if top == nil {
		return nil, inErr("body", "want a JSON object")
	}
	req := &RouteRequest{K: DefaultK, MaxShared: DefaultMaxShared}
	known := map[string]bool{"alignment": true, "from": true, "to": true, "waypoints": true, "mode": true, "k": true, "max_shared": true,
		"corridor": true, "clearance_m": true, "min_section_m": true, "hard": true, "soft": true}
	for k := range top {
		if !known[k] {
			return nil, inErr(k, "unknown field (known: alignment, from, to, waypoints, mode, k, max_shared, corridor, clearance_m, min_section_m, hard, soft)")
		}
	}
	if raw, ok := top["alignment"]; ok && raw != nil {
		b, _ := json.Marshal(raw)
		as, err := ParseGeoJSON(b)
		if err != nil {
			return nil, inErr("alignment", "%v", strings.TrimPrefix(err.Error(), ErrInput.Error()+": "))
		}
		if len(as) != 1 {
			return nil, inErr("alignment", "want one line, got %d features", len(as))
		}
		ls, ok := as[0].Geom.(orb.LineString)
		if mls, multi := as[0].Geom.(orb.MultiLineString); multi && len(mls) == 1 {
			ls, ok = mls[0], true
		}
		if !ok || len(ls) < 2 {
			return nil, inErr("alignment", "want a LineString of two or more points")
		}
		for i, p := range ls {
			if err := checkLonLat(p); err != nil {
				return nil, inErr(fmt.Sprintf("alignment.coordinates[%d]", i), "%v", err)
			}
		}
		req.Alignment, req.AlignmentID = ls, as[0].ID
	}
	var err error
	if req.From, err = optPoint(top, "from"); err != nil {
		return nil, err
	}
	if req.To, err = optPoint(top, "to"); err != nil {
		return nil, err
	}
	if raw, ok := top["waypoints"]; ok && raw != nil {
		arr, ok := raw.([]any)
		if !ok {
			return nil, inErr("waypoints", "want an array of [lon, lat]")
		}
		if len(arr) > MaxWaypoints {
			return nil, inErr("waypoints", "at most %d, got %d", MaxWaypoints, len(arr))
		}
		for i, w := range arr {
			p, err := point(w, fmt.Sprintf("waypoints[%d]", i))
			if err != nil {
				return nil, err
			}
			req.Waypoints = append(req.Waypoints, p)
		}
	}
	if raw, ok := top["mode"]; ok && raw != nil {
		s, _ := raw.(string)
		switch RouteMode(s) {
		case ModeFree, ModeKeep:
			req.Mode = RouteMode(s)
		default:
			return nil, inErr("mode", "want \"free\" or \"keep\", got %v", jsonText(raw))
		}
	}
	if v, ok, err := optNumber(top, "k", "k"); err != nil {
		return nil, err
	} else if ok {
		if v != math.Trunc(v) {
			return nil, inErr("k", "want a whole number, got %v", v)
		}
		req.K = int(v)
	}
	if v, ok, err := optNumber(top, "max_shared", "max_shared"); err != nil {
		return nil, err
	} else if ok {
		req.MaxShared = v
	}
	if v, ok, err := optNumber(top, "clearance_m", "clearance_m"); err != nil {
		return nil, err
	} else if ok {
		req.ClearanceM = v
	}
	if v, ok, err := optNumber(top, "min_section_m", "min_section_m"); err != nil {
		return nil, err
	} else if ok {
		req.MinSectionM = &v
	}
	if raw, ok := top["corridor"]; ok && raw != nil {
		c, ok := raw.(map[string]any)
		if !ok {
			return nil, inErr("corridor", "want an object such as {\"voltage_kv\": 765, \"circuit\": \"dc\"}")
		}
		for k := range c {
			switch k {
			case "row_width_m", "voltage_kv", "circuit", "rail":
			default:
				return nil, inErr("corridor."+k, "unknown field (known: row_width_m, voltage_kv, circuit, rail)")
			}
		}
		if v, ok, err := optNumber(c, "row_width_m", "corridor.row_width_m"); err != nil {
			return nil, err
		} else if ok {
			req.Corridor.RowWidthM = v
		}
		if v, ok, err := optNumber(c, "voltage_kv", "corridor.voltage_kv"); err != nil {
			return nil, err
		} else if ok {
			if v != math.Trunc(v) {
				return nil, inErr("corridor.voltage_kv", "want a whole number of kV, got %v", v)
			}
			req.Corridor.VoltageKV = int(v)
		}
		if raw, ok := c["circuit"]; ok && raw != nil {
			s, ok := raw.(string)
			if !ok {
				return nil, inErr("corridor.circuit", "want a string such as \"dc\", got %v", jsonText(raw))
			}
			req.Corridor.Circuit = s
		}
		if raw, ok := c["rail"]; ok && raw != nil {
			b, ok := raw.(bool)
			if !ok {
				return nil, inErr("corridor.rail", "want true or false, got %v", jsonText(raw))
			}
			req.Corridor.Rail = b
		}
	}
	if raw, ok := top["hard"]; ok && raw != nil {
		arr, ok := raw.([]any)
		if !ok {
			return nil, inErr("hard", "want an array of layer ids")
		}
		for i, v := range arr {
			s, ok := v.(string)
			if !ok || s == "" {
				return nil, inErr(fmt.Sprintf("hard[%d]", i), "want a layer id, got %v", jsonText(v))
			}
			req.Hard = append(req.Hard, s)
		}
	}
	if raw, ok := top["soft"]; ok && raw != nil {
		soft, err := parseSoft(raw)
		if err != nil {
			return nil, err
		}
		req.Soft = soft
	}
	return req, nil
}

func parseSoft(raw any) (*SoftCosts, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, inErr("soft", "want an object with polygons, crossings, parallel, angle_point_km")
	}
	s := &SoftCosts{Polygons: []PolygonCost{}, Crossings: []CrossingCost{}, Parallel: []ParallelBonus{}}
	for k := range m {
		switch k {
		case "polygons", "crossings", "parallel", "angle_point_km":
		default:
			return nil, inErr("soft."+k, "unknown field (known: polygons, crossings, parallel, angle_point_km)")
		}
	}
	items := func(name string, fields ...string) ([]map[string]any, error) {
		raw, ok := m[name]
		if !ok || raw == nil {
			return nil, nil
		}
		arr, ok := raw.([]any)
		if !ok {
			return nil, inErr("soft."+name, "want an array")
		}
		out := make([]map[string]any, len(arr))
		for i, v := range arr {
			o, ok := v.(map[string]any)
			path := fmt.Sprintf("soft.%s[%d]", name, i)
			if !ok {
				return nil, inErr(path, "want an object")
			}
			for k := range o {
				if k != "layer" && !containsStr(fields, k) {
					return nil, inErr(path+"."+k, "unknown field (known: layer, %s)", strings.Join(fields, ", "))
				}
			}
			l, ok := o["layer"].(string)
			if !ok || l == "" {
				return nil, inErr(path+".layer", "want a layer id")
			}
			out[i] = o
		}
		return out, nil
	}
	num := func(o map[string]any, path, k string, def float64) (float64, error) {
		v, ok, err := optNumber(o, k, path+"."+k)
		if err != nil {
			return 0, err
		}
		if !ok {
			return def, nil
		}
		return v, nil
	}
	ps, err := items("polygons", "cost_per_km")
	if err != nil {
		return nil, err
	}
	for i, o := range ps {
		path := fmt.Sprintf("soft.polygons[%d]", i)
		v, err := num(o, path, "cost_per_km", 1)
		if err != nil {
			return nil, err
		}
		s.Polygons = append(s.Polygons, PolygonCost{Layer: o["layer"].(string), CostPerKm: v})
	}
	cs, err := items("crossings", "penalty_km")
	if err != nil {
		return nil, err
	}
	for i, o := range cs {
		path := fmt.Sprintf("soft.crossings[%d]", i)
		v, err := num(o, path, "penalty_km", 0.5)
		if err != nil {
			return nil, err
		}
		s.Crossings = append(s.Crossings, CrossingCost{Layer: o["layer"].(string), PenaltyKm: v})
	}
	pl, err := items("parallel", "bonus_per_km", "within_m")
	if err != nil {
		return nil, err
	}
	for i, o := range pl {
		path := fmt.Sprintf("soft.parallel[%d]", i)
		b, err := num(o, path, "bonus_per_km", 0.2)
		if err != nil {
			return nil, err
		}
		w, err := num(o, path, "within_m", 250)
		if err != nil {
			return nil, err
		}
		s.Parallel = append(s.Parallel, ParallelBonus{Layer: o["layer"].(string), BonusPerKm: b, WithinM: w})
	}
	if v, ok, err := optNumber(m, "angle_point_km", "soft.angle_point_km"); err != nil {
		return nil, err
	} else if ok {
		s.AnglePointKm = v
	}
	return s, nil
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func optNumber(m map[string]any, key, path string) (float64, bool, error) {
	raw, ok := m[key]
	if !ok || raw == nil {
		return 0, false, nil
	}
	n, ok := raw.(json.Number)
	if !ok {
		return 0, false, inErr(path, "want a number, got %s", jsonText(raw))
	}
	v, err := n.Float64()
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, inErr(path, "want a finite number, got %s", n)
	}
	return v, true, nil
}

func optPoint(m map[string]any, key string) (*orb.Point, error) {
	raw, ok := m[key]
	if !ok || raw == nil {
		return nil, nil
	}
	p, err := point(raw, key)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func point(raw any, path string) (orb.Point, error) {
	arr, ok := raw.([]any)
	if !ok || len(arr) < 2 || len(arr) > 3 {
		return orb.Point{}, inErr(path, "want [lon, lat], got %s", jsonText(raw))
	}
	var p orb.Point
	for i := 0; i < 2; i++ {
		n, ok := arr[i].(json.Number)
		if !ok {
			return orb.Point{}, inErr(path, "want [lon, lat] numbers, got %s", jsonText(raw))
		}
		v, err := n.Float64()
		if err != nil {
			return orb.Point{}, inErr(path, "want [lon, lat] numbers, got %s", jsonText(raw))
		}
		p[i] = v
	}
	if err := checkLonLat(p); err != nil {
		return orb.Point{}, inErr(path, "%v", err)
	}
	return p, nil
}

// India's extent, with a margin: points outside it are almost always in the
// wrong CRS or order.
var indiaBound = orb.Bound{Min: orb.Point{66, 5}, Max: orb.Point{99, 38.5}}

func checkLonLat(p orb.Point) error {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
		return fmt.Errorf("[%g, %g] is not a longitude and latitude", p[0], p[1])
	}
	if !indiaBound.Contains(p) {
		return fmt.Errorf("[%g, %g] is outside India (66–99°E, 5–38.5°N): is it [lon, lat] in EPSG:4326?", p[0], p[1])
	}
	return nil
}

// validate checks ranges and fills the defaults that need no data.
func (r *RouteRequest) validate() error {
	if r.Mode == "" {
		r.Mode = ModeFree
	}
	if r.K < 1 || r.K > MaxK {
		return inErr("k", "want 1 to %d alternatives, got %d", MaxK, r.K)
	}
	if !(r.MaxShared >= 0 && r.MaxShared <= 1) {
		return inErr("max_shared", "want a fraction from 0 to 1, got %v", r.MaxShared)
	}
	if !(r.ClearanceM >= 0) {
		return inErr("clearance_m", "must be zero or more metres, got %v", r.ClearanceM)
	}
	if r.MinSectionM != nil && !(*r.MinSectionM >= 0 && *r.MinSectionM <= 20000) {
		return inErr("min_section_m", "want 0 to 20,000 m, got %v", *r.MinSectionM)
	}
	if r.Mode == ModeKeep && r.Alignment == nil {
		return inErr("mode", "keep needs an alignment")
	}
	if r.Alignment == nil && (r.From == nil || r.To == nil) {
		return inErr("alignment", "give an alignment, or both from and to")
	}
	if r.Mode == ModeKeep && len(r.Waypoints) > 0 {
		return inErr("waypoints", "keep mode follows the alignment; waypoints are for free mode")
	}
	if s := r.Soft; s != nil {
		for i, p := range s.Polygons {
			if !(p.CostPerKm >= 0 && p.CostPerKm <= 1000) {
				return inErr(fmt.Sprintf("soft.polygons[%d].cost_per_km", i), "want 0 to 1000, got %v", p.CostPerKm)
			}
		}
		for i, c := range s.Crossings {
			if !(c.PenaltyKm >= 0 && c.PenaltyKm <= 1000) {
				return inErr(fmt.Sprintf("soft.crossings[%d].penalty_km", i), "want 0 to 1000, got %v", c.PenaltyKm)
			}
		}
		for i, p := range s.Parallel {
			if !(p.BonusPerKm >= 0 && p.BonusPerKm < 1) {
				return inErr(fmt.Sprintf("soft.parallel[%d].bonus_per_km", i), "want at least 0 and under 1 (a km beside a line still costs), got %v", p.BonusPerKm)
			}
			if !(p.WithinM >= 0 && p.WithinM <= 5000) {
				return inErr(fmt.Sprintf("soft.parallel[%d].within_m", i), "want 0 to 5000 m, got %v", p.WithinM)
			}
		}
		if !(s.AnglePointKm >= 0 && s.AnglePointKm <= 100) {
			return inErr("soft.angle_point_km", "want 0 to 100, got %v", s.AnglePointKm)
		}
	}
	return nil
}
