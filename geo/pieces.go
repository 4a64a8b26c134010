package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// maxPieceDepth bounds the quadtree of PieceBoundsPlanar: 4^10 cells at
// most per polygon, far more than any polygon of a few hundred thousand
// vertices needs at 64 vertices a cell.
const maxPieceDepth = 10

// PieceBoundsPlanar calls fn with boxes that together cover g and each hold
// about maxVertices vertices of it at most: what a spatial index of g's
// pieces needs, so that a query box far from a long line or outside a large
// polygon's shape, though inside its bounding box, does not find it. It is
// the index half of PostGIS's ST_Subdivide (the boxes of the pieces) without
// the clipping: a line gives the bounds of runs of maxVertices consecutive
// vertices; a polygon the cells of a quadtree subdivision of its box that
// hold at most maxVertices of its edges (cut to its box) or lie inside it,
// leaving out the cells outside it (a boundary too jagged for that within a
// bounded number of cells gets coarser ones). A point gives its own box. Planar: the
// coordinates are taken as they are (EPSG:3857 metres for tile bands).
func PieceBoundsPlanar(g orb.Geometry, maxVertices int, fn func(orb.Bound)) {
	var s PieceScratch
	s.PieceBoundsPlanar(g, maxVertices, fn)
}

// PieceScratch holds PieceBoundsPlanar's buffers between calls (one per
// goroutine), so that a build over many features allocates them once.
type PieceScratch struct {
	edges []pieceEdge
	arena []int32
	// strips and stripAt: the edges of each horizontal strip, strip s
	// being strips[stripAt[s]:stripAt[s+1]].
	strips, stripAt []int32
	// flags are the quadrants of a cell each of its edges meets.
	flags []uint8
}

// PieceBoundsPlanar is the function PieceBoundsPlanar, with its buffers
// kept in s.
func (s *PieceScratch) PieceBoundsPlanar(g orb.Geometry, maxVertices int, fn func(orb.Bound)) {
	if maxVertices < 2 {
		maxVertices = 2
	}
	switch g := g.(type) {
	case nil:
	case orb.Point:
		fn(g.Bound())
	case orb.MultiPoint:
		for _, p := range g {
			fn(p.Bound())
		}
	case orb.LineString:
		lineRuns(g, maxVertices, fn)
	case orb.MultiLineString:
		for _, l := range g {
			lineRuns(l, maxVertices, fn)
		}
	case orb.Ring:
		lineRuns(orb.LineString(g), maxVertices, fn)
	case orb.Polygon:
		s.polygonCells(g, maxVertices, fn)
	case orb.MultiPolygon:
		for _, p := range g {
			s.polygonCells(p, maxVertices, fn)
		}
	case orb.Collection:
		for _, x := range g {
			s.PieceBoundsPlanar(x, maxVertices, fn)
		}
	case orb.Bound:
		fn(g)
	}
}

// lineRuns calls fn with the bounds of runs of at most n vertices of l,
// consecutive runs sharing a vertex so that every segment is covered.
func lineRuns(l orb.LineString, n int, fn func(orb.Bound)) {
	if len(l) == 0 {
		return
	}
	for start := 0; ; start += n - 1 {
		end := min(start+n, len(l))
		fn(boundOf(l[start:end]))
		if end >= len(l) {
			return
		}
	}
}

// PointsBound is the box of every point of a line or polygon geometry g
// (a polygon's holes included, should one stray outside its shell), found
// in one pass without orb.Bound's per-point calls; false when g has no
// point or is of another type.
func PointsBound(g orb.Geometry) (orb.Bound, bool) {
	var b orb.Bound
	ok := false
	eachLinear(g, func(ps []orb.Point) {
		if len(ps) == 0 {
			return
		}
		if pb := boundOf(ps); ok {
			b = joinBounds(b, pb)
		} else {
			b, ok = pb, true
		}
	})
	return b, ok
}

