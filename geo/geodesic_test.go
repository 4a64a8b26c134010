package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func dms(d, m, s float64) float64 {
	sign := 1.0
	if d < 0 {
		sign, d = -1, -d
	}
	return sign * (d + m/60 + s/3600)
}

func TestDistanceGeodesic(t *testing.T) {
	tests := []struct {
		name string
		a, b orb.Point
		want float64
		tol  float64
	}{
		// Vincenty's (1975) own test line, Flinders Peak to Buninyong.
		{"flinders-buninyong", orb.Point{dms(144, 25, 29.52440), -dms(37, 57, 3.72030)}, orb.Point{dms(143, 55, 35.38390), -dms(37, 39, 10.15610)}, 54972.271, 0.001},
		{"equator-1deg", orb.Point{0, 0}, orb.Point{1, 0}, 111319.49079327357, 1e-6},
		{"meridian-0-1deg", orb.Point{82, 0}, orb.Point{82, 1}, 110574.38855779878, 1e-4},
		{"same-point", orb.Point{82.3, 23.9}, orb.Point{82.3, 23.9}, 0, 0},
		{"antipodal-fallback", orb.Point{0, 0}, orb.Point{180, 0}, 20003931.46, 30000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DistanceGeodesic(tt.a, tt.b)
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("DistanceGeodesic = %.6f, want %.6f ± %g", got, tt.want, tt.tol)
			}
			if back := DistanceGeodesic(tt.b, tt.a); math.Abs(back-got) > 1e-6 {
				t.Errorf("not symmetric: %.6f vs %.6f", got, back)
			}
		})
	}
}

// areaCell integrates M·N·cos(lat) over a lon/lat cell numerically.
func areaCell(lon0, lat0, lon1, lat1 float64) float64 {
	const n = 2000
	h := (lat1 - lat0) / n * degToRad
	var s float64
	for i := 0; i < n; i++ {
		phi := lat0*degToRad + (float64(i)+0.5)*h
		w := 1 - eccSq*math.Sin(phi)*math.Sin(phi)
		s += SemiMajorAxis * SemiMajorAxis * (1 - eccSq) * math.Cos(phi) / (w * w) * h
	}
	return s * (lon1 - lon0) * degToRad
}

func TestAreaGeodesic(t *testing.T) {
	square := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	tests := []struct {
		name string
		g    orb.Geometry
		want float64
	}{
		{"equator-cell", orb.Polygon{square(0, 0, 1, 1)}, areaCell(0, 0, 1, 1)},
		{"dhirauli-cell", orb.Polygon{square(82.3, 23.9, 82.35, 23.95)}, areaCell(82.3, 23.9, 82.35, 23.95)},
		{"clockwise", orb.Polygon{square(82.3, 23.9, 82.35, 23.95).Clone()}, areaCell(82.3, 23.9, 82.35, 23.95)},
		{"with-hole", orb.Polygon{square(82, 23, 82.1, 23.1), square(82.02, 23.02, 82.04, 23.04)}, areaCell(82, 23, 82.1, 23.1) - areaCell(82.02, 23.02, 82.04, 23.04)},
		{"multi", orb.MultiPolygon{{square(82, 23, 82.1, 23.1)}, {square(83, 22, 83.05, 22.05)}}, areaCell(82, 23, 82.1, 23.1) + areaCell(83, 22, 83.05, 22.05)},
	}
	tests[2].g.(orb.Polygon)[0].Reverse()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AreaGeodesic(tt.g)
			if math.Abs(got-tt.want) > 1e-6*tt.want {
				t.Errorf("AreaGeodesic = %.3f, want %.3f", got, tt.want)
			}
		})
	}
}

func TestWebMercator(t *testing.T) {
	tests := []struct {
		name string
		in   orb.Point
		want orb.Point
	}{
		{"origin", orb.Point{0, 0}, orb.Point{0, 0}},
		{"antimeridian", orb.Point{180, 0}, orb.Point{20037508.342789244, 0}},
		{"corner", orb.Point{-180, maxMercatorLat}, orb.Point{-20037508.342789244, 20037508.342789244}},
		{"dhirauli", orb.Point{82.33, 23.95}, orb.Point{9164933.677, 2747316.574}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ToWebMercator(tt.in)
			if math.Abs(got[0]-tt.want[0]) > 1 || math.Abs(got[1]-tt.want[1]) > 1 {
				t.Errorf("ToWebMercator = %v, want %v", got, tt.want)
			}
			back := FromWebMercator(got)
			if math.Abs(back[0]-tt.in[0]) > 1e-9 || math.Abs(back[1]-tt.in[1]) > 1e-9 {
				t.Errorf("round trip = %v, want %v", back, tt.in)
			}
		})
	}
}

func TestLocalProjection(t *testing.T) {
	o := orb.Point{82.33, 23.95}
	lp := NewLocalProjection(o)
	for _, p := range []orb.Point{{82.34, 23.95}, {82.33, 23.99}, {82.5, 24.1}, {82.1, 23.7}} {
		q := lp.Forward(p)
		planar := math.Hypot(q[0], q[1])
		geod := DistanceGeodesic(o, p)
		if math.Abs(planar-geod) > 2e-5*geod {
			t.Errorf("%v: tangent-plane distance %.3f, geodesic %.3f", p, planar, geod)
		}
	}
	if q := lp.Forward(orb.Point{82.34, 23.95}); q[0] <= 0 || math.Abs(q[1]) > 2 {
		t.Errorf("east is not east: %v", q)
	}
}

// TestShortLinesAgreeWithVincenty checks the mid-latitude formula against
// Vincenty's on random short lines across India's latitudes.
func TestShortLinesAgreeWithVincenty(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed(t), 4))
	worst := 0.0
	for i := 0; i < 100000; i++ {
		a := orb.Point{68 + 30*rng.Float64(), 6 + 32*rng.Float64()}
		b := orb.Point{a[0] + (rng.Float64()-0.5)*2*shortLineDeg*0.999, a[1] + (rng.Float64()-0.5)*2*shortLineDeg*0.999}
		v := vincenty(a, b)
		rel := math.Abs(DistanceGeodesic(a, b)-v) / v
		worst = math.Max(worst, rel)
	}
	if worst > 1e-7 {
		t.Errorf("worst relative difference %.3g", worst)
	}
	t.Logf("worst relative difference %.3g", worst)
}
