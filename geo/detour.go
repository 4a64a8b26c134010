package geo

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// ErrEndpointInside means an alignment starts or ends inside an obstacle,
// so that no detour can avoid it.
var ErrEndpointInside = errors.New("geo: alignment endpoint inside an obstacle")

// EndpointError names the obstacle an alignment starts or ends in.
type EndpointError struct {
	Obstacle int  // index into the obstacles given
	End      bool // false: the start, true: the end
}

// Error names the end and the obstacle.
func (e *EndpointError) Error() string {
	which := "starts"
	if e.End {
		which = "ends"
	}
	return fmt.Sprintf("%v: the alignment %s inside obstacle %d", ErrEndpointInside, which, e.Obstacle)
}

// Unwrap returns ErrEndpointInside.
func (e *EndpointError) Unwrap() error { return ErrEndpointInside }

// Detour is an alignment rerouted around obstacles.
type Detour struct {
	Line orb.LineString
	// Avoided are the indexes of the obstacles the original line crossed
	// (within the margin) and the detour goes around.
	Avoided []int
}

// DetourPlanar reroutes line around obstacles, keeping it unchanged where it
// keeps at least marginM metres from every obstacle. Each obstacle (or group
// of obstacles whose margin-widened convex hulls overlap) that the line
// crosses is bypassed along its widened convex hull, on whichever side is
// shorter, between the line's first entry into the hull and its last exit.
//
// The work is done in an equirectangular plane centred on the line: it is
// affine in longitude and latitude, so straight edges and convex hulls are
// those of the planar (EPSG:4326) geometries, and containment is exact; the
// margin is true to the plane's scale at the centre (a fraction of a
// percent over a few hundred kilometres). Callers verify the result with a
// check.
func DetourPlanar(line orb.LineString, obstacles []orb.MultiPolygon, marginM float64) (*Detour, error) {
	if len(line) < 2 {
		return nil, &LineError{Err: ErrEmpty, Part: -1, Vertex: -1}
	}
	pl := newPlane(line.Bound().Center())
	pts := make([]orb.Point, len(line))
	for i, p := range line {
		pts[i] = pl.fwd(p)
	}
	var hulls []*hull
	for i, mp := range obstacles {
		var vs []orb.Point
		for _, poly := range mp {
			if len(poly) == 0 {
				continue
			}
			for _, p := range poly[0] {
				vs = append(vs, pl.fwd(p))
			}
		}
		if len(vs) < 3 {
			continue
		}
		hulls = append(hulls, &hull{pts: convexHull(widen(vs, marginM)), members: []int{i}})
	}
	hulls = mergeOverlapping(hulls)
	for {
		spans, err := crossingSpans(pts, hulls)
		if err != nil {
			return nil, err
		}
		merged := false
		for i := 1; i < len(spans); i++ {
			if spans[i].in < spans[i-1].out {
				// The line weaves between two hulls: go around both.
				a, b := spans[i-1].h, spans[i].h
				a.pts = convexHull(append(append([]orb.Point(nil), a.pts...), b.pts...))
				a.members = append(a.members, b.members...)
				hulls = removeHull(hulls, b)
				hulls = mergeOverlapping(hulls)
				merged = true
				break
			}
		}
		if merged {
			continue
		}
		out := make(orb.LineString, 0, len(pts))
		var avoided []int
		next := 0 // first original vertex not yet emitted
		for _, sp := range spans {
			for ; float64(next) < sp.in; next++ {
				out = append(out, pts[next])
			}
			a, b := pointAt(pts, sp.in), pointAt(pts, sp.out)
			out = append(out, a)
			out = append(out, sp.h.around(a, b)...)
			out = append(out, b)
			for float64(next) <= sp.out {
				next++
			}
			avoided = append(avoided, sp.h.members...)
		}
		out = append(out, pts[next:]...)
		res := make(orb.LineString, 0, len(out))
		for _, p := range out {
			q := pl.inv(p)
			if len(res) == 0 || res[len(res)-1] != q {
				res = append(res, q)
			}
		}
		sort.Ints(avoided)
		return &Detour{Line: res, Avoided: avoided}, nil
	}
}

// plane is an equirectangular projection scaled to metres at its centre.
type plane struct {
	lon0, lat0, kx, ky float64
}

