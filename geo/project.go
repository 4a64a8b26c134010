package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// maxMercatorLat is the latitude at which Web Mercator's square world ends.
const maxMercatorLat = 85.05112877980659

// ToWebMercator converts p from EPSG:4326 ([lon, lat] degrees) to EPSG:3857
// metres. Latitudes beyond ±85.0511° are clamped to the edge of the square
// world.
func ToWebMercator(p orb.Point) orb.Point {
	lat := math.Max(-maxMercatorLat, math.Min(maxMercatorLat, p[1]))
	x := SemiMajorAxis * p[0] * degToRad
	y := SemiMajorAxis * math.Log(math.Tan(math.Pi/4+lat*degToRad/2))
	return orb.Point{x, y}
}

// FromWebMercator converts p from EPSG:3857 metres to EPSG:4326 [lon, lat]
// degrees.
func FromWebMercator(p orb.Point) orb.Point {
	lon := p[0] / SemiMajorAxis * radToDeg
	lat := (2*math.Atan(math.Exp(p[1]/SemiMajorAxis)) - math.Pi/2) * radToDeg
	return orb.Point{lon, lat}
}

// TransformPoints applies f to every coordinate of g in place and returns g.
// Use it with ToWebMercator or FromWebMercator on a geometry the caller owns.
func TransformPoints(g orb.Geometry, f func(orb.Point) orb.Point) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return f(g)
	case orb.MultiPoint:
		for i := range g {
			g[i] = f(g[i])
		}
	case orb.LineString:
		for i := range g {
			g[i] = f(g[i])
		}
	case orb.Ring:
		for i := range g {
			g[i] = f(g[i])
		}
	case orb.MultiLineString:
		for _, l := range g {
			TransformPoints(l, f)
		}
	case orb.Polygon:
		for _, r := range g {
			TransformPoints(r, f)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			TransformPoints(p, f)
		}
	case orb.Collection:
		for i := range g {
			g[i] = TransformPoints(g[i], f)
		}
	}
	return g
}

// LocalProjection is the tangent-plane (east, north) projection of the WGS 84
// ellipsoid at an origin: a point's geocentric position relative to the
// origin, resolved along the local east and north directions, in metres.
// Distances and areas within a few tens of kilometres of the origin are true
// to a few parts per million, which makes it the metric frame for corridors
// and near-miss distances.
type LocalProjection struct {
	x0, y0, z0                     float64
	sinLat, cosLat, sinLon, cosLon float64
}

// NewLocalProjection returns the tangent-plane projection at origin ([lon,
// lat] degrees).
func NewLocalProjection(origin orb.Point) LocalProjection {
	var lp LocalProjection
	lp.sinLat, lp.cosLat = math.Sincos(origin[1] * degToRad)
	lp.sinLon, lp.cosLon = math.Sincos(origin[0] * degToRad)
	lp.x0, lp.y0, lp.z0 = ecef(origin)
	return lp
}

func ecef(p orb.Point) (x, y, z float64) {
	sinLat, cosLat := math.Sincos(p[1] * degToRad)
	sinLon, cosLon := math.Sincos(p[0] * degToRad)
	n := SemiMajorAxis / math.Sqrt(1-eccSq*sinLat*sinLat)
	return n * cosLat * cosLon, n * cosLat * sinLon, n * (1 - eccSq) * sinLat
}

// Forward returns p ([lon, lat] degrees) as (east, north) metres.
func (lp LocalProjection) Forward(p orb.Point) orb.Point {
	x, y, z := ecef(p)
	dx, dy, dz := x-lp.x0, y-lp.y0, z-lp.z0
	e := -lp.sinLon*dx + lp.cosLon*dy
	n := -lp.sinLat*lp.cosLon*dx - lp.sinLat*lp.sinLon*dy + lp.cosLat*dz
	return orb.Point{e, n}
}
