package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// MeanRadius is the mean radius of the WGS 84 ellipsoid in metres, the
// radius of the sphere the Gnomonic projection is drawn on.
const MeanRadius = 6371008.8

// Gnomonic is the gnomonic projection of the sphere at a centre, with
// longitude and latitude taken as spherical coordinates: it maps every
// great-circle arc to a straight line. PostGIS's geography type joins
// vertices by great-circle arcs, so a straight segment of this plane is
// exactly the edge a geography between its two ends has. Distances are
// stretched, never shrunk, by the projection: by 1/cos²c along the radius
// and 1/cos c across it at an angular distance c from the centre.
type Gnomonic struct {
	lon0                   float64
	sinLat0, cosLat0       float64
	centre                 orb.Point
	maxAngle, minStretchSq float64
}

// NewGnomonic returns the gnomonic projection at centre ([lon, lat]).
func NewGnomonic(centre orb.Point) Gnomonic {
	g := Gnomonic{lon0: centre[0] * degToRad, centre: centre}
	g.sinLat0, g.cosLat0 = math.Sincos(centre[1] * degToRad)
	return g
}

// Centre returns the projection's centre.
func (g Gnomonic) Centre() orb.Point { return g.centre }

// Forward returns p ([lon, lat]) in metres on the plane, and false when p
// is 80° or more from the centre.
func (g Gnomonic) Forward(p orb.Point) (orb.Point, bool) {
	sinLat, cosLat := math.Sincos(p[1] * degToRad)
	sinDL, cosDL := math.Sincos(p[0]*degToRad - g.lon0)
	cosC := g.sinLat0*sinLat + g.cosLat0*cosLat*cosDL
	if cosC < 0.17 {
		return orb.Point{}, false
	}
	x := MeanRadius * cosLat * sinDL / cosC
	y := MeanRadius * (g.cosLat0*sinLat - g.sinLat0*cosLat*cosDL) / cosC
	return orb.Point{x, y}, true
}

// Inverse returns the point ([lon, lat]) at q on the plane.
func (g Gnomonic) Inverse(q orb.Point) orb.Point {
	rho := math.Hypot(q[0], q[1])
	if rho == 0 {
		return g.centre
	}
	c := math.Atan(rho / MeanRadius)
	sinC, cosC := math.Sincos(c)
	lat := math.Asin(cosC*g.sinLat0 + q[1]*sinC*g.cosLat0/rho)
	lon := g.lon0 + math.Atan2(q[0]*sinC, rho*g.cosLat0*cosC-q[1]*g.sinLat0*sinC)
	return orb.Point{lon * radToDeg, lat * radToDeg}
}

// ShrinkBound returns a factor f ≤ 1 such that, for any two points within
// radiusM (planar) of the centre, the geodesic distance on WGS 84 between
// them is at least f times their planar distance, for latitudes between
// minLat and maxLat (degrees). Keeping a planar distance of d/f then keeps
// a geodesic distance of at least d.
func (g Gnomonic) ShrinkBound(radiusM, minLat, maxLat float64) float64 {
	// The inverse projection shrinks by at most cos²c.
	c := math.Atan(radiusM / MeanRadius)
	cos := math.Cos(c)
	// The ellipsoid's metric against the sphere's at the same latitude and
	// longitude: at least the meridian radius over the sphere's radius.
	lat := math.Max(math.Abs(minLat), math.Abs(maxLat))
	lat0 := math.Min(math.Abs(minLat), math.Abs(maxLat))
	if minLat < 0 && maxLat > 0 {
		lat0 = 0
	}
	m := math.Inf(1)
	for _, phi := range []float64{lat0, lat} {
		s := math.Sin(phi * degToRad)
		w := 1 - eccSq*s*s
		m = math.Min(m, SemiMajorAxis*(1-eccSq)/(w*math.Sqrt(w)))
	}
	return cos * cos * math.Min(1, m/MeanRadius)
}
