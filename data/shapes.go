package data

import (
	"math"

	"github.com/paulmach/orb"
)

// Geometry construction. Every shape is valid by construction:
//   - a polygon ring is star-shaped about its centre (vertices at strictly
//     increasing angles, positive radii), so it cannot cross itself; a linear
//     map (stretch, rotation) keeps that true;
//   - a hole is a smaller star ring inside the disk the shell is known to
//     contain, so it lies strictly inside the shell;
//   - the parts of a multipolygon lie in disjoint disks;
//   - tessellation edges keep inside the diamond of their lattice edge, so
//     cells share their edges exactly and never overlap.

const (
	kmPerDegLat = 110.574
	kmPerDegLon = 111.320 // at the equator; times cos(latitude)
)

// frame converts local kilometres east/north of an origin to lon/lat.
type frame struct {
	origin orb.Point
	kx, ky float64 // degrees per km
}

func newFrame(origin orb.Point) frame {
	return frame{origin: origin, kx: 1 / (kmPerDegLon * math.Cos(origin[1]*math.Pi/180)), ky: 1 / kmPerDegLat}
}

func (f frame) pt(x, y float64) orb.Point {
	return orb.Point{round6(f.origin[0] + x*f.kx), round6(f.origin[1] + y*f.ky)}
}

// offset returns the point x km east and y km north of the origin.
func (f frame) offset(x, y float64) orb.Point { return f.pt(x, y) }

// round6 rounds a coordinate to 1e-6 degree (about 0.1 m): it keeps the output
// small and the same on every platform.
func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// linear is a 2×2 map of the local plane (stretch then rotate).
type linear struct{ a, b, c, d float64 }

func stretchRotate(sx, sy, rotDeg float64) linear {
	s, c := math.Sincos(rotDeg * math.Pi / 180)
	return linear{c * sx, -s * sy, s * sx, c * sy}
}

func (m linear) apply(x, y float64) (float64, float64) { return m.a*x + m.b*y, m.c*x + m.d*y }

// minScale is the smallest factor by which m shrinks a length.
func (m linear) minScale() float64 {
	// singular values of [[a b][c d]]
	p := m.a*m.a + m.b*m.b + m.c*m.c + m.d*m.d
	q := math.Abs(m.a*m.d - m.b*m.c)
	return math.Sqrt(math.Max(0, (p-math.Sqrt(math.Max(0, p*p-4*q*q)))/2))
}

// maxScale is the largest factor by which m stretches a length.
func (m linear) maxScale() float64 {
	p := m.a*m.a + m.b*m.b + m.c*m.c + m.d*m.d
	q := math.Abs(m.a*m.d - m.b*m.c)
	return math.Sqrt((p + math.Sqrt(math.Max(0, p*p-4*q*q))) / 2)
}

// star describes a star-shaped outline in the local plane before its map.
type star struct {
	n      int       // vertices
	mean   float64   // mean radius, km
	amp    []float64 // harmonic amplitudes (relative), sum < 0.7
	phase  []float64
	freq   []int
	jit    float64 // relative per-vertex jitter
	phase0 float64
}

func newStar(r *rng, n int, mean, irregular float64) star {
	s := star{n: n, mean: mean, jit: 0.02, phase0: r.between(0, 2*math.Pi)}
	k := 3 + r.intn(3)
	left := irregular
	for i := 0; i < k; i++ {
		a := left * r.between(0.3, 0.7)
		left -= a
		s.amp = append(s.amp, a)
		s.freq = append(s.freq, 2+i*r.rangeInt(1, 3)+r.intn(3))
		s.phase = append(s.phase, r.between(0, 2*math.Pi))
	}
	if n > 400 { // long, detailed boundaries wiggle at fine scale too
		s.jit = 0.01
		s.amp = append(s.amp, 0.015, 0.007)
		s.freq = append(s.freq, 37+r.intn(10), 97+r.intn(30))
		s.phase = append(s.phase, r.between(0, 2*math.Pi), r.between(0, 2*math.Pi))
	}
	return s
}

// bounds returns the radii the outline is guaranteed to stay between.
func (s star) bounds() (lo, hi float64) {
	sum := s.jit
	for _, a := range s.amp {
		sum += a
	}
	return s.mean * (1 - sum), s.mean * (1 + sum)
}

