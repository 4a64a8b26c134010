package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// corridor is the corridor of a line over one polygon, before its shapes
// are built: the pieces of the line near the polygon, in its local frame,
// and the joints where they meet.
//
// Its shapes are one rectangle per piece and, at each vertex, the part of
// a polygonal disc (CircleSegments edges) that the rectangles leave out:
//   - where exactly two pieces meet, end to start, each at least r long:
//     the wedge on the outer side of the turn, cut from the disc by the
//     lines through the vertex square to the two pieces (nothing where the
//     line goes straight on). Every other point of the disc lies within r
//     of the vertex and projects onto one of the two pieces, so inside its
//     rectangle. Where the turn is gentle enough that the two rectangles'
//     overlap reaches no further than a quarter of either piece along it,
//     each rectangle is also cut by the mitre line (through the vertex,
//     square to the mean of the two directions): the two then meet along
//     it without overlapping;
//   - where one piece ends, at least r long: the half of the disc beyond
//     it (a cap); the other half lies in its rectangle;
//   - anywhere else (short pieces, vertices met more than twice): the
//     whole disc.
//
// The union is the same as with a whole disc at every vertex and whole
// rectangles, but along a line that does not come back within a corridor's
// width of itself no two shapes overlap, and the area inside a polygon is
// the sum of each shape's (area).
type corridor struct {
	r        float64
	pieces   []piece
	vertices []vertex
	joints   []joint // by vertex
	m        *CorridorMeter
}

// CorridorMeter works out the areas of corridors inside polygons, as
// CorridorAreaLocal does, keeping its working memory from one to the next.
// The zero value is ready for use; a CorridorMeter is not safe for
// concurrent use.
type CorridorMeter struct {
	c        corridor
	index    map[orb.Point]int32
	incs     []incidence
	parts    []part
	rectPart []int32
	near     []keyedPart
	active   []int32
	mixed    []int32
	built    []shape
	rings    [][]orb.Point
	store    []orb.Point
	tmp      [2][]orb.Point
	work     [][]orb.Point
}

// keyedPart is a part with the key it is sorted by.
type keyedPart struct {
	x float64
	i int32
}

// Area returns the area in square metres of the part of polygon p under the
// corridor of l, halfWidthM each side (see CorridorAreaLocal).
func (m *CorridorMeter) Area(l *PreparedLine, p *PreparedPolygon, halfWidthM float64) float64 {
	if !(halfWidthM >= minHalfWidth) {
		return 0
	}
	if a, ok := m.within(l, p, halfWidthM, 5*halfWidthM).disjointArea(p); ok {
		return a
	}
	return unionArea(p, plainCorridor(l, p, halfWidthM).shapes())
}

type piece struct {
	a, b, A, B orb.Point // ends in degrees and in the local frame
	d          orb.Point // unit direction in the local frame
	length     float64
	va, vb     int32 // their vertices
	rect       bool  // false for a segment the line has already run
}

// incidence is a piece that ends (end 1) or starts (end 0) at a vertex.
type incidence struct {
	piece int32
	end   int8
}

type vertex struct {
	local orb.Point
	at    []incidence
}

type joint struct {
	in, out int32 // the pieces that end and start here (-1: none)
	kind    int8
	mitre   orb.Point // unit mean of the two directions (0: no mitre)
	reach   float64   // with a mitre: r·tan(θ/2), how far along each piece it cuts
	flush   bool      // the two rectangles meet without overlapping: mitred, or straight on
}

const (
	jointDisc  int8 = iota // a whole disc
	jointWedge             // the wedge outside the turn
	jointCap               // the half disc beyond the line's end
)

// newCorridor returns the corridor of l, r metres each side, over the
// segments of l that come within 5r of p's bounding box: a piece cut short
// where the line leaves that box is then long enough (4r) to be mitred at
// a turn of up to a right angle at its other end.
func newCorridor(l *PreparedLine, p *PreparedPolygon, r float64) *corridor {
	return new(CorridorMeter).within(l, p, r, 5*r)
}

