package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// PreparedLine is a validated alignment, LineString or MultiLineString in
// EPSG:4326, ready to be measured and clipped many times: consecutive
// duplicate vertices are dropped and the geodesic chainage of every vertex is
// known. Parts keep their input order, and chainage runs on from one part to
// the next. A PreparedLine is immutable and safe for concurrent use.
type PreparedLine struct {
	parts  []linePart
	length float64
	bound  orb.Bound
	nverts int
}

type linePart struct {
	pts orb.LineString
	cum []float64 // chainage in metres of each vertex, counted from the start of the first part
	// runs are the bounds of runs of runSegments consecutive segments,
	// so that a search along the line skips the runs far from its box.
	runs []orb.Bound
}

// runSegments is the length of the runs of linePart.runs.
const runSegments = 16

// firstNear returns the first segment at or after si whose run's bound
// overlaps b (len(pts)-1 when none).
func (p *linePart) firstNear(si int, b orb.Bound) int {
	for r := si / runSegments; r < len(p.runs); r++ {
		if overlaps(p.runs[r], b) {
			return max(si, r*runSegments)
		}
	}
	return len(p.pts) - 1
}

// PrepareLine validates g as an alignment and prepares it. g must be an
// orb.LineString or orb.MultiLineString of finite [lon, lat] degrees in range,
// each part with at least two distinct vertices; maxVertices > 0 limits the
// total number of input vertices. A self-crossing or closed line is accepted.
// Errors are *LineError values wrapping ErrNotLine, ErrEmpty,
// ErrTooManyVertices, ErrOutOfRange, ErrWideSegment or ErrZeroLength.
func PrepareLine(g orb.Geometry, maxVertices int) (*PreparedLine, error) {
	var parts []orb.LineString
	switch g := g.(type) {
	case orb.LineString:
		parts = []orb.LineString{g}
	case orb.MultiLineString:
		parts = g
	case nil:
		return nil, &LineError{Err: ErrEmpty, Part: -1, Vertex: -1}
	default:
		return nil, &LineError{Err: ErrNotLine, Type: g.GeoJSONType(), Part: -1, Vertex: -1}
	}
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	if total == 0 {
		return nil, &LineError{Err: ErrEmpty, Part: -1, Vertex: -1}
	}
	if maxVertices > 0 && total > maxVertices {
		return nil, &LineError{Err: ErrTooManyVertices, Part: -1, Vertex: -1, Got: total, Limit: maxVertices}
	}
	l := &PreparedLine{nverts: total}
	first := true
	var chain float64
	for pi, p := range parts {
		if len(p) < 2 {
			return nil, &LineError{Err: ErrEmpty, Part: pi, Vertex: -1, Got: len(p)}
		}
		pts := make(orb.LineString, 0, len(p))
		for vi, pt := range p {
			if !validLonLat(pt) {
				return nil, &LineError{Err: ErrOutOfRange, Part: pi, Vertex: vi, Point: pt}
			}
			if len(pts) > 0 && pts[len(pts)-1] == pt {
				continue
			}
			if len(pts) > 0 && math.Abs(pt[0]-pts[len(pts)-1][0]) > 180 {
				return nil, &LineError{Err: ErrWideSegment, Part: pi, Vertex: vi, Point: pt}
			}
			pts = append(pts, pt)
		}
		if len(pts) < 2 {
			return nil, &LineError{Err: ErrZeroLength, Part: pi, Vertex: -1}
		}
		cum := make([]float64, len(pts))
		cum[0] = chain
		for i := 1; i < len(pts); i++ {
			chain += DistanceGeodesic(pts[i-1], pts[i])
			cum[i] = chain
		}
		if cum[len(cum)-1] == cum[0] {
			return nil, &LineError{Err: ErrZeroLength, Part: pi, Vertex: -1}
		}
		b := boundOf(pts)
		if first {
			l.bound = b
			first = false
		} else {
			l.bound = l.bound.Union(b)
		}
		runs := make([]orb.Bound, 0, (len(pts)-2)/runSegments+1)
		for i := 0; i < len(pts)-1; i += runSegments {
			runs = append(runs, boundOf(pts[i:min(i+runSegments, len(pts)-1)+1]))
		}
		l.parts = append(l.parts, linePart{pts: pts, cum: cum, runs: runs})
	}
	l.length = chain
	return l, nil
}

func validLonLat(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
}

// LengthGeodesic returns the line's length in metres on the WGS 84
// ellipsoid.
func (l *PreparedLine) LengthGeodesic() float64 { return l.length }

// Bound returns the line's bounding box in degrees.
func (l *PreparedLine) Bound() orb.Bound { return l.bound }

// NumVertices returns the number of vertices of the input, duplicates
// included.
func (l *PreparedLine) NumVertices() int { return l.nverts }

// Geometry returns the cleaned line: a LineString for one part, otherwise a
// MultiLineString. The caller must not modify it.
func (l *PreparedLine) Geometry() orb.Geometry {
	if len(l.parts) == 1 {
		return l.parts[0].pts
	}
	ml := make(orb.MultiLineString, len(l.parts))
	for i, p := range l.parts {
		ml[i] = p.pts
	}
	return ml
}

// Closed reports whether the line ends where it starts.
func (l *PreparedLine) Closed() bool {
	f := l.parts[0].pts[0]
	last := l.parts[len(l.parts)-1].pts
	return f == last[len(last)-1]
}

// SegmentRunBounds calls fn with the bounding box of every run of at most n
// consecutive segments, in order, until fn returns false. It is how a
// caller queries an index along the line without one query per segment.
func (l *PreparedLine) SegmentRunBounds(n int, fn func(b orb.Bound) bool) {
	if n < 1 {
		n = 1
	}
	for _, p := range l.parts {
		for i := 0; i < len(p.pts)-1; i += n {
			j := min(i+n, len(p.pts)-1)
			if !fn(boundOf(p.pts[i : j+1])) {
				return
			}
		}
	}
}

// String describes the line briefly.
func (l *PreparedLine) String() string {
	return fmt.Sprintf("line(%d parts, %d vertices, %.1f m)", len(l.parts), l.nverts, l.length)
}

// pointAt returns the point at parameter t of segment i of part p.
func (p *linePart) pointAt(i int, t float64) orb.Point {
	if t <= 0 {
		return p.pts[i]
	}
	if t >= 1 {
		return p.pts[i+1]
	}
	a, b := p.pts[i], p.pts[i+1]
	return orb.Point{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t}
}

// chainageAt returns the chainage in metres at parameter t of segment i.
func (p *linePart) chainageAt(i int, t float64) float64 {
	if t <= 0 {
		return p.cum[i]
	}
	if t >= 1 {
		return p.cum[i+1]
	}
	// Clamped: along a segment spanning most of a hemisphere the geodesic
	// from its start can outgrow the segment's own length.
	return p.cum[i] + min(DistanceGeodesic(p.pts[i], p.pointAt(i, t)), p.cum[i+1]-p.cum[i])
}

func segBound(a, b orb.Point) orb.Bound {
	bd := orb.Bound{Min: a, Max: b}
	if b[0] < a[0] {
		bd.Min[0], bd.Max[0] = b[0], a[0]
	}
	if b[1] < a[1] {
		bd.Min[1], bd.Max[1] = b[1], a[1]
	}
	return bd
}

func overlaps(a, b orb.Bound) bool {
	return a.Min[0] <= b.Max[0] && a.Max[0] >= b.Min[0] && a.Min[1] <= b.Max[1] && a.Max[1] >= b.Min[1]
}
