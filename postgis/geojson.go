package postgis

import (
	"strconv"

	"github.com/paulmach/orb"
)

// appendGeoJSON appends the GeoJSON geometry of g to b, coordinates rounded
// to digits decimals (trailing zeros dropped). It is the Go side of the
// items query: the database sends WKB, which is cheaper for it to produce
// than GeoJSON text.
func appendGeoJSON(b []byte, g orb.Geometry, digits int) []byte {
	if g == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"type":"`...)
	b = append(b, g.GeoJSONType()...)
	if c, ok := g.(orb.Collection); ok {
		b = append(b, `","geometries":[`...)
		for i, m := range c {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendGeoJSON(b, m, digits)
		}
		return append(b, "]}"...)
	}
	b = append(b, `","coordinates":`...)
	b = appendCoords(b, g, digits)
	return append(b, '}')
}

func appendPoint(b []byte, p orb.Point, digits int) []byte {
	b = append(b, '[')
	b = appendFloat(b, p[0], digits)
	b = append(b, ',')
	b = appendFloat(b, p[1], digits)
	return append(b, ']')
}

func appendFloat(b []byte, f float64, digits int) []byte {
	n := len(b)
	b = strconv.AppendFloat(b, f, 'f', digits, 64)
	// Drop trailing zeros (and a bare point) like ST_AsGeoJSON does.
	for i := n; i < len(b); i++ {
		if b[i] == '.' {
			for b[len(b)-1] == '0' {
				b = b[:len(b)-1]
			}
			if b[len(b)-1] == '.' {
				b = b[:len(b)-1]
			}
			break
		}
	}
	if len(b)-n == 2 && b[n] == '-' && b[n+1] == '0' {
		b = append(b[:n], '0')
	}
	return b
}

func appendPoints(b []byte, ps []orb.Point, digits int) []byte {
	b = append(b, '[')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPoint(b, p, digits)
	}
	return append(b, ']')
}

func appendCoords(b []byte, g orb.Geometry, digits int) []byte {
	switch g := g.(type) {
	case orb.Point:
		return appendPoint(b, g, digits)
	case orb.MultiPoint:
		return appendPoints(b, g, digits)
	case orb.LineString:
		return appendPoints(b, g, digits)
	case orb.Ring:
		return appendPoints(b, g, digits)
	case orb.MultiLineString:
		b = append(b, '[')
		for i, l := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPoints(b, l, digits)
		}
		return append(b, ']')
	case orb.Polygon:
		b = append(b, '[')
		for i, r := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPoints(b, r, digits)
		}
		return append(b, ']')
	case orb.MultiPolygon:
		b = append(b, '[')
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCoords(b, p, digits)
		}
		return append(b, ']')
	case orb.Bound:
		return appendCoords(b, g.ToPolygon(), digits)
	}
	return append(b, "[]"...)
}
