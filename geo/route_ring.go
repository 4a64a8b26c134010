package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// bigRing is the number of edges above which a ring's edges get an index:
// an R-tree over runs of chunkSize consecutive edges, cheap to build (a
// request draws every forest ring near its route) and quick to search.
const bigRing = 48

// spaceRing is a ring drawn on a route space's plane: a hard obstacle's or
// a soft area's.
type spaceRing struct {
	pts    []orb.Point // planar, not closed, obstacle on the left (outer rings CCW, holes CW)
	bound  orb.Bound
	chunks *rtree.RTreeG[int32] // for rings of more than bigRing edges
	owner  int32
}

// planarRing draws ring r (EPSG:4326) on proj's plane, without repeated
// points or the closing one. An edge longer than edgePieceM is followed
// straight in degrees, as PostGIS's geometry and the check take it, by
// points at most edgePieceM apart. seen, when given, is called with each
// vertex, its planar point and the length of the edge ending there when
// it was long (else 0). It reports false when a vertex cannot be drawn.
func planarRing(proj Gnomonic, r orb.Ring, seen func(v, q orb.Point, long float64)) ([]orb.Point, bool) {
	pts := make([]orb.Point, 0, len(r))
	add := func(q orb.Point) {
		if n := len(pts); n == 0 || pts[n-1] != q {
			pts = append(pts, q)
		}
	}
	for vi, v := range r {
		long := 0.0
		if vi > 0 {
			if l := DistanceGeodesic(r[vi-1], v); l > edgePieceM {
				long = l
				n := int(math.Ceil(l / edgePieceM))
				for k := 1; k < n; k++ {
					if q, ok := proj.Forward(lerp(r[vi-1], v, float64(k)/float64(n))); ok {
						add(q)
					}
				}
			}
		}
		q, ok := proj.Forward(v)
		if !ok {
			return nil, false
		}
		if seen != nil {
			seen(v, q, long)
		}
		add(q)
	}
	if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	return pts, true
}

func (r *spaceRing) index() {
	n := len(r.pts)
	if n <= bigRing {
		return
	}
	r.chunks = &rtree.RTreeG[int32]{}
	for c := 0; c*chunkSize < n; c++ {
		lo, hi := c*chunkSize, min((c+1)*chunkSize, n)
		b := orb.Bound{Min: r.pts[lo], Max: r.pts[lo]}
		for i := lo + 1; i <= hi; i++ {
			b = b.Extend(r.pts[i%n])
		}
		r.chunks.Insert(b.Min, b.Max, int32(c))
	}
}

// edgesNear calls fn for each edge of r whose box comes within pad of b,
// with the edge's index, until fn returns false; it reports whether fn
// never did.
func (r *spaceRing) edgesNear(b orb.Bound, pad float64, fn func(i int, a, c orb.Point) bool) bool {
	n := len(r.pts)
	b = b.Pad(pad)
	edge := func(i int) bool {
		a, c := r.pts[i], r.pts[(i+1)%n]
		if math.Max(a[0], c[0]) < b.Min[0] || math.Min(a[0], c[0]) > b.Max[0] || math.Max(a[1], c[1]) < b.Min[1] || math.Min(a[1], c[1]) > b.Max[1] {
			return true
		}
		return fn(i, a, c)
	}
	if r.chunks == nil {
		for i := range r.pts {
			if !edge(i) {
				return false
			}
		}
		return true
	}
	ok := true
	r.chunks.Search(b.Min, b.Max, func(_, _ [2]float64, c int32) bool {
		for i := int(c) * chunkSize; i < min(int(c+1)*chunkSize, n); i++ {
			if !edge(i) {
				ok = false
				return false
			}
		}
		return true
	})
	return ok
}

func (r *spaceRing) distPoint(p orb.Point) float64 {
	best := math.Inf(1)
	n := len(r.pts)
	for i := range r.pts {
		best = math.Min(best, distPointSeg(p, r.pts[i], r.pts[(i+1)%n]))
	}
	return best
}

// contains is the even-odd test of p against the ring alone, along a ray
// to the east.
func (r *spaceRing) contains(p orb.Point) bool {
	if !r.bound.Contains(p) {
		return false
	}
	if r.chunks == nil {
		return ringCrossings(r.pts, p)
	}
	in := false
	r.edgesNear(orb.Bound{Min: p, Max: orb.Point{r.bound.Max[0], p[1]}}, 0, func(_ int, a, b orb.Point) bool {
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
		return true
	})
	return in
}