// plainCorridor returns the corridor of l over the segments of l that come
// within r of p's bounding box, with whole rectangles (no mitres) and whole
// discs at the line's ends (no caps): the shapes whose union unionArea
// works out where shapes overlap anyway. Mitred pieces and caps meet along
// edges, which it handles less well, and overlapping shapes out to 5r add
// to where it errs.
func plainCorridor(l *PreparedLine, p *PreparedPolygon, r float64) *corridor {
	c := new(CorridorMeter).within(l, p, r, r)
	for i := range c.joints {
		j := &c.joints[i]
		j.mitre, j.reach, j.flush = orb.Point{}, 0, false
		if j.kind == jointCap {
			*j = joint{in: -1, out: -1, kind: jointDisc}
		}
	}
	return c
}

// within returns the corridor of l, r metres each side, over the segments
// of l that come within pad of p's bounding box, in the meter's memory.
func (m *CorridorMeter) within(l *PreparedLine, p *PreparedPolygon, r, pad float64) *corridor {
	c := &m.c
	*c = corridor{r: r, pieces: c.pieces[:0], vertices: c.vertices[:0], joints: c.joints[:0], m: m}
	p.localSegments(l, pad, func(a, b, A, B orb.Point) {
		dx, dy := B[0]-A[0], B[1]-A[1]
		d := math.Hypot(dx, dy)
		if d == 0 {
			return
		}
		c.pieces = append(c.pieces, piece{a: a, b: b, A: A, B: B, d: orb.Point{dx / d, dy / d}, length: d})
	})
	if len(c.pieces) == 0 {
		return c
	}
	pieces := c.pieces

	// The vertices, in the order the pieces reach them.
	if m.index == nil {
		m.index = make(map[orb.Point]int32, len(pieces)+1)
	}
	index := m.index
	clear(index)
	incs := m.incs[:0]
	if cap(incs) < 2*len(pieces) {
		incs = make([]incidence, 0, 2*len(pieces))
	}
	meet := func(ll, local orb.Point, in incidence) int32 {
		k, ok := index[ll]
		if !ok {
			k = int32(len(c.vertices))
			index[ll] = k
			c.vertices = append(c.vertices, vertex{local: local})
		}
		v := &c.vertices[k]
		if len(v.at) == 0 && len(incs) < cap(incs)-1 {
			// Most vertices meet two pieces: room for both in the slab.
			v.at = incs[len(incs) : len(incs) : len(incs)+2]
			incs = incs[:len(incs)+2]
		}
		v.at = append(v.at, in)
		return k
	}
	for i := range pieces {
		pc := &pieces[i]
		pc.va = meet(pc.a, pc.A, incidence{int32(i), 0})
		pc.vb = meet(pc.b, pc.B, incidence{int32(i), 1})
	}
	m.incs = incs

	// One rectangle per segment, however often the line runs it.
	for i := range pieces {
		pc := &pieces[i]
		pc.rect = true
		for _, in := range c.vertices[pc.va].at {
			if q := &pieces[in.piece]; int(in.piece) < i && q.rect &&
				(q.va == pc.va && q.vb == pc.vb || q.va == pc.vb && q.vb == pc.va) {
				pc.rect = false
			}
		}
	}

	c.joints = slices.Grow(c.joints[:0], len(c.vertices))[:len(c.vertices)]
	for vi := range c.vertices {
		v := &c.vertices[vi]
		j := joint{in: -1, out: -1}
		switch {
		case len(v.at) == 2 && v.at[0].end != v.at[1].end:
			in, out := v.at[0].piece, v.at[1].piece
			if v.at[0].end == 0 {
				in, out = out, in
			}
			pi, po := &pieces[in], &pieces[out]
			if !pi.rect || !po.rect || pi.length < r || po.length < r {
				break
			}
			j.in, j.out, j.kind = in, out, jointWedge
			d1, d2 := pi.d, po.d
			dot, crs := d1[0]*d2[0]+d1[1]*d2[1], math.Abs(d1[0]*d2[1]-d1[1]*d2[0])
			// Under a nanometre of reach the turn is straight on.
			switch reach := r * crs / (1 + dot); {
			case dot > 0 && reach <= 1e-9:
				j.flush = true
			case reach <= math.Min(pi.length, po.length)/4:
				m := orb.Point{d1[0] + d2[0], d1[1] + d2[1]}
				ml := math.Hypot(m[0], m[1])
				j.mitre, j.reach, j.flush = orb.Point{m[0] / ml, m[1] / ml}, reach, true
			}
		case len(v.at) == 1 && pieces[v.at[0].piece].rect && pieces[v.at[0].piece].length >= r:
			j.kind = jointCap
			if v.at[0].end == 1 {
				j.in = v.at[0].piece
			} else {
				j.out = v.at[0].piece
			}
		}
		c.joints[vi] = j
	}
	return c
}

