package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// polygonArea32 is the area of the regular 32-gon inscribed in a circle of
// radius r: a full round cap pair.
func polygonArea32(r float64) float64 {
	return CircleSegments / 2 * r * r * math.Sin(2*math.Pi/CircleSegments)
}

func TestCorridorAreaLocal(t *testing.T) {
	const r = 23.0
	width := d(orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91})
	inside := d(orb.Point{82.305, 23.91}, orb.Point{82.315, 23.91})
	edge := d(orb.Point{82.30, 23.90}, orb.Point{82.32, 23.90})
	tests := []struct {
		name string
		line orb.Geometry
		r    float64
		want float64
		tol  float64 // relative
	}{
		{"straight-through", orb.LineString{{82.29, 23.91}, {82.33, 23.91}}, r, 2 * r * width, 1e-4},
		{"straight-through-bent-outside", orb.LineString{{82.29, 23.95}, {82.29, 23.91}, {82.33, 23.91}, {82.33, 23.85}}, r, 2 * r * width, 1e-4},
		{"wholly-inside", orb.LineString{{82.305, 23.91}, {82.315, 23.91}}, r, 2*r*inside + polygonArea32(r), 1e-4},
		{"wholly-inside-many-vertices", orb.LineString{{82.305, 23.91}, {82.307, 23.91}, {82.309, 23.91}, {82.309, 23.91}, {82.315, 23.91}}, r, 2*r*inside + polygonArea32(r), 1e-4},
		{"along-boundary", orb.LineString{{82.29, 23.90}, {82.33, 23.90}}, r, r * edge, 1e-3},
		{"parallel-outside-within-half-width", orb.LineString{{82.29, 23.8999}, {82.33, 23.8999}}, r, (r - d(orb.Point{82.31, 23.8999}, orb.Point{82.31, 23.90})) * edge, 2e-3},
		{"far-outside", orb.LineString{{82.29, 23.95}, {82.33, 23.95}}, r, 0, 0},
		{"zero-width", orb.LineString{{82.29, 23.91}, {82.33, 23.91}}, 0, 0, 0},
		{"closed-ring-inside", orb.LineString{{82.305, 23.905}, {82.315, 23.905}, {82.315, 23.915}, {82.305, 23.915}, {82.305, 23.905}}, r, 0, 0},
	}
	// The ring: its corridor is the square band between two offsets of
	// the ring, with rounded outer corners.
	ringSideX := d(orb.Point{82.305, 23.91}, orb.Point{82.315, 23.91})
	ringSideY := d(orb.Point{82.31, 23.905}, orb.Point{82.31, 23.915})
	tests[len(tests)-1].want = (ringSideX+2*r)*(ringSideY+2*r) - (ringSideX-2*r)*(ringSideY-2*r) - (4*r*r - polygonArea32(r))
	tests[len(tests)-1].tol = 1e-3
	p := PreparePolygon(block)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CorridorAreaLocal(mustLine(t, tt.line), p, tt.r)
			if math.Abs(got-tt.want) > tt.tol*tt.want+1e-6 {
				t.Errorf("CorridorAreaLocal = %.3f, want %.3f (%.4f%%)", got, tt.want, 100*(got-tt.want)/tt.want)
			}
		})
	}
}

// randomPolygon returns a star-shaped polygon around c with n vertices and
// radius up to rad degrees, optionally with a hole.
func randomPolygon(rng *rand.Rand, c orb.Point, rad float64, n int, hole bool) orb.Polygon {
	outer := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		rr := rad * (0.6 + 0.4*rng.Float64())
		outer = append(outer, orb.Point{c[0] + rr*math.Cos(a), c[1] + rr*math.Sin(a)})
	}
	outer = append(outer, outer[0])
	poly := orb.Polygon{outer}
	if hole {
		h := rad * 0.25
		poly = append(poly, orb.Ring{{c[0] - h, c[1] - h}, {c[0] - h, c[1] + h}, {c[0] + h, c[1] + h}, {c[0] + h, c[1] - h}, {c[0] - h, c[1] - h}})
	}
	return poly
}

func randomWalk(rng *rand.Rand, start orb.Point, n int, step float64) orb.LineString {
	ls := orb.LineString{start}
	heading := rng.Float64() * 2 * math.Pi
	for i := 1; i < n; i++ {
		heading += (rng.Float64() - 0.5) * 1.2
		p := ls[len(ls)-1]
		ls = append(ls, orb.Point{p[0] + step*math.Cos(heading), p[1] + step*math.Sin(heading)})
	}
	return ls
}

