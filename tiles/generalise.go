package tiles

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
)

// A Band is a range of zoom levels whose tiles are cut from one generalised
// copy of a layer, its zoom band; the last band keeps full resolution.
type Band struct{ Lo, Hi int }

// Bands are the zoom bands of every layer, coarsest first.
var Bands = [...]Band{{0, 5}, {6, 7}, {8, 9}, {10, 11}, {12, 13}, {FullZoom, MaxZoom}}

// FullZoom is the first zoom drawn from full-resolution geometry.
const FullZoom = 14

// BandOf returns the band that zoom z is drawn from.
func BandOf(z int) Band {
	for _, b := range Bands {
		if z <= b.Hi {
			return b
		}
	}
	return Bands[len(Bands)-1]
}

// Full reports whether b keeps full resolution.
func (b Band) Full() bool { return b.Lo >= FullZoom }

// PixelMetres is the size in Web Mercator metres of one pixel of a
// 256-pixel tile at zoom z (at the equator; Mercator scale grows with
// latitude alike for the tile grid, so the ratio to the tile holds
// everywhere).
func PixelMetres(z int) float64 { return 2 * 20037508.3427892 / 256 / math.Exp2(float64(z)) }

// Tolerance is the simplification tolerance of band b, in EPSG:3857 metres:
// half a pixel at its deepest zoom, well under the MVT grid of 16 units a
// pixel.
func (b Band) Tolerance() float64 { return PixelMetres(b.Hi) / 2 }

// MinSize is the size, in EPSG:3857 metres, under which a line or polygon
// is left out of band b: one pixel at its deepest zoom. (Full resolution
// keeps everything.)
func (b Band) MinSize() float64 {
	if b.Full() {
		return 0
	}
	return PixelMetres(b.Hi)
}

// PieceVertices is the most vertices per piece of the index of band b for
// a layer of geometry type kind (see geo.PieceBoundsPlanar): at full
// resolution 256 for lines (each piece is an index entry, and a line's runs
// of that many vertices are small beside a tile there) and 512 for
// polygons; in the simplified bands, which have few vertices left, 32 for
// lines and 64 for polygons. A polygon's pieces are the leaves of a
// quadtree, which hold between a quarter and all of their limit, about
// half on a smooth boundary: twice a line's limit makes them about the
// size of its runs.
func (b Band) PieceVertices(kind layers.GeometryType) int {
	switch {
	case b.Full() && isLines(kind):
		return 256
	case b.Full():
		return 512
	case isLines(kind):
		return 32
	}
	return 64
}

func isLines(kind layers.GeometryType) bool {
	return kind == layers.LineString || kind == layers.MultiLineString
}

func isPoints(kind layers.GeometryType) bool {
	return kind == layers.Point || kind == layers.MultiPoint
}

// Generalise runs the generalisation of a layer's zoom bands for one feature
// of a line or polygon layer, g in EPSG:3857 (which it modifies), and calls
// fn for each band, finest first, with the feature's geometry there: g
// itself for full resolution; for a coarser band the geometry of the next
// finer band simplified by Douglas–Peucker to the band's tolerance (rings
// and parts that collapse dropped), or nil when the feature is smaller than
// the band's MinSize (then also in every coarser band) or nothing is left.
// One pass: each band is simplified from the last, already simplified one,
// so the work shrinks band after band; the deviation from the original
// stays under the band's tolerance plus those of the finer bands, a
// geometric series under two thirds of a pixel.
//
// A simplified polygon may no longer be valid (rings that now cross):
// suspect is set when geo.ProvablyValid cannot prove it valid, and the
// caller repairs it (postgis: ST_MakeValid). The geometry given to fn is
// only valid during the call: the next band is simplified in place, g's
// own coordinates included once fn has had the full band.
//
// For point layers fn is called once, with the full band: points are
// thinned per pixel over the whole layer, not feature by feature.
func Generalise(g orb.Geometry, kind layers.GeometryType, fn func(b Band, g orb.Geometry, suspect bool)) {
	var gz Generaliser
	gz.Generalise(g, kind, fn)
}

// A Generaliser runs Generalise with its buffers kept between features
// (one per goroutine): a band build over many features allocates them
// once.
type Generaliser struct {
	simplify geo.SimplifyScratch
	valid    geo.ValidScratch
}