func boundOf(ps []orb.Point) orb.Bound {
	b := orb.Bound{Min: ps[0], Max: ps[0]}
	for _, p := range ps[1:] {
		if p[0] < b.Min[0] {
			b.Min[0] = p[0]
		} else if p[0] > b.Max[0] {
			b.Max[0] = p[0]
		}
		if p[1] < b.Min[1] {
			b.Min[1] = p[1]
		} else if p[1] > b.Max[1] {
			b.Max[1] = p[1]
		}
	}
	return b
}

// pieceEdge is one edge of a polygon's rings, with its box.
type pieceEdge struct {
	a, b                   orb.Point
	minX, minY, maxX, maxY float64
}

func (e *pieceEdge) meets(c orb.Bound) bool {
	return e.minX <= c.Max[0] && e.maxX >= c.Min[0] && e.minY <= c.Max[1] && e.maxY >= c.Min[1]
}

// polygonCells calls fn with the quadtree cells that cover p.
func (s *PieceScratch) polygonCells(p orb.Polygon, n int, fn func(orb.Bound)) {
	if len(p) == 0 || len(p[0]) == 0 {
		return
	}
	nv := 0
	for _, r := range p {
		nv += len(r)
	}
	bound := boundOf(p[0])
	if nv <= n {
		fn(bound)
		return
	}
	if nv <= 4*n && oneSplit(p, bound, n, fn) {
		return
	}
	s.subdivide(p, bound, n, fn)
}

// oneSplit covers p, whose shell's box is c, as the subdivision does when
// c, or each of its four quadrants, meets at least one and at most n of
// p's edges: in one pass over its points, without listing its edges (a
// polygon of up to a few times n vertices, the most common). It reports
// false, having called fn for none, otherwise.
func oneSplit(p orb.Polygon, c orb.Bound, n int, fn func(orb.Bound)) bool {
	m := c.Center()
	var count [4]int
	edges := 0
	for _, r := range p {
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			// As the subdivision boxes and sorts each edge (pieceEdge,
			// cell).
			minX, minY, maxX, maxY := a[0], a[1], b[0], b[1]
			if b[0] < a[0] {
				minX, maxX = b[0], a[0]
			}
			if b[1] < a[1] {
				minY, maxY = b[1], a[1]
			}
			left := b2u(minX <= m[0]) & b2u(maxX >= c.Min[0])
			right := b2u(minX <= c.Max[0]) & b2u(maxX >= m[0])
			low := b2u(minY <= m[1]) & b2u(maxY >= c.Min[1])
			high := b2u(minY <= c.Max[1]) & b2u(maxY >= m[1])
			count[0] += int(left & low)
			count[1] += int(right & low)
			count[2] += int(left & high)
			count[3] += int(right & high)
			edges++
		}
	}
	if edges <= n {
		fn(c)
		return true
	}
	for _, k := range count {
		if k == 0 || k > n {
			return false
		}
	}
	for _, q := range quadrants(c, m) {
		fn(intersectBounds(q, c))
	}
	return true
}

// quadrants are the four quadrants of c about its centre m, in the order
// the subdivision visits them.
func quadrants(c orb.Bound, m orb.Point) [4]orb.Bound {
	return [4]orb.Bound{
		{Min: c.Min, Max: m},
		{Min: orb.Point{m[0], c.Min[1]}, Max: orb.Point{c.Max[0], m[1]}},
		{Min: orb.Point{c.Min[0], m[1]}, Max: orb.Point{m[0], c.Max[1]}},
		{Min: m, Max: c.Max},
	}
}