// rectPoints appends to dst the corners of piece i's rectangle, mitred
// where its joints are, counter-clockwise.
func (c *corridor) rectPoints(dst []orb.Point, i int) []orb.Point {
	pc := &c.pieces[i]
	nx, ny := -pc.d[1]*c.r, pc.d[0]*c.r
	A, B := pc.A, pc.B
	var buf, cut [6]orb.Point
	rp := append(buf[:0], orb.Point{A[0] - nx, A[1] - ny}, orb.Point{B[0] - nx, B[1] - ny}, orb.Point{B[0] + nx, B[1] + ny}, orb.Point{A[0] + nx, A[1] + ny})
	if m := c.joints[pc.vb].mitre; m != (orb.Point{}) {
		rp = append(buf[:0], clipHalfPlane(cut[:0], rp, B, orb.Point{-m[0], -m[1]})...)
	}
	if m := c.joints[pc.va].mitre; m != (orb.Point{}) {
		rp = append(buf[:0], clipHalfPlane(cut[:0], rp, A, m)...)
	}
	return append(dst, dedupRing(rp, 1e-9)...)
}

// rectBound is the bound of piece i's rectangle before any mitre.
func (c *corridor) rectBound(i int) orb.Bound {
	pc := &c.pieces[i]
	ex, ey := math.Abs(pc.d[1])*c.r, math.Abs(pc.d[0])*c.r
	return orb.Bound{
		Min: orb.Point{math.Min(pc.A[0], pc.B[0]) - ex, math.Min(pc.A[1], pc.B[1]) - ey},
		Max: orb.Point{math.Max(pc.A[0], pc.B[0]) + ex, math.Max(pc.A[1], pc.B[1]) + ey},
	}
}

// rectMeets reports whether segment ab comes within piece i's rectangle
// (before any mitre), with a margin of epsMetre.
func (c *corridor) rectMeets(i int, a, b orb.Point) bool {
	pc := &c.pieces[i]
	// In the piece's frame: s along it from A, n to its left.
	frame := func(q orb.Point) (float64, float64) {
		x, y := q[0]-pc.A[0], q[1]-pc.A[1]
		return x*pc.d[0] + y*pc.d[1], y*pc.d[0] - x*pc.d[1]
	}
	s0, n0 := frame(a)
	s1, n1 := frame(b)
	t0, t1 := 0.0, 1.0
	clip := func(v0, v1, lo, hi float64) bool {
		dv := v1 - v0
		if dv == 0 {
			return v0 >= lo && v0 <= hi
		}
		u0, u1 := (lo-v0)/dv, (hi-v0)/dv
		if u0 > u1 {
			u0, u1 = u1, u0
		}
		t0, t1 = math.Max(t0, u0), math.Min(t1, u1)
		return t0 <= t1
	}
	m := epsMetre
	return clip(s0, s1, -m, pc.length+m) && clip(n0, n1, -c.r-m, c.r+m)
}

// rectArea is the area of piece i's mitred rectangle: each mitre cuts off
// a right triangle of legs r and its reach.
func (c *corridor) rectArea(i int) float64 {
	pc := &c.pieces[i]
	return c.r * (2*pc.length - (c.joints[pc.va].reach+c.joints[pc.vb].reach)/2)
}

