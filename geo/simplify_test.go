package geo

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// TestSimplifyPlanar checks SimplifyPlanar against orb/simplify's
// Douglas–Peucker, point for point, on random walks, closed rings and
// degenerate lines.
func TestSimplifyPlanar(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed(t), 5))
	var s SimplifyScratch
	cases := []orb.LineString{{}, {{0, 0}}, {{0, 0}, {1, 1}}, {{0, 0}, {0, 0}, {0, 0}}, {{0, 0}, {5, 5}, {0, 0}}}
	for range 300 {
		l := randomWalk(rng, orb.Point{rng.Float64(), rng.Float64()}, 2+rng.IntN(5000), 1)
		if rng.IntN(3) == 0 {
			l = append(l, l[0]) // a ring
		}
		cases = append(cases, l)
	}
	for i, l := range cases {
		tol := []float64{0, 0.5, 2, 10, 50}[i%5]
		want := simplify.DouglasPeucker(tol).LineString(slices.Clone(l))
		got := SimplifyPlanar(slices.Clone(l), tol, &s)
		if len(got) != len(want) && !(len(l) <= 2 && len(got) == len(l)) {
			t.Fatalf("case %d (%d points, tol %v): %d points, orb %d", i, len(l), tol, len(got), len(want))
		}
		for k := range want {
			if got[k] != want[k] {
				t.Fatalf("case %d: point %d is %v, orb %v", i, k, got[k], want[k])
			}
		}
	}
}

func BenchmarkSimplifyPlanar(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 5))
	l := randomWalk(rng, orb.Point{0, 0}, 100000, 1)
	var s SimplifyScratch
	buf := make(orb.LineString, len(l))
	b.Run("geo", func(b *testing.B) {
		for b.Loop() {
			copy(buf, l)
			SimplifyPlanar(buf, 0.5, &s)
		}
	})
	b.Run("orb", func(b *testing.B) {
		for b.Loop() {
			copy(buf, l)
			simplify.DouglasPeucker(0.5).LineString(buf)
		}
	})
}