func seed(t testing.TB) uint64 {
	s := uint64(20261126)
	if v := testSeed(); v != 0 {
		s = v
	}
	t.Logf("seed %d (set GEO_TEST_SEED to repeat another)", s)
	return s
}

// TestRandomAgainstBruteForce checks clipping lengths and corridor areas of
// random walks over random polygons against dense sampling with orb's own
// point-in-polygon test and exact circle distances.
func TestRandomAgainstBruteForce(t *testing.T) {
	s := seed(t)
	rng := rand.New(rand.NewPCG(s, 1))
	for iter := 0; iter < 30; iter++ {
		c := orb.Point{82 + rng.Float64(), 23 + rng.Float64()}
		poly := randomPolygon(rng, c, 0.01+0.01*rng.Float64(), 8+rng.IntN(30), rng.IntN(2) == 0)
		mp := orb.MultiPolygon{poly}
		start := orb.Point{c[0] + (rng.Float64()-0.5)*0.04, c[1] + (rng.Float64()-0.5)*0.04}
		ls := randomWalk(rng, start, 5+rng.IntN(30), 0.002+0.003*rng.Float64())
		l := mustLine(t, ls)
		p := PreparePolygon(mp)
		clip := ClipPlanar(l, p)

		// Length by sampling.
		var want float64
		const k = 400
		for i := 1; i < len(ls); i++ {
			for j := 0; j < k; j++ {
				a := lerp(ls[i-1], ls[i], float64(j)/k)
				b := lerp(ls[i-1], ls[i], float64(j+1)/k)
				if planar.MultiPolygonContains(mp, lerp(a, b, 0.5)) {
					want += d(a, b)
				}
			}
		}
		segMax := 0.0
		for i := 1; i < len(ls); i++ {
			segMax = math.Max(segMax, d(ls[i-1], ls[i]))
		}
		if math.Abs(clip.LengthM-want) > 4*segMax/k*float64(len(clip.Pieces)+2)+1e-6 {
			t.Errorf("iter %d: length inside %.3f, sampled %.3f", iter, clip.LengthM, want)
		}

		// Corridor area by sampling a grid in the local frame.
		const r = 30.0
		got := CorridorAreaLocal(l, p, r)
		lp := p.proj
		var proj []orb.Point
		for _, pt := range ls {
			proj = append(proj, lp.Forward(pt))
		}
		b := orb.MultiPoint(proj).Bound().Pad(r)
		const h = 5.0
		var area float64
		for y := b.Min[1] + h/2; y < b.Max[1]; y += h {
			for x := b.Min[0] + h/2; x < b.Max[0]; x += h {
				q := orb.Point{x, y}
				if p.local.locate(q) != Inside {
					continue
				}
				for i := 1; i < len(proj); i++ {
					if distPointSeg(q, proj[i-1], proj[i]) <= r {
						area += h * h
						break
					}
				}
			}
		}
		if math.Abs(got-area) > 0.02*area+40*h*h {
			t.Errorf("iter %d: corridor area %.1f, sampled %.1f", iter, got, area)
		}
	}
}

// TestDiscCutMatchesAllEdges checks that the angular window of shape.cut
// finds the same crossings as trying every edge of the disc.
func TestDiscCutMatchesAllEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed(t), 3))
	unitCircle, _ := unitPolygon()
	for i := 0; i < 20000; i++ {
		c := orb.Point{rng.Float64() * 10, rng.Float64() * 10}
		r := 1 + rng.Float64()*30
		theta := (rng.Float64() - 0.5) * 8
		st, ct := math.Sincos(theta)
		pts := make([]orb.Point, CircleSegments)
		for k := range pts {
			u := unitCircle[k]
			pts[k] = orb.Point{c[0] + r*(u[0]*ct-u[1]*st), c[1] + r*(u[0]*st+u[1]*ct)}
		}
		disc := shape{pts: pts, disc: true, centre: c, radius: r, theta: theta}
		all := shape{pts: pts}
		a := orb.Point{c[0] + (rng.Float64()-0.5)*4*r, c[1] + (rng.Float64()-0.5)*4*r}
		b := orb.Point{c[0] + (rng.Float64()-0.5)*4*r, c[1] + (rng.Float64()-0.5)*4*r}
		if i%5 == 0 { // through a vertex
			b = pts[rng.IntN(CircleSegments)]
		}
		eb := segBound(a, b)
		got := disc.cut(a, b, eb, nil)
		want := all.cut(a, b, eb, nil)
		slices.Sort(got)
		slices.Sort(want)
		got, want = slices.Compact(got), slices.Compact(want)
		if !slices.Equal(got, want) {
			t.Fatalf("case %d: cut %v, all edges %v", i, got, want)
		}
	}
}
