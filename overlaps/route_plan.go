package overlaps

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/geo"
)

// ErrRouteBlocked means an end or a waypoint cannot be routed from: a
// waypoint inside (or within the margin of) a hard polygon, or a point
// enclosed by hard polygons. The error is a *RouteBlockedError.
var ErrRouteBlocked = errors.New("overlaps: no route from a point")

// RouteBlockedError names the point ("from", "to", "waypoint 2") and the
// hard polygon that blocks it.
type RouteBlockedError struct {
	Point   string
	Polygon PolygonRef
	Reason  string
}

func (e *RouteBlockedError) Error() string {
	p := e.Polygon.Layer + "/" + e.Polygon.ID
	if e.Polygon.Name != "" {
		p += " (" + e.Polygon.Name + ")"
	}
	return fmt.Sprintf("%v: %s %s %s", ErrRouteBlocked, e.Point, e.Reason, p)
}

// Unwrap returns ErrRouteBlocked.
func (e *RouteBlockedError) Unwrap() error { return ErrRouteBlocked }

// RoutesResult is the answer to a route request.
type RoutesResult struct {
	Parameters   RouteParameters  `json:"parameters"`
	DataVersions map[string]int64 `json:"data_versions"`
	Unavoidable  []PolygonRef     `json:"unavoidable"`
	Routes       []Route          `json:"routes"`
}

// RouteParameters are the request's parameters as resolved.
type RouteParameters struct {
	Mode        RouteMode    `json:"mode"`
	K           int          `json:"k"`
	MaxShared   float64      `json:"max_shared"`
	Corridor    CorridorSpec `json:"corridor"`
	ClearanceM  float64      `json:"clearance_m"`
	MarginM     float64      `json:"margin_m"`
	MinSectionM float64      `json:"min_section_m"`
	Hard        []string     `json:"hard"`
	Soft        SoftCosts    `json:"soft"`
	From        orb.Point    `json:"from"`
	To          orb.Point    `json:"to"`
	Waypoints   []orb.Point  `json:"waypoints"`
}

// Route is one row of the answer: the original alignment (rank 0) or an
// alternative (rank 1 the best), with its metrics.
type Route struct {
	Rank          int                `json:"rank"`
	Kind          string             `json:"kind"` // "original" or "alternative"
	Geometry      LineGeometry       `json:"geometry"`
	LengthM       float64            `json:"length_m"`
	AddedLengthM  float64            `json:"added_length_m"`
	AddedPct      float64            `json:"added_pct"`
	AnglePoints   int                `json:"angle_points"`
	Crossings     map[string]int     `json:"crossings"`
	HardCrossed   []HardCrossing     `json:"hard_crossed"`
	SoftHa        map[string]float64 `json:"soft_ha"`
	MinClearanceM *float64           `json:"min_clearance_m"`
	ColocatedKm   float64            `json:"colocated_km"`
	SharedM       []float64          `json:"shared_m"`
	Cost          float64            `json:"cost"`
	CostBreakdown CostBreakdown      `json:"cost_breakdown"`
	Replaced      []Stretch          `json:"replaced"`
	// ShortSections counts straight sections shorter than the minimum
	// section that no straighter route keeping the margin could remove.
	ShortSections int `json:"short_sections"`
	// AngleCoordinates are the angle points, ends included.
	AngleCoordinates orb.LineString `json:"angle_coordinates"`
}

// HardCrossing is a hard polygon a route crosses, with the length inside.
type HardCrossing struct {
	Layer   string  `json:"layer"`
	ID      string  `json:"id"`
	Name    string  `json:"name,omitempty"`
	LengthM float64 `json:"length_m"`
}

// CostBreakdown splits a route's cost, in km-equivalents.
type CostBreakdown struct {
	LengthKm    float64 `json:"length_km"`
	SoftKm      float64 `json:"soft_km"`
	CrossingsKm float64 `json:"crossings_km"`
	ParallelKm  float64 `json:"parallel_km"` // ≤ 0: the bonus
	AnglesKm    float64 `json:"angles_km"`
}

