package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// CircleSegments is the number of straight segments that approximate a full
// circle in a corridor's round caps and joins: 8 per quarter circle, as in
// PostGIS's ST_Buffer.
const CircleSegments = 32

// unitPolygon returns the vertices of the regular CircleSegments-gon
// inscribed in the unit circle and the inward unit normals of its edges.
func unitPolygon() (v, n [CircleSegments]orb.Point) {
	for k := range v {
		s, c := math.Sincos(float64(k) * 2 * math.Pi / CircleSegments)
		v[k] = orb.Point{c, s}
		s, c = math.Sincos((float64(k) + 0.5) * 2 * math.Pi / CircleSegments)
		n[k] = orb.Point{-c, -s}
	}
	return v, n
}

// shape is a convex polygon, counter-clockwise, in local metres.
type shape struct {
	pts   []orb.Point
	nrm   []orb.Point // unit inward normal of edge k (pts[k] to pts[k+1])
	bound orb.Bound
	adj   []int32 // shapes likely to cover this one's edges: its neighbours on the line
	class int8    // relation to the polygon: classOut, classIn or classMixed
	// prev is an earlier shape this one shares a point with (-1: none).
	prev int32
	// For a disc: its centre, radius and the angle of its first vertex.
	disc          bool
	centre        orb.Point
	radius, theta float64
}

// cut appends to ts the parameters on segment ab (with bound eb) where it
// meets the shape's boundary. For a disc only the edges whose angular span
// the segment's passage through the circumcircle sweeps are tried.
func (o *shape) cut(a, b orb.Point, eb orb.Bound, ts []float64) []float64 {
	m := len(o.pts)
	lo, hi := 0, m-1
	if o.disc {
		// Clip ab to the circumcircle (slightly enlarged).
		dx, dy := b[0]-a[0], b[1]-a[1]
		fx, fy := a[0]-o.centre[0], a[1]-o.centre[1]
		qa := dx*dx + dy*dy
		qb := 2 * (fx*dx + fy*dy)
		rr := o.radius * (1 + 1e-9)
		qc := fx*fx + fy*fy - rr*rr
		disc := qb*qb - 4*qa*qc
		if qa == 0 || disc < 0 {
			return ts
		}
		sq := math.Sqrt(disc)
		t1, t2 := (-qb-sq)/(2*qa), (-qb+sq)/(2*qa)
		t1, t2 = math.Max(t1, 0), math.Min(t2, 1)
		if t1 > t2 {
			return ts
		}
		const step = 2 * math.Pi / CircleSegments
		angle := func(t float64) float64 {
			return math.Atan2(fy+t*dy, fx+t*dx) - o.theta
		}
		k1 := int(math.Floor(angle(t1) / step))
		k2 := int(math.Floor(angle(t2) / step))
		// Sweep the short way round, with one edge of margin each side.
		d := ((k2-k1)%m + m) % m
		if d <= m/2 {
			lo, hi = k1-1, k1+d+1
		} else {
			lo, hi = k2-1, k2+(m-d)+1
		}
		if hi-lo >= m {
			lo, hi = 0, m-1
		}
	}
	count := hi - lo + 1
	q := ((lo % m) + m) % m
	for ; count > 0; count-- {
		q2 := q + 1
		if q2 == m {
			q2 = 0
		}
		c, d := o.pts[q], o.pts[q2]
		q = q2
		if !overlaps(eb, segBound(c, d)) {
			continue
		}
		if cnt, t0, t1, _, _ := intersectSegs(a, b, c, d, epsMetre); cnt > 0 {
			ts = append(ts, t0)
			if cnt == 2 {
				ts = append(ts, t1)
			}
		}
	}
	return ts
}

func newShape(pts []orb.Point) shape {
	s := shape{pts: pts, nrm: make([]orb.Point, len(pts)), prev: -1}
	s.setNormals()
	return s
}

// setNormals fills in the shape's bound and inward edge normals from its
// points.
func (s *shape) setNormals() {
	pts := s.pts
	s.bound = orb.Bound{Min: pts[0], Max: pts[0]}
	n := len(pts)
	for k := 0; k < n; k++ {
		a, b := pts[k], pts[(k+1)%n]
		s.bound.Min[0], s.bound.Min[1] = math.Min(s.bound.Min[0], a[0]), math.Min(s.bound.Min[1], a[1])
		s.bound.Max[0], s.bound.Max[1] = math.Max(s.bound.Max[0], a[0]), math.Max(s.bound.Max[1], a[1])
		dx, dy := b[0]-a[0], b[1]-a[1]
		l := math.Hypot(dx, dy)
		s.nrm[k] = orb.Point{-dy / l, dx / l}
	}
}

