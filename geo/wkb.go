package geo

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// AppendWKB appends the WKB (little-endian) of g to buf: the bytes
// wkb.Marshal writes, for lines and polygons without its buffer's growth
// and copies (an import writes one for every feature, a band build one for
// every band of every feature); other geometries by wkb.Marshal.
func AppendWKB(buf []byte, g orb.Geometry) ([]byte, error) {
	switch g := g.(type) {
	case orb.LineString:
		return appendWKBPoints(appendWKBHeader(buf, 2, -1), g), nil
	case orb.MultiLineString:
		buf = appendWKBHeader(buf, 5, len(g))
		for _, l := range g {
			buf = appendWKBPoints(appendWKBHeader(buf, 2, -1), l)
		}
		return buf, nil
	case orb.Polygon:
		return appendWKBPolygon(buf, g), nil
	case orb.MultiPolygon:
		buf = appendWKBHeader(buf, 6, len(g))
		for _, p := range g {
			buf = appendWKBPolygon(buf, p)
		}
		return buf, nil
	}
	b, err := wkb.Marshal(g)
	if err != nil {
		return buf, fmt.Errorf("geo: WKB of a %T: %w", g, err)
	}
	return append(buf, b...), nil
}

// MarshalWKB is AppendWKB into a buffer of its own, sized exactly for lines
// and polygons.
func MarshalWKB(g orb.Geometry) ([]byte, error) {
	return AppendWKB(make([]byte, 0, wkbSize(g)), g)
}

// wkbSize is the size of the WKB of a line or polygon geometry (0 for
// others: AppendWKB grows the buffer then).
func wkbSize(g orb.Geometry) int {
	const header, count, point = 5, 4, 16
	n := 0
	switch g := g.(type) {
	case orb.LineString:
		n = header + count + point*len(g)
	case orb.MultiLineString:
		n = header + count
		for _, l := range g {
			n += header + count + point*len(l)
		}
	case orb.Polygon:
		n = header + count
		for _, r := range g {
			n += count + point*len(r)
		}
	case orb.MultiPolygon:
		n = header + count
		for _, p := range g {
			n += header + count
			for _, r := range p {
				n += count + point*len(r)
			}
		}
	}
	return n
}

func appendWKBHeader(buf []byte, typ, n int) []byte {
	buf = append(buf, 1)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(typ))
	if n >= 0 {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(n))
	}
	return buf
}

func appendWKBPoints(buf []byte, ps []orb.Point) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(ps)))
	for _, p := range ps {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(p[0]))
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(p[1]))
	}
	return buf
}

func appendWKBPolygon(buf []byte, p orb.Polygon) []byte {
	buf = appendWKBHeader(buf, 3, len(p))
	for _, r := range p {
		buf = appendWKBPoints(buf, r)
	}
	return buf
}
