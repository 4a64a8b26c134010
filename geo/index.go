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
	polys []*PreparedPolygon
	tree  rtree.RTreeG[int32]
	cells int
}

// NewIndex builds an index over polys; a polygon's position in polys is its
// id in query results. maxCellEdges <= 0 means DefaultMaxCellEdges.
func NewIndex(polys []*PreparedPolygon, maxCellEdges int) *Index {
	if maxCellEdges <= 0 {
		maxCellEdges = DefaultMaxCellEdges
	}
	ix := &Index{polys: polys}
	for i, p := range polys {
		if p == nil || len(p.deg.edges) == 0 {
			continue
		}
		if len(p.deg.edges) <= maxCellEdges {
			ix.insert(p.Bound(), i)
			continue
		}
		all := make([]int32, len(p.deg.edges))
		for k := range all {
			all[k] = int32(k)
		}
		ix.subdivide(p, i, p.Bound(), all, maxCellEdges, 0)
	}
	return ix
}

func (ix *Index) insert(b orb.Bound, id int) {
	ix.tree.Insert(b.Min, b.Max, int32(id))
	ix.cells++
}

func (ix *Index) subdivide(p *PreparedPolygon, id int, cell orb.Bound, edges []int32, maxEdges, depth int) {
	if len(edges) == 0 {
		if p.deg.locate(cell.Center()) == Inside {
			ix.insert(cell, id)
		}
		return
	}
	if len(edges) <= maxEdges || depth >= maxSubdivisionDepth {
		ix.insert(cell, id)
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
		ix.subdivide(p, id, q, sub, maxEdges, depth+1)
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
