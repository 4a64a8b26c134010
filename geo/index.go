package geo

import (
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// DefaultMaxCellEdges is the number of polygon edges above which NewIndex
// subdivides a polygon into several index cells.
const DefaultMaxCellEdges = 256

const maxSubdivisionDepth = 8

// Index is an R-tree over prepared polygons. A polygon with many edges is
// entered as several cells, a quadtree subdivision of its box that keeps only
// cells on its boundary or inside it, so that a query near a big polygon's
// hole or concavity does not return it. An Index is built once and never
// changed, so it is safe for concurrent queries.
type Index struct {
	polys    []*PreparedPolygon
	tree     rtree.RTreeG[int32]
	cells    int
	maxEdges int
}

// NewIndex builds an index over polys; a polygon's position in polys is its
// id in query results. maxCellEdges <= 0 means DefaultMaxCellEdges.
func NewIndex(polys []*PreparedPolygon, maxCellEdges int) *Index {
	if maxCellEdges <= 0 {
		maxCellEdges = DefaultMaxCellEdges
	}
	ix := &Index{polys: polys, maxEdges: maxCellEdges}
	for i, p := range polys {
		ix.cellsOf(p, func(b orb.Bound) { ix.insert(b, i) })
	}
	return ix
}

// With returns a copy of the index in which the polygon of each id of
// changed is replaced (by nil: removed; its id is then never returned),
// and the polygons of added are entered with the next ids; the other ids
// are kept. ix itself is not changed and stays safe for the queries running
// on it: the copy shares the untouched part of the R-tree (copy on write),
// so that a few polygons cost a few updates, not a rebuild. Copies of one
// index must not be made concurrently.
func (ix *Index) With(changed map[int]*PreparedPolygon, added []*PreparedPolygon) *Index {
	n := &Index{polys: make([]*PreparedPolygon, len(ix.polys), len(ix.polys)+len(added)), cells: ix.cells, maxEdges: ix.maxEdges}
	copy(n.polys, ix.polys)
	n.tree = *ix.tree.Copy()
	for id, p := range changed {
		if id < 0 || id >= len(n.polys) {
			continue
		}
		n.cellsOf(n.polys[id], func(b orb.Bound) {
			n.tree.Delete(b.Min, b.Max, int32(id))
			n.cells--
		})
		n.polys[id] = p
		n.cellsOf(p, func(b orb.Bound) { n.insert(b, id) })
	}
	for _, p := range added {
		id := len(n.polys)
		n.polys = append(n.polys, p)
		n.cellsOf(p, func(b orb.Bound) { n.insert(b, id) })
	}
	return n
}

// cellsOf calls fn with each cell polygon p is entered as: its bound, or,
// for a polygon of many edges, the cells of a quadtree subdivision of it
// that hold an edge or lie inside it. The same polygon always gives the
// same cells.
func (ix *Index) cellsOf(p *PreparedPolygon, fn func(orb.Bound)) {
	if p == nil || len(p.deg.edges) == 0 {
		return
	}
	if len(p.deg.edges) <= ix.maxEdges {
		fn(p.Bound())
		return
	}
	all := make([]int32, len(p.deg.edges))
	for k := range all {
		all[k] = int32(k)
	}
	subdivide(p, p.Bound(), all, ix.maxEdges, 0, fn)
}

func (ix *Index) insert(b orb.Bound, id int) {
	ix.tree.Insert(b.Min, b.Max, int32(id))
	ix.cells++
}

func subdivide(p *PreparedPolygon, cell orb.Bound, edges []int32, maxEdges, depth int, fn func(orb.Bound)) {
	if len(edges) == 0 {
		if p.deg.locate(cell.Center()) == Inside {
			fn(cell)
		}
		return
	}
	if len(edges) <= maxEdges || depth >= maxSubdivisionDepth {
		fn(cell)
		return
	}
	c := cell.Center()
	quads := [4]orb.Bound{
		{Min: cell.Min, Max: c},
		{Min: orb.Point{c[0], cell.Min[1]}, Max: orb.Point{cell.Max[0], c[1]}},
		{Min: orb.Point{cell.Min[0], c[1]}, Max: orb.Point{c[0], cell.Max[1]}},
		{Min: c, Max: cell.Max},
	}
	for _, q := range quads {
		var sub []int32
		for _, k := range edges {
			e := p.deg.edges[k]
			if overlaps(segBound(e.a, e.b), q) {
				sub = append(sub, k)
			}
		}
		subdivide(p, q, sub, maxEdges, depth+1, fn)
	}
}

// Len returns the number of polygons indexed.
func (ix *Index) Len() int { return len(ix.polys) }

// Cells returns the number of entries in the R-tree.
func (ix *Index) Cells() int { return ix.cells }

// Polygon returns the polygon with the given id.
func (ix *Index) Polygon(id int) *PreparedPolygon { return ix.polys[id] }

// Search calls fn with the id of every polygon with a cell overlapping b,
// until fn returns false. A polygon may be reported more than once.
func (ix *Index) Search(b orb.Bound, fn func(id int) bool) {
	ix.tree.Search(b.Min, b.Max, func(_, _ [2]float64, id int32) bool {
		return fn(int(id))
	})
}

// Candidates appends to dst, sorted and without duplicates, the ids of the
// polygons with a cell overlapping any of bounds, and returns it.
func (ix *Index) Candidates(dst []int, bounds ...orb.Bound) []int {
	start := len(dst)
	for _, b := range bounds {
		ix.Search(b, func(id int) bool {
			dst = append(dst, id)
			return true
		})
	}
	tail := dst[start:]
	slices.Sort(tail)
	tail = slices.Compact(tail)
	return dst[:start+len(tail)]
}