// discTheta is the rotation of vertex v's disc: the angle of the left
// normal of the first piece to reach it, so that a piece's rectangle ends
// on two of the disc's vertices.
func (c *corridor) discTheta(v *vertex) float64 {
	d := c.pieces[v.at[0].piece].d
	return math.Atan2(d[0], -d[1])
}

// discPoint is the point of vertex v's polygonal disc in direction phi.
func (c *corridor) discPoint(v *vertex, phi float64) orb.Point {
	const step = 2 * math.Pi / CircleSegments
	theta := c.discTheta(v)
	k := math.Floor((phi - theta) / step)
	rho := c.r * math.Cos(step/2) / math.Cos(phi-theta-(k+0.5)*step)
	s, co := math.Sincos(phi)
	return orb.Point{v.local[0] + rho*co, v.local[1] + rho*s}
}

// jointPoints appends to dst the points of the wedge or cap at vertex vi,
// counter-clockwise: the part of its disc where (x - c)·u >= 0 for the
// direction u of the incoming piece and the reverse direction of the
// outgoing one. It appends nothing when that part is empty.
func (c *corridor) jointPoints(dst []orb.Point, vi int) []orb.Point {
	const step = 2 * math.Pi / CircleSegments
	v := &c.vertices[vi]
	lo, hi := c.jointArc(vi)
	if hi-lo < 1e-12 {
		return dst
	}
	n0 := len(dst)
	if hi-lo < math.Pi-1e-12 {
		dst = append(dst, v.local)
	}
	dst = append(dst, c.discPoint(v, lo))
	// The disc's vertices strictly between, more than a micrometre of arc
	// from either end.
	margin := 1e-6 / c.r
	theta := c.discTheta(v)
	for k := math.Ceil((lo + margin - theta) / step); ; k++ {
		a := theta + k*step
		if a >= hi-margin {
			break
		}
		s, co := math.Sincos(a)
		dst = append(dst, orb.Point{v.local[0] + c.r*co, v.local[1] + c.r*s})
	}
	dst = append(dst, c.discPoint(v, hi))
	if pts := dedupRing(dst[n0:], 1e-9); len(pts) < 3 || ringArea(pts) <= 1e-9 {
		return dst[:n0]
	} else {
		return dst[:n0+len(pts)]
	}
}

// jointArea is the area of the wedge or cap at vertex vi, as the fan of
// triangles from the vertex to the points jointPoints gives, without
// building them.
func (c *corridor) jointArea(vi int) float64 {
	const step = 2 * math.Pi / CircleSegments
	lo, hi := c.jointArc(vi)
	if hi-lo < 1e-12 {
		return 0
	}
	theta := c.discTheta(&c.vertices[vi])
	// The distance from the vertex to the disc's boundary in direction phi.
	rho := func(phi float64) float64 {
		k := math.Floor((phi - theta) / step)
		return c.r * math.Cos(step/2) / math.Cos(phi-theta-(k+0.5)*step)
	}
	margin := 1e-6 / c.r
	k1 := math.Ceil((lo + margin - theta) / step)
	k2 := math.Floor((hi - margin - theta) / step)
	if theta+k2*step >= hi-margin {
		k2--
	}
	var a float64
	if k1 > k2 {
		a = rho(lo) * rho(hi) * math.Sin(hi-lo)
	} else {
		a1, a2 := theta+k1*step, theta+k2*step
		a = rho(lo)*c.r*math.Sin(a1-lo) + (k2-k1)*c.r*c.r*math.Sin(step) + c.r*rho(hi)*math.Sin(hi-a2)
	}
	if a /= 2; a <= 1e-9 {
		return 0
	}
	return a
}

