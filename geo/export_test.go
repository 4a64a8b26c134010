package geo

import (
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// For the tests outside the package (corridor_postgis_test.go).

// CorridorAsDiscsAndRects returns the corridor of l over p as its plain
// definition, a whole polygonal disc at every vertex and a rectangle per
// segment, in p's local frame.
func CorridorAsDiscsAndRects(l *PreparedLine, p *PreparedPolygon, r float64) []orb.Ring {
	var rings []orb.Ring
	for _, s := range discShapes(l, p, r) {
		rings = append(rings, append(orb.Ring(nil), s.pts...))
	}
	return rings
}

// SummedByPieces reports whether CorridorAreaLocal sums l's corridor over
// p piece by piece, rather than as a union of overlapping shapes.
func SummedByPieces(l *PreparedLine, p *PreparedPolygon, r float64) bool {
	_, ok := newCorridor(l, p, r).disjointArea(p)
	return ok
}

// LocalRings returns p's rings in its local frame.
func LocalRings(p *PreparedPolygon) []orb.Ring {
	var rings []orb.Ring
	var cur orb.Ring
	for k, e := range p.local.edges {
		cur = append(cur, e.a)
		if k+1 == len(p.local.edges) || p.local.edges[k+1].a != e.b {
			rings = append(rings, cur)
			cur = nil
		}
	}
	return rings
}

// RandomWalk and RandomPolygon are the random lines and polygons of the
// corridor tests.
func RandomWalk(rng *rand.Rand, start orb.Point, n int, step float64) orb.LineString {
	return randomWalk(rng, start, n, step)
}

func RandomPolygon(rng *rand.Rand, c orb.Point, rad float64, n int, hole bool) orb.Polygon {
	return randomPolygon(rng, c, rad, n, hole)
}
