package tiles

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
)

func TestBandOf(t *testing.T) {
	for _, c := range []struct{ z, lo int }{{0, 0}, {5, 0}, {6, 6}, {7, 6}, {13, 12}, {14, 14}, {24, 14}} {
		if b := BandOf(c.z); b.Lo != c.lo {
			t.Errorf("BandOf(%d) = %v, want lo %d", c.z, b, c.lo)
		}
	}
	if !BandOf(14).Full() || BandOf(13).Full() || BandOf(20).MinSize() != 0 {
		t.Error("the full band")
	}
}

func TestGeneraliseDropsSmallFeatures(t *testing.T) {
	// 500 m across: kept where a pixel is smaller (z9 on), dropped where
	// it is larger.
	sq := orb.Polygon{{{0, 0}, {500, 0}, {500, 500}, {0, 500}, {0, 0}}}
	Generalise(sq, layers.Polygon, func(b Band, g orb.Geometry, suspect bool) {
		want := 500 >= b.MinSize()
		if (g != nil) != want {
			t.Errorf("band %v (min size %.0f m): kept %v, want %v", b, b.MinSize(), g != nil, want)
		}
		if suspect {
			t.Errorf("band %v: a square is suspect", b)
		}
	})
}

func TestGeneralisePoints(t *testing.T) {
	n := 0
	Generalise(orb.MultiPoint{{1, 2}, {3, 4}}, layers.MultiPoint, func(b Band, g orb.Geometry, _ bool) {
		n++
		if !b.Full() || len(g.(orb.MultiPoint)) != 2 {
			t.Errorf("band %v: %v", b, g)
		}
	})
	if n != 1 {
		t.Fatalf("%d bands for points, want the full band only", n)
	}
}

// TestGeneraliseRandom checks each band against brute force on random
// lines and polygons (EPSG:3857 metres, about 100 km across): the full band
// is the feature itself; every coarser band has no more vertices than the
// next finer one; every vertex of the original lies within the band's
// tolerance plus those of the finer bands (Douglas–Peucker's bound, band
// after band) of the band's geometry; a polygon band is suspect exactly
// when it lost vertices and is not proven valid, or was suspect before.
func TestGeneraliseRandom(t *testing.T) {
	seed := rand.Uint64()
	if s, err := strconv.ParseUint(os.Getenv("TILES_TEST_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (TILES_TEST_SEED to repeat)", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := 0; i < 60; i++ {
		var g orb.Geometry
		kind := layers.MultiLineString
		c := orb.Point{9e6 + rng.Float64()*1e5, 2.7e6 + rng.Float64()*1e5}
		if i%2 == 0 {
			g = orb.MultiLineString{walk(rng, c, 50+rng.IntN(3000), 5+rng.Float64()*200)}
		} else {
			kind = layers.MultiPolygon
			g = orb.MultiPolygon{blob(rng, c, 200+rng.Float64()*30000, 20+rng.IntN(2000))}
		}
		orig := orb.Clone(g)
		prev := math.MaxInt
		var tol float64
		wasSuspect := false
		Generalise(g, kind, func(b Band, bg orb.Geometry, suspect bool) {
			if b.Full() {
				if !orb.Equal(bg, orig) {
					t.Fatalf("feature %d: the full band is not the feature", i)
				}
				prev = vertices(bg)
				return
			}
			tol += b.Tolerance()
			if bg == nil {
				prev = 0
				return
			}
			n := vertices(bg)
			if n > prev {
				t.Fatalf("feature %d band %v: %d vertices, more than the finer band's %d", i, b, n, prev)
			}
			if d := maxDeviation(orig, bg); d > tol*(1+1e-9) {
				t.Fatalf("feature %d band %v: a vertex %.1f m away, tolerance %.1f m", i, b, d, tol)
			}
			if kind == layers.MultiPolygon {
				want := wasSuspect
				if n != prev {
					want = !geo.ProvablyValid(bg)
				}
				if suspect != want {
					t.Fatalf("feature %d band %v: suspect %v, want %v", i, b, suspect, want)
				}
				wasSuspect = suspect
			}
			prev = n
		})
	}
}

// maxDeviation is the greatest distance from a vertex of orig to the
// matching part of g (line to line, ring to ring).
func maxDeviation(orig, g orb.Geometry) float64 {
	var d float64
	switch o := orig.(type) {
	case orb.MultiLineString:
		for k, l := range o {
			for _, p := range l {
				d = math.Max(d, distToLine(p, g.(orb.MultiLineString)[k]))
			}
		}
	case orb.MultiPolygon:
		// Rings may have been dropped: compare the shells only.
		for _, p := range o[0][0] {
			d = math.Max(d, distToLine(p, orb.LineString(g.(orb.MultiPolygon)[0][0])))
		}
	}
	return d
}

func distToLine(p orb.Point, l orb.LineString) float64 {
	best := math.Inf(1)
	for i := 1; i < len(l); i++ {
		best = math.Min(best, planar.DistanceFromSegment(l[i-1], l[i], p))
	}
	return best
}

func walk(rng *rand.Rand, p orb.Point, n int, step float64) orb.LineString {
	l := orb.LineString{p}
	h := rng.Float64() * 2 * math.Pi
	for range n - 1 {
		h += (rng.Float64() - 0.5) * 0.8
		p = orb.Point{p[0] + step*math.Cos(h), p[1] + step*math.Sin(h)}
		l = append(l, p)
	}
	return l
}

// blob is a star-shaped polygon with a wavy boundary: simple, so valid.
func blob(rng *rand.Rand, c orb.Point, r float64, n int) orb.Polygon {
	ring := make(orb.Ring, 0, n+1)
	ph := rng.Float64() * 10
	for k := range n {
		a := 2 * math.Pi * float64(k) / float64(n)
		rr := r * (1 + 0.2*math.Sin(5*a+ph) + 0.05*math.Sin(37*a) + 0.01*rng.Float64())
		ring = append(ring, orb.Point{c[0] + rr*math.Cos(a), c[1] + rr*math.Sin(a)})
	}
	ring = append(ring, ring[0])
	return orb.Polygon{ring}
}
