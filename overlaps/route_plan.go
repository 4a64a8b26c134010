package overlaps

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
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

// routeJob is a resolved request.
type routeJob struct {
	req       *RouteRequest
	spec      CorridorSpec
	margin    float64
	minSect   float64
	hard      []*layerIndex
	softPolys []*layerIndex
	softPC    []PolygonCost
	crossL    []*lineLayer
	crossC    []CrossingCost
	parL      []*lineLayer
	parC      []ParallelBonus
	soft      SoftCosts
	terminals []orb.Point
	names     []string // of the terminals: "from", "waypoint 1", …, "to"
	unavoid   map[polyKey]bool
}

type polyKey struct {
	li *layerIndex
	id int
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

// resolveRoute validates a request and loads its layers.
func (e *Engine) resolveRoute(ctx context.Context, req *RouteRequest) (*routeJob, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	spec, err := req.Corridor.resolve(&e.cfg)
	if err != nil {
		var oe *OptionError
		if errors.As(err, &oe) {
			return nil, inErr("corridor."+oe.Field, "%s", oe.Reason)
		}
		return nil, err
	}
	if req.ClearanceM > e.cfg.MaxClearanceM {
		return nil, inErr("clearance_m", "at most %g m, got %g", e.cfg.MaxClearanceM, req.ClearanceM)
	}
	if req.Alignment != nil && len(req.Alignment) > e.cfg.MaxVertices {
		return nil, inErr("alignment", "at most %d vertices, got %d", e.cfg.MaxVertices, len(req.Alignment))
	}
	job := &routeJob{req: req, spec: spec, margin: spec.RowWidthM/2 + req.ClearanceM, minSect: spec.MinSectionM, unavoid: map[polyKey]bool{}}
	if req.MinSectionM != nil {
		job.minSect = *req.MinSectionM
	}
	hard := req.Hard
	if len(hard) == 0 {
		hard = e.cfg.DefaultLayers
	}
	for i, name := range hard {
		if slices.Contains(hard[:i], name) {
			continue
		}
		li, err := e.layer(ctx, name)
		if err != nil {
			return nil, namedLayerErr(err, fmt.Sprintf("hard[%d]", i), name)
		}
		job.hard = append(job.hard, li)
	}
	soft := req.Soft
	defaults := soft == nil
	if defaults {
		d := DefaultSoftCosts()
		soft = &d
	}
	job.soft = SoftCosts{Polygons: []PolygonCost{}, Crossings: []CrossingCost{}, Parallel: []ParallelBonus{}, AnglePointKm: soft.AnglePointKm}
	skip := func(err error) bool {
		return defaults && errors.Is(err, layers.ErrNotFound) || defaults && errors.Is(err, errNoLineSource)
	}
	for i, p := range soft.Polygons {
		li, err := e.layer(ctx, p.Layer)
		if err != nil {
			if skip(err) {
				continue
			}
			return nil, namedLayerErr(err, fmt.Sprintf("soft.polygons[%d].layer", i), p.Layer)
		}
		job.softPolys, job.softPC = append(job.softPolys, li), append(job.softPC, p)
		job.soft.Polygons = append(job.soft.Polygons, p)
	}
	for i, c := range soft.Crossings {
		ll, err := e.lineLayer(ctx, c.Layer)
		if err != nil {
			if skip(err) {
				continue
			}
			return nil, namedLayerErr(err, fmt.Sprintf("soft.crossings[%d].layer", i), c.Layer)
		}
		job.crossL, job.crossC = append(job.crossL, ll), append(job.crossC, c)
		job.soft.Crossings = append(job.soft.Crossings, c)
	}
	for i, p := range soft.Parallel {
		ll, err := e.lineLayer(ctx, p.Layer)
		if err != nil {
			if skip(err) {
				continue
			}
			return nil, namedLayerErr(err, fmt.Sprintf("soft.parallel[%d].layer", i), p.Layer)
		}
		job.parL, job.parC = append(job.parL, ll), append(job.parC, p)
		job.soft.Parallel = append(job.soft.Parallel, p)
	}
	// Terminals.
	var from, to orb.Point
	if req.Alignment != nil {
		from, to = req.Alignment[0], req.Alignment[len(req.Alignment)-1]
	}
	if req.From != nil {
		from = *req.From
	}
	if req.To != nil {
		to = *req.To
	}
	job.terminals = append(append([]orb.Point{from}, req.Waypoints...), to)
	job.names = []string{"from"}
	for i := range req.Waypoints {
		job.names = append(job.names, fmt.Sprintf("waypoint %d", i+1))
	}
	job.names = append(job.names, "to")
	if geo.DistanceGeodesic(from, to) < 1 && len(req.Waypoints) == 0 {
		return nil, inErr("to", "the ends are the same point")
	}
	// Polygons an end lies in, or within the margin of (with a little to
	// spare for the plane's widening), cannot be avoided. Waypoints must be
	// clear.
	for ti, t := range job.terminals {
		for _, k := range e.polygonsNear(job.hard, t, job.margin*1.01+1) {
			if ti == 0 || ti == len(job.terminals)-1 {
				job.unavoid[k] = true
				continue
			}
			f := k.li.feats[k.id]
			return nil, &RouteBlockedError{Point: job.names[ti], Polygon: PolygonRef{Layer: k.li.name, ID: f.id, Name: f.name},
				Reason: fmt.Sprintf("lies inside or within the %.0f m margin of", job.margin)}
		}
	}
	return job, nil
}

func namedLayerErr(err error, field, layer string) error {
	if errors.Is(err, layers.ErrNotFound) || errors.Is(err, errNoLineSource) {
		return inErr(field, "unknown layer %q", layer)
	}
	var ve *layers.ValidationError
	if errors.As(err, &ve) {
		return inErr(field, "%s", ve.Reason)
	}
	return err
}

// polygonsNear returns the hard polygons within d metres (geodesic) of p.
func (e *Engine) polygonsNear(ls []*layerIndex, p orb.Point, d float64) []polyKey {
	var out []polyKey
	lat, lon := padDegrees(orb.Bound{Min: p, Max: p}, d)
	b := orb.Bound{Min: orb.Point{p[0] - lon, p[1] - lat}, Max: orb.Point{p[0] + lon, p[1] + lat}}
	// A centimetre-long line stands for the point.
	pl, err := geo.PrepareLine(orb.LineString{p, {p[0] + 1e-7, p[1]}}, 2)
	if err != nil {
		return nil
	}
	for _, li := range ls {
		for _, id := range li.index.Candidates(nil, b) {
			poly := li.feats[id].poly
			if poly.LocatePlanar(p) != geo.Outside {
				out = append(out, polyKey{li, id})
				continue
			}
			if _, ok := geo.MinDistanceGeodesic(pl, poly, d); ok {
				out = append(out, polyKey{li, id})
			}
		}
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

// obstacles returns the hard polygons (less the unavoidable) whose boxes
// meet b.
func (job *routeJob) obstacles(b orb.Bound) ([]orb.MultiPolygon, []polyKey) {
	var polys []orb.MultiPolygon
	var keys []polyKey
	for _, li := range job.hard {
		for _, id := range li.index.Candidates(nil, b) {
			k := polyKey{li, id}
			if job.unavoid[k] {
				continue
			}
			polys = append(polys, li.feats[id].poly.Geometry())
			keys = append(keys, k)
		}
	}
	return polys, keys
}

// costModel returns the soft costs as the planner takes them, for the
// features whose boxes meet b.
func (job *routeJob) costModel(b orb.Bound) *geo.CostModel {
	m := &geo.CostModel{AngleM: job.soft.AnglePointKm * 1000}
	for i, li := range job.softPolys {
		var polys []orb.MultiPolygon
		for _, id := range li.index.Candidates(nil, b) {
			polys = append(polys, li.feats[id].poly.Geometry())
		}
		m.Areas = append(m.Areas, geo.SoftArea{Polygons: polys, CostPerM: job.softPC[i].CostPerKm})
	}
	for i, ll := range job.crossL {
		m.Lines = append(m.Lines, geo.SoftLines{Lines: ll.near(b), PenaltyM: job.crossC[i].PenaltyKm * 1000})
	}
	for i, ll := range job.parL {
		p := job.parC[i]
		lat, lon := padDegrees(b, p.WithinM)
		m.Lines = append(m.Lines, geo.SoftLines{Lines: ll.near(b.Pad(math.Max(lat, lon))), BonusPerM: p.BonusPerKm, WithinM: p.WithinM})
	}
	return m
}

// searchBound is the box of the points padded by pad metres.
func searchBound(pts []orb.Point, pad float64) orb.Bound {
	b := orb.MultiPoint(pts).Bound()
	lat, lon := padDegrees(b, pad)
	return orb.Bound{Min: orb.Point{b.Min[0] - lon, b.Min[1] - lat}, Max: orb.Point{b.Max[0] + lon, b.Max[1] + lat}}
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
		routes, err := space.Plan(geo.RouteProblem{Terminals: terminals, Cost: job.costModel(box), K: k, MaxShared: job.req.MaxShared, MinSectionM: job.minSect})
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
