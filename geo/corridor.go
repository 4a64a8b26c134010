package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// CircleSegments is the number of straight segments that approximate a full
// circle in a corridor's round caps and joins: 8 per quarter circle, as in
// PostGIS's ST_Buffer.
const CircleSegments = 32

// shape is a convex polygon, counter-clockwise, in local metres.
type shape struct {
	pts   []orb.Point
	bound orb.Bound
	class int8 // relation to the polygon: classOut, classIn or classMixed
}

const (
	classOut int8 = iota
	classIn
	classMixed
)

// strictlyContains reports whether q lies inside the convex shape, more than
// epsMetre from its boundary.
func (s *shape) strictlyContains(q orb.Point) bool {
	if q[0] <= s.bound.Min[0] || q[0] >= s.bound.Max[0] || q[1] <= s.bound.Min[1] || q[1] >= s.bound.Max[1] {
		return false
	}
	n := len(s.pts)
	for k := 0; k < n; k++ {
		a, b := s.pts[k], s.pts[(k+1)%n]
		dx, dy := b[0]-a[0], b[1]-a[1]
		if cross(dx, dy, q[0]-a[0], q[1]-a[1]) <= epsMetre*math.Hypot(dx, dy) {
			return false
		}
	}
	return true
}

// CorridorAreaLocal returns the area in square metres of the part of polygon
// p under the corridor of l: the line buffered by halfWidthM metres with
// round caps and joins of CircleSegments segments per circle. It works in
// the polygon's tangent-plane projection (see LocalProjection), where
// PostGIS's ST_Buffer(geography) works in a best-fit UTM or Lambert
// projection; the two agree to well within a per cent.
//
// The corridor is the union of one rectangle per segment and one polygonal
// disc per vertex; the area of its intersection with p is summed exactly by
// Green's theorem over the boundary of that intersection: the edges of the
// shapes not covered by another shape and inside p, and the edges of p
// inside some shape. A line that doubles back exactly over itself along a
// stretch is not handled (the coincident edges count twice).
func CorridorAreaLocal(l *PreparedLine, p *PreparedPolygon, halfWidthM float64) float64 {
	if !(halfWidthM > 0) {
		return 0
	}
	shapes := corridorShapes(l, p, halfWidthM)
	if len(shapes) == 0 {
		return 0
	}
	var tree rtree.RTreeG[int32]
	all := shapes[0].bound
	for i := range shapes {
		s := &shapes[i]
		tree.Insert(s.bound.Min, s.bound.Max, int32(i))
		all = all.Union(s.bound)
		touches := false
		p.local.search(s.bound, func(int, seg) bool { touches = true; return false })
		switch {
		case touches:
			s.class = classMixed
		case p.local.locate(s.pts[0]) == Inside:
			s.class = classIn
		default:
			s.class = classOut
		}
	}
	if !overlaps(all, p.local.bound) {
		return 0
	}

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
			a, b := s.pts[k], s.pts[(k+1)%n]
			eb := segBound(a, b)
			others = others[:0]
			covered := false
			tree.Search(eb.Min, eb.Max, func(_, _ [2]float64, j int32) bool {
				if int(j) == i {
					return true
				}
				o := &shapes[j]
				if o.strictlyContains(a) && o.strictlyContains(b) {
					covered = true // a convex shape holding both ends holds the edge
					return false
				}
				others = append(others, j)
				return true
			})
			if covered {
				continue
			}
			ts = append(ts[:0], 0, 1)
			for _, j := range others {
				o := &shapes[j]
				m := len(o.pts)
				for q := 0; q < m; q++ {
					c, d := o.pts[q], o.pts[(q+1)%m]
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
				if coveredBy(shapes, others, mid) {
					continue
				}
				if s.class == classMixed && p.local.locate(mid) == Outside {
					continue
				}
				u, v := lerp(a, b, t0), lerp(a, b, t1)
				total += u[0]*v[1] - v[0]*u[1]
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
			m := len(o.pts)
			for q := 0; q < m; q++ {
				c, d := o.pts[q], o.pts[(q+1)%m]
				if !overlaps(eb, segBound(c, d)) {
					continue
				}
				if cnt, t0, t1, _, _ := intersectSegs(e.a, e.b, c, d, epsMetre); cnt > 0 {
					ts = append(ts, t0)
					if cnt == 2 {
						ts = append(ts, t1)
					}
				}
			}
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
			total += u[0]*v[1] - v[0]*u[1]
		}
		return true
	})
	return math.Max(0, total/2)
}

func coveredBy(shapes []shape, idx []int32, q orb.Point) bool {
	for _, j := range idx {
		if shapes[j].strictlyContains(q) {
			return true
		}
	}
	return false
}

// corridorShapes returns the rectangles and discs, in p's local frame, of
// the segments of l that come within r metres of p's bounding box.
func corridorShapes(l *PreparedLine, p *PreparedPolygon, r float64) []shape {
	var shapes []shape
	discs := map[orb.Point]struct{}{}
	rects := map[[2]orb.Point]struct{}{}
	addDisc := func(ll, c orb.Point, theta float64) {
		if _, ok := discs[ll]; ok {
			return
		}
		discs[ll] = struct{}{}
		pts := make([]orb.Point, CircleSegments)
		for k := range pts {
			s, co := math.Sincos(theta + float64(k)*2*math.Pi/CircleSegments)
			pts[k] = orb.Point{c[0] + r*co, c[1] + r*s}
		}
		shapes = append(shapes, shape{pts: pts, bound: orb.MultiPoint(pts).Bound()})
	}
	addRect := func(a, b, A, B orb.Point) {
		dx, dy := B[0]-A[0], B[1]-A[1]
		d := math.Hypot(dx, dy)
		if d == 0 {
			return
		}
		nx, ny := -dy/d*r, dx/d*r
		theta := math.Atan2(ny, nx)
		key := [2]orb.Point{a, b}
		if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
			key = [2]orb.Point{b, a}
		}
		if _, ok := rects[key]; !ok {
			rects[key] = struct{}{}
			rp := []orb.Point{{A[0] - nx, A[1] - ny}, {B[0] - nx, B[1] - ny}, {B[0] + nx, B[1] + ny}, {A[0] + nx, A[1] + ny}}
			shapes = append(shapes, shape{pts: rp, bound: orb.MultiPoint(rp).Bound()})
		}
		addDisc(a, A, theta)
		addDisc(b, B, theta)
	}
	p.localSegments(l, r, addRect)
	return shapes
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
		for si := 0; si+1 < len(pts); si++ {
			a, b := pts[si], pts[si+1]
			if !overlaps(segBound(a, b), search) {
				continue
			}
			A0, B0 := p.proj.Forward(a), p.proj.Forward(b)
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
