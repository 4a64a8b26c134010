package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// discShapes is the corridor without wedges or mitres: a full disc at every
// vertex, the corridor as the union of one rectangle per segment and one
// disc per vertex. The reference the wedges are checked against.
func discShapes(l *PreparedLine, p *PreparedPolygon, r float64) []shape {
	var shapes []shape
	unitCircle, unitNormals := unitPolygon()
	discs := map[orb.Point]int32{}
	rects := map[[2]orb.Point]struct{}{}
	addDisc := func(ll, c orb.Point, theta float64, rect int32) {
		k, ok := discs[ll]
		if !ok {
			st, ct := math.Sincos(theta)
			pts, nrm := make([]orb.Point, CircleSegments), make([]orb.Point, CircleSegments)
			for i := range pts {
				u, w := unitCircle[i], unitNormals[i]
				pts[i] = orb.Point{c[0] + r*(u[0]*ct-u[1]*st), c[1] + r*(u[0]*st+u[1]*ct)}
				nrm[i] = orb.Point{w[0]*ct - w[1]*st, w[0]*st + w[1]*ct}
			}
			k = int32(len(shapes))
			discs[ll] = k
			shapes = append(shapes, shape{pts: pts, nrm: nrm, bound: orb.Bound{Min: orb.Point{c[0] - r, c[1] - r}, Max: orb.Point{c[0] + r, c[1] + r}},
				disc: true, centre: c, radius: r, theta: theta, prev: -1})
		}
		if rect >= 0 {
			shapes[k].adj = append(shapes[k].adj, rect)
			shapes[rect].adj = append(shapes[rect].adj, k)
		}
	}
	p.localSegments(l, r, func(a, b, A, B orb.Point) {
		dx, dy := B[0]-A[0], B[1]-A[1]
		d := math.Hypot(dx, dy)
		if d == 0 {
			return
		}
		nx, ny := -dy/d*r, dx/d*r
		key := [2]orb.Point{a, b}
		if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
			key = [2]orb.Point{b, a}
		}
		rect := int32(-1)
		if _, ok := rects[key]; !ok {
			rects[key] = struct{}{}
			rect = int32(len(shapes))
			shapes = append(shapes, newShape([]orb.Point{{A[0] - nx, A[1] - ny}, {B[0] - nx, B[1] - ny}, {B[0] + nx, B[1] + ny}, {A[0] + nx, A[1] + ny}}))
		}
		theta := math.Atan2(ny, nx)
		addDisc(a, A, theta, rect)
		addDisc(b, B, theta, rect)
	})
	return shapes
}

// TestCorridorWedgesMatchDiscs checks the corridor area, as
// CorridorAreaLocal works it out (wedges at the joints, mitred rectangles,
// caps, summed piece by piece where they do not overlap), against the union
// with whole discs and whole rectangles (unionArea), on random walks (sharp
// and gentle turns, spans shorter and longer than the half width, a closed
// loop, a line doubling back) over random polygons: the same region, so the
// same area, to the rounding of unionArea where shapes overlap at every
// joint (up to a few hundred-thousandths of the area).
// TestCorridorAreaAgainstPostGIS checks the same region against GEOS,
// tightly.
func TestCorridorWedgesMatchDiscs(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed(t), 9))
	worst := 0.0
	disjoint := 0
	const iters = 300
	for iter := 0; iter < iters; iter++ {
		c := orb.Point{82 + rng.Float64(), 23 + rng.Float64()}
		p := PreparePolygon(orb.MultiPolygon{randomPolygon(rng, c, 0.005+0.02*rng.Float64(), 8+rng.IntN(60), rng.IntN(2) == 0)})
		step := []float64{0.0001, 0.0003, 0.001, 0.003}[rng.IntN(4)]
		start := orb.Point{c[0] + (rng.Float64()-0.5)*0.03, c[1] + (rng.Float64()-0.5)*0.03}
		ls := randomWalk(rng, start, 3+rng.IntN(200), step)
		switch iter % 10 {
		case 7:
			ls = append(ls, ls[0]) // closed
		case 8:
			for i := len(ls) - 2; i >= len(ls)/2; i-- {
				ls = append(ls, ls[i]) // back over itself
			}
		}
		l := mustLine(t, ls)
		r := []float64{5, 23, 40}[rng.IntN(3)]
		got := CorridorAreaLocal(l, p, r)
		want := unionArea(p, discShapes(l, p, r))
		diff := math.Abs(got - want)
		worst = math.Max(worst, diff/math.Max(want, 1))
		if diff > 1e-4*math.Max(want, 1) {
			t.Fatalf("iter %d (r %g, step %g, %d vertices): area %.6f m², with discs %.6f m²", iter, r, step, len(ls), got, want)
		}
		cr := newCorridor(l, p, r)
		if _, ok := cr.disjointArea(p); ok {
			disjoint++
		}
		// A wedge's or cap's area unbuilt is that of its points.
		var buf []orb.Point
		for vi, j := range cr.joints {
			if j.kind == jointDisc {
				continue
			}
			buf = cr.jointPoints(buf[:0], vi)
			want := 0.0
			if len(buf) > 0 {
				want = ringArea(buf)
			}
			if got := cr.jointArea(vi); math.Abs(got-want) > 1e-9*r*r {
				t.Fatalf("iter %d, vertex %d: joint area %g m², its points' %g m²", iter, vi, got, want)
			}
		}
	}
	t.Logf("worst relative difference from discs %.2g; %d of %d summed piece by piece", worst, disjoint, iters)
	if disjoint < iters/3 {
		t.Errorf("only %d of %d corridors summed piece by piece", disjoint, iters)
	}
}
