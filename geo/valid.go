package geo

import (
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
)

// ProvablyValid reports whether g is certainly valid by the OGC rules
// PostGIS's ST_IsValid applies: for polygons, every ring simple, closed and
// of non-zero area, no two rings touching or crossing, every hole inside its
// shell and outside the other holes, and the polygons of a MultiPolygon
// apart; for lines, at least two distinct points each; points always.
//
// It is a conservative filter for imports, to spare PostGIS the validity
// check of the (many) geometries that pass: false means "not proven", never
// "invalid" — near-degenerate configurations (touching rings, collinear
// overlaps, orientations within rounding error), nested polygons and
// geometries too costly to sweep are left for PostGIS to judge. The
// predicates are planar, in the geometry's own coordinates.
func ProvablyValid(g orb.Geometry) bool {
	var s ValidScratch
	return s.ProvablyValid(g)
}

// ValidScratch holds ProvablyValid's buffers between calls (one per
// goroutine), so that a check of many geometries allocates them once.
type ValidScratch struct {
	rings, shells []orb.Ring
	segs          []vcSeg
	chains        []vcChain
	order         []vcKey
	active        []int
}

// ProvablyValid is the function ProvablyValid, with its buffers kept in s.
func (s *ValidScratch) ProvablyValid(g orb.Geometry) bool {
	switch x := g.(type) {
	case nil:
		return true
	case orb.Point, orb.MultiPoint:
		return true
	case orb.LineString:
		return vcDistinct(x, 2)
	case orb.MultiLineString:
		for _, l := range x {
			if !vcDistinct(l, 2) {
				return false
			}
		}
		return true
	case orb.Polygon:
		return s.polygons(orb.MultiPolygon{x})
	case orb.MultiPolygon:
		return s.polygons(x)
	}
	return false
}

// vcDistinct reports whether ps has at least n distinct consecutive points.
func vcDistinct(ps []orb.Point, n int) bool {
	if len(ps) == 0 {
		return false
	}
	k := 1
	for i := 1; i < len(ps) && k < n; i++ {
		if ps[i] != ps[i-1] {
			k++
		}
	}
	return k >= n
}

// vcSeg is one edge of a ring: its ends, its ring and its place there.
type vcSeg struct {
	a, b       orb.Point
	minX, maxX float64
	ring, i, n int32 // n: the ring's edge count, for adjacency
}

// vcEdge is edge i of ring r of rings.
func vcEdge(rings []orb.Ring, r, i int32) vcSeg {
	ring := rings[r]
	a, b := ring[i], ring[i+1]
	// Compared rather than min and max, which also order NaNs (none here:
	// vcArea refused them) and signed zeros.
	lo, hi := a[0], b[0]
	if hi < lo {
		lo, hi = hi, lo
	}
	return vcSeg{a: a, b: b, minX: lo, maxX: hi, ring: r, i: i, n: int32(len(ring) - 1)}
}

func (s *ValidScratch) polygons(mp orb.MultiPolygon) bool {
	rings := s.rings[:0]
	defer func() {
		// Keep the buffer, not what it points to.
		clear(rings)
		s.rings = rings[:0]
	}()
	edges := 0
	for _, p := range mp {
		if len(p) == 0 {
			return false
		}
		for _, r := range p {
			r = vcDedup(r)
			if len(r) < 4 || r[0] != r[len(r)-1] || !vcArea(r) {
				return false
			}
			rings = append(rings, r)
			edges += len(r) - 1
		}
	}
	if !s.noCrossings(rings, edges) {
		return false
	}
	// No two rings meet: each is inside or outside another as a whole, so
	// one vertex tells which.
	k := 0
	shells := s.shells[:0]
	defer func() {
		clear(shells)
		s.shells = shells[:0]
	}()
	for _, p := range mp {
		shell := rings[k]
		shells = append(shells, shell)
		holes := rings[k+1 : k+len(p)]
		k += len(p)
		for i, h := range holes {
			if !vcInside(h[0], shell) {
				return false // a hole outside its shell
			}
			for j, o := range holes {
				if i != j && vcInside(h[0], o) {
					return false // nested holes
				}
			}
		}
	}
	if len(shells) > 1 {
		bounds := make([]orb.Bound, len(shells))
		for i, s := range shells {
			bounds[i] = s.Bound()
		}
		for i := range shells {
			for j := range shells {
				// A polygon inside another (even in its hole, which is
				// valid) is left to PostGIS.
				if i != j && bounds[j].Intersects(bounds[i]) && vcInside(shells[i][0], shells[j]) {
					return false
				}
			}
		}
	}
	return true
}

