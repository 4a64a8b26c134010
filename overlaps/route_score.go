package overlaps

import (
	"context"
	"math"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/geo"
)

// clearanceSearchM is how far beyond the corridor's edge a hard polygon is
// looked for when measuring a route's clearance.
const clearanceSearchM = 2000

// scoreRoute measures a route the same way whatever it is: the original
// alignment or an alternative. angles are its angle points when known.
func (e *Engine) scoreRoute(ctx context.Context, job *routeJob, line orb.LineString, angles orb.LineString) (Route, error) {
	if angles == nil {
		angles = angleCoordinates(line)
	}
	half := job.spec.RowWidthM / 2
	opts := Options{Layers: layerNames(job.hard), Corridor: Corridor{RowWidthM: job.spec.RowWidthM}, ClearanceM: job.req.ClearanceM}
	rep, err := e.Check(ctx, []Alignment{{Geom: line}}, opts)
	if err != nil {
		return Route{}, err
	}
	r := Route{
		Geometry:         LineGeometry{Type: "LineString", Coordinates: line},
		LengthM:          rep.Summary.LengthM,
		AnglePoints:      max(0, len(angles)-2),
		Crossings:        map[string]int{"hard": 0},
		HardCrossed:      []HardCrossing{},
		SoftHa:           map[string]float64{},
		AngleCoordinates: angles,
	}
	for _, c := range rep.Crossings {
		r.Crossings["hard"] += c.Crossings
		r.HardCrossed = append(r.HardCrossed, HardCrossing{Layer: c.Layer, ID: c.ID, Name: c.Name, LengthM: c.LengthM})
	}
	// Clearance of the corridor's edge from the nearest hard polygon other
	// than the unavoidable ones.
	pl, err := geo.PrepareLine(line, e.cfg.MaxVertices)
	if err != nil {
		return Route{}, err
	}
	lat, lon := padDegrees(pl.Bound(), half+clearanceSearchM)
	var boxes []orb.Bound
	pl.SegmentRunBounds(chunkSegments, func(b orb.Bound) bool {
		boxes = append(boxes, orb.Bound{Min: orb.Point{b.Min[0] - lon, b.Min[1] - lat}, Max: orb.Point{b.Max[0] + lon, b.Max[1] + lat}})
		return true
	})
	minD := math.Inf(1)
	for _, li := range job.hard {
		for _, id := range li.index.Candidates(nil, boxes...) {
			if job.unavoid[polyKey{li, id}] {
				continue
			}
			if d, ok := geo.MinDistanceGeodesic(pl, li.feats[id].poly, half+clearanceSearchM); ok && d < minD {
				minD = d
			}
		}
	}
	if !math.IsInf(minD, 1) {
		v := math.Round((minD-half)*100) / 100
		r.MinClearanceM = &v
	}
	// Soft polygon layers: hectares of corridor inside, from the check.
	for _, li := range job.softPolys {
		if _, ok := r.SoftHa[li.name]; ok {
			continue
		}
		srep, err := e.Check(ctx, []Alignment{{Geom: line}}, Options{Layers: []string{li.name}, Corridor: Corridor{RowWidthM: job.spec.RowWidthM}, ClearanceM: half})
		if err != nil {
			return Route{}, err
		}
		ha := 0.0
		for _, c := range srep.Crossings {
			ha += c.CorridorAreaHa
		}
		for _, n := range srep.NearMisses {
			ha += n.CorridorAreaHa
		}
		r.SoftHa[li.name] = ha
	}
	// The cost model's terms, measured as the planner measures its edges.
	model, field := job.costField(line)
	t := field.Measure(line)
	b := CostBreakdown{LengthKm: t.LengthM / 1000, AnglesKm: float64(r.AnglePoints) * job.soft.AnglePointKm}
	for i, a := range model.Areas {
		b.SoftKm += a.CostPerM * t.InsideM[i] / 1000
	}
	for i := range job.crossL {
		n := t.Crossings[i]
		r.Crossings[job.crossL[i].name] += n
		b.CrossingsKm += float64(n) * job.crossC[i].PenaltyKm
	}
	for j := range job.parL {
		i := len(job.crossL) + j
		beside := t.BesideM[i] / 1000
		r.ColocatedKm += beside
		b.ParallelKm -= beside * job.parC[j].BonusPerKm
	}
	r.CostBreakdown = b
	r.Cost = b.LengthKm + b.SoftKm + b.CrossingsKm + b.ParallelKm + b.AnglesKm
	return r, nil
}

// sharedLength returns the geodesic length of a that runs along b: pieces
// of a's sections lying on b's sections (within 0.5 m, nearly parallel).
func sharedLength(a, b orb.LineString) float64 {
	if len(a) < 2 || len(b) < 2 {
		return 0
	}
	proj := geo.NewLocalProjection(a.Bound().Union(b.Bound()).Center())
	pa := make([]orb.Point, len(a))
	for i, p := range a {
		pa[i] = proj.Forward(p)
	}
	pb := make([]orb.Point, len(b))
	for i, p := range b {
		pb[i] = proj.Forward(p)
	}
	const tol = 0.5
	total := 0.0
	for i := 1; i < len(pa); i++ {
		p, q := pa[i-1], pa[i]
		dx, dy := q[0]-p[0], q[1]-p[1]
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		ux, uy := dx/l, dy/l
		var iv [][2]float64
		for j := 1; j < len(pb); j++ {
			c, d := pb[j-1], pb[j]
			// Both ends of b's section within tol of a's line, and
			// overlapping a's section along it.
			oc := math.Abs((c[0]-p[0])*uy - (c[1]-p[1])*ux)
			od := math.Abs((d[0]-p[0])*uy - (d[1]-p[1])*ux)
			if oc > tol || od > tol {
				continue
			}
			tc := ((c[0]-p[0])*ux + (c[1]-p[1])*uy) / l
			td := ((d[0]-p[0])*ux + (d[1]-p[1])*uy) / l
			lo, hi := math.Max(0, math.Min(tc, td)), math.Min(1, math.Max(tc, td))
			if hi > lo {
				iv = append(iv, [2]float64{lo, hi})
			}
		}
		if len(iv) > 0 {
			total += unionLength(iv) * geo.DistanceGeodesic(a[i-1], a[i])
		}
	}
	return math.Round(total*10) / 10
}