func newPlane(c orb.Point) plane {
	sin := math.Sin(c[1] * degToRad)
	w := math.Sqrt(1 - eccSq*sin*sin)
	n := SemiMajorAxis / w                         // prime vertical radius
	m := SemiMajorAxis * (1 - eccSq) / (w * w * w) // meridian radius
	return plane{lon0: c[0], lat0: c[1], kx: n * math.Cos(c[1]*degToRad) * degToRad, ky: m * degToRad}
}

func (p plane) fwd(q orb.Point) orb.Point {
	return orb.Point{(q[0] - p.lon0) * p.kx, (q[1] - p.lat0) * p.ky}
}

func (p plane) inv(q orb.Point) orb.Point {
	return orb.Point{q[0]/p.kx + p.lon0, q[1]/p.ky + p.lat0}
}

// widen returns the points with a 16-gon of radius r around each, so that
// their convex hull keeps about r from the originals.
func widen(vs []orb.Point, r float64) []orb.Point {
	if r <= 0 {
		return vs
	}
	// The 16-gon's edges come within r·cos(π/16) of the centre: scale up so
	// that they keep r.
	r /= math.Cos(math.Pi / 16)
	out := make([]orb.Point, 0, len(vs)*16)
	for _, v := range vs {
		for k := range 16 {
			s, c := math.Sincos(float64(k) * math.Pi / 8)
			out = append(out, orb.Point{v[0] + r*c, v[1] + r*s})
		}
	}
	return out
}

// convexHull returns the convex hull of ps, counter-clockwise, first vertex
// not repeated (Andrew's monotone chain).
func convexHull(ps []orb.Point) []orb.Point {
	ps = append([]orb.Point(nil), ps...)
	sort.Slice(ps, func(i, j int) bool {
		if ps[i][0] != ps[j][0] {
			return ps[i][0] < ps[j][0]
		}
		return ps[i][1] < ps[j][1]
	})
	cross := func(o, a, b orb.Point) float64 {
		return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
	}
	h := make([]orb.Point, 0, 2*len(ps))
	for _, p := range ps {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	lower := len(h) + 1
	for i := len(ps) - 2; i >= 0; i-- {
		p := ps[i]
		for len(h) >= lower && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	return h[:len(h)-1]
}

// hull is a convex obstacle: the widened hull of one or more obstacles.
type hull struct {
	pts     []orb.Point // counter-clockwise
	members []int
}

// overlap reports whether two convex polygons share any point (separating
// axis test).
func (h *hull) overlap(o *hull) bool {
	for _, poly := range [2][]orb.Point{h.pts, o.pts} {
		for i := range poly {
			a, b := poly[i], poly[(i+1)%len(poly)]
			nx, ny := b[1]-a[1], a[0]-b[0]
			minA, maxA := project(h.pts, nx, ny)
			minB, maxB := project(o.pts, nx, ny)
			if maxA < minB || maxB < minA {
				return false
			}
		}
	}
	return true
}

func project(ps []orb.Point, nx, ny float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range ps {
		d := p[0]*nx + p[1]*ny
		lo, hi = math.Min(lo, d), math.Max(hi, d)
	}
	return lo, hi
}

func mergeOverlapping(hs []*hull) []*hull {
	for {
		merged := false
		for i := 0; i < len(hs) && !merged; i++ {
			for j := i + 1; j < len(hs); j++ {
				if hs[i].overlap(hs[j]) {
					hs[i].pts = convexHull(append(append([]orb.Point(nil), hs[i].pts...), hs[j].pts...))
					hs[i].members = append(hs[i].members, hs[j].members...)
					hs = append(hs[:j], hs[j+1:]...)
					merged = true
					break
				}
			}
		}
		if !merged {
			return hs
		}
	}
}

func removeHull(hs []*hull, h *hull) []*hull {
	for i := range hs {
		if hs[i] == h {
			return append(hs[:i], hs[i+1:]...)
		}
	}
	return hs
}

// span is where a line is inside a hull: from its first entry to its last
// exit, as positions along the line (vertex index + fraction).
type span struct {
	in, out float64
	h       *hull
}

func crossingSpans(pts []orb.Point, hulls []*hull) ([]span, error) {
	var spans []span
	last := float64(len(pts) - 1)
	for hi, h := range hulls {
		in, out := math.Inf(1), math.Inf(-1)
		for k := 0; k+1 < len(pts); k++ {
			t0, t1, ok := clipConvex(pts[k], pts[k+1], h.pts)
			if !ok || t1-t0 < 1e-12 {
				continue
			}
			in = math.Min(in, float64(k)+t0)
			out = math.Max(out, float64(k)+t1)
		}
		if math.IsInf(in, 1) {
			continue
		}
		if in <= 1e-9 {
			return nil, &EndpointError{Obstacle: hulls[hi].members[0], End: false}
		}
		if out >= last-1e-9 {
			return nil, &EndpointError{Obstacle: hulls[hi].members[0], End: true}
		}
		spans = append(spans, span{in: in, out: out, h: h})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].in < spans[j].in })
	return spans, nil
}