const (
	classOut int8 = iota
	classIn
	classMixed
)

// epsInside is the depth, in metres, at which a point counts as inside a
// corridor shape. It is far below epsMetre because where the line turns
// slightly, neighbouring rectangles cross at a tiny angle and the pieces to
// classify lie within micrometres of each other's edges.
const epsInside = 1e-8

// strictlyContains reports whether q lies inside the convex shape, more than
// epsInside from its boundary.
func (s *shape) strictlyContains(q orb.Point) bool {
	if q[0] <= s.bound.Min[0] || q[0] >= s.bound.Max[0] || q[1] <= s.bound.Min[1] || q[1] >= s.bound.Max[1] {
		return false
	}
	for k, a := range s.pts {
		nm := s.nrm[k]
		if (q[0]-a[0])*nm[0]+(q[1]-a[1])*nm[1] <= epsInside {
			return false
		}
	}
	return true
}

// minHalfWidth is the narrowest half corridor, in metres, given an area:
// below it the corridor's edges come within the tolerance (epsMetre) of
// the line and the polygon, and its area is nil for any purpose anyway.
const minHalfWidth = 1e-3

// CorridorAreaLocal returns the area in square metres of the part of polygon
// p under the corridor of l: the line buffered by halfWidthM metres with
// round caps and joins of CircleSegments segments per circle (0 for a half
// width under a millimetre). It works in
// the polygon's tangent-plane projection (see LocalProjection), where
// PostGIS's ST_Buffer(geography) works in a best-fit UTM or Lambert
// projection; the two agree to well within a per cent.
//
// The corridor is the union of one rectangle per segment and one polygonal
// disc per vertex, cut into pieces that do not overlap where the line does
// not come back within a corridor's width of itself (see corridor): then
// the area is the sum of each piece's own area, for the pieces wholly inside
// p, and of its part inside p for those near p's boundary. Otherwise the
// area of the union's intersection with p is summed exactly by Green's
// theorem over its boundary (see unionArea).
func CorridorAreaLocal(l *PreparedLine, p *PreparedPolygon, halfWidthM float64) float64 {
	if !(halfWidthM >= minHalfWidth) {
		return 0
	}
	return new(CorridorMeter).Area(l, p, halfWidthM)
}

