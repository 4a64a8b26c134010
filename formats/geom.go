package formats

import (
	"math"

	"github.com/paulmach/orb"
)

// validateGeometry checks what every reader promises of a geometry: finite
// coordinates, lines of two points or more, closed rings of four points or
// more. It does not check simplicity or self-intersection: that is the
// consumer's business (PostGIS ST_MakeValid).
func validateGeometry(g orb.Geometry) error {
	switch g := g.(type) {
	case nil:
		return nil
	case orb.Point:
		return checkPoint(g)
	case orb.MultiPoint:
		for _, p := range g {
			if err := checkPoint(p); err != nil {
				return err
			}
		}
	case orb.LineString:
		return checkLine(g)
	case orb.MultiLineString:
		for _, l := range g {
			if err := checkLine(l); err != nil {
				return err
			}
		}
	case orb.Polygon:
		return checkPolygon(g)
	case orb.MultiPolygon:
		for _, p := range g {
			if err := checkPolygon(p); err != nil {
				return err
			}
		}
	case orb.Collection:
		for _, c := range g {
			if err := validateGeometry(c); err != nil {
				return err
			}
		}
	default:
		return geomErrorf("unsupported geometry %T", g)
	}
	return nil
}

func checkPoint(p orb.Point) error {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) {
		return geomErrorf("NaN coordinate")
	}
	if math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
		return geomErrorf("infinite coordinate")
	}
	return nil
}

func checkLine(l orb.LineString) error {
	if len(l) < 2 {
		return geomErrorf("line with %d point(s), needs 2 or more", len(l))
	}
	for _, p := range l {
		if err := checkPoint(p); err != nil {
			return err
		}
	}
	return nil
}

func checkPolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return geomErrorf("polygon without rings")
	}
	for i, r := range p {
		if len(r) < 4 {
			return geomErrorf("ring %d has %d points, needs 4 or more", i, len(r))
		}
		for _, pt := range r {
			if err := checkPoint(pt); err != nil {
				return err
			}
		}
		if r[0] != r[len(r)-1] {
			return geomErrorf("ring %d not closed (first point %v, last %v)", i, r[0], r[len(r)-1])
		}
	}
	return nil
}

// geometryType returns the GeoJSON name of g's type, or "" for nil.
func geometryType(g orb.Geometry) string {
	if g == nil {
		return ""
	}
	if _, ok := g.(orb.Collection); ok {
		return "GeometryCollection"
	}
	return g.GeoJSONType()
}
