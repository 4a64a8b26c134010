package geo

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// MercatorScratch converts line and polygon geometries from EPSG:4326 to
// EPSG:3857 into buffers of its own, reused from one geometry to the next
// (one per goroutine): what a band build does to every vertex of a layer.
//
// The latitude term, R·ln tan(π/4 + φ/2), costs a tangent and a logarithm
// per vertex in ToWebMercator; here it is evaluated so once per latitude
// cell of 0.01° that the geometry's vertices fall in, and from there by its
// Taylor polynomial of degree 4 about the cell's centre: a third of the
// cost. The polynomial's remainder is below 1e-10 m up to ±85° (the fifth
// derivative over 5! times 0.005° in radians to the fifth power), so the
// result is ToWebMercator's to within their rounding: a few nanometres, not
// bit for bit.
type MercatorScratch struct {
	pts   []orb.Point
	lines []orb.LineString
	rings []orb.Ring
	polys []orb.Polygon
	cells [mercCells]mercCell
}

// mercCellsPerDegree is the latitude cells per degree; mercCells the
// cells the scratch remembers (a direct-mapped cache).
const (
	mercCellsPerDegree = 100
	mercCells          = 256
)

// mercCell is the Taylor polynomial of the latitude term about one cell's
// centre, in powers of the offset in degrees.
type mercCell struct {
	key            int64
	ok             bool
	lat            float64
	c0, c1, c2, c3 float64
	c4             float64
}

// y returns the EPSG:3857 y of latitude lat (clamped as ToWebMercator
// clamps it).
func (s *MercatorScratch) y(lat float64) float64 {
	switch {
	case lat > maxMercatorLat:
		lat = maxMercatorLat
	case lat < -maxMercatorLat:
		lat = -maxMercatorLat
	case lat != lat: // NaN: as ToWebMercator gives it
		return ToWebMercator(orb.Point{0, lat})[1]
	}
	k := int64(math.Round(lat * mercCellsPerDegree))
	c := &s.cells[uint64(k)%mercCells]
	if !c.ok || c.key != k {
		c.fill(k)
	}
	h := lat - c.lat
	return c.c0 + h*(c.c1+h*(c.c2+h*(c.c3+h*c.c4)))
}

// fill computes the cell of key k: f(φ) = R ln tan(π/4 + φ/2) and its
// derivatives f′ = R sec φ, f″ = R sec φ tan φ, f‴ = R sec φ (tan²φ +
// sec²φ), f⁗ = R sec φ tan φ (tan²φ + 5 sec²φ), scaled to degrees and
// divided by the factorials.
func (c *mercCell) fill(k int64) {
	lat := float64(k) / mercCellsPerDegree
	phi := lat * degToRad
	sec, tan := 1/math.Cos(phi), math.Tan(phi)
	r, d := SemiMajorAxis, degToRad
	*c = mercCell{key: k, ok: true, lat: lat,
		c0: ToWebMercator(orb.Point{0, lat})[1],
		c1: r * sec * d,
		c2: r * sec * tan * d * d / 2,
		c3: r * sec * (tan*tan + sec*sec) * d * d * d / 6,
		c4: r * sec * tan * (tan*tan + 5*sec*sec) * d * d * d * d / 24,
	}
}

// point converts one point.
func (s *MercatorScratch) point(p orb.Point) orb.Point {
	return orb.Point{SemiMajorAxis * p[0] * degToRad, s.y(p[1])}
}

// points converts ps into the scratch's point buffer.
func (s *MercatorScratch) points(ps []orb.Point) []orb.Point {
	start := len(s.pts)
	for _, p := range ps {
		s.pts = append(s.pts, s.point(p))
	}
	return s.pts[start:len(s.pts):len(s.pts)]
}

// LinearVertices counts the vertices of a line or polygon geometry (false
// for any other kind).
func LinearVertices(g orb.Geometry) (int, bool) {
	n := 0
	ok := eachLinear(g, func(ps []orb.Point) { n += len(ps) })
	return n, ok
}

// eachLinear calls fn with each line of a line geometry, or each ring of a
// polygon geometry, in order; false, calling fn for none, for any other
// kind.
func eachLinear(g orb.Geometry, fn func([]orb.Point)) bool {
	switch g := g.(type) {
	case orb.LineString:
		fn(g)
	case orb.MultiLineString:
		for _, l := range g {
			fn(l)
		}
	case orb.Polygon:
		for _, r := range g {
			fn(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				fn(r)
			}
		}
	default:
		return false
	}
	return true
}

// ToWebMercator returns g converted from EPSG:4326 to EPSG:3857, in the
// scratch's buffers: g is left as it is, and the result is valid until the
// next call (which reuses the buffers). Lines and polygons are converted
// so; other geometries are converted by ToWebMercator into a copy.
func (s *MercatorScratch) ToWebMercator(g orb.Geometry) orb.Geometry {
	n, ok := LinearVertices(g)
	if !ok {
		return TransformPoints(orb.Clone(g), ToWebMercator)
	}
	// Sized once, so that the slices handed out are not moved by a later
	// append in this call.
	if cap(s.pts) < n {
		s.pts = make([]orb.Point, 0, n)
	}
	s.pts = s.pts[:0]
	clear(s.lines)
	clear(s.rings)
	clear(s.polys)
	s.lines, s.rings, s.polys = s.lines[:0], s.rings[:0], s.polys[:0]
	switch g := g.(type) {
	case orb.LineString:
		return orb.LineString(s.points(g))
	case orb.MultiLineString:
		for _, l := range g {
			s.lines = append(s.lines, s.points(l))
		}
		return orb.MultiLineString(s.lines)
	case orb.Polygon:
		return s.polygon(g)
	case orb.MultiPolygon:
		for range g {
			s.polys = append(s.polys, nil)
		}
		out := orb.MultiPolygon(s.polys)
		for i, p := range g {
			out[i] = s.polygon(p)
		}
		return out
	}
	return nil
}