// jointArc returns the range of directions [lo, hi] from vertex vi that its
// wedge or cap spans: those within a quarter turn of the incoming piece's
// direction and of the reverse of the outgoing one's.
func (c *corridor) jointArc(vi int) (lo, hi float64) {
	j := &c.joints[vi]
	lo, hi = math.Inf(-1), math.Inf(1)
	var base float64
	first := true
	for _, half := range [2]struct {
		p   int32
		dir float64
	}{{j.in, 1}, {j.out, -1}} {
		if half.p < 0 {
			continue
		}
		d := c.pieces[half.p].d
		a := math.Atan2(half.dir*d[1], half.dir*d[0])
		if first {
			base, first = a, false
			lo, hi = a-math.Pi/2, a+math.Pi/2
			continue
		}
		a = base + math.Remainder(a-base, 2*math.Pi)
		lo, hi = math.Max(lo, a-math.Pi/2), math.Min(hi, a+math.Pi/2)
	}
	return lo, hi
}

// shapes builds all the corridor's shapes: the rectangles in piece order,
// then the vertices' wedges, caps and discs.
func (c *corridor) shapes() []shape {
	pieces := c.pieces
	// One store for the points and normals of the shapes.
	store := make([]orb.Point, 0, 20*len(pieces)+4*CircleSegments)
	carve := func(n int) []orb.Point {
		if len(store)+n > cap(store) {
			store = make([]orb.Point, 0, max(n, cap(store)))
		}
		store = store[:len(store)+n]
		return store[len(store)-n : len(store) : len(store)]
	}
	shapes := make([]shape, 0, 2*len(pieces)+2)
	addShape := func(pts []orb.Point) int32 {
		s := shape{pts: pts, nrm: carve(len(pts)), prev: -1}
		s.setNormals()
		shapes = append(shapes, s)
		return int32(len(shapes) - 1)
	}
	rect := make([]int32, len(pieces))
	var buf [CircleSegments + 3]orb.Point
	for i := range pieces {
		rect[i] = -1
		if !pieces[i].rect {
			continue
		}
		rp := c.rectPoints(buf[:0], i)
		pts := carve(len(rp))
		copy(pts, rp)
		rect[i] = addShape(pts)
		if i > 0 && pieces[i-1].vb == pieces[i].va && rect[i-1] >= 0 {
			shapes[rect[i]].prev = rect[i-1] // they share the vertex
		}
	}
	adjoin := func(k, r int32) {
		if r >= 0 {
			shapes[k].adj = append(shapes[k].adj, r)
			shapes[r].adj = append(shapes[r].adj, k)
		}
	}
	unitCircle, unitNormals := unitPolygon()
	for vi := range c.vertices {
		v, j := &c.vertices[vi], &c.joints[vi]
		if j.kind != jointDisc {
			w := c.jointPoints(buf[:0], vi)
			if len(w) == 0 {
				continue
			}
			pts := carve(len(w))
			copy(pts, w)
			k := addShape(pts)
			for _, pi := range [2]int32{j.in, j.out} {
				if pi >= 0 {
					adjoin(k, rect[pi])
					if shapes[k].prev < 0 {
						shapes[k].prev = rect[pi] // the vertex is on both
					}
				}
			}
			if j.mitre != (orb.Point{}) {
				adjoin(rect[j.in], rect[j.out])
			}
			continue
		}
		ctr := v.local
		theta := c.discTheta(v)
		st, ct := math.Sincos(theta)
		pts, nrm := carve(CircleSegments), carve(CircleSegments)
		for k := range pts {
			u, w := unitCircle[k], unitNormals[k]
			pts[k] = orb.Point{ctr[0] + c.r*(u[0]*ct-u[1]*st), ctr[1] + c.r*(u[0]*st+u[1]*ct)}
			nrm[k] = orb.Point{w[0]*ct - w[1]*st, w[0]*st + w[1]*ct}
		}
		k := int32(len(shapes))
		shapes = append(shapes, shape{pts: pts, nrm: nrm, bound: orb.Bound{Min: orb.Point{ctr[0] - c.r, ctr[1] - c.r}, Max: orb.Point{ctr[0] + c.r, ctr[1] + c.r}},
			disc: true, centre: ctr, radius: c.r, theta: theta, prev: rect[v.at[0].piece]})
		for _, in := range v.at {
			adjoin(k, rect[in.piece])
		}
	}
	return shapes
}

