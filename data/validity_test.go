package data

import (
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Geometry validity checks for the tests (OGC simple-features rules, planar):
// rings closed with ≥ 4 points, no ring crossing itself or another ring of the
// same polygon or multipolygon (rings may only touch at shared vertices of
// different rings), shells anticlockwise, holes clockwise and inside their
// shell, parts of a multipolygon not inside each other.

type seg struct {
	a, b       orb.Point
	ring, idx  int
	n          int // points in the ring (closed), to spot the closing neighbour
	minx, maxx float64
}

func ringSegs(r orb.Ring, ring int, out []seg) []seg {
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		out = append(out, seg{a: a, b: b, ring: ring, idx: i, n: len(r) - 1, minx: math.Min(a[0], b[0]), maxx: math.Max(a[0], b[0])})
	}
	return out
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func onSeg(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) && math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

// segsIntersect reports whether two closed segments share a point.
func segsIntersect(p, q seg) bool {
	d1, d2 := orient(q.a, q.b, p.a), orient(q.a, q.b, p.b)
	d3, d4 := orient(p.a, p.b, q.a), orient(p.a, p.b, q.b)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && onSeg(q.a, q.b, p.a)) || (d2 == 0 && onSeg(q.a, q.b, p.b)) ||
		(d3 == 0 && onSeg(p.a, p.b, q.a)) || (d4 == 0 && onSeg(p.a, p.b, q.b))
}

func adjacent(p, q seg) bool {
	if p.ring != q.ring {
		return false
	}
	d := p.idx - q.idx
	return d == 1 || d == -1 || (p.idx == 0 && q.idx == p.n-1) || (q.idx == 0 && p.idx == q.n-1)
}

// touchOnly reports whether segments of different rings meet only at a
// shared vertex.
func touchOnly(p, q seg) bool {
	if p.ring == q.ring {
		return false
	}
	shared := p.a == q.a || p.a == q.b || p.b == q.a || p.b == q.b
	if !shared {
		return false
	}
	// collinear overlap would share more than the vertex
	return !(orient(p.a, p.b, q.a) == 0 && orient(p.a, p.b, q.b) == 0)
}

// crossings finds a pair of rings' segments that intersect improperly. With
// shared set, rings of different polygons may share whole segments (a
// tessellation); otherwise they may only touch at vertices.
func crossings(segs []seg, shared bool) error {
	if len(segs) == 0 {
		return nil
	}
	// Bucket the segments on a grid a few segment lengths wide, and test the
	// pairs that share a cell.
	var sum float64
	for _, s := range segs {
		sum += math.Hypot(s.b[0]-s.a[0], s.b[1]-s.a[1])
	}
	cell := math.Max(4*sum/float64(len(segs)), 1e-6)
	type key struct{ x, y int64 }
	grid := map[key][]int32{}
	for i, s := range segs {
		x0, x1 := int64(math.Floor(s.minx/cell)), int64(math.Floor(s.maxx/cell))
		y0, y1 := int64(math.Floor(math.Min(s.a[1], s.b[1])/cell)), int64(math.Floor(math.Max(s.a[1], s.b[1])/cell))
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				grid[key{x, y}] = append(grid[key{x, y}], int32(i))
			}
		}
	}
	for _, ids := range grid {
		for i := 0; i < len(ids); i++ {
			p := segs[ids[i]]
			for j := i + 1; j < len(ids); j++ {
				q := segs[ids[j]]
				if adjacent(p, q) || touchOnly(p, q) {
					continue
				}
				if shared && p.ring != q.ring && sharedOK(p, q) {
					continue
				}
				if segsIntersect(p, q) {
					return fmt.Errorf("ring %d segment %d meets ring %d segment %d near %v", p.ring, p.idx, q.ring, q.idx, p.a)
				}
			}
		}
	}
	return nil
}

// sharedOK reports whether segments of different rings are the same segment,
// or meet only at a shared vertex.
func sharedOK(p, q seg) bool {
	if (p.a == q.a && p.b == q.b) || (p.a == q.b && p.b == q.a) {
		return true
	}
	var v, po, qo orb.Point // shared vertex, the other ends
	switch {
	case p.a == q.a:
		v, po, qo = p.a, p.b, q.b
	case p.a == q.b:
		v, po, qo = p.a, p.b, q.a
	case p.b == q.a:
		v, po, qo = p.b, p.a, q.b
	case p.b == q.b:
		v, po, qo = p.b, p.a, q.a
	default:
		return false
	}
	return !onSeg(v, po, qo) || orient(v, po, qo) != 0
}