// subdivide calls fn with the cells of the quadtree subdivision of p's
// shell's box, bound, that cover p.
func (s *PieceScratch) subdivide(p orb.Polygon, bound orb.Bound, n int, fn func(orb.Bound)) {
	edges := s.edges[:0]
	for _, r := range p {
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			e := pieceEdge{a: a, b: b, minX: a[0], minY: a[1], maxX: b[0], maxY: b[1]}
			// Compared rather than min and max, which also order NaNs and
			// signed zeros.
			if b[0] < a[0] {
				e.minX, e.maxX = b[0], a[0]
			}
			if b[1] < a[1] {
				e.minY, e.maxY = b[1], a[1]
			}
			edges = append(edges, e)
		}
	}
	s.edges = edges
	arena := s.arena[:0]
	if cap(arena) < 4*len(edges) {
		arena = make([]int32, 0, 4*len(edges))
	}
	for i := range edges {
		arena = append(arena, int32(i))
	}
	pc := pieceCover{edges: edges, bound: bound, max: n, fn: fn, arena: arena,
		budget: 8*len(edges)/n + 16, s: s}
	pc.cell(bound, arena, 0)
	s.arena = pc.arena[:0]
}

// pieceCover is the state of one polygon's subdivision.
type pieceCover struct {
	edges []pieceEdge
	bound orb.Bound
	max   int
	fn    func(orb.Bound)
	// arena holds the edge lists of the cells being subdivided, a stack.
	arena []int32
	// budget bounds the cells (about eight times what a smooth boundary
	// needs): a boundary so jagged that cells keep most of their parent's
	// edges is covered by coarser cells rather than subdivided without end.
	budget, cells int
	// The strips (s.strips), built when first needed, list the edges that
	// span each horizontal strip of the bound, for point-in-polygon tests.
	s        *PieceScratch
	built    bool
	stripInv float64
}

func (pc *pieceCover) cell(c orb.Bound, idx []int32, depth int) {
	if len(idx) == 0 {
		// No edge: the cell is wholly inside or wholly outside.
		if pc.inside(c.Center()) {
			pc.cells++
			pc.fn(c)
		}
		return
	}
	if len(idx) <= pc.max || depth >= maxPieceDepth || pc.cells+4 > pc.budget {
		pc.cells++
		pc.fn(intersectBounds(c, pc.bound))
		return
	}
	m := c.Center()
	quads := quadrants(c, m)
	// One pass finds the quadrants each edge meets (pieceEdge.meets of
	// each, by halves: quadrant q is the left or right half as q&1 says,
	// the lower or upper as q&2 does), a second lists the edges of each
	// quadrant, one after another at the top of the arena.
	flags := pc.s.flags[:0]
	var count [4]int
	for _, k := range idx {
		e := &pc.edges[k]
		// Each comparison as a bit, without branches: which way an edge
		// falls is as good as random to the processor's predictor.
		left := b2u(e.minX <= m[0]) & b2u(e.maxX >= c.Min[0])
		right := b2u(e.minX <= c.Max[0]) & b2u(e.maxX >= m[0])
		low := b2u(e.minY <= m[1]) & b2u(e.maxY >= c.Min[1])
		high := b2u(e.minY <= c.Max[1]) & b2u(e.maxY >= m[1])
		q0, q1, q2, q3 := left&low, right&low, left&high, right&high
		flags = append(flags, q0|q1<<1|q2<<2|q3<<3)
		count[0] += int(q0)
		count[1] += int(q1)
		count[2] += int(q2)
		count[3] += int(q3)
	}
	pc.s.flags = flags[:0]
	// Each quadrant's list is followed by a spare slot, so that every edge
	// can be written at every list's end without a branch and kept (the
	// end moved on) only where it belongs.
	start := len(pc.arena)
	var at [5]int
	for q := range 4 {
		at[q+1] = at[q] + count[q] + 1
	}
	total := at[4]
	pc.arena = slices.Grow(pc.arena, total)[:start+total]
	lists := pc.arena[start : start+total : start+total]
	f0, f1, f2, f3 := at[0], at[1], at[2], at[3]
	for j, k := range idx {
		f := flags[j]
		lists[f0], lists[f1], lists[f2], lists[f3] = k, k, k, k
		f0 += int(f & 1)
		f1 += int(f >> 1 & 1)
		f2 += int(f >> 2 & 1)
		f3 += int(f >> 3 & 1)
	}
	for q := range 4 {
		end := at[q] + count[q]
		pc.cell(quads[q], lists[at[q]:end:end], depth+1)
	}
	pc.arena = pc.arena[:start]
}

