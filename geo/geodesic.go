package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// WGS 84 ellipsoid.
const (
	// SemiMajorAxis is the WGS 84 equatorial radius in metres.
	SemiMajorAxis = 6378137.0
	// Flattening is the WGS 84 flattening.
	Flattening = 1 / 298.257223563

	semiMinorAxis = SemiMajorAxis * (1 - Flattening)
	eccSq         = Flattening * (2 - Flattening)
	degToRad      = math.Pi / 180
	radToDeg      = 180 / math.Pi
)

// shortLineDeg bounds, in degrees of latitude and longitude, the lines that
// DistanceGeodesic measures by the mid-latitude formula.
const shortLineDeg = 0.05

// DistanceGeodesic returns the length in metres of the shortest path between
// a and b ([lon, lat] in degrees) on the WGS 84 ellipsoid. Points less than
// 0.05° apart in both latitude and longitude (about 5 km, the alignment
// segments of practice) are measured by the mid-latitude formula with the
// ellipsoid's radii of curvature there, whose error is below a part in ten
// million at that length; longer lines by Vincenty's inverse formula
// (accurate to well under a millimetre). For nearly antipodal points, where
// Vincenty's iteration does not converge, it falls back to the great-circle
// distance on a sphere of the mean radius.
func DistanceGeodesic(a, b orb.Point) float64 {
	if a == b {
		return 0
	}
	dLat, dLon := b[1]-a[1], b[0]-a[0]
	if math.Abs(dLat) < shortLineDeg && math.Abs(dLon) < shortLineDeg {
		s, c := math.Sincos((a[1] + b[1]) / 2 * degToRad)
		w := 1 - eccSq*s*s
		n := SemiMajorAxis / math.Sqrt(w)
		m := n * (1 - eccSq) / w
		y := m * dLat * degToRad
		x := n * c * dLon * degToRad
		return math.Sqrt(x*x + y*y)
	}
	return vincenty(a, b)
}

// vincenty is Vincenty's inverse formula on WGS 84.
func vincenty(a, b orb.Point) float64 {
	L := (b[0] - a[0]) * degToRad
	tanU1 := (1 - Flattening) * math.Tan(a[1]*degToRad)
	tanU2 := (1 - Flattening) * math.Tan(b[1]*degToRad)
	cosU1 := 1 / math.Sqrt(1+tanU1*tanU1)
	sinU1 := tanU1 * cosU1
	cosU2 := 1 / math.Sqrt(1+tanU2*tanU2)
	sinU2 := tanU2 * cosU2

	lambda := L
	var sinSigma, cosSigma, sigma, cosSqAlpha, cos2SigmaM float64
	converged := false
	for i := 0; i < 200; i++ {
		sinLambda, cosLambda := math.Sincos(lambda)
		t1 := cosU2 * sinLambda
		t2 := cosU1*sinU2 - sinU1*cosU2*cosLambda
		sinSigma = math.Sqrt(t1*t1 + t2*t2)
		if sinSigma == 0 {
			return 0
		}
		cosSigma = sinU1*sinU2 + cosU1*cosU2*cosLambda
		sigma = math.Atan2(sinSigma, cosSigma)
		sinAlpha := cosU1 * cosU2 * sinLambda / sinSigma
		cosSqAlpha = 1 - sinAlpha*sinAlpha
		if cosSqAlpha != 0 {
			cos2SigmaM = cosSigma - 2*sinU1*sinU2/cosSqAlpha
		} else {
			cos2SigmaM = 0
		}
		C := Flattening / 16 * cosSqAlpha * (4 + Flattening*(4-3*cosSqAlpha))
		prev := lambda
		lambda = L + (1-C)*Flattening*sinAlpha*(sigma+C*sinSigma*(cos2SigmaM+C*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
		if math.Abs(lambda-prev) < 1e-12 {
			converged = true
			break
		}
	}
	if !converged {
		return haversine(a, b)
	}
	uSq := cosSqAlpha * (SemiMajorAxis*SemiMajorAxis - semiMinorAxis*semiMinorAxis) / (semiMinorAxis * semiMinorAxis)
	A := 1 + uSq/16384*(4096+uSq*(-768+uSq*(320-175*uSq)))
	B := uSq / 1024 * (256 + uSq*(-128+uSq*(74-47*uSq)))
	deltaSigma := B * sinSigma * (cos2SigmaM + B/4*(cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)-
		B/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*cos2SigmaM*cos2SigmaM)))
	return semiMinorAxis * A * (sigma - deltaSigma)
}

func haversine(a, b orb.Point) float64 {
	const meanRadius = (2*SemiMajorAxis + semiMinorAxis) / 3
	la1, la2 := a[1]*degToRad, b[1]*degToRad
	dla := la2 - la1
	dlo := (b[0] - a[0]) * degToRad
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * meanRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// LengthGeodesic returns the length in metres of ls on the WGS 84 ellipsoid:
// the sum of the geodesic distances between consecutive vertices, as
// PostGIS's ST_Length(geography) measures it.
func LengthGeodesic(ls orb.LineString) float64 {
	var s float64
	for i := 1; i < len(ls); i++ {
		s += DistanceGeodesic(ls[i-1], ls[i])
	}
	return s
}

// authalicY returns the northing, in metres, of latitude lat (degrees) in
// the normal cylindrical equal-area projection of the WGS 84 ellipsoid.
func authalicY(lat float64) float64 {
	e := math.Sqrt(eccSq)
	s := math.Sin(lat * degToRad)
	q := (1 - eccSq) * (s/(1-eccSq*s*s) - 1/(2*e)*math.Log((1-e*s)/(1+e*s)))
	return SemiMajorAxis * q / 2
}

// ringAreaEqualArea returns the signed area in square metres of ring in the
// cylindrical equal-area projection (positive when counter-clockwise).
func ringAreaEqualArea(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	x0, y0 := r[0][0]*degToRad*SemiMajorAxis, authalicY(r[0][1])
	var s float64
	px, py := 0.0, 0.0
	for i := 1; i < len(r); i++ {
		x, y := r[i][0]*degToRad*SemiMajorAxis-x0, authalicY(r[i][1])-y0
		s += px*y - x*py
		px, py = x, y
	}
	return s / 2
}

// AreaGeodesic returns the area in square metres of a polygon or
// multipolygon ([lon, lat] degrees) on the WGS 84 ellipsoid; holes are
// subtracted and ring orientation does not matter. The area is exact for the
// polygon whose edges are straight in the ellipsoid's cylindrical equal-area
// projection; for edges up to tens of kilometres that differs from the
// geodesic polygon (PostGIS's ST_Area(geography)) by far less than a part
// per million. Polygons must not cross the antimeridian.
func AreaGeodesic(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Polygon:
		var a float64
		for i, r := range g {
			ra := math.Abs(ringAreaEqualArea(r))
			if i == 0 {
				a += ra
			} else {
				a -= ra
			}
		}
		return a
	case orb.MultiPolygon:
		var a float64
		for _, p := range g {
			a += AreaGeodesic(p)
		}
		return a
	case orb.Ring:
		return math.Abs(ringAreaEqualArea(g))
	}
	return 0
}