// Stretch is a replaced stretch of the alignment, by chainage in metres.
type Stretch struct {
	FromM float64 `json:"from_m"`
	ToM   float64 `json:"to_m"`
}

// Routes answers a route request: up to K alternatives, ranked by cost,
// that keep half the corridor plus the clearance from every hard polygon,
// and the original alignment scored the same way as row 0.
func (e *Engine) Routes(ctx context.Context, req *RouteRequest) (*RoutesResult, error) {
	job, err := e.resolveRoute(ctx, req)
	if err != nil {
		return nil, err
	}
	var planned []planned
	switch req.Mode {
	case ModeKeep:
		planned, err = e.planKeep(ctx, job)
	default:
		planned, err = e.planFree(ctx, job)
	}
	if err != nil {
		return nil, err
	}
	res := &RoutesResult{
		Parameters: RouteParameters{Mode: req.Mode, K: req.K, MaxShared: req.MaxShared, Corridor: job.spec, ClearanceM: req.ClearanceM,
			MarginM: job.margin, MinSectionM: job.minSect, Hard: layerNames(job.hard), Soft: job.soft,
			From: job.terminals[0], To: job.terminals[len(job.terminals)-1], Waypoints: append([]orb.Point{}, job.terminals[1:len(job.terminals)-1]...)},
		DataVersions: map[string]int64{},
		Unavoidable:  []PolygonRef{},
		Routes:       []Route{},
	}
	for _, li := range append(append([]*layerIndex{}, job.hard...), job.softPolys...) {
		res.DataVersions[li.name] = li.version
	}
	for _, ll := range append(append([]*lineLayer{}, job.crossL...), job.parL...) {
		res.DataVersions[ll.name] = ll.version
	}
	for k := range job.unavoid {
		f := k.li.feats[k.id]
		res.Unavoidable = append(res.Unavoidable, PolygonRef{Layer: k.li.name, ID: f.id, Name: f.name})
	}
	sort.Slice(res.Unavoidable, func(i, j int) bool {
		a, b := res.Unavoidable[i], res.Unavoidable[j]
		return a.Layer < b.Layer || (a.Layer == b.Layer && a.ID < b.ID)
	})
	var origLen float64
	if req.Alignment != nil {
		r, err := e.scoreRoute(ctx, job, req.Alignment, nil)
		if err != nil {
			return nil, err
		}
		r.Kind, r.Rank = "original", 0
		r.AngleCoordinates = angleCoordinates(req.Alignment)
		origLen = r.LengthM
		res.Routes = append(res.Routes, r)
	}
	var alts []Route
	for _, p := range planned {
		r, err := e.scoreRoute(ctx, job, p.line, p.angles)
		if err != nil {
			return nil, err
		}
		r.Kind = "alternative"
		r.Replaced = p.replaced
		r.ShortSections = p.short
		alts = append(alts, r)
	}
	sort.SliceStable(alts, func(i, j int) bool { return alts[i].Cost < alts[j].Cost })
	for i := range alts {
		alts[i].Rank = i + 1
	}
	res.Routes = append(res.Routes, alts...)
	base := origLen
	if req.Alignment == nil {
		base = 0
		for i := 1; i < len(job.terminals); i++ {
			base += geo.DistanceGeodesic(job.terminals[i-1], job.terminals[i])
		}
	}
	for i := range res.Routes {
		r := &res.Routes[i]
		r.AddedLengthM = r.LengthM - base
		r.AddedPct = pct(r.AddedLengthM, base)
		r.SharedM = make([]float64, len(res.Routes))
		for j := range res.Routes {
			if j != i {
				r.SharedM[j] = sharedLength(r.Geometry.Coordinates, res.Routes[j].Geometry.Coordinates)
			}
		}
		if r.Replaced == nil {
			r.Replaced = []Stretch{}
		}
	}
	return res, nil
}

func layerNames(ls []*layerIndex) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.name
	}
	return out
}

// planned is a route before scoring.
type planned struct {
	line     orb.LineString
	angles   orb.LineString
	replaced []Stretch
	short    int
}

