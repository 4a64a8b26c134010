package overlaps

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
)

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
	// field is the soft cost model drawn for the last planning, over
	// fieldBox: scoring reuses it for the routes it covers.
	field     *geo.CostField
	fieldBox  orb.Bound
	terminals []orb.Point
	names     []string // of the terminals: "from", "waypoint 1", …, "to"
	unavoid   map[polyKey]bool
}

type polyKey struct {
	li *layerIndex
	id int
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
			return nil, namedLayerErr(err, fmt.Sprintf("hard[%d]", i), name, "polygon")
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
			return nil, namedLayerErr(err, fmt.Sprintf("soft.polygons[%d].layer", i), p.Layer, "polygon")
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
			return nil, namedLayerErr(err, fmt.Sprintf("soft.crossings[%d].layer", i), c.Layer, "line")
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
			return nil, namedLayerErr(err, fmt.Sprintf("soft.parallel[%d].layer", i), p.Layer, "line")
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

func namedLayerErr(err error, field, layer, kind string) error {
	if errors.Is(err, layers.ErrNotFound) || errors.Is(err, errNoLineSource) {
		return inErr(field, "unknown layer %q", layer)
	}
	var ve *layers.ValidationError
	if errors.As(err, &ve) {
		return inErr(field, "layer %q is not a %s layer", layer, kind)
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

// costField returns the soft cost model drawn for measuring line: the
// planning's when its box covers the line and every feature that counts
// for it, else one drawn for the line.
func (job *routeJob) costField(line orb.LineString) (*geo.CostModel, *geo.CostField) {
	pad := 1000.0
	for _, p := range job.parC {
		pad = math.Max(pad, p.WithinM+1000)
	}
	need := searchBound(line, pad)
	if job.field != nil && job.fieldBox.Contains(need.Min) && job.fieldBox.Contains(need.Max) {
		return job.field.Model(), job.field
	}
	m := job.costModel(need)
	return m, geo.NewCostField(geo.NewGnomonic(line.Bound().Center()), m)
}

// searchBound is the box of the points padded by pad metres.
func searchBound(pts []orb.Point, pad float64) orb.Bound {
	b := orb.MultiPoint(pts).Bound()
	lat, lon := padDegrees(b, pad)
	return orb.Bound{Min: orb.Point{b.Min[0] - lon, b.Min[1] - lat}, Max: orb.Point{b.Max[0] + lon, b.Max[1] + lat}}
}
