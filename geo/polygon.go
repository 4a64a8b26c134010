package geo

import (
	"math"

	"github.com/paulmach/orb"
)

const (
	epsDeg   = 1e-9 // about 0.1 mm: closer than this to an edge is on it
	epsMetre = 1e-4
)

// PreparedPolygon is a polygon or multipolygon in EPSG:4326 made ready for
// repeated clipping, containment and corridor tests: its edges are indexed in
// degrees and, for metric work, in a tangent-plane projection centred on the
// polygon. It is immutable and safe for concurrent use.
type PreparedPolygon struct {
	geom  orb.MultiPolygon
	deg   edgeSet
	proj  LocalProjection
	local edgeSet
	area  float64
	nvert int
}

// PreparePolygon prepares mp. Rings may be given in either orientation and
// closed or not; the polygon is assumed valid (PostGIS's ST_MakeValid), and
// overlapping parts of an invalid multipolygon cancel out by the even-odd
// rule.
func PreparePolygon(mp orb.MultiPolygon) *PreparedPolygon {
	p := &PreparedPolygon{geom: mp}
	var rings []orb.Ring
	for _, poly := range mp {
		for _, r := range poly {
			rings = append(rings, r)
			p.nvert += len(r)
		}
	}
	p.deg = newEdgeSet(rings, epsDeg)
	p.proj = NewLocalProjection(p.deg.bound.Center())
	p.local = p.localEdges()
	p.area = AreaGeodesic(mp)
	return p
}

// maxLocalEdge is the longest edge, in metres, kept straight in the local
// frame: longer edges, straight in longitude/latitude, are split so that
// their image follows the degree-straight line to a millimetre.
const maxLocalEdge = 200.0

// localEdges returns the polygon's edges in its local frame, outer rings
// counter-clockwise and holes clockwise, long edges split, each remembering
// the stretch of the degree edge it stands for.
func (p *PreparedPolygon) localEdges() edgeSet {
	var es edgeSet
	es.eps = epsMetre
	k := 0 // index into p.deg.edges, built from the same rings in the same order
	for _, poly := range p.geom {
		for i, r := range poly {
			n := 0
			for j := 1; j < len(r); j++ {
				if r[j-1] != r[j] {
					n++
				}
			}
			if len(r) > 1 && r[0] != r[len(r)-1] {
				n++
			}
			degEdges := p.deg.edges[k : k+n]
			k += n
			var ring []seg
			var refs []edgeRef
			for di, e := range degEdges {
				a, b := p.proj.Forward(e.a), p.proj.Forward(e.b)
				parts := int(math.Ceil(math.Hypot(b[0]-a[0], b[1]-a[1]) / maxLocalEdge))
				prev := a
				for q := 1; q <= parts; q++ {
					t := float64(q) / float64(parts)
					next := b
					if q < parts {
						next = p.proj.Forward(lerp(e.a, e.b, t))
					}
					ring = append(ring, seg{prev, next})
					refs = append(refs, edgeRef{edge: int32(k - n + di), t0: float64(q-1) / float64(parts), t1: t})
					prev = next
				}
			}
			var area float64
			for _, e := range ring {
				area += e.a[0]*e.b[1] - e.b[0]*e.a[1]
			}
			if (i == 0) != (area > 0) {
				// Reverse the ring: outer rings counter-clockwise, holes clockwise.
				for x, y := 0, len(ring)-1; x < y; x, y = x+1, y-1 {
					ring[x], ring[y] = ring[y], ring[x]
					refs[x], refs[y] = refs[y], refs[x]
				}
				for x := range ring {
					ring[x] = seg{ring[x].b, ring[x].a}
					refs[x].t0, refs[x].t1 = refs[x].t1, refs[x].t0
				}
			}
			es.rings = append(es.rings, int32(len(es.edges)))
			es.edges = append(es.edges, ring...)
			es.refs = append(es.refs, refs...)
		}
	}
	es.index()
	return es
}

func ringSignedArea(r orb.Ring) float64 {
	var s float64
	n := len(r)
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		s += a[0]*b[1] - b[0]*a[1]
	}
	return s / 2
}

// Geometry returns the polygon as given. The caller must not modify it.
func (p *PreparedPolygon) Geometry() orb.MultiPolygon { return p.geom }

// Bound returns the bounding box in degrees.
func (p *PreparedPolygon) Bound() orb.Bound { return p.deg.bound }

// AreaGeodesic returns the polygon's area in square metres on WGS 84.
func (p *PreparedPolygon) AreaGeodesic() float64 { return p.area }

// NumVertices returns the number of ring vertices.
func (p *PreparedPolygon) NumVertices() int { return p.nvert }

// LocatePlanar tells whether pt ([lon, lat]) is inside, on the boundary of
// (within about 0.1 mm) or outside the polygon, with edges straight in
// longitude/latitude as PostGIS's geometry functions take them.
func (p *PreparedPolygon) LocatePlanar(pt orb.Point) Location { return p.deg.locate(pt) }

// approxBytes estimates the memory the prepared polygon holds.
func (p *PreparedPolygon) approxBytes() int64 {
	return int64(p.nvert)*16 + int64(len(p.deg.edges)+len(p.local.edges))*(32+16) + 512
}

// ApproxBytes estimates the memory the prepared polygon holds, for caches
// that bound their size.
func (p *PreparedPolygon) ApproxBytes() int64 { return p.approxBytes() }
