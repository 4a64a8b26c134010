package geo

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// ErrNoRoute means no route keeps the margin between two points.
var ErrNoRoute = errors.New("geo: no route keeps the margin")

// arcStep is the largest turn, in radians, one corner of the outside
// approximation of a margin arc takes: 22.5°. A route bending round an
// arc of angle α is at most α·m·(tan(δ/2)/(δ/2) − 1) ≈ 1.3 % of the arc's
// length m·α longer than the true arc, under 4 m for a 100 m margin turning
// a right angle.
const arcStep = math.Pi / 8

// edgePieceM is the longest piece of a polygon edge taken straight on the
// plane.
const edgePieceM = 1000.0

// RouteSpace is the free space of a routing problem: every point whose
// geodesic distance to each hard polygon is at least a margin, drawn in a
// gnomonic plane (see Gnomonic) around the problem. It is immutable once
// built and safe for concurrent use.
type RouteSpace struct {
	proj    Gnomonic
	margin  float64 // on the plane, ≥ the geodesic margin / shrink
	marginM float64 // geodesic, as asked
	shrink  float64 // Gnomonic.ShrinkBound over the space
	rings   []spaceRing
	raw     [][]orb.Point // the projected input rings, for tests
	ringIdx rtree.RTreeG[int32]
	owners  int // obstacles (polygons or reduced components), for the even-odd test
	corners []spaceNode
	stats   SpaceStats
}

// SpaceStats tell what a RouteSpace holds.
type SpaceStats struct {
	Polygons   int // hard polygons taken in
	Components int // groups of polygons whose widened shapes touch
	Reduced    int // components replaced by their convex hull (exact: see the package doc)
	Rings      int // obstacle rings
	Corners    int // corner nodes in the free space
}

// spaceNode is a corner of the widened obstacles: a vertex of the outside
// approximation of a margin arc. prev and next are its neighbours on the
// widened boundary; a shortest path bending here keeps both on one side.
type spaceNode struct {
	p, prev, next orb.Point
}