// vcDedup drops repeated consecutive points (valid, but no edge).
func vcDedup(r orb.Ring) orb.Ring {
	for i := 1; i < len(r); i++ {
		if r[i] == r[i-1] {
			out := append(orb.Ring(nil), r[:i]...)
			for _, p := range r[i:] {
				if p != out[len(out)-1] {
					out = append(out, p)
				}
			}
			return out
		}
	}
	return r
}

// vcArea reports whether the ring's area is clearly not zero.
func vcArea(r orb.Ring) bool {
	var a, s float64
	o := r[0]
	for i := 1; i+1 < len(r); i++ {
		t := (r[i][0]-o[0])*(r[i+1][1]-o[1]) - (r[i+1][0]-o[0])*(r[i][1]-o[1])
		a += t
		s += math.Abs(t)
	}
	return math.Abs(a) > 1e-9*s
}

// vcOrient is the sign of the turn a→b→c: +1 left, -1 right, 0 when it
// cannot be told from rounding error (treated as a touch).
func vcOrient(a, b, c orb.Point) int {
	l := (b[0] - a[0]) * (c[1] - a[1])
	r := (b[1] - a[1]) * (c[0] - a[0])
	d := l - r
	if math.Abs(d) <= 1e-12*(math.Abs(l)+math.Abs(r)) {
		return 0
	}
	if d > 0 {
		return 1
	}
	return -1
}

// noCrossings reports whether no two edges of rings (edges in all) meet,
// beyond consecutive edges of a ring sharing their vertex at a clear angle,
// with a budget after which it gives up. Edges are grouped into chains
// strictly monotone in x, as GEOS does: a chain cannot cross itself, so
// only chains whose boxes overlap are compared, each pair by a merge along
// x. The chains are read off the rings' points: no list of edges is built.
func (s *ValidScratch) noCrossings(rings []orb.Ring, edges int) bool {
	if edges <= 24 {
		// Few edges (a generalised polygon): every pair, without the
		// chains' bookkeeping.
		segs := s.segs[:0]
		defer func() { s.segs = segs[:0] }()
		for r, ring := range rings {
			for i := range len(ring) - 1 {
				segs = append(segs, vcEdge(rings, int32(r), int32(i)))
			}
		}
		for i := range segs {
			for j := i + 1; j < len(segs); j++ {
				s, t := &segs[i], &segs[j]
				if s.maxX < t.minX || t.maxX < s.minX {
					continue
				}
				if !vcApart(s, t) {
					return false
				}
			}
		}
		return true
	}
	chains, order := s.chains[:0], s.order[:0]
	defer func() { s.chains, s.order = chains[:0], order[:0] }()
	for r, ring := range rings {
		n := len(ring) - 1
		for i := 0; i < n; {
			dir := vcDir(ring[i], ring[i+1])
			j := i
			for dir != 0 && j+1 < n && vcDir(ring[j+1], ring[j+2]) == dir {
				j++
			}
			// Monotone in x: the ends bound it; y is scanned.
			c := vcChain{pts: ring[i : j+2], ring: int32(r), lo: int32(i), dir: int32(dir), n: int32(n),
				minX: ring[i][0], maxX: ring[j+1][0], minY: ring[i][1], maxY: ring[i][1]}
			if dir < 0 {
				c.minX, c.maxX = c.maxX, c.minX
			}
			for _, p := range c.pts[1:] {
				if p[1] < c.minY {
					c.minY = p[1]
				}
				if p[1] > c.maxY {
					c.maxY = p[1]
				}
			}
			order = append(order, vcKey{c.minX, int32(len(chains))})
			chains = append(chains, c)
			i = j + 1
		}
	}
	slices.SortFunc(order, func(p, q vcKey) int {
		switch {
		case p.minX < q.minX:
			return -1
		case p.minX > q.minX:
			return 1
		}
		return 0
	})
	budget := 64*edges + 4096
	active := s.active[:0]
	defer func() { s.active = active[:0] }()
	for _, o := range order {
		c := &chains[o.chain]
		w := 0
		for _, dj := range active {
			d := &chains[dj]
			if d.maxX < c.minX {
				continue
			}
			active[w] = dj
			w++
			if d.minY > c.maxY || c.minY > d.maxY {
				continue
			}
			if !vcMerge(c, d, &budget) {
				return false
			}
		}
		active = append(active[:w], int(o.chain))
	}
	return true
}