// clipConvex clips the segment a→b to a counter-clockwise convex polygon
// (Cyrus–Beck) and returns the parameter range inside it.
func clipConvex(a, b orb.Point, poly []orb.Point) (t0, t1 float64, ok bool) {
	t0, t1 = 0, 1
	dx, dy := b[0]-a[0], b[1]-a[1]
	for i := range poly {
		p, q := poly[i], poly[(i+1)%len(poly)]
		// Inside is to the left of p→q: cross(q-p, x-p) >= 0.
		ex, ey := q[0]-p[0], q[1]-p[1]
		num := ex*(a[1]-p[1]) - ey*(a[0]-p[0]) // value at a
		den := ex*dy - ey*dx                   // its change along a→b
		if den == 0 {
			if num < 0 {
				return 0, 0, false
			}
			continue
		}
		t := -num / den
		if den > 0 {
			t0 = math.Max(t0, t) // entering
		} else {
			t1 = math.Min(t1, t) // leaving
		}
		if t0 > t1 {
			return 0, 0, false
		}
	}
	return t0, t1, true
}

func pointAt(pts []orb.Point, s float64) orb.Point {
	k := int(math.Floor(s))
	if k >= len(pts)-1 {
		return pts[len(pts)-1]
	}
	t := s - float64(k)
	a, b := pts[k], pts[k+1]
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// around returns the hull's vertices passed going from a to b (both on its
// boundary) along the shorter way round.
func (h *hull) around(a, b orb.Point) []orb.Point {
	n := len(h.pts)
	cum := make([]float64, n+1)
	for i := range n {
		cum[i+1] = cum[i] + dist(h.pts[i], h.pts[(i+1)%n])
	}
	per := cum[n]
	pos := func(p orb.Point) float64 {
		best, at := math.Inf(1), 0.0
		for i := range n {
			q, r := h.pts[i], h.pts[(i+1)%n]
			d, t := segDist(p, q, r)
			if d < best {
				best, at = d, cum[i]+t*dist(q, r)
			}
		}
		return at
	}
	pa, pb := pos(a), pos(b)
	ccw := math.Mod(pb-pa+per, per)
	var out []orb.Point
	if ccw <= per-ccw {
		for k := 1; k <= n; k++ {
			i := k % n
			d := math.Mod(cum[i]-pa+per, per)
			if d > 0 && d < ccw {
				out = append(out, h.pts[i])
			}
		}
		sort.Slice(out, func(i, j int) bool {
			return math.Mod(pos(out[i])-pa+per, per) < math.Mod(pos(out[j])-pa+per, per)
		})
		return out
	}
	cw := per - ccw
	for i := range n {
		d := math.Mod(pa-cum[i]+per, per)
		if d > 0 && d < cw {
			out = append(out, h.pts[i])
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return math.Mod(pa-pos(out[i])+per, per) < math.Mod(pa-pos(out[j])+per, per)
	})
	return out
}

func dist(a, b orb.Point) float64 { return math.Hypot(b[0]-a[0], b[1]-a[1]) }

// segDist returns the distance from p to segment q→r and the parameter of
// the nearest point.
func segDist(p, q, r orb.Point) (float64, float64) {
	dx, dy := r[0]-q[0], r[1]-q[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((p[0]-q[0])*dx+(p[1]-q[1])*dy)/l2))
	}
	return math.Hypot(p[0]-q[0]-t*dx, p[1]-q[1]-t*dy), t
}