// NewRouteSpace builds the free space around hard polygons (EPSG:4326) for
// routes between terminals (EPSG:4326: ends and waypoints) that keep a
// geodesic distance of marginM from every polygon. The plane is centred on
// the terminals and covers the polygons; its planar margin is widened by
// the projection's largest shrink over that area (Gnomonic.ShrinkBound),
// plus a centimetre, so that a planar clearance proves the geodesic one.
//
// Polygons whose widened shapes touch form a component. A component whose
// convex hull (widened) holds no terminal and comes within the margin of no
// other polygon is replaced by that hull: a shortest path never enters the
// pockets between a connected obstacle and its hull, since it could leave
// only by the pocket's one mouth and the straight mouth is shorter.
func NewRouteSpace(polys []orb.MultiPolygon, terminals []orb.Point, marginM float64) (*RouteSpace, error) {
	if len(terminals) == 0 {
		return nil, fmt.Errorf("geo: a route space needs terminals")
	}
	var tb orb.Bound = orb.Bound{Min: terminals[0], Max: terminals[0]}
	for _, t := range terminals {
		tb = tb.Extend(t)
	}
	proj := NewGnomonic(tb.Center())
	minLat, maxLat := tb.Min[1], tb.Max[1]
	s := &RouteSpace{proj: proj, marginM: marginM}
	// Project the polygons.
	type ppoly struct {
		rings []int
		bound orb.Bound
	}
	var planar []ppoly
	radius, extra := 0.0, 0.0
	// Each part of a multipolygon is a unit of its own: parts far apart
	// are separate obstacles.
	for _, mp := range polys {
		for _, poly := range mp {
			var pp ppoly
			for ri, r := range poly {
				pts, ok := planarRing(proj, r, func(v, q orb.Point, long float64) {
					minLat, maxLat = math.Min(minLat, v[1]), math.Max(maxLat, v[1])
					radius = math.Max(radius, math.Hypot(q[0], q[1]))
					// Geography takes a long edge as a great-circle arc,
					// which bows away from the edge straight in degrees by
					// up to L²·tan φ/8R: the margin takes that in too.
					extra = math.Max(extra, long*long*math.Abs(math.Tan(v[1]*degToRad))/(8*MeanRadius)*1.25)
				})
				if !ok {
					return nil, fmt.Errorf("geo: polygon too far from the route's area")
				}
				if len(pts) < 3 {
					if ri == 0 {
						break // no shell: skip the part
					}
					continue
				}
				area := 0.0
				for i := range pts {
					a, b := pts[i], pts[(i+1)%len(pts)]
					area += a[0]*b[1] - b[0]*a[1]
				}
				if area == 0 {
					if ri == 0 {
						break
					}
					continue
				}
				if (ri == 0) != (area > 0) {
					for i, j := 0, len(pts)-1; i < j; i, j = i+1, j-1 {
						pts[i], pts[j] = pts[j], pts[i]
					}
				}
				sr := spaceRing{pts: pts, bound: orb.MultiPoint(pts).Bound(), owner: -1}
				if ri == 0 {
					pp.bound = sr.bound
				}
				pp.rings = append(pp.rings, len(s.rings))
				s.rings = append(s.rings, sr)
			}
			if len(pp.rings) > 0 {
				planar = append(planar, pp)
			}
		}
	}
	for _, t := range terminals {
		q, _ := proj.Forward(t)
		radius = math.Max(radius, math.Hypot(q[0], q[1]))
	}
	shrink := proj.ShrinkBound(radius+4*marginM+1000, minLat-0.1, maxLat+0.1)
	s.margin = (marginM+extra)/shrink + 0.01
	s.shrink = shrink
	m := s.margin
	s.stats.Polygons = len(planar)

	// Index raw polygons, join those within twice the margin.
	var pidx rtree.RTreeG[int32]
	for i, p := range planar {
		pidx.Insert(p.bound.Min, p.bound.Max, int32(i))
	}
	for i := range s.rings {
		s.rings[i].index()
	}
	parent := make([]int, len(planar))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	ringsOf := func(i int) []*spaceRing {
		out := make([]*spaceRing, len(planar[i].rings))
		for k, r := range planar[i].rings {
			out[k] = &s.rings[r]
		}
		return out
	}
	for i, p := range planar {
		b := p.bound.Pad(2 * m)
		pidx.Search(b.Min, b.Max, func(_, _ [2]float64, j32 int32) bool {
			j := int(j32)
			if j <= i || find(i) == find(j) {
				return true
			}
			if ringsWithin(ringsOf(i), ringsOf(j), 2*m) {
				parent[find(i)] = find(j)
			}
			return true
		})
	}
	comps := map[int][]int{}
	var order []int
	for i := range planar {
		r := find(i)
		if _, ok := comps[r]; !ok {
			order = append(order, r)
		}
		comps[r] = append(comps[r], i)
	}
	s.stats.Components = len(order)
	tplanar := make([]orb.Point, len(terminals))
	for i, t := range terminals {
		tplanar[i], _ = proj.Forward(t)
	}

	for _, r := range s.rings {
		s.raw = append(s.raw, r.pts)
	}
	// Replace what can be replaced by hulls; keep the rest in detail.
	var kept []spaceRing
	for _, root := range order {
		members := comps[root]
		var pts []orb.Point
		for _, i := range members {
			pts = append(pts, s.rings[planar[i].rings[0]].pts...)
		}
		hull := ConvexHullPlanar(pts)
		reduce := len(hull) >= 3
		if reduce {
			hr := spaceRing{pts: hull, bound: orb.MultiPoint(hull).Bound()}
			hr.index()
			for _, t := range tplanar {
				if convexContains(hull, t) || hr.distPoint(t) < m {
					reduce = false
					break
				}
			}
			if reduce {
				in := map[int]bool{}
				for _, i := range members {
					in[i] = true
				}
				b := hr.bound.Pad(2 * m)
				pidx.Search(b.Min, b.Max, func(_, _ [2]float64, j32 int32) bool {
					j := int(j32)
					if in[j] {
						return true
					}
					if ringsWithin([]*spaceRing{&hr}, ringsOf(j), 2*m) {
						reduce = false
						return false
					}
					return true
				})
			}
			if reduce {
				hr.owner = int32(s.owners)
				s.owners++
				kept = append(kept, hr)
				s.stats.Reduced++
				continue
			}
		}
		for _, i := range members {
			owner := int32(s.owners)
			s.owners++
			for _, r := range planar[i].rings {
				sr := s.rings[r]
				sr.owner = owner
				kept = append(kept, sr)
			}
		}
	}
	s.rings = kept
	s.stats.Rings = len(kept)
	for i, r := range s.rings {
		b := r.bound.Pad(m)
		s.ringIdx.Insert(b.Min, b.Max, int32(i))
	}
	// Corners of the widened rings, where clear.
	for ri := range s.rings {
		r := &s.rings[ri]
		n := len(r.pts)
		for i := range r.pts {
			a, v, b := r.pts[(i+n-1)%n], r.pts[i], r.pts[(i+1)%n]
			for _, c := range arcCorners(a, v, b, m) {
				if s.clearPoint(c.p, m*(1-1e-9)) {
					s.corners = append(s.corners, c)
				}
			}
		}
	}
	s.stats.Corners = len(s.corners)
	return s, nil
}