// vcChain is a run of consecutive edges of a ring, strictly monotone in x
// (dir +1 or -1), or a single vertical edge (dir 0): its points pts, from
// the ring's point lo on; ring is the ring's place and n its edge count.
type vcChain struct {
	pts                    []orb.Point
	ring, lo, dir, n       int32
	minX, maxX, minY, maxY float64
}

// vcKey orders the chains by their least x.
type vcKey struct {
	minX  float64
	chain int32
}

// vcDir is the direction in x of the edge a→b.
func vcDir(a, b orb.Point) int {
	switch {
	case b[0] > a[0]:
		return 1
	case b[0] < a[0]:
		return -1
	}
	return 0
}

func (c *vcChain) len() int { return len(c.pts) - 1 }

// edge is the k-th edge of c in increasing x.
func (c *vcChain) edge(k int) vcSeg {
	if c.dir < 0 {
		k = len(c.pts) - 2 - k
		a, b := c.pts[k], c.pts[k+1]
		return vcSeg{a: a, b: b, minX: b[0], maxX: a[0], ring: c.ring, i: c.lo + int32(k), n: c.n}
	}
	a, b := c.pts[k], c.pts[k+1]
	return vcSeg{a: a, b: b, minX: a[0], maxX: b[0], ring: c.ring, i: c.lo + int32(k), n: c.n}
}

// maxX is the greater x of the k-th edge of c in increasing x.
func (c *vcChain) maxXAt(k int) float64 {
	if c.dir < 0 {
		return c.pts[len(c.pts)-2-k][0]
	}
	return c.pts[k+1][0]
}

// skip is the first edge of c, in increasing x, whose greater x is x or
// more: by bisection, x increasing strictly along the chain.
func (c *vcChain) skip(x float64) int {
	return sort.Search(c.len(), func(k int) bool { return c.maxXAt(k) >= x })
}

// vcMerge compares the edges of chains a and b whose x ranges meet,
// walking both along x.
func vcMerge(a, b *vcChain, budget *int) bool {
	na, nb := a.len(), b.len()
	i, j := a.skip(b.minX), b.skip(a.minX)
	check := func(s, t *vcSeg) bool {
		if s.maxX < t.minX || t.maxX < s.minX {
			return true
		}
		if *budget--; *budget < 0 {
			return false
		}
		return vcApart(s, t)
	}
	for i < na && j < nb {
		s, t := a.edge(i), b.edge(j)
		if s.minX > b.maxX || t.minX > a.maxX {
			break
		}
		if !check(&s, &t) {
			return false
		}
		switch {
		case s.maxX < t.maxX:
			i++
		case s.maxX > t.maxX:
			j++
		default:
			if i+1 < na {
				if s1 := a.edge(i + 1); !check(&s1, &t) {
					return false
				}
			}
			if j+1 < nb {
				if t1 := b.edge(j + 1); !check(&s, &t1) {
					return false
				}
			}
			i++
			j++
		}
	}
	return true
}

// vcApart reports whether edges s and t certainly do not meet (or, when
// consecutive in one ring, meet only at their shared vertex).
func vcApart(s, t *vcSeg) bool {
	if min(s.a[1], s.b[1]) > max(t.a[1], t.b[1]) || min(t.a[1], t.b[1]) > max(s.a[1], s.b[1]) {
		return true
	}
	if s.ring == t.ring && s.n > 2 {
		// Consecutive edges share a vertex: the other ends must turn away.
		switch {
		case t.i == (s.i+1)%s.n:
			return vcTurn(s.a, s.b, t.b)
		case s.i == (t.i+1)%s.n:
			return vcTurn(t.a, t.b, s.b)
		}
	}
	o1, o2 := vcOrient(s.a, s.b, t.a), vcOrient(s.a, s.b, t.b)
	o3, o4 := vcOrient(t.a, t.b, s.a), vcOrient(t.a, t.b, s.b)
	if o1 == 0 || o2 == 0 || o3 == 0 || o4 == 0 {
		return false
	}
	return o1 == o2 || o3 == o4
}

// vcTurn reports whether the edges a→b and b→c meet only at b: they turn,
// or go straight on (collinear vertices are valid); not when c folds back
// over a→b.
func vcTurn(a, b, c orb.Point) bool {
	if vcOrient(a, b, c) != 0 {
		return true
	}
	return (b[0]-a[0])*(c[0]-b[0])+(b[1]-a[1])*(c[1]-b[1]) > 0
}

// vcInside reports whether p is inside ring r (ray crossing; p is known not
// to be on r).
func vcInside(p orb.Point, r orb.Ring) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}