// plan routes between terminals, growing the box of obstacles taken in
// until the routes stay well inside it.
func (e *Engine) plan(ctx context.Context, job *routeJob, terminals []orb.Point, k int, names []string) ([]geo.PlannedRoute, error) {
	straight := 0.0
	for i := 1; i < len(terminals); i++ {
		straight += geo.DistanceGeodesic(terminals[i-1], terminals[i])
	}
	pad := math.Max(15000, 0.5*straight)
	for round := 0; ; round++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		box := searchBound(terminals, pad)
		polys, keys := job.obstacles(box)
		space, err := geo.NewRouteSpace(polys, terminals, job.margin)
		if err != nil {
			return nil, err
		}
		cm := job.costModel(box)
		job.field, job.fieldBox = geo.NewCostField(space.Projection(), cm), box
		routes, err := space.Plan(ctx, geo.RouteProblem{Terminals: terminals, Cost: cm, Field: job.field, K: k, MaxShared: job.req.MaxShared, MinSectionM: job.minSect})
		var te *geo.TerminalError
		var ne *geo.NoRouteError
		switch {
		case errors.As(err, &te):
			return nil, job.blocked(names[te.Terminal], terminals[te.Terminal], keys, polys, "lies within the margin of")
		case errors.As(err, &ne):
			if round < 2 {
				pad *= 3
				continue
			}
			return nil, job.blocked(names[ne.Terminal], terminals[ne.Terminal], keys, polys, "is enclosed, with no way out that keeps the margin, by hard polygons such as")
		case err != nil:
			return nil, err
		}
		// Routes that reach near the edge of the box might have met
		// polygons beyond it: take a bigger box.
		inner := searchBound(terminals, pad-job.margin-2000)
		edge := false
		for _, r := range routes {
			for _, p := range r.Angles {
				if !inner.Contains(p) {
					edge = true
				}
			}
		}
		if edge && round < 4 {
			pad *= 2
			continue
		}
		return routes, nil
	}
}

// blocked names the polygon nearest a blocked point.
func (job *routeJob) blocked(name string, p orb.Point, keys []polyKey, polys []orb.MultiPolygon, reason string) error {
	best, bestD := -1, math.Inf(1)
	for i, mp := range polys {
		c := mp.Bound().Center()
		if d := geo.DistanceGeodesic(p, c); d < bestD {
			best, bestD = i, d
		}
	}
	ref := PolygonRef{}
	if best >= 0 {
		f := keys[best].li.feats[keys[best].id]
		ref = PolygonRef{Layer: keys[best].li.name, ID: f.id, Name: f.name}
	}
	return &RouteBlockedError{Point: name, Polygon: ref, Reason: reason}
}

// planFree routes between the ends through the waypoints.
func (e *Engine) planFree(ctx context.Context, job *routeJob) ([]planned, error) {
	routes, err := e.plan(ctx, job, job.terminals, job.req.K, job.names)
	if err != nil {
		return nil, err
	}
	out := make([]planned, len(routes))
	for i, r := range routes {
		out[i] = planned{line: r.Line, angles: r.Angles, short: r.ShortSections}
	}
	return out, nil
}

func angleCoordinates(ls orb.LineString) orb.LineString {
	out := orb.LineString{ls[0]}
	for i := 1; i+1 < len(ls); i++ {
		if deflection(out[len(out)-1], ls[i], ls[i+1]) > angleThresholdDeg {
			out = append(out, ls[i])
		}
	}
	return append(out, ls[len(ls)-1])
}

// angleThresholdDeg is the smallest deflection counted as an angle point.
const angleThresholdDeg = 0.5

// deflection returns the turn at b, in degrees, of a→b→c (local plane).
func deflection(a, b, c orb.Point) float64 {
	cos := math.Cos(b[1] * math.Pi / 180)
	x1, y1 := (b[0]-a[0])*cos, b[1]-a[1]
	x2, y2 := (c[0]-b[0])*cos, c[1]-b[1]
	if (x1 == 0 && y1 == 0) || (x2 == 0 && y2 == 0) {
		return 0
	}
	return math.Abs(math.Atan2(x1*y2-y1*x2, x1*x2+y1*y2)) * 180 / math.Pi
}