// Generalise is the function Generalise, with its buffers kept in gz.
func (gz *Generaliser) Generalise(g orb.Geometry, kind layers.GeometryType, fn func(b Band, g orb.Geometry, suspect bool)) {
	full := len(Bands) - 1
	fn(Bands[full], g, false)
	if isPoints(kind) || g == nil {
		return
	}
	size := extent(g)
	cur := g
	suspect := false
	for i := full - 1; i >= 0; i-- {
		b := Bands[i]
		if cur != nil && size < b.MinSize() {
			cur = nil
		}
		if cur != nil {
			n := vertices(cur)
			cur = simplifyShape(cur, b.Tolerance(), &gz.simplify)
			// A polygon that lost no vertex is the finer band's, valid or
			// suspect as that one was.
			if cur != nil && !isLines(kind) && vertices(cur) != n {
				suspect = !gz.valid.ProvablyValid(cur)
			}
		}
		fn(b, cur, cur != nil && suspect)
	}
}

// extent is the larger side of g's bounding box (orb's Bound: of a
// polygon, its shell's), found in one pass without orb.Bound's per-point
// calls.
func extent(g orb.Geometry) float64 {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	add := func(ps []orb.Point) {
		// Compared rather than min and max, which also order NaNs and
		// signed zeros, at several times the cost.
		for _, p := range ps {
			if p[0] < x0 {
				x0 = p[0]
			}
			if p[0] > x1 {
				x1 = p[0]
			}
			if p[1] < y0 {
				y0 = p[1]
			}
			if p[1] > y1 {
				y1 = p[1]
			}
		}
	}
	switch g := g.(type) {
	case orb.LineString:
		add(g)
	case orb.MultiLineString:
		for _, l := range g {
			add(l)
		}
	case orb.Polygon:
		if len(g) > 0 {
			add(g[0])
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if len(p) > 0 {
				add(p[0])
			}
		}
	default:
		b := g.Bound()
		return max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1])
	}
	if x0 > x1 {
		return 0
	}
	return max(x1-x0, y1-y0)
}

// vertices counts the vertices of a line or polygon geometry.
func vertices(g orb.Geometry) int {
	n, _ := geo.LinearVertices(g)
	return n
}

// simplifyShape simplifies g in place (Douglas–Peucker, geo.SimplifyPlanar)
// and drops what collapsed: lines with fewer than two distinct points, rings
// with fewer than four points, and polygons whose shell collapsed. It
// returns nil when nothing is left.
func simplifyShape(g orb.Geometry, tol float64, s *geo.SimplifyScratch) orb.Geometry {
	dp := simplifier{tol: tol, s: s}
	switch g := g.(type) {
	case orb.LineString:
		if l := simplifyLine(dp, g); l != nil {
			return l
		}
	case orb.MultiLineString:
		out := g[:0]
		for _, l := range g {
			if l = simplifyLine(dp, l); l != nil {
				out = append(out, l)
			}
		}
		if len(out) > 0 {
			return out
		}
	case orb.Polygon:
		if p := simplifyPolygon(dp, g); p != nil {
			return p
		}
	case orb.MultiPolygon:
		out := g[:0]
		for _, p := range g {
			if p = simplifyPolygon(dp, p); p != nil {
				out = append(out, p)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// simplifier simplifies lines and rings with one tolerance and scratch.
type simplifier struct {
	tol float64
	s   *geo.SimplifyScratch
}

func simplifyLine(dp simplifier, l orb.LineString) orb.LineString {
	l = geo.SimplifyPlanar(l, dp.tol, dp.s)
	for i := 1; i < len(l); i++ {
		if l[i] != l[0] {
			return l
		}
	}
	return nil
}

func simplifyPolygon(dp simplifier, p orb.Polygon) orb.Polygon {
	out := p[:0]
	for i, r := range p {
		if len(r) > 4 {
			r = orb.Ring(geo.SimplifyPlanar(r, dp.tol, dp.s))
		}
		if len(r) < 4 {
			if i == 0 {
				return nil // the shell collapsed
			}
			continue
		}
		out = append(out, r)
	}
	return out
}
