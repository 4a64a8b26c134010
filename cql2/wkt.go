package cql2

import (
	"strings"

	"github.com/paulmach/orb"
)

// writeWKT writes g as CQL2 WKT; an orb.Bound as BBOX(w,s,e,n).
func writeWKT(b *strings.Builder, g orb.Geometry) {
	switch g := g.(type) {
	case orb.Bound:
		b.WriteString("BBOX(" + formatCoord(g.Min[0]) + "," + formatCoord(g.Min[1]) + "," +
			formatCoord(g.Max[0]) + "," + formatCoord(g.Max[1]) + ")")
	case orb.Point:
		b.WriteString("POINT")
		writePoints(b, []orb.Point{g})
	case orb.LineString:
		b.WriteString("LINESTRING")
		writePoints(b, g)
	case orb.Polygon:
		b.WriteString("POLYGON")
		writePolygon(b, g)
	case orb.MultiPoint:
		b.WriteString("MULTIPOINT(")
		for i, p := range g {
			if i > 0 {
				b.WriteByte(',')
			}
			writePoints(b, []orb.Point{p})
		}
		b.WriteByte(')')
	case orb.MultiLineString:
		b.WriteString("MULTILINESTRING(")
		for i, l := range g {
			if i > 0 {
				b.WriteByte(',')
			}
			writePoints(b, l)
		}
		b.WriteByte(')')
	case orb.MultiPolygon:
		b.WriteString("MULTIPOLYGON(")
		for i, p := range g {
			if i > 0 {
				b.WriteByte(',')
			}
			writePolygon(b, p)
		}
		b.WriteByte(')')
	case orb.Collection:
		b.WriteString("GEOMETRYCOLLECTION(")
		for i, m := range g {
			if i > 0 {
				b.WriteByte(',')
			}
			writeWKT(b, m)
		}
		b.WriteByte(')')
	}
}

func writePoints(b *strings.Builder, ps []orb.Point) {
	b.WriteByte('(')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(formatCoord(p[0]) + " " + formatCoord(p[1]))
	}
	b.WriteByte(')')
}

func writePolygon(b *strings.Builder, p orb.Polygon) {
	b.WriteByte('(')
	for i, r := range p {
		if i > 0 {
			b.WriteByte(',')
		}
		writePoints(b, r)
	}
	b.WriteByte(')')
}

// formatCoord writes a coordinate so that it reads back exactly.
func formatCoord(f float64) string {
	s := formatFloat(f)
	return strings.TrimSuffix(s, ".0")
}

// pointCount is the number of coordinates of g.
func pointCount(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 1
	case orb.Bound:
		return 2
	case orb.MultiPoint:
		return len(g)
	case orb.LineString:
		return len(g)
	case orb.Ring:
		return len(g)
	case orb.Polygon:
		n := 0
		for _, r := range g {
			n += len(r)
		}
		return n
	case orb.MultiLineString:
		n := 0
		for _, l := range g {
			n += len(l)
		}
		return n
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += pointCount(p)
		}
		return n
	case orb.Collection:
		n := 0
		for _, m := range g {
			n += pointCount(m)
		}
		return n
	}
	return 0
}
