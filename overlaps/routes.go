package overlaps

import (
	"fmt"

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
	// The points, checked here too for callers that build a request
	// without ParseRouteRequest (the command line).
	for i, p := range r.Alignment {
		if err := checkLonLat(p); err != nil {
			return inErr(fmt.Sprintf("alignment.coordinates[%d]", i), "%v", err)
		}
	}
	for _, p := range []struct {
		field string
		p     *orb.Point
	}{{"from", r.From}, {"to", r.To}} {
		if p.p != nil {
			if err := checkLonLat(*p.p); err != nil {
				return inErr(p.field, "%v", err)
			}
		}
	}
	if len(r.Waypoints) > MaxWaypoints {
		return inErr("waypoints", "at most %d, got %d", MaxWaypoints, len(r.Waypoints))
	}
	for i, p := range r.Waypoints {
		if err := checkLonLat(p); err != nil {
			return inErr(fmt.Sprintf("waypoints[%d]", i), "%v", err)
		}
	}
	if r.Mode != ModeFree && r.Mode != ModeKeep {
		return inErr("mode", "want \"free\" or \"keep\", got %q", r.Mode)
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
		total := 0.0
		for i, p := range s.Parallel {
			total += p.BonusPerKm
			if total >= 1 && p.BonusPerKm >= 0 && p.BonusPerKm < 1 {
				return inErr(fmt.Sprintf("soft.parallel[%d].bonus_per_km", i), "the bonuses add up to %g per km: a km beside several lines must still cost something, keep the sum under 1", total)
			}
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
