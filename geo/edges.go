package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Location is where a point lies relative to a polygon.
type Location int

// Locations of a point relative to a polygon.
const (
	Outside Location = iota
	Boundary
	Inside
)

// String returns "outside", "boundary" or "inside".
func (l Location) String() string {
	switch l {
	case Inside:
		return "inside"
	case Boundary:
		return "boundary"
	}
	return "outside"
}

// seg is one edge of a ring.
type seg struct{ a, b orb.Point }

const chunkSize = 16

// edgeSet holds a polygon's ring edges in one frame (degrees or local
// metres), with an R-tree over runs of chunkSize edges when there are many.
type edgeSet struct {
	edges  []seg
	bound  orb.Bound
	chunks *rtree.RTreeG[int32]
	eps    float64 // distance under which a point is on an edge
	refs   []edgeRef
	rings  []int32 // where each ring's edges start, in a local frame's set
	// With rings: each ring's points (its edges' starts) and bound.
	ringPts   [][]orb.Point
	ringBound []orb.Bound
}

// edgeRef ties an edge of the local frame to the stretch [t0, t1] of the
// degree edge it was cut from.
type edgeRef struct {
	edge   int32
	t0, t1 float64
}

func newEdgeSet(rings []orb.Ring, eps float64) edgeSet {
	var es edgeSet
	es.eps = eps
	for _, r := range rings {
		for i := 1; i < len(r); i++ {
			if r[i-1] == r[i] {
				continue
			}
			es.edges = append(es.edges, seg{r[i-1], r[i]})
		}
		if len(r) > 1 && r[0] != r[len(r)-1] {
			es.edges = append(es.edges, seg{r[len(r)-1], r[0]})
		}
	}
	es.index()
	return es
}

// index computes the bound, each ring's points and bound where the rings
// are known, and, for many edges, the chunk R-tree.
func (es *edgeSet) index() {
	for r, start := range es.rings {
		end := len(es.edges)
		if r+1 < len(es.rings) {
			end = int(es.rings[r+1])
		}
		pts := make([]orb.Point, 0, end-int(start))
		b := orb.Bound{Min: es.edges[start].a, Max: es.edges[start].a}
		for _, e := range es.edges[start:end] {
			pts = append(pts, e.a)
			b = b.Extend(e.a)
		}
		es.ringPts = append(es.ringPts, pts)
		es.ringBound = append(es.ringBound, b)
	}
	if len(es.edges) > 0 {
		es.bound = segBound(es.edges[0].a, es.edges[0].b)
		for _, e := range es.edges[1:] {
			es.bound = es.bound.Union(segBound(e.a, e.b))
		}
	}
	if len(es.edges) > 4*chunkSize {
		es.chunks = new(rtree.RTreeG[int32])
		for c := 0; c*chunkSize < len(es.edges); c++ {
			lo, hi := c*chunkSize, min((c+1)*chunkSize, len(es.edges))
			b := segBound(es.edges[lo].a, es.edges[lo].b)
			for _, e := range es.edges[lo+1 : hi] {
				b = b.Union(segBound(e.a, e.b))
			}
			es.chunks.Insert(b.Min, b.Max, int32(c))
		}
	}
}

// search calls fn for every edge whose box overlaps b, until fn returns false.
func (es *edgeSet) search(b orb.Bound, fn func(i int, e seg) bool) {
	if es.chunks == nil {
		for i, e := range es.edges {
			if overlaps(segBound(e.a, e.b), b) && !fn(i, e) {
				return
			}
		}
		return
	}
	es.chunks.Search(b.Min, b.Max, func(_, _ [2]float64, c int32) bool {
		lo, hi := int(c)*chunkSize, min((int(c)+1)*chunkSize, len(es.edges))
		for i, e := range es.edges[lo:hi] {
			if overlaps(segBound(e.a, e.b), b) && !fn(lo+i, e) {
				return false
			}
		}
		return true
	})
}

// locate tells whether p is inside, on the boundary of or outside the
// polygon made of the edges (even-odd rule, which is right for valid
// polygons with holes and multipolygons).
func (es *edgeSet) locate(p orb.Point) Location {
	if p[0] < es.bound.Min[0]-es.eps || p[0] > es.bound.Max[0]+es.eps || p[1] < es.bound.Min[1]-es.eps || p[1] > es.bound.Max[1]+es.eps {
		return Outside
	}
	inside := false
	onEdge := false
	ray := orb.Bound{Min: orb.Point{p[0] - es.eps, p[1] - es.eps}, Max: orb.Point{es.bound.Max[0] + 1, p[1] + es.eps}}
	es.search(ray, func(_ int, e seg) bool {
		if distPointSeg(p, e.a, e.b) <= es.eps {
			onEdge = true
			return false
		}
		if (e.a[1] > p[1]) != (e.b[1] > p[1]) {
			x := e.a[0] + (p[1]-e.a[1])*(e.b[0]-e.a[0])/(e.b[1]-e.a[1])
			if x > p[0] {
				inside = !inside
			}
		}
		return true
	})
	if onEdge {
		return Boundary
	}
	if inside {
		return Inside
	}
	return Outside
}

