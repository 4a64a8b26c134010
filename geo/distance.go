package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// MinDistanceGeodesic returns the shortest distance in metres on WGS 84
// between line l and polygon p (its boundary or interior: 0 when they meet)
// and true, when that distance is at most withinM; otherwise it returns
// +Inf and false. The closest pair of points is found in the polygon's
// tangent-plane projection and their distance is then measured on the
// ellipsoid, which for distances up to some kilometres agrees with PostGIS's
// ST_Distance(geography, geography) to centimetres.
func MinDistanceGeodesic(l *PreparedLine, p *PreparedPolygon, withinM float64) (float64, bool) {
	if !(withinM >= 0) {
		return math.Inf(1), false
	}
	best := math.Inf(1)
	var bestLine, bestPoly orb.Point
	found, checked, inside := false, false, false
	p.localSegments(l, withinM, func(a, b, A, B orb.Point) {
		if inside {
			return
		}
		// A line that meets the polygon without crossing an edge lies
		// inside it, and then its first vertex near it does too.
		if !checked {
			if p.deg.locate(a) != Outside {
				inside = true
				return
			}
			checked = true
		}
		lim := math.Min(best, withinM*1.01+1)
		p.local.search(segBound(A, B).Pad(lim), func(i int, e seg) bool {
			d, s, t := closestSegSeg(A, B, e.a, e.b)
			if d < best {
				best = d
				ref := p.local.refs[i]
				de := p.deg.edges[ref.edge]
				bestLine, bestPoly = lerp(a, b, s), lerp(de.a, de.b, ref.t0+t*(ref.t1-ref.t0))
				found = true
			}
			return true
		})
	})
	if inside {
		return 0, true
	}
	if !found {
		return math.Inf(1), false
	}
	if best <= epsMetre {
		return 0, true
	}
	d := DistanceGeodesic(bestLine, bestPoly)
	if d > withinM {
		return math.Inf(1), false
	}
	return d, true
}