// unionArea is the area inside p of the union of shapes that may overlap
// anywhere: the edges of each shape not covered by another and inside p,
// and the edges of p inside some shape. Where shapes share a stretch of
// boundary facing the same way (a line doubling back over itself), the
// first shape counts it.
func unionArea(p *PreparedPolygon, shapes []shape) float64 {
	if len(shapes) == 0 {
		return 0
	}
	all := classify(p, shapes)
	if !overlaps(all, p.local.bound) {
		return 0
	}
	// Each shape's neighbours: the shapes whose boxes overlap its own
	// (those an edge of it can meet), found by a sweep along x.
	nb := shapeNeighbours(shapes)
	var tree rtree.RTreeG[int32]
	for i := range shapes {
		tree.Insert(shapes[i].bound.Min, shapes[i].bound.Max, int32(i))
	}

	// Sum about the middle of the corridor's stretch: any rounding slip in
	// the boundary then costs its length times a short lever.
	o := all.Center()
	var total float64
	var ts []float64
	var others []int32
	for i := range shapes {
		s := &shapes[i]
		if s.class == classOut {
			continue
		}
		n := len(s.pts)
		for k := 0; k < n; k++ {
			k2 := k + 1
			if k2 == n {
				k2 = 0
			}
			a, b := s.pts[k], s.pts[k2]
			covered := false
			for _, j := range s.adj {
				if o := &shapes[j]; o.strictlyContains(a) && o.strictlyContains(b) {
					covered = true
					break
				}
			}
			if covered {
				continue
			}
			eb := segBound(a, b)
			others = others[:0]
			for _, j := range nb[i] {
				o := &shapes[j]
				if !overlaps(o.bound, eb) {
					continue
				}
				if o.strictlyContains(a) && o.strictlyContains(b) {
					covered = true // a convex shape holding both ends holds the edge
					break
				}
				others = append(others, j)
			}
			if covered {
				continue
			}
			ts = append(ts[:0], 0, 1)
			for _, j := range others {
				ts = shapes[j].cut(a, b, eb, ts)
			}
			if s.class == classMixed {
				p.local.search(eb, func(_ int, e seg) bool {
					if cnt, t0, t1, _, _ := intersectSegs(a, b, e.a, e.b, epsMetre); cnt > 0 {
						ts = append(ts, t0)
						if cnt == 2 {
							ts = append(ts, t1)
						}
					}
					return true
				})
			}
			slices.Sort(ts)
			for q := 0; q+1 < len(ts); q++ {
				t0, t1 := ts[q], ts[q+1]
				if t1-t0 < 1e-12 {
					continue
				}
				mid := lerp(a, b, (t0+t1)/2)
				if coveredBy(shapes, others, mid) || sharedWithEarlier(shapes, others, int32(i), mid, s.nrm[k]) {
					continue
				}
				if s.class == classMixed && p.local.locate(mid) == Outside {
					continue
				}
				u, v := lerp(a, b, t0), lerp(a, b, t1)
				total += (u[0]-o[0])*(v[1]-o[1]) - (v[0]-o[0])*(u[1]-o[1])
			}
		}
	}

	// Edges of the polygon inside the corridor.
	p.local.search(all, func(_ int, e seg) bool {
		eb := segBound(e.a, e.b)
		others = others[:0]
		tree.Search(eb.Min, eb.Max, func(_, _ [2]float64, j int32) bool {
			others = append(others, j)
			return true
		})
		if len(others) == 0 {
			return true
		}
		ts = append(ts[:0], 0, 1)
		for _, j := range others {
			o := &shapes[j]
			if o.strictlyContains(e.a) && o.strictlyContains(e.b) {
				ts = append(ts[:0], 0, 1)
				break
			}
			ts = o.cut(e.a, e.b, eb, ts)
		}
		slices.Sort(ts)
		for q := 0; q+1 < len(ts); q++ {
			t0, t1 := ts[q], ts[q+1]
			if t1-t0 < 1e-12 {
				continue
			}
			if !coveredBy(shapes, others, lerp(e.a, e.b, (t0+t1)/2)) {
				continue
			}
			u, v := lerp(e.a, e.b, t0), lerp(e.a, e.b, t1)
			total += (u[0]-o[0])*(v[1]-o[1]) - (v[0]-o[0])*(u[1]-o[1])
		}
		return true
	})
	return math.Max(0, total/2)
}

// classify sets each shape's class (wholly outside p, wholly inside, or
// near its boundary) and returns the bound of all the shapes.
func classify(p *PreparedPolygon, shapes []shape) orb.Bound {
	all := shapes[0].bound
	for i := range shapes {
		s := &shapes[i]
		all = joinBounds(all, s.bound)
		touches := false
		p.local.search(s.bound, func(int, seg) bool { touches = true; return false })
		prev := int8(-1)
		if s.prev >= 0 {
			prev = shapes[s.prev].class
		}
		s.class = classFrom(p, touches, prev, s.pts[0])
	}
	return all
}

// classFrom is the class of a shape given whether an edge of p comes near
// it, the class of an earlier shape it shares a point with (-1: none), and
// a point of it to locate otherwise.
func classFrom(p *PreparedPolygon, touches bool, prev int8, at orb.Point) int8 {
	switch {
	case touches:
		return classMixed
	case prev >= 0 && prev != classMixed:
		// No edge of p near either shape, and they share a point: both
		// are wholly inside p, or both wholly outside.
		return prev
	case p.local.locate(at) == Inside:
		return classIn
	}
	return classOut
}

// epsApart is how far, in metres, one shape may reach into another and the
// two still count as apart: shapes that meet along an edge (a mitre line, a
// wedge's side) have their points on it only to rounding.
const epsApart = 1e-7

// apart reports whether the convex shapes s and o have no interior point in
// common: an edge of one has all of the other on its outer side.
func apart(s, o *shape) bool {
	return separates(s, o) || separates(o, s)
}