// ring returns the outline around the local point (cx, cy), mapped by m and
// placed in f; ccw selects the orientation (RFC 7946: shells anticlockwise,
// holes clockwise).
func (s star) ring(r *rng, f frame, m linear, cx, cy float64, ccw bool) orb.Ring {
	ring := make(orb.Ring, 0, s.n+1)
	dth := 2 * math.Pi / float64(s.n)
	if !ccw {
		dth = -dth
	}
	// The harmonics advance by a fixed angle per vertex: rotate them rather
	// than call sin for each (the rings have up to thousands of vertices).
	type rot struct{ sin, cos, dsin, dcos float64 }
	hs := make([]rot, len(s.amp)+1)
	hs[0].sin, hs[0].cos = math.Sincos(s.phase0)
	hs[0].dsin, hs[0].dcos = math.Sincos(dth)
	for k := range s.amp {
		fr := float64(s.freq[k])
		hs[k+1].sin, hs[k+1].cos = math.Sincos(fr*s.phase0 + s.phase[k])
		hs[k+1].dsin, hs[k+1].dcos = math.Sincos(fr * dth)
	}
	for i := 0; i < s.n; i++ {
		rad := 1 + s.jit*(2*r.float()-1)
		for k, a := range s.amp {
			rad += a * hs[k+1].sin
		}
		rad *= s.mean
		x, y := m.apply(rad*hs[0].cos, rad*hs[0].sin)
		ring = append(ring, f.pt(cx+x, cy+y))
		for k := range hs {
			h := &hs[k]
			h.sin, h.cos = h.sin*h.dcos+h.cos*h.dsin, h.cos*h.dcos-h.sin*h.dsin
		}
	}
	// A reflection-free map keeps the orientation; our maps are rotations
	// times positive stretches.
	ring = dedupe(ring)
	return append(ring, ring[0])
}

