package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// finish straightens a graph path and draws it in EPSG:4326.
func (s *RouteSpace) finish(g *graph, path gPath, p RouteProblem) PlannedRoute {
	pts := make([]orb.Point, len(path.nodes))
	fixed := make([]bool, len(path.nodes))
	for i, v := range path.nodes {
		pts[i] = g.pts[v]
		fixed[i] = g.isTerminal(int(v))
	}
	pts, fixed, short := s.straighten(pts, fixed, p.MinSectionM)
	out := PlannedRoute{GraphCost: path.cost, GraphLengthM: path.lenM, ShortSections: short}
	for i, q := range pts {
		ll := s.proj.Inverse(q)
		if fixed[i] {
			// Terminals exactly as given, not as projected and back.
			for _, t := range p.Terminals {
				if DistanceGeodesic(t, ll) < 1e-3 {
					ll = t
					break
				}
			}
		}
		out.Angles = append(out.Angles, ll)
	}
	out.Line = append(out.Line, out.Angles[0])
	for i := 1; i < len(pts); i++ {
		l := DistanceGeodesic(out.Angles[i-1], out.Angles[i])
		n := int(math.Ceil(l / DensifyM))
		for k := 1; k < n; k++ {
			out.Line = append(out.Line, s.proj.Inverse(lerp(pts[i-1], pts[i], float64(k)/float64(n))))
		}
		out.Line = append(out.Line, out.Angles[i])
	}
	return out
}

// straightenBudget bounds what straightening may add to a route, as a
// fraction of its length: the straightened route is at most 0.25 % longer
// than the graph's shortest path.
const straightenBudget = 0.0025

// straighten merges angle points closer than minSection where a route
// through fewer keeps the margin: two neighbouring corners are replaced by
// the meeting point of the sections before and after them (which lies
// farther from the obstacle than both), or one is dropped. A merge that
// would take the route's added length past straightenBudget of its length
// is not made (the section stays short). It returns the points, which are
// fixed (terminals), and the sections left shorter than minSection.
func (s *RouteSpace) straighten(pts []orb.Point, fixed []bool, minSection float64) ([]orb.Point, []bool, int) {
	// Drop straight-through vertices first (collinear corners).
	for i := 1; i+1 < len(pts); i++ {
		if !fixed[i] && math.Abs(orient(pts[i-1], pts[i], pts[i+1])) <= 1e-9*math.Hypot(pts[i+1][0]-pts[i-1][0], pts[i+1][1]-pts[i-1][1])*math.Hypot(pts[i][0]-pts[i-1][0], pts[i][1]-pts[i-1][1]) {
			pts = append(pts[:i], pts[i+1:]...)
			fixed = append(fixed[:i], fixed[i+1:]...)
			i--
		}
	}
	if minSection <= 0 {
		return pts, fixed, 0
	}
	// Sections are measured on the plane, stretched by at most 1/shrink:
	// ask for the section's planar length.
	stuck := map[[2]orb.Point]bool{}
	length := func(ps []orb.Point) float64 {
		t := 0.0
		for k := 1; k < len(ps); k++ {
			t += math.Hypot(ps[k][0]-ps[k-1][0], ps[k][1]-ps[k-1][1])
		}
		return t
	}
	start := length(pts)
	budget := straightenBudget * start
	for iter := 0; iter < 4*len(pts)+8; iter++ {
		best, bestLen := -1, math.Inf(1)
		for i := 0; i+1 < len(pts); i++ {
			l := math.Hypot(pts[i+1][0]-pts[i][0], pts[i+1][1]-pts[i][1])
			if l < minSection && l < bestLen && !(fixed[i] && fixed[i+1]) && !stuck[[2]orb.Point{pts[i], pts[i+1]}] {
				best, bestLen = i, l
			}
		}
		if best < 0 {
			break
		}
		i := best
		done := false
		type option struct {
			pts   []orb.Point
			fixed []bool
			added float64
		}
		var opts []option
		before := length(pts)
		splice := func(from, to int, mid []orb.Point, mfixed []bool) ([]orb.Point, []bool) {
			np := append(append(append([]orb.Point{}, pts[:from]...), mid...), pts[to:]...)
			nf := append(append(append([]bool{}, fixed[:from]...), mfixed...), fixed[to:]...)
			return np, nf
		}
		// Merge the two corners into the meeting point of their outer sections.
		if !fixed[i] && !fixed[i+1] && i > 0 && i+2 < len(pts) {
			if x, ok := meet(pts[i-1], pts[i], pts[i+2], pts[i+1]); ok && s.clearPoint(x, s.margin*(1-1e-9)) && s.visible(pts[i-1], x) && s.visible(x, pts[i+2]) {
				np, nf := splice(i, i+2, []orb.Point{x}, []bool{false})
				opts = append(opts, option{np, nf, length(np) - before})
			}
		}
		// Drop one of them.
		for _, k := range []int{i, i + 1} {
			if k > 0 && k+1 < len(pts) && !fixed[k] && s.visible(pts[k-1], pts[k+1]) {
				np, nf := splice(k, k+1, nil, nil)
				opts = append(opts, option{np, nf, length(np) - before})
			}
		}
		if len(opts) > 0 {
			b := opts[0]
			for _, o := range opts[1:] {
				if o.added < b.added {
					b = o
				}
			}
			if before+b.added-start <= budget {
				pts, fixed = b.pts, b.fixed
				done = true
			}
		}
		if !done {
			stuck[[2]orb.Point{pts[i], pts[i+1]}] = true
		}
	}
	short := 0
	for i := 0; i+1 < len(pts); i++ {
		if math.Hypot(pts[i+1][0]-pts[i][0], pts[i+1][1]-pts[i][1]) < minSection && !(fixed[i] && fixed[i+1]) {
			short++
		}
	}
	return pts, fixed, short
}

// meet returns the point where the ray from a through b meets the ray from
// d through c, both beyond b and c.
func meet(a, b, d, c orb.Point) (orb.Point, bool) {
	rx, ry := b[0]-a[0], b[1]-a[1]
	sx, sy := c[0]-d[0], c[1]-d[1]
	den := rx*sy - ry*sx
	if math.Abs(den) < 1e-12*(math.Abs(rx)+math.Abs(ry))*(math.Abs(sx)+math.Abs(sy)) {
		return orb.Point{}, false
	}
	t := ((d[0]-a[0])*sy - (d[1]-a[1])*sx) / den
	u := ((d[0]-a[0])*ry - (d[1]-a[1])*rx) / den
	if t < 1 || u < 1 {
		return orb.Point{}, false
	}
	return orb.Point{a[0] + t*rx, a[1] + t*ry}, true
}
