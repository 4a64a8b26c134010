package formats

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// parseWKB decodes ISO WKB, OGC WKB or EWKB into a 2D geometry, dropping Z
// and M (orb's wkb package reads 2D only). z reports dropped values.
func parseWKB(b []byte) (orb.Geometry, bool, error) {
	p := &wkbParser{b: b}
	g, err := p.geometry(0)
	if err != nil {
		return nil, false, err
	}
	if p.i != len(b) {
		return nil, false, fmt.Errorf("%d bytes after the geometry", len(b)-p.i)
	}
	return g, p.z, nil
}

type wkbParser struct {
	b     []byte
	i     int
	order binary.ByteOrder
	z     bool
}

var errWKBShort = errors.New("WKB truncated")

func (p *wkbParser) u32() (uint32, error) {
	if p.i+4 > len(p.b) {
		return 0, errWKBShort
	}
	v := p.order.Uint32(p.b[p.i:])
	p.i += 4
	return v, nil
}

// count reads an element count and checks that at least min bytes per
// element remain, so a hostile count cannot allocate.
func (p *wkbParser) count(min int) (int, error) {
	n, err := p.u32()
	if err != nil {
		return 0, err
	}
	if int64(n)*int64(min) > int64(len(p.b)-p.i) {
		return 0, fmt.Errorf("count %d does not fit the %d bytes left", n, len(p.b)-p.i)
	}
	return int(n), nil
}

func (p *wkbParser) points(dims int) ([]orb.Point, error) {
	n, err := p.count(8 * dims)
	if err != nil {
		return nil, err
	}
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{
			math.Float64frombits(p.order.Uint64(p.b[p.i:])),
			math.Float64frombits(p.order.Uint64(p.b[p.i+8:])),
		}
		p.i += 8 * dims
	}
	return pts, nil
}

func (p *wkbParser) geometry(depth int) (orb.Geometry, error) {
	if depth > 16 {
		return nil, errors.New("WKB nested too deeply")
	}
	if p.i >= len(p.b) {
		return nil, errWKBShort
	}
	switch p.b[p.i] {
	case 0:
		p.order = binary.BigEndian
	case 1:
		p.order = binary.LittleEndian
	default:
		return nil, fmt.Errorf("bad WKB byte order %d", p.b[p.i])
	}
	p.i++
	t, err := p.u32()
	if err != nil {
		return nil, err
	}
	dims := 2
	if t&0x80000000 != 0 {
		dims++
	}
	if t&0x40000000 != 0 {
		dims++
	}
	if t&0x20000000 != 0 { // EWKB SRID
		if _, err := p.u32(); err != nil {
			return nil, err
		}
	}
	t &= 0x0fffffff
	switch t / 1000 {
	case 1, 2:
		dims++
	case 3:
		dims += 2
	}
	t %= 1000
	if dims > 4 {
		return nil, errors.New("bad WKB dimensions")
	}
	if dims > 2 {
		p.z = true
	}
	switch t {
	case 1:
		if p.i+8*dims > len(p.b) {
			return nil, errWKBShort
		}
		x := math.Float64frombits(p.order.Uint64(p.b[p.i:]))
		y := math.Float64frombits(p.order.Uint64(p.b[p.i+8:]))
		p.i += 8 * dims
		if math.IsNaN(x) && math.IsNaN(y) {
			return nil, nil // POINT EMPTY
		}
		return orb.Point{x, y}, nil
	case 2:
		pts, err := p.points(dims)
		if len(pts) == 0 {
			return nil, err
		}
		return orb.LineString(pts), err
	case 3:
		n, err := p.count(4)
		if err != nil {
			return nil, err
		}
		poly := make(orb.Polygon, 0, n)
		for range n {
			r, err := p.points(dims)
			if err != nil {
				return nil, err
			}
			poly = append(poly, orb.Ring(r))
		}
		if len(poly) == 0 {
			return nil, nil
		}
		return poly, nil
	case 4, 5, 6, 7:
		n, err := p.count(5)
		if err != nil {
			return nil, err
		}
		var parts []orb.Geometry
		for range n {
			order := p.order
			g, err := p.geometry(depth + 1)
			if err != nil {
				return nil, err
			}
			p.order = order
			if g != nil {
				parts = append(parts, g)
			}
		}
		if len(parts) == 0 {
			return nil, nil
		}
		if t == 7 {
			return orb.Collection(parts), nil
		}
		g := homogenize(parts)
		if _, ok := g.(orb.Collection); ok {
			return nil, fmt.Errorf("WKB multi-geometry of type %d holds mixed parts", t)
		}
		return g, nil
	}
	return nil, fmt.Errorf("unsupported WKB geometry type %d", t)
}

// parseGPKGBlob decodes a GeoPackage geometry blob: the "GP" header, an
// optional envelope, then WKB.
func parseGPKGBlob(b []byte) (orb.Geometry, bool, error) {
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return nil, false, errors.New("not a GeoPackage geometry blob (no GP magic)")
	}
	flags := b[3]
	if flags&0x20 != 0 {
		return nil, false, errors.New("extended GeoPackage geometry types are not supported")
	}
	env := [...]int{0, 32, 48, 48, 64}
	e := int(flags>>1) & 7
	if e >= len(env) {
		return nil, false, fmt.Errorf("bad envelope indicator %d", e)
	}
	start := 8 + env[e]
	if len(b) < start {
		return nil, false, errWKBShort
	}
	if flags&0x10 != 0 && len(b) == start {
		return nil, false, nil // empty geometry
	}
	g, z, err := parseWKB(b[start:])
	return g, z, err
}