// arcCorners returns the corners of the outside approximation of the
// margin arc at convex vertex v (edges a→v→b, obstacle on the left), with
// their neighbours on the widened boundary.
func arcCorners(a, v, b orb.Point, m float64) []spaceNode {
	d1x, d1y := v[0]-a[0], v[1]-a[1]
	d2x, d2y := b[0]-v[0], b[1]-v[1]
	turn := math.Atan2(d1x*d2y-d1y*d2x, d1x*d2x+d1y*d2y)
	if turn <= 1e-12 {
		return nil // reflex or straight: no shortest path bends here
	}
	// Outward normals: right of the edge direction.
	th1 := math.Atan2(-d1x, d1y)
	k := int(math.Ceil(turn / arcStep))
	step := turn / float64(k)
	r := m / math.Cos(step/2)
	out := make([]spaceNode, k)
	for j := 0; j < k; j++ {
		th := th1 + (float64(j)+0.5)*step
		s, c := math.Sincos(th)
		out[j].p = orb.Point{v[0] + r*c, v[1] + r*s}
	}
	s1, c1 := math.Sincos(th1)
	s2, c2 := math.Sincos(th1 + turn)
	for j := range out {
		if j == 0 {
			out[j].prev = orb.Point{v[0] + m*c1, v[1] + m*s1}
		} else {
			out[j].prev = out[j-1].p
		}
		if j == k-1 {
			out[j].next = orb.Point{v[0] + m*c2, v[1] + m*s2}
		} else {
			out[j].next = out[j+1].p
		}
	}
	return out
}

// Stats returns what the space holds.
func (s *RouteSpace) Stats() SpaceStats { return s.stats }

// Projection returns the space's plane.
func (s *RouteSpace) Projection() Gnomonic { return s.proj }

// MarginPlanar returns the margin kept on the plane, in metres.
func (s *RouteSpace) MarginPlanar() float64 { return s.margin }

// Clear reports whether p (EPSG:4326) keeps the margin from every hard
// polygon.
func (s *RouteSpace) Clear(p orb.Point) bool {
	q, ok := s.proj.Forward(p)
	return ok && s.clearPoint(q, s.margin*(1-1e-9))
}

func (s *RouteSpace) clearPoint(p orb.Point, d float64) bool {
	clear := true
	inside := map[int32]bool{}
	s.ringIdx.Search(p, p, func(_, _ [2]float64, i int32) bool {
		r := &s.rings[i]
		if r.contains(p) {
			inside[r.owner] = !inside[r.owner]
		}
		r.edgesNear(orb.Bound{Min: p, Max: p}, d, func(_ int, a, b orb.Point) bool {
			if distPointSeg(p, a, b) < d {
				clear = false
				return false
			}
			return true
		})
		return clear
	})
	if !clear {
		return false
	}
	for _, in := range inside {
		if in {
			return false
		}
	}
	return true
}

// visible reports whether the planar segment ab keeps the margin from
// every obstacle ring. Both ends must be clear.
func (s *RouteSpace) visible(a, b orb.Point) bool {
	d := s.margin * (1 - 1e-9)
	sb := orb.Bound{Min: a, Max: a}.Extend(b)
	l := math.Hypot(b[0]-a[0], b[1]-a[1])
	ok := true
	s.ringIdx.Search(sb.Min, sb.Max, func(bmin, bmax [2]float64, i int32) bool {
		t0, t1, hit := segBoxParams(a, b, orb.Bound{Min: bmin, Max: bmax})
		if !hit {
			return true
		}
		r := &s.rings[i]
		test := func(_ int, e0, e1 orb.Point) bool {
			if segSegDist(a, b, e0, e1) < d {
				ok = false
			}
			return ok
		}
		if r.chunks == nil {
			r.edgesNear(sb, d, test)
			return ok
		}
		// Walk the stretch of the segment near the ring in pieces, so that
		// each query box stays small.
		pieces(a, b, l, t0, t1, math.Max(4*d, 2000), func(_, _ float64, pb orb.Bound) bool {
			r.edgesNear(pb, d, test)
			return ok
		})
		return ok
	})
	return ok
}

// tangentAt reports whether the line from node n towards w leaves both of
// n's boundary neighbours on one side (or on it): only such edges can be on
// a shortest path that bends at n.
func (n *spaceNode) tangentAt(w orb.Point) bool {
	dx, dy := w[0]-n.p[0], w[1]-n.p[1]
	s1 := dx*(n.prev[1]-n.p[1]) - dy*(n.prev[0]-n.p[0])
	s2 := dx*(n.next[1]-n.p[1]) - dy*(n.next[0]-n.p[0])
	eps := 1e-9 * (math.Abs(dx) + math.Abs(dy)) * (math.Abs(n.prev[0]-n.p[0]) + math.Abs(n.prev[1]-n.p[1]) + math.Abs(n.next[0]-n.p[0]) + math.Abs(n.next[1]-n.p[1]))
	return !((s1 > eps && s2 < -eps) || (s1 < -eps && s2 > eps))
}
