package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// minPieceLength is the length in metres under which a piece of line inside
// a polygon is taken for a point contact produced by rounding.
const minPieceLength = 1e-3

// LinePosition is a point on a prepared line.
type LinePosition struct {
	// Point is the position in [lon, lat] degrees.
	Point orb.Point
	// ChainageM is the geodesic distance in metres along the line from its
	// start (parts follow one another).
	ChainageM float64
	// Part and Segment locate the position: it lies at parameter T (0..1)
	// of segment Segment of part Part.
	Part, Segment int
	T             float64
}

// Piece is one connected stretch of a line inside a polygon.
type Piece struct {
	// Line holds the piece's vertices.
	Line orb.LineString
	// LengthM is its geodesic length in metres.
	LengthM float64
	// Entry and Exit are where the line comes into and leaves the polygon,
	// in the line's direction.
	Entry, Exit LinePosition
}

// Clip is the part of a line inside a polygon.
type Clip struct {
	// Pieces are the connected stretches inside, in chainage order of their
	// entries (a stretch of a closed line that wraps round its start comes
	// last).
	Pieces []Piece
	// LengthM is the total geodesic length inside in metres.
	LengthM float64
	// Touches reports whether the line meets the polygon at all, even at a
	// single point.
	Touches bool
}

// ClipPlanar returns the parts of l inside p, with segments and edges taken
// as straight lines in longitude/latitude, as PostGIS's
// ST_Intersection(geometry, geometry) takes them, and lengths measured on
// the ellipsoid as ST_Length(geography) does. The polygon is closed: a
// stretch of the line that runs along its boundary is inside, as in PostGIS,
// while a contact at a single point is not a piece (it only sets Touches).
// Stretches that join at a vertex, including those that continue across
// consecutive parts that meet and round the start of a closed line, form one
// piece.
func ClipPlanar(l *PreparedLine, p *PreparedPolygon) Clip {
	var c Clip
	pb := p.Bound()
	var cur *Piece
	var ts []float64
	finish := func() {
		if cur != nil {
			if cur.LengthM >= minPieceLength {
				c.Pieces = append(c.Pieces, *cur)
			}
			cur = nil
		}
	}
	near := pb.Pad(epsDeg)
	// Where a segment and the one before it meet no edge of the polygon,
	// the one is where the other is: the location carries over.
	carried, carriedLoc := -2, Outside // -2: none
	for pi := range l.parts {
		part := &l.parts[pi]
		carried = -2
		for si := 0; si < len(part.pts)-1; si++ {
			if si%runSegments == 0 && !overlaps(part.runs[si/runSegments], near) {
				// A run far from the polygon: none of its segments meets it.
				finish()
				si = part.firstNear(si, near) - 1
				continue
			}
			a, b := part.pts[si], part.pts[si+1]
			sb := segBound(a, b)
			if !overlaps(sb, near) {
				finish()
				continue
			}
			ts = append(ts[:0], 0, 1)
			p.deg.search(sb.Pad(epsDeg), func(_ int, e seg) bool {
				n, t0, t1, _, _ := intersectSegs(a, b, e.a, e.b, epsDeg)
				if n > 0 {
					c.Touches = true
					ts = append(ts, t0)
					if n == 2 {
						ts = append(ts, t1)
					}
				}
				return true
			})
			slices.Sort(ts)
			noEdge := len(ts) == 2
			for k := 0; k+1 < len(ts); k++ {
				t0, t1 := ts[k], ts[k+1]
				if t1-t0 < 1e-12 {
					continue
				}
				var loc Location
				if noEdge && carried == si-1 {
					loc = carriedLoc
				} else {
					loc = p.deg.locate(part.pointAt(si, (t0+t1)/2))
				}
				if noEdge && loc != Boundary {
					carried, carriedLoc = si, loc
				}
				if loc == Outside {
					finish()
					continue
				}
				c.Touches = true
				p0, p1 := part.pointAt(si, t0), part.pointAt(si, t1)
				var d float64
				if t0 == 0 && t1 == 1 {
					d = part.cum[si+1] - part.cum[si]
				} else {
					d = DistanceGeodesic(p0, p1)
				}
				if cur != nil && cur.Line[len(cur.Line)-1] == p0 {
					cur.Line = append(cur.Line, p1)
				} else {
					finish()
					cur = &Piece{
						Line:  orb.LineString{p0, p1},
						Entry: LinePosition{Point: p0, ChainageM: part.chainageAt(si, t0), Part: pi, Segment: si, T: t0},
					}
				}
				cur.LengthM += d
				cur.Exit = LinePosition{Point: p1, ChainageM: part.chainageAt(si, t1), Part: pi, Segment: si, T: t1}
			}
		}
		// A piece ending at the end of this part continues into the next
		// part when that part starts at the same point.
		if cur != nil && pi+1 < len(l.parts) && l.parts[pi+1].pts[0] == part.pts[len(part.pts)-1] &&
			cur.Exit.T == 1 && cur.Exit.Segment == len(part.pts)-2 {
			continue
		}
		finish()
	}
	finish()
	// Join the stretch round the start of a closed line.
	if n := len(c.Pieces); n >= 2 && l.Closed() {
		first, last := c.Pieces[0], c.Pieces[n-1]
		lastPart := l.parts[len(l.parts)-1]
		if first.Entry.Part == 0 && first.Entry.Segment == 0 && first.Entry.T == 0 &&
			last.Exit.Part == len(l.parts)-1 && last.Exit.Segment == len(lastPart.pts)-2 && last.Exit.T == 1 {
			merged := Piece{
				Line:    append(append(orb.LineString{}, last.Line...), first.Line[1:]...),
				LengthM: last.LengthM + first.LengthM,
				Entry:   last.Entry,
				Exit:    first.Exit,
			}
			c.Pieces = append(c.Pieces[1:n-1], merged)
		}
	}
	for _, pc := range c.Pieces {
		c.LengthM += pc.LengthM
	}
	return c
}