func separates(s, o *shape) bool {
	if o.bound.Min[0] >= s.bound.Max[0]-epsApart || o.bound.Max[0] <= s.bound.Min[0]+epsApart ||
		o.bound.Min[1] >= s.bound.Max[1]-epsApart || o.bound.Max[1] <= s.bound.Min[1]+epsApart {
		return true
	}
	for k, a := range s.pts {
		nm := s.nrm[k]
		out := true
		for _, q := range o.pts {
			if (q[0]-a[0])*nm[0]+(q[1]-a[1])*nm[1] > epsApart {
				out = false
				break
			}
		}
		if out {
			return true
		}
	}
	return false
}

// areaInside returns the area of the part of p inside the shape, given
// p's rings (in its local frame, outer rings counter-clockwise and holes
// clockwise) or their parts in a box that holds the shape (see ringsIn):
// each ring clipped to the shape one edge's half-plane at a time
// (Sutherland–Hodgman), their signed areas summed. For a convex window that
// is exact whatever the ring, the stretches it leaves along the window's
// edges having no area, and it takes no tolerance: a ring running along an
// edge of the shape, or nearly, is clipped like any other. work is scratch
// space, returned for reuse.
func (s *shape) areaInside(rings [][]orb.Point, work [][]orb.Point) (float64, [][]orb.Point) {
	for len(work) < 2 {
		work = append(work, nil)
	}
	var total float64
	for _, ring := range rings {
		w := ring
		for k, c := range s.pts {
			out := clipHalfPlane(work[k%2][:0], w, c, s.nrm[k])
			work[k%2] = out
			w = out
			if len(w) < 3 {
				break
			}
		}
		if len(w) >= 3 {
			total += ringArea(w)
		}
	}
	return total, work
}

// shapeNeighbours returns, for each shape, the other shapes whose bounds
// overlap its own.
func shapeNeighbours(shapes []shape) [][]int32 {
	order := make([]int32, len(shapes))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		return cmp.Compare(shapes[a].bound.Min[0], shapes[b].bound.Min[0])
	})
	nb := make([][]int32, len(shapes))
	active := make([]int32, 0, 16)
	for _, i := range order {
		bi := shapes[i].bound
		w := 0
		for _, j := range active {
			bj := shapes[j].bound
			if bj.Max[0] < bi.Min[0] {
				continue // ends before this one starts, and every later one
			}
			active[w] = j
			w++
			if bj.Min[1] <= bi.Max[1] && bj.Max[1] >= bi.Min[1] {
				nb[i] = append(nb[i], j)
				nb[j] = append(nb[j], i)
			}
		}
		active = append(active[:w], i)
	}
	return nb
}

// sharedWithEarlier reports whether q lies on an edge, facing the same way
// (inward normal nrm), of a shape among idx that comes before shape i: the
// two shapes share that stretch of boundary, and only the first counts it.
func sharedWithEarlier(shapes []shape, idx []int32, i int32, q, nrm orb.Point) bool {
	const eps = 1e-6
	for _, j := range idx {
		if j >= i {
			continue
		}
		o := &shapes[j]
		on := false
		for k, a := range o.pts {
			nm := o.nrm[k]
			d := (q[0]-a[0])*nm[0] + (q[1]-a[1])*nm[1]
			if d < -eps {
				on = false
				break
			}
			if d <= eps && nm[0]*nrm[0]+nm[1]*nrm[1] > 0.999 {
				on = true
			}
		}
		if on {
			return true
		}
	}
	return false
}

func coveredBy(shapes []shape, idx []int32, q orb.Point) bool {
	for _, j := range idx {
		if shapes[j].strictlyContains(q) {
			return true
		}
	}
	return false
}

// clipHalfPlane appends to dst the part of the convex polygon pts
// (counter-clockwise, not closed) where (x - c)·u >= 0, and returns it.
func clipHalfPlane(dst, pts []orb.Point, c, u orb.Point) []orb.Point {
	side := func(q orb.Point) float64 { return (q[0]-c[0])*u[0] + (q[1]-c[1])*u[1] }
	for i, a := range pts {
		b := pts[(i+1)%len(pts)]
		sa, sb := side(a), side(b)
		if sa >= 0 {
			dst = append(dst, a)
		}
		if (sa >= 0) != (sb >= 0) {
			t := sa / (sa - sb)
			dst = append(dst, orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])})
		}
	}
	return dst
}