// part is a shape of a corridor before it is built: a piece's rectangle or
// a vertex's wedge, cap or disc.
type part struct {
	bound  orb.Bound
	src    int32 // the piece or vertex
	vertex bool
	class  int8
	prev   int32 // a part before this one that it shares a point with (-1: none)
	shape  int32 // index of the built shape in the scratch list (-1: not built)
}

// disjointArea is the area inside p of the corridor as the sum over its
// shapes (see CorridorMeter.Area), false when two shapes that reach into p
// overlap: where no two of them do, it is the sum of each one's area inside
// p, a shape wholly inside p counting its own area, worked out without
// building it; only the shapes near p's boundary, and those whose boxes
// meet another's but do not meet it by construction, are built.
func (c *corridor) disjointArea(p *PreparedPolygon) (float64, bool) {
	if len(c.pieces) == 0 {
		return 0, true
	}
	m := c.m
	parts := m.parts[:0]
	rectPart := slices.Grow(m.rectPart[:0], len(c.pieces))[:len(c.pieces)]
	defer func() { m.parts, m.rectPart = parts, rectPart }()
	for i := range c.pieces {
		rectPart[i] = -1
		if !c.pieces[i].rect {
			continue
		}
		pt := part{bound: c.rectBound(i), src: int32(i), prev: -1, shape: -1}
		if i > 0 && c.pieces[i-1].vb == c.pieces[i].va && rectPart[i-1] >= 0 {
			pt.prev = rectPart[i-1]
		}
		rectPart[i] = int32(len(parts))
		parts = append(parts, pt)
	}
	for vi := range c.vertices {
		v, j := &c.vertices[vi], &c.joints[vi]
		pt := part{bound: orb.Bound{Min: orb.Point{v.local[0] - c.r, v.local[1] - c.r}, Max: orb.Point{v.local[0] + c.r, v.local[1] + c.r}},
			src: int32(vi), vertex: true, prev: rectPart[v.at[0].piece], shape: -1}
		if j.in >= 0 {
			pt.prev = rectPart[j.in]
		} else if j.out >= 0 {
			pt.prev = rectPart[j.out]
		}
		parts = append(parts, pt)
	}

	// Classify them as classify does the shapes, but a part is near p's
	// boundary only where an edge of p comes within its rectangle (before
	// any mitre) or disc.
	all := parts[0].bound
	for i := range parts {
		s := &parts[i]
		all = joinBounds(all, s.bound)
		touches := false
		p.local.search(s.bound, func(_ int, e seg) bool {
			if s.vertex {
				touches = distPointSeg(c.vertices[s.src].local, e.a, e.b) <= c.r+epsMetre
			} else {
				touches = c.rectMeets(int(s.src), e.a, e.b)
			}
			return !touches
		})
		prev := int8(-1)
		if s.prev >= 0 {
			prev = parts[s.prev].class
		}
		var at orb.Point
		if s.vertex {
			at = c.vertices[s.src].local
		} else {
			at = c.pieces[s.src].A
		}
		s.class = classFrom(p, touches, prev, at)
	}
	if !overlaps(all, p.local.bound) {
		return 0, true
	}

	built := m.built[:0]
	defer func() { m.built = built[:0] }()
	var buf [CircleSegments + 3]orb.Point
	build := func(i int32) *shape {
		s := &parts[i]
		if s.shape < 0 {
			var pts []orb.Point
			if s.vertex {
				if c.joints[s.src].kind == jointDisc {
					pts = c.discPoints(buf[:0], int(s.src))
				} else {
					pts = c.jointPoints(buf[:0], int(s.src))
				}
			} else {
				pts = c.rectPoints(buf[:0], int(s.src))
			}
			sh := shape{pts: slices.Clone(pts), prev: -1}
			if len(pts) > 0 {
				sh.nrm = make([]orb.Point, len(pts))
				sh.setNormals()
			}
			s.shape = int32(len(built))
			built = append(built, sh)
		}
		return &built[s.shape]
	}

	// Overlaps between the parts that reach into p: the pairs whose boxes
	// meet, found by a sweep along x, less those that meet along an edge
	// by construction.
	near := m.near[:0]
	for i := range parts {
		if parts[i].class != classOut {
			near = append(near, keyedPart{parts[i].bound.Min[0], int32(i)})
		}
	}
	m.near = near
	slices.SortFunc(near, func(a, b keyedPart) int { return cmp.Compare(a.x, b.x) })
	active := m.active[:0]
	defer func() { m.active = active }()
	for _, k := range near {
		i := k.i
		bi := parts[i].bound
		w := 0
		for _, j := range active {
			bj := parts[j].bound
			if bj.Max[0] < bi.Min[0] {
				continue
			}
			active[w] = j
			w++
			if bj.Min[1] <= bi.Max[1] && bj.Max[1] >= bi.Min[1] && !c.meetApart(&parts[i], &parts[j]) {
				si, sj := build(i), build(j)
				if len(si.pts) > 0 && len(sj.pts) > 0 && !apart(si, sj) {
					return 0, false
				}
			}
		}
		active = append(active[:w], i)
	}

	var total float64
	mixed := m.mixed[:0]
	for i := range parts {
		switch s := &parts[i]; s.class {
		case classIn:
			if s.vertex {
				if c.joints[s.src].kind == jointDisc {
					total += ringArea(c.discPoints(buf[:0], int(s.src)))
				} else {
					total += c.jointArea(int(s.src))
				}
			} else {
				total += c.rectArea(int(s.src))
			}
		case classMixed:
			mixed = append(mixed, int32(i))
		}
	}

	// The shapes near p's boundary, in clusters along the line (mostly one
	// per crossing of the boundary): p's rings are clipped to a cluster's
	// box once, and that to each of its shapes.
	order := func(i int32) int32 {
		if s := &parts[i]; s.vertex {
			return 2*c.vertices[s.src].at[0].piece + 1
		} else {
			return 2 * s.src
		}
	}
	m.mixed = mixed
	slices.SortFunc(mixed, func(a, b int32) int { return cmp.Compare(order(a), order(b)) })
	rings, work := m.rings[:0], m.work
	defer func() { m.rings, m.work = rings[:0], work }()
	for lo := 0; lo < len(mixed); {
		box := parts[mixed[lo]].bound
		hi := lo + 1
		for ; hi < len(mixed) && overlaps(box, parts[mixed[hi]].bound); hi++ {
			box = joinBounds(box, parts[mixed[hi]].bound)
		}
		rings, m.store, m.tmp = p.local.ringsIn(box, rings[:0], m.store[:0], m.tmp)
		for _, i := range mixed[lo:hi] {
			if sh := build(i); len(sh.pts) > 0 {
				var a float64
				a, work = sh.areaInside(rings, work)
				total += a
			}
		}
		lo = hi
	}
	return math.Max(0, total), true
}