func checkRing(r orb.Ring) error {
	if len(r) < 4 {
		return fmt.Errorf("ring of %d points", len(r))
	}
	if r[0] != r[len(r)-1] {
		return fmt.Errorf("ring not closed")
	}
	for i := 1; i < len(r); i++ {
		if r[i] == r[i-1] {
			return fmt.Errorf("repeated point %v", r[i])
		}
	}
	return nil
}

// validPolygons checks the polygons of a Polygon or MultiPolygon.
func validPolygons(ps []orb.Polygon) error { return checkPolygons(ps, false) }

// tessellation checks that polygons (of different features) meet only along
// shared edges: valid each, and no two overlapping.
func tessellation(ps []orb.Polygon) error { return checkPolygons(ps, true) }

func checkPolygons(ps []orb.Polygon, shared bool) error {
	var segs []seg
	ring := 0
	for pi, p := range ps {
		if len(p) == 0 {
			return fmt.Errorf("polygon %d: empty", pi)
		}
		for ri, r := range p {
			if err := checkRing(r); err != nil {
				return fmt.Errorf("polygon %d ring %d: %w", pi, ri, err)
			}
			a := ringAreaDeg(r)
			if ri == 0 && a <= 0 {
				return fmt.Errorf("polygon %d: shell not anticlockwise", pi)
			}
			if ri > 0 && a >= 0 {
				return fmt.Errorf("polygon %d: hole %d not clockwise", pi, ri)
			}
			if ri > 0 && !planar.RingContains(p[0], r[0]) {
				return fmt.Errorf("polygon %d: hole %d outside the shell", pi, ri)
			}
			segs = ringSegs(r, ring, segs)
			ring++
		}
	}
	if err := crossings(segs, shared); err != nil {
		return err
	}
	// With no crossings, a part lies inside another iff one of its vertices does.
	bounds := make([]orb.Bound, len(ps))
	for i, p := range ps {
		bounds[i] = p[0].Bound()
	}
	for i := range ps {
		for j := range ps {
			if i != j && bounds[j].Contains(ps[i][0][0]) && planar.PolygonContains(ps[j], ps[i][0][0]) && !onRing(ps[j], ps[i][0][0]) {
				return fmt.Errorf("polygon %d lies inside polygon %d", i, j)
			}
		}
	}
	return nil
}

func onRing(p orb.Polygon, pt orb.Point) bool {
	for _, r := range p {
		for _, q := range r {
			if q == pt {
				return true
			}
		}
	}
	return false
}

func validGeometry(g orb.Geometry) error {
	switch g := g.(type) {
	case orb.Point:
		return nil
	case orb.LineString:
		if len(g) < 2 {
			return fmt.Errorf("line of %d points", len(g))
		}
	case orb.MultiLineString:
		for _, l := range g {
			if len(l) < 2 {
				return fmt.Errorf("line of %d points", len(l))
			}
		}
	case orb.Polygon:
		return validPolygons([]orb.Polygon{g})
	case orb.MultiPolygon:
		return validPolygons(g)
	}
	return nil
}

// crossesBoundary reports whether line enters or leaves the multipolygon:
// some segment meets a ring segment.
func crossesBoundary(line orb.LineString, mp orb.MultiPolygon) bool {
	var rs []seg
	for _, p := range mp {
		for _, r := range p {
			rs = ringSegs(r, 0, rs)
		}
	}
	b := mp.Bound()
	for i := 0; i+1 < len(line); i++ {
		s := seg{a: line[i], b: line[i+1]}
		if !b.Intersects(orb.MultiPoint{s.a, s.b}.Bound()) {
			continue
		}
		for _, r := range rs {
			if segsIntersect(s, r) {
				return true
			}
		}
	}
	return false
}

func TestWiggleSampler(t *testing.T) {
	r := newRNG(3, "wiggle")
	for _, n := range []int{2, 10, 300, 5000} {
		w := newWiggle(r, 5, true)
		s := w.sampler(n)
		for j := 1; j < n; j++ {
			got, want := s.next(), w.at(float64(j)/float64(n))
			if math.Abs(got-want) > 1e-9 {
				t.Fatalf("n=%d j=%d: %g, want %g", n, j, got, want)
			}
		}
	}
}
