package geo

import (
	"math"

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
		polygonCells(g, maxVertices, fn)
	case orb.MultiPolygon:
		for _, p := range g {
			polygonCells(p, maxVertices, fn)
		}
	case orb.Collection:
		for _, x := range g {
			PieceBoundsPlanar(x, maxVertices, fn)
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

func boundOf(ps []orb.Point) orb.Bound {
	b := orb.Bound{Min: ps[0], Max: ps[0]}
	for _, p := range ps[1:] {
		b.Min[0], b.Min[1] = math.Min(b.Min[0], p[0]), math.Min(b.Min[1], p[1])
		b.Max[0], b.Max[1] = math.Max(b.Max[0], p[0]), math.Max(b.Max[1], p[1])
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
func polygonCells(p orb.Polygon, n int, fn func(orb.Bound)) {
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
	edges := make([]pieceEdge, 0, nv)
	for _, r := range p {
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			edges = append(edges, pieceEdge{a: a, b: b,
				minX: math.Min(a[0], b[0]), minY: math.Min(a[1], b[1]), maxX: math.Max(a[0], b[0]), maxY: math.Max(a[1], b[1])})
		}
	}
	pc := pieceCover{edges: edges, bound: bound, max: n, fn: fn, arena: make([]int32, len(edges), 4*len(edges)),
		budget: 8*len(edges)/n + 16}
	for i := range pc.arena {
		pc.arena[i] = int32(i)
	}
	pc.cell(bound, pc.arena, 0)
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
	// strips, built when first needed, list the edges that span each
	// horizontal strip of the bound, for point-in-polygon tests.
	strips [][]int32
	stripH float64
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
	quads := [4]orb.Bound{
		{Min: c.Min, Max: m},
		{Min: orb.Point{m[0], c.Min[1]}, Max: orb.Point{c.Max[0], m[1]}},
		{Min: orb.Point{c.Min[0], m[1]}, Max: orb.Point{m[0], c.Max[1]}},
		{Min: m, Max: c.Max},
	}
	for _, q := range quads {
		start := len(pc.arena)
		for _, k := range idx {
			if pc.edges[k].meets(q) {
				pc.arena = append(pc.arena, k)
			}
		}
		pc.cell(q, pc.arena[start:len(pc.arena):len(pc.arena)], depth+1)
		pc.arena = pc.arena[:start]
	}
}

// inside reports whether q is inside the polygon (even–odd rule over all its
// rings, so inside a hole is outside): a ray cast to +x, over the edges of
// q's strip only.
func (pc *pieceCover) inside(q orb.Point) bool {
	if pc.strips == nil {
		pc.buildStrips()
	}
	s := int((q[1] - pc.bound.Min[1]) / pc.stripH)
	if s < 0 || s >= len(pc.strips) {
		return false
	}
	in := false
	for _, k := range pc.strips[s] {
		a, b := pc.edges[k].a, pc.edges[k].b
		if (a[1] > q[1]) != (b[1] > q[1]) && q[0] < (b[0]-a[0])*(q[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

func (pc *pieceCover) buildStrips() {
	n := max(1, min(len(pc.edges)/16, 4096))
	h := (pc.bound.Max[1] - pc.bound.Min[1]) / float64(n)
	if h <= 0 {
		h, n = 1, 1
	}
	pc.strips, pc.stripH = make([][]int32, n), h
	for k := range pc.edges {
		e := &pc.edges[k]
		lo := max(0, int((e.minY-pc.bound.Min[1])/h))
		hi := min(n-1, int((e.maxY-pc.bound.Min[1])/h))
		for s := lo; s <= hi; s++ {
			pc.strips[s] = append(pc.strips[s], int32(k))
		}
	}
}

// joinBounds is the box holding two boxes (orb.Bound.Union, without its
// cost in a hot loop).
func joinBounds(a, b orb.Bound) orb.Bound {
	return orb.Bound{
		Min: orb.Point{math.Min(a.Min[0], b.Min[0]), math.Min(a.Min[1], b.Min[1])},
		Max: orb.Point{math.Max(a.Max[0], b.Max[0]), math.Max(a.Max[1], b.Max[1])},
	}
}

// intersectBounds is the common part of two overlapping boxes.
func intersectBounds(a, b orb.Bound) orb.Bound {
	return orb.Bound{
		Min: orb.Point{math.Max(a.Min[0], b.Min[0]), math.Max(a.Min[1], b.Min[1])},
		Max: orb.Point{math.Min(a.Max[0], b.Max[0]), math.Min(a.Max[1], b.Max[1])},
	}
}