// polygon converts p, its rings taken from the scratch's ring buffer.
func (s *MercatorScratch) polygon(p orb.Polygon) orb.Polygon {
	start := len(s.rings)
	for _, r := range p {
		s.rings = append(s.rings, orb.Ring(s.points(r)))
	}
	return orb.Polygon(s.rings[start:len(s.rings):len(s.rings)])
}

// errWKB is a WKB too short for what it says it holds.
var errWKB = errors.New("geo: WKB truncated")

// FromWKB decodes b, the WKB of a geometry in EPSG:4326, and returns it
// converted to EPSG:3857 in the scratch's buffers, valid until the next
// call: ToWebMercator of wkb.Unmarshal(b), without a decoded copy.
// LineStrings, Polygons and their Multi types (either byte order) are read
// so; anything else by wkb.Unmarshal.
func (s *MercatorScratch) FromWKB(b []byte) (orb.Geometry, error) {
	r := wkbReader{b: b}
	typ := r.header()
	switch {
	case r.err != nil:
		return nil, r.err
	case typ < 2 || typ > 6 || typ == 4:
		g, err := wkb.Unmarshal(b)
		if err != nil {
			return nil, err
		}
		return TransformPoints(g, ToWebMercator), nil
	}
	// The points are counted first, so that the point buffer is sized once
	// and the slices handed out are not moved by a later append.
	n, err := wkbPoints(b)
	if err != nil {
		return nil, err
	}
	if cap(s.pts) < n {
		s.pts = make([]orb.Point, 0, n)
	}
	s.pts = s.pts[:0]
	clear(s.lines)
	clear(s.rings)
	clear(s.polys)
	s.lines, s.rings, s.polys = s.lines[:0], s.rings[:0], s.polys[:0]
	var g orb.Geometry
	switch typ {
	case 2:
		g = orb.LineString(s.readPoints(&r))
	case 3:
		g = s.readPolygon(&r)
	case 5:
		n := r.count(9)
		for i := 0; i < n && r.err == nil; i++ {
			if r.header() != 2 {
				r.fail()
			}
			s.lines = append(s.lines, s.readPoints(&r))
		}
		g = orb.MultiLineString(s.lines)
	case 6:
		n := r.count(9)
		for i := 0; i < n && r.err == nil; i++ {
			if r.header() != 3 {
				r.fail()
			}
			s.polys = append(s.polys, s.readPolygon(&r))
		}
		g = orb.MultiPolygon(s.polys)
	}
	if r.err != nil {
		return nil, r.err
	}
	return g, nil
}

func (s *MercatorScratch) readPoints(r *wkbReader) []orb.Point {
	n := r.count(16)
	start := len(s.pts)
	for range n {
		x, y := r.float(), r.float()
		if r.err != nil {
			break
		}
		s.pts = append(s.pts, orb.Point{SemiMajorAxis * x * degToRad, s.y(y)})
	}
	return s.pts[start:len(s.pts):len(s.pts)]
}

func (s *MercatorScratch) readPolygon(r *wkbReader) orb.Polygon {
	n := r.count(4)
	start := len(s.rings)
	for i := 0; i < n && r.err == nil; i++ {
		s.rings = append(s.rings, orb.Ring(s.readPoints(r)))
	}
	return orb.Polygon(s.rings[start:len(s.rings):len(s.rings)])
}

// wkbPoints counts the points of a WKB LineString, Polygon or their Multi
// types.
func wkbPoints(b []byte) (int, error) {
	r := wkbReader{b: b}
	n := 0
	var walk func(typ uint32)
	points := func() {
		k := r.count(16)
		n += k
		r.skip(16 * k)
	}
	walk = func(typ uint32) {
		switch typ {
		case 2:
			points()
		case 3:
			k := r.count(4)
			for i := 0; i < k && r.err == nil; i++ {
				points()
			}
		case 5, 6:
			k := r.count(9)
			for i := 0; i < k && r.err == nil; i++ {
				walk(r.header())
			}
		default:
			r.fail()
		}
	}
	walk(r.header())
	return n, r.err
}

// wkbReader reads WKB: each geometry's byte order, then its type and
// counts, then its coordinates.
type wkbReader struct {
	b     []byte
	order binary.ByteOrder
	err   error
}

func (r *wkbReader) fail() {
	if r.err == nil {
		r.err = errWKB
	}
	r.b = nil
}

// header reads a geometry's byte order and type (2D types only: a type
// with Z, M or an SRID is returned as it is, which no caller reads so).
func (r *wkbReader) header() uint32 {
	if len(r.b) < 5 {
		r.fail()
		return 0
	}
	switch r.b[0] {
	case 0:
		r.order = binary.BigEndian
	case 1:
		r.order = binary.LittleEndian
	default:
		r.fail()
		return 0
	}
	t := r.order.Uint32(r.b[1:])
	r.b = r.b[5:]
	return t
}

// count reads a count of items of at least size bytes each, failing when
// they cannot fit what is left.
func (r *wkbReader) count(size int) int {
	if len(r.b) < 4 {
		r.fail()
		return 0
	}
	n := r.order.Uint32(r.b)
	r.b = r.b[4:]
	if uint64(n)*uint64(size) > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *wkbReader) float() float64 {
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	f := math.Float64frombits(r.order.Uint64(r.b))
	r.b = r.b[8:]
	return f
}

func (r *wkbReader) skip(n int) {
	if n > len(r.b) {
		r.fail()
		return
	}
	r.b = r.b[n:]
}