// ringsIn appends to dst the rings of a local frame's set clipped to box b
// (Sutherland–Hodgman, one side at a time), leaving out those that miss it,
// and returns it. Clipping them further to a convex shape inside b gives
// the same area as clipping the whole rings. The points are appended to
// store, which is returned too; tmp is scratch space, returned for reuse.
func (es *edgeSet) ringsIn(b orb.Bound, dst [][]orb.Point, store []orb.Point, tmp [2][]orb.Point) ([][]orb.Point, []orb.Point, [2][]orb.Point) {
	sides := [4]struct{ c, u orb.Point }{
		{b.Min, orb.Point{1, 0}}, {b.Min, orb.Point{0, 1}},
		{b.Max, orb.Point{-1, 0}}, {b.Max, orb.Point{0, -1}},
	}
	for r, ring := range es.ringPts {
		if !overlaps(es.ringBound[r], b) {
			continue
		}
		w := ring
		for k, sd := range sides {
			tmp[k%2] = clipHalfPlane(tmp[k%2][:0], w, sd.c, sd.u)
			if w = tmp[k%2]; len(w) < 3 {
				break
			}
		}
		if len(w) >= 3 {
			start := len(store)
			store = append(store, w...)
			dst = append(dst, store[start:len(store):len(store)])
		}
	}
	return dst, store, tmp
}

func cross(ax, ay, bx, by float64) float64 { return ax*by - ay*bx }

// distPointSeg returns the planar distance from p to segment ab.
func distPointSeg(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
		t = math.Max(0, math.Min(1, t))
	}
	return math.Hypot(p[0]-(a[0]+t*dx), p[1]-(a[1]+t*dy))
}

// closestSegSeg returns the planar distance between segments pq and ab and
// the parameters s on pq and t on ab of a closest pair of points.
func closestSegSeg(p, q, a, b orb.Point) (d, s, t float64) {
	if n, s1, _, _, _ := intersectSegs(p, q, a, b, 0); n > 0 {
		_, tt := paramOn(a, b, lerp(p, q, s1))
		return 0, s1, tt
	}
	best := math.Inf(1)
	try := func(d, ss, tt float64) {
		if d < best {
			best, s, t = d, ss, tt
		}
	}
	for _, c := range [...]struct {
		pt   orb.Point
		onPQ bool
		fix  float64
	}{{a, false, 0}, {b, false, 1}, {p, true, 0}, {q, true, 1}} {
		if c.onPQ {
			dd, tt := paramOn(a, b, c.pt)
			try(dd, c.fix, tt)
		} else {
			dd, ss := paramOn(p, q, c.pt)
			try(dd, ss, c.fix)
		}
	}
	return best, s, t
}

// paramOn returns the distance from pt to segment ab and the parameter of
// the closest point.
func paramOn(a, b, pt orb.Point) (float64, float64) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = ((pt[0]-a[0])*dx + (pt[1]-a[1])*dy) / l2
		t = math.Max(0, math.Min(1, t))
	}
	return math.Hypot(pt[0]-(a[0]+t*dx), pt[1]-(a[1]+t*dy)), t
}

func lerp(a, b orb.Point, t float64) orb.Point {
	return orb.Point{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t}
}

// intersectSegs intersects segment pq with segment ab. It returns how many
// parameters on pq it found (0, 1, or 2 for a collinear overlap) and them in
// increasing order; eps is the distance under which ab counts as collinear
// with pq. The parameters u on ab are returned for a single crossing.
func intersectSegs(p, q, a, b orb.Point, eps float64) (n int, t0, t1, u0 float64, collinear bool) {
	rx, ry := q[0]-p[0], q[1]-p[1]
	sx, sy := b[0]-a[0], b[1]-a[1]
	den := cross(rx, ry, sx, sy)
	qpx, qpy := a[0]-p[0], a[1]-p[1]
	rl := math.Hypot(rx, ry)
	sl := math.Hypot(sx, sy)
	if rl == 0 || sl == 0 {
		return 0, 0, 0, 0, false
	}
	if math.Abs(den) <= 1e-12*rl*sl {
		// Parallel: collinear if a lies on the line through pq.
		if math.Abs(cross(qpx, qpy, rx, ry))/rl > math.Max(eps, 1e-12*rl) {
			return 0, 0, 0, 0, false
		}
		r2 := rl * rl
		ta := (qpx*rx + qpy*ry) / r2
		tb := ((b[0]-p[0])*rx + (b[1]-p[1])*ry) / r2
		lo, hi := math.Min(ta, tb), math.Max(ta, tb)
		lo, hi = math.Max(lo, 0), math.Min(hi, 1)
		if lo > hi {
			return 0, 0, 0, 0, false
		}
		if lo == hi {
			return 1, lo, lo, 0, true
		}
		return 2, lo, hi, 0, true
	}
	t := cross(qpx, qpy, sx, sy) / den
	u := cross(qpx, qpy, rx, ry) / den
	const tol = 1e-12
	if t < -tol || t > 1+tol || u < -tol || u > 1+tol {
		return 0, 0, 0, 0, false
	}
	t = math.Max(0, math.Min(1, t))
	u = math.Max(0, math.Min(1, u))
	return 1, t, t, u, false
}