// meetApart reports whether two parts meet only along an edge by
// construction: a wedge or cap and the pieces at its vertex, two pieces
// at a mitred or straight joint.
func (c *corridor) meetApart(x, y *part) bool {
	if x.vertex && y.vertex {
		return false
	}
	if x.vertex {
		x, y = y, x
	}
	if y.vertex {
		j := &c.joints[y.src]
		return j.kind != jointDisc && (j.in == x.src || j.out == x.src)
	}
	px, py := &c.pieces[x.src], &c.pieces[y.src]
	for _, v := range [2]int32{px.va, px.vb} {
		if j := &c.joints[v]; j.flush && (j.in == x.src && j.out == y.src || j.in == y.src && j.out == x.src) && (v == py.va || v == py.vb) {
			return true
		}
	}
	return false
}

// discPoints appends to dst the points of vertex vi's whole polygonal disc.
func (c *corridor) discPoints(dst []orb.Point, vi int) []orb.Point {
	const step = 2 * math.Pi / CircleSegments
	v := &c.vertices[vi]
	theta := c.discTheta(v)
	for k := range CircleSegments {
		s, co := math.Sincos(theta + float64(k)*step)
		dst = append(dst, orb.Point{v.local[0] + c.r*co, v.local[1] + c.r*s})
	}
	return dst
}
