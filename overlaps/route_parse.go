package overlaps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// ParseRouteRequest reads a route request from its JSON document (see
// README: POST /routes). Every error is a *RouteInputError naming the field.
func ParseRouteRequest(doc []byte) (*RouteRequest, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, inErr("body", "not JSON: %v at byte %d", se, se.Offset)
		case errors.Is(err, io.EOF):
			return nil, inErr("body", "empty: want a JSON object")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, inErr("body", "not JSON: the document ends at byte %d before it is complete", len(doc))
		case errors.As(err, &te):
			return nil, inErr("body", "want a JSON object, got %s", te.Value)
		}
		return nil, inErr("body", "want a JSON object")
	}
	if top == nil {
		return nil, inErr("body", "want a JSON object, got null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, inErr("body", "not JSON: more text after the object at byte %d", dec.InputOffset())
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