// ringsWithin reports whether two sets of rings (each one polygon) come
// closer than d: an edge of one within d of an edge of the other, or a
// vertex of one inside the other.
func ringsWithin(as, bs []*spaceRing, d float64) bool {
	for _, a := range as {
		for _, b := range bs {
			if !a.bound.Pad(d).Intersects(b.bound) {
				continue
			}
			small, big := a, b
			if len(small.pts) > len(big.pts) {
				small, big = big, small
			}
			n := len(small.pts)
			hit := false
			for i := range small.pts {
				p, q := small.pts[i], small.pts[(i+1)%n]
				sb := orb.Bound{Min: p, Max: p}.Extend(q)
				if !sb.Pad(d).Intersects(big.bound) {
					continue
				}
				big.edgesNear(sb, d, func(_ int, a, c orb.Point) bool {
					if segSegDist(p, q, a, c) < d {
						hit = true
						return false
					}
					return true
				})
				if hit {
					return true
				}
			}
		}
	}
	// One inside the other, touching nowhere.
	if ringsContain(bs, as[0].pts[0]) || ringsContain(as, bs[0].pts[0]) {
		return true
	}
	return false
}

// ringsContain is the even-odd test of p against rings.
func ringsContain(rs []*spaceRing, p orb.Point) bool {
	in := false
	for _, r := range rs {
		if r.contains(p) {
			in = !in
		}
	}
	return in
}

func ringCrossings(pts []orb.Point, p orb.Point) bool {
	in := false
	n := len(pts)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := pts[i], pts[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

func convexContains(h []orb.Point, p orb.Point) bool {
	n := len(h)
	for i := range h {
		a, b := h[i], h[(i+1)%n]
		if (b[0]-a[0])*(p[1]-a[1])-(b[1]-a[1])*(p[0]-a[0]) < 0 {
			return false
		}
	}
	return true
}

// segSegDist is the planar distance between segments pq and ab.
func segSegDist(p, q, a, b orb.Point) float64 {
	if segsIntersect(p, q, a, b) {
		return 0
	}
	return math.Min(math.Min(distPointSeg(p, a, b), distPointSeg(q, a, b)), math.Min(distPointSeg(a, p, q), distPointSeg(b, p, q)))
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// segsIntersect reports whether closed segments pq and ab meet (proper or
// improper crossings).
func segsIntersect(p, q, a, b orb.Point) bool {
	d1, d2 := orient(a, b, p), orient(a, b, q)
	d3, d4 := orient(p, q, a), orient(p, q, b)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	on := func(a, b, c orb.Point, d float64) bool {
		return d == 0 && math.Min(a[0], b[0]) <= c[0] && c[0] <= math.Max(a[0], b[0]) && math.Min(a[1], b[1]) <= c[1] && c[1] <= math.Max(a[1], b[1])
	}
	return on(a, b, p, d1) || on(a, b, q, d2) || on(p, q, a, d3) || on(p, q, b, d4)
}

// segHitsBox reports whether segment ab meets box b.
func segHitsBox(a, b orb.Point, bx orb.Bound) bool {
	_, _, ok := segBoxParams(a, b, bx)
	return ok
}

// segBoxParams returns the parameters [t0, t1] ⊂ [0, 1] of segment ab
// inside box bx (Liang–Barsky), or false when it misses the box.
func segBoxParams(a, b orb.Point, bx orb.Bound) (t0, t1 float64, ok bool) {
	t0, t1 = 0.0, 1.0
	d := [2]float64{b[0] - a[0], b[1] - a[1]}
	for k := 0; k < 2; k++ {
		if d[k] == 0 {
			if a[k] < bx.Min[k] || a[k] > bx.Max[k] {
				return 0, 0, false
			}
			continue
		}
		u0, u1 := (bx.Min[k]-a[k])/d[k], (bx.Max[k]-a[k])/d[k]
		if u0 > u1 {
			u0, u1 = u1, u0
		}
		t0, t1 = math.Max(t0, u0), math.Min(t1, u1)
		if t0 > t1 {
			return 0, 0, false
		}
	}
	return t0, t1, true
}

// pieces calls fn with the parameter ranges [lo, hi) of the pieces, at most
// step long (planar), that cut the stretch [t0, t1] of segment ab of length
// l, and the box of each piece; it stops when fn returns false.
func pieces(a, b orb.Point, l, t0, t1, step float64, fn func(lo, hi float64, box orb.Bound) bool) {
	n := max(1, int(math.Ceil((t1-t0)*l/step)))
	prev := lerp(a, b, t0)
	for k := 1; k <= n; k++ {
		lo, hi := t0+(t1-t0)*float64(k-1)/float64(n), t0+(t1-t0)*float64(k)/float64(n)
		next := lerp(a, b, hi)
		if !fn(lo, hi, orb.Bound{Min: prev, Max: prev}.Extend(next)) {
			return
		}
		prev = next
	}
}