// b2u is 1 for true, 0 for false.
func b2u(b bool) uint8 {
	var u uint8
	if b {
		u = 1
	}
	return u
}

// inside reports whether q is inside the polygon (even–odd rule over all its
// rings, so inside a hole is outside): a ray cast to +x, over the edges of
// q's strip only.
func (pc *pieceCover) inside(q orb.Point) bool {
	if !pc.built {
		pc.buildStrips()
	}
	s := pc.strip(q[1])
	if s < 0 || s >= len(pc.s.stripAt)-1 {
		return false
	}
	in := false
	for _, k := range pc.s.strips[pc.s.stripAt[s]:pc.s.stripAt[s+1]] {
		a, b := pc.edges[k].a, pc.edges[k].b
		if (a[1] > q[1]) != (b[1] > q[1]) && q[0] < (b[0]-a[0])*(q[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// strip is the strip of ordinate y: by multiplication rather than
// division, which is several times dearer. Any mapping that never
// decreases with y finds an edge in the strip of every ordinate of its
// span, which is all inside needs.
func (pc *pieceCover) strip(y float64) int { return int((y - pc.bound.Min[1]) * pc.stripInv) }

// buildStrips sorts the edges into the strips they span, by counting: one
// pass to size the strips, one to fill them.
func (pc *pieceCover) buildStrips() {
	pc.built = true
	n := max(1, min(len(pc.edges)/16, 4096))
	h := (pc.bound.Max[1] - pc.bound.Min[1]) / float64(n)
	if h <= 0 {
		h, n = 1, 1
	}
	pc.stripInv = 1 / h
	span := func(e *pieceEdge) (int, int) {
		return max(0, pc.strip(e.minY)), min(n-1, pc.strip(e.maxY))
	}
	at := pc.s.stripAt[:0]
	for range n + 1 {
		at = append(at, 0)
	}
	total := 0
	for k := range pc.edges {
		lo, hi := span(&pc.edges[k])
		for s := lo; s <= hi; s++ {
			at[s+1]++
		}
		total += max(0, hi-lo+1)
	}
	for s := 1; s <= n; s++ {
		at[s] += at[s-1]
	}
	strips := pc.s.strips[:0]
	if cap(strips) < total {
		strips = make([]int32, total)
	}
	strips = strips[:total]
	// Fill each strip from its start, moving the starts up; then shift
	// them back.
	for k := range pc.edges {
		lo, hi := span(&pc.edges[k])
		for s := lo; s <= hi; s++ {
			strips[at[s]] = int32(k)
			at[s]++
		}
	}
	for s := n; s > 0; s-- {
		at[s] = at[s-1]
	}
	at[0] = 0
	pc.s.strips, pc.s.stripAt = strips, at
}

// joinBounds is the box holding two boxes (orb.Bound.Union, without its
// cost in a hot loop).
func joinBounds(a, b orb.Bound) orb.Bound {
	return orb.Bound{
		Min: orb.Point{min(a.Min[0], b.Min[0]), min(a.Min[1], b.Min[1])},
		Max: orb.Point{max(a.Max[0], b.Max[0]), max(a.Max[1], b.Max[1])},
	}
}

// intersectBounds is the common part of two overlapping boxes.
func intersectBounds(a, b orb.Bound) orb.Bound {
	return orb.Bound{
		Min: orb.Point{max(a.Min[0], b.Min[0]), max(a.Min[1], b.Min[1])},
		Max: orb.Point{min(a.Max[0], b.Max[0]), min(a.Max[1], b.Max[1])},
	}
}