// dedupRing drops the points of an open ring within eps of the one before
// (a corner where a cut meets a vertex): an edge that short has no
// direction to speak of.
func dedupRing(pts []orb.Point, eps float64) []orb.Point {
	near := func(a, b orb.Point) bool { return math.Abs(a[0]-b[0]) < eps && math.Abs(a[1]-b[1]) < eps }
	out := pts[:0]
	for i, q := range pts {
		if i > 0 && near(q, out[len(out)-1]) {
			continue
		}
		out = append(out, q)
	}
	for len(out) > 1 && near(out[len(out)-1], out[0]) {
		out = out[:len(out)-1]
	}
	return out
}

// ringArea is the area of an open ring (signed: positive counter-clockwise).
func ringArea(pts []orb.Point) float64 {
	var a float64
	for i, q := range pts {
		n := pts[(i+1)%len(pts)]
		a += q[0]*n[1] - n[0]*q[1]
	}
	return a / 2
}

// localSegments calls fn, in line order, with the pieces of the segments of
// l that come within padM metres of p's bounding box: their ends in degrees
// and in p's local frame. Segments longer than maxLocalEdge are cut, so
// that the pieces follow the degree-straight segment in the local frame.
func (p *PreparedPolygon) localSegments(l *PreparedLine, padM float64, fn func(a, b, A, B orb.Point)) {
	pb := p.Bound()
	maxLat := math.Max(math.Abs(pb.Min[1]), math.Abs(pb.Max[1]))
	latPad := padM/110000*1.05 + epsDeg
	cosLat := math.Cos(math.Min(89.9, maxLat+latPad) * degToRad)
	lonPad := padM/(111000*cosLat)*1.05 + epsDeg
	search := orb.Bound{Min: orb.Point{pb.Min[0] - lonPad, pb.Min[1] - latPad}, Max: orb.Point{pb.Max[0] + lonPad, pb.Max[1] + latPad}}
	for pi := range l.parts {
		pts := l.parts[pi].pts
		last := -1 // index of the vertex whose projection is in lastP
		var lastP orb.Point
		part := &l.parts[pi]
		for si := 0; si+1 < len(pts); si++ {
			if si%runSegments == 0 && !overlaps(part.runs[si/runSegments], search) {
				si = part.firstNear(si, search) - 1
				continue
			}
			a, b := pts[si], pts[si+1]
			if !overlaps(segBound(a, b), search) {
				continue
			}
			// Only the stretch inside the search box can matter: cut long
			// segments to it, so a line's far-off length costs nothing.
			t0, t1 := clipToBound(a, b, search)
			if t0 > t1 {
				continue
			}
			var A0, B0 orb.Point
			if t0 > 0 {
				a = lerp(pts[si], pts[si+1], t0)
				A0 = p.proj.Forward(a)
			} else if last == si {
				A0 = lastP
			} else {
				A0 = p.proj.Forward(a)
			}
			if t1 < 1 {
				b = lerp(pts[si], pts[si+1], t1)
			}
			B0 = p.proj.Forward(b)
			last, lastP = -1, orb.Point{}
			if t1 == 1 {
				last, lastP = si+1, B0
			}
			parts := int(math.Ceil(math.Hypot(B0[0]-A0[0], B0[1]-A0[1]) / maxLocalEdge))
			prevLL, prev := a, A0
			for q := 1; q <= parts; q++ {
				nextLL, next := b, B0
				if q < parts {
					nextLL = lerp(a, b, float64(q)/float64(parts))
					next = p.proj.Forward(nextLL)
				}
				fn(prevLL, nextLL, prev, next)
				prevLL, prev = nextLL, next
			}
		}
	}
}

// clipToBound returns the parameter range [t0, t1] of segment ab inside b
// (Liang–Barsky); t0 > t1 when the segment misses the box.
func clipToBound(a, b orb.Point, bd orb.Bound) (t0, t1 float64) {
	t0, t1 = 0, 1
	d := [2]float64{b[0] - a[0], b[1] - a[1]}
	for k := 0; k < 2; k++ {
		if d[k] == 0 {
			if a[k] < bd.Min[k] || a[k] > bd.Max[k] {
				return 1, 0
			}
			continue
		}
		u0, u1 := (bd.Min[k]-a[k])/d[k], (bd.Max[k]-a[k])/d[k]
		if u0 > u1 {
			u0, u1 = u1, u0
		}
		t0, t1 = math.Max(t0, u0), math.Min(t1, u1)
	}
	return t0, t1
}