// dedupe drops consecutive repeated points (rounding can merge neighbours of
// very dense rings).
func dedupe(r orb.Ring) orb.Ring {
	out := r[:1]
	for _, p := range r[1:] {
		if p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	for len(out) > 1 && out[len(out)-1] == out[0] {
		out = out[:len(out)-1]
	}
	return out
}

// outline is a generated polygon and what is known about it in km.
type outline struct {
	poly   orb.Polygon
	center orb.Point
	inner  float64 // a disk of this radius (km) around center lies inside
	outer  float64 // the polygon lies inside the disk of this radius (km)
	m      linear
}

// starPolygon makes a polygon of about n vertices around c with mean radius
// meanKm, stretched by up to elong and rotated; holes (if any) are smaller star
// rings inside.
func starPolygon(r *rng, c orb.Point, meanKm float64, n int, irregular, elong float64, holes int) outline {
	m := stretchRotate(math.Sqrt(elong), 1/math.Sqrt(elong), r.between(0, 180))
	return mappedStar(r, c, meanKm, n, irregular, m, holes)
}

// minSpacingM is the least spacing of a star's vertices on its inner circle
// (twice the coordinates' rounding),
// whose radius is at least minRadiusShare of the mean (newStar's harmonics
// take at most half of it, the jitter and fine wiggles a few percent more).
const (
	minSpacingM    = 0.2
	minRadiusShare = 0.45
)

// mappedStar is starPolygon with the stretch and rotation given.
func mappedStar(r *rng, c orb.Point, meanKm float64, n int, irregular float64, m linear, holes int) outline {
	f := newFrame(c)
	// Vertices closer than the rounding to 1e-6 degree (about 0.1 m) can
	// cross once rounded: keep them at least minSpacingM apart along the
	// smallest circle the outline can come to. (No demo outline is that
	// dense, so the demo's features do not change.)
	if most := int(2 * math.Pi * meanKm * 1000 * m.minScale() * minRadiusShare / minSpacingM); n > most {
		n = max(12, most)
	}
	s := newStar(r, n, meanKm, irregular)
	lo, hi := s.bounds()
	o := outline{center: c, m: m, inner: lo * m.minScale(), outer: hi * m.maxScale()}
	o.poly = orb.Polygon{s.ring(r, f, m, 0, 0, true)}
	for h := 0; h < holes; h++ {
		// In the unmapped plane the shell contains the disk of radius lo.
		// Holes sit in disjoint sectors of it.
		hr := lo * 0.18
		ang := 2*math.Pi*float64(h)/float64(holes) + r.between(0, 0.5)
		d := lo * 0.55
		hs := newStar(r, max(12, n/12), hr, 0.3)
		hx, hy := m.apply(d*math.Cos(ang), d*math.Sin(ang))
		o.poly = append(o.poly, hs.ring(r, f, m, hx, hy, false))
	}
	return o
}

// wiggle is a smooth lateral offset along a path, zero at both ends.
type wiggle struct {
	amp   []float64
	freq  []float64
	phase []float64
}

func newWiggle(r *rng, k int, fine bool) wiggle {
	var w wiggle
	sum := 0.0
	for i := 0; i < k; i++ {
		a := r.between(0.3, 1) / float64(i+1)
		w.amp = append(w.amp, a)
		w.freq = append(w.freq, float64(i+1)*r.between(0.8, 1.6))
		w.phase = append(w.phase, r.between(0, 2*math.Pi))
		sum += a
	}
	if fine {
		for _, f := range []float64{23, 61} {
			a := 0.06 * sum
			w.amp = append(w.amp, a)
			w.freq = append(w.freq, f*r.between(0.8, 1.2))
			w.phase = append(w.phase, r.between(0, 2*math.Pi))
		}
	}
	var total float64
	for _, a := range w.amp {
		total += a
	}
	for i := range w.amp {
		w.amp[i] /= total // |noise| ≤ 1
	}
	return w
}

// at returns the offset (in units of the amplitude) at t ∈ [0, 1].
func (w wiggle) at(t float64) float64 {
	var v float64
	for i, a := range w.amp {
		v += a * math.Sin(2*math.Pi*w.freq[i]*t+w.phase[i])
	}
	return v * math.Sin(math.Pi*t)
}

// sampler evaluates a wiggle at t = j/n for j = 1, 2, … in turn, rotating
// each harmonic by a fixed angle instead of calling sin at every vertex.
type sampler struct {
	amp                  []float64
	sin, cos, dsin, dcos []float64 // the last entry is the envelope sin(πt)
}

func (w wiggle) sampler(n int) *sampler {
	k := len(w.amp)
	s := &sampler{amp: w.amp, sin: make([]float64, k+1), cos: make([]float64, k+1), dsin: make([]float64, k+1), dcos: make([]float64, k+1)}
	for i := range w.amp {
		s.sin[i], s.cos[i] = math.Sincos(w.phase[i])
		s.dsin[i], s.dcos[i] = math.Sincos(2 * math.Pi * w.freq[i] / float64(n))
	}
	s.sin[k], s.cos[k] = 0, 1
	s.dsin[k], s.dcos[k] = math.Sincos(math.Pi / float64(n))
	return s
}

// next advances to the next t and returns the wiggle there.
func (s *sampler) next() float64 {
	var v float64
	for i := range s.sin {
		s.sin[i], s.cos[i] = s.sin[i]*s.dcos[i]+s.cos[i]*s.dsin[i], s.cos[i]*s.dcos[i]-s.sin[i]*s.dsin[i]
		if i < len(s.amp) {
			v += s.amp[i] * s.sin[i]
		}
	}
	return v * s.sin[len(s.amp)]
}

// path draws a line through the waypoints, with vertices about stepKm apart
// and each leg bent sideways by up to ampFrac of its length (with fine
// meanders too for rivers). Every waypoint is a vertex of the result.
func path(r *rng, via []orb.Point, stepKm, ampFrac float64, maxVertices int, meander bool) orb.LineString {
	var legs []float64
	total := 0.0
	for i := 1; i < len(via); i++ {
		d := distKm(via[i-1], via[i])
		legs = append(legs, d)
		total += d
	}
	if maxVertices > 0 && total/stepKm > float64(maxVertices-len(via)) {
		stepKm = total / float64(maxVertices-len(via))
	}
	ls := orb.LineString{roundPt(via[0])}
	for i := 1; i < len(via); i++ {
		a, b := via[i-1], via[i]
		f := newFrame(a)
		bx, by := (b[0]-a[0])/f.kx, (b[1]-a[1])/f.ky
		L := legs[i-1]
		n := max(1, int(L/stepKm))
		w := newWiggle(r, 4, meander)
		amp := ampFrac * L
		nx, ny := -by/L, bx/L
		ws := w.sampler(n)
		for j := 1; j < n; j++ {
			// vertices a little irregularly spaced along the leg
			t := (float64(j) + r.between(-0.3, 0.3)) / float64(n)
			off := amp * ws.next()
			ls = append(ls, f.pt(bx*t+nx*off, by*t+ny*off))
		}
		ls = append(ls, roundPt(b))
	}
	return ls
}

func roundPt(p orb.Point) orb.Point { return orb.Point{round6(p[0]), round6(p[1])} }

// distKm is the planar distance in km of a local equirectangular projection.
func distKm(a, b orb.Point) float64 {
	f := newFrame(orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2})
	return math.Hypot((b[0]-a[0])/f.kx, (b[1]-a[1])/f.ky)
}

// areaKm2 is the area of a polygonal geometry in km², on a local
// equirectangular projection (good to a fraction of a per cent at these sizes).
func areaKm2(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Polygon:
		if len(g) == 0 || len(g[0]) == 0 {
			return 0
		}
		f := newFrame(g[0][0])
		a := 0.0
		for i, ring := range g {
			ra := math.Abs(ringAreaDeg(ring)) / (f.kx * f.ky)
			if i == 0 {
				a += ra
			} else {
				a -= ra
			}
		}
		return a
	case orb.MultiPolygon:
		a := 0.0
		for _, p := range g {
			a += areaKm2(p)
		}
		return a
	}
	return 0
}

func ringAreaDeg(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

// lengthKm is the length of a linear geometry in km.
func lengthKm(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.LineString:
		s := 0.0
		for i := 1; i < len(g); i++ {
			s += distKm(g[i-1], g[i])
		}
		return s
	case orb.MultiLineString:
		s := 0.0
		for _, l := range g {
			s += lengthKm(l)
		}
		return s
	}
	return 0
}
