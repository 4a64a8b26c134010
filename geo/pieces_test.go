package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

func TestPieceBoundsPlanar(t *testing.T) {
	// A ring-shaped polygon of 2,000 vertices: its hole is left out.
	var outer, inner orb.Ring
	for i := 0; i <= 1000; i++ {
		a := 2 * math.Pi * float64(i%1000) / 1000
		outer = append(outer, orb.Point{1000 * math.Cos(a), 1000 * math.Sin(a)})
		inner = append(inner, orb.Point{800 * math.Cos(-a), 800 * math.Sin(-a)})
	}
	line := make(orb.LineString, 1000)
	for i := range line {
		line[i] = orb.Point{float64(i), math.Sin(float64(i) / 10)}
	}
	tests := []struct {
		name      string
		g         orb.Geometry
		max       int
		wantBoxes int // 0: more than one
		in, out   []orb.Point
	}{
		{"small polygon: its bound", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, 64, 1, []orb.Point{{0.5, 0.2}}, nil},
		{"ring polygon", orb.Polygon{outer, inner}, 64, 0, []orb.Point{{900, 0}, {0, -900}}, []orb.Point{{0, 0}, {300, 300}, {2000, 0}}},
		{"line of 1,000 vertices in runs of 100", line, 100, 11, []orb.Point{{0, 0}, {999, math.Sin(99.9)}}, []orb.Point{{500, 5}}},
		{"point", orb.Point{3, 4}, 64, 1, []orb.Point{{3, 4}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var boxes []orb.Bound
			PieceBoundsPlanar(tt.g, tt.max, func(b orb.Bound) { boxes = append(boxes, b) })
			if tt.wantBoxes > 0 && len(boxes) != tt.wantBoxes || tt.wantBoxes == 0 && len(boxes) < 2 {
				t.Fatalf("%d boxes, want %d", len(boxes), tt.wantBoxes)
			}
			for _, p := range tt.in {
				if !covered(boxes, p) {
					t.Errorf("%v not covered", p)
				}
			}
			for _, p := range tt.out {
				if covered(boxes, p) {
					t.Errorf("%v covered", p)
				}
			}
		})
	}
}

// TestPieceBoundsRandom checks the cover against brute force: every vertex,
// every point along every edge and every point inside a random polygon is
// in a box; every box meets the polygon's bound; a line's runs hold at most
// max vertices each.
func TestPieceBoundsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed(t), 3))
	for i := 0; i < 100; i++ {
		c := orb.Point{82 + 2*rng.Float64(), 22 + 2*rng.Float64()}
		mp := orb.MultiPolygon{randomPolygon(rng, c, 0.02+0.2*rng.Float64(), 10+rng.IntN(2000), rng.IntN(2) == 0)}
		p := PreparePolygon(mp)
		max := 8 + rng.IntN(120)
		var boxes []orb.Bound
		PieceBoundsPlanar(mp, max, func(b orb.Bound) { boxes = append(boxes, b) })
		bd := mp.Bound()
		for _, b := range boxes {
			if !b.Intersects(bd) {
				t.Fatalf("polygon %d: box %v outside the polygon's bound %v", i, b, bd)
			}
		}
		for _, r := range mp[0] {
			for k := 1; k < len(r); k++ {
				for _, f := range []float64{0, 0.3, 0.5, 0.9} {
					q := orb.Point{r[k-1][0] + f*(r[k][0]-r[k-1][0]), r[k-1][1] + f*(r[k][1]-r[k-1][1])}
					if !covered(boxes, q) {
						t.Fatalf("polygon %d (max %d): edge point %v not covered", i, max, q)
					}
				}
			}
		}
		for k := 0; k < 500; k++ {
			q := orb.Point{bd.Min[0] + rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1] + rng.Float64()*(bd.Max[1]-bd.Min[1])}
			if p.LocatePlanar(q) == Inside && !covered(boxes, q) {
				t.Fatalf("polygon %d (max %d): inner point %v not covered", i, max, q)
			}
		}

		n := 2 + rng.IntN(3000)
		line := make(orb.LineString, n)
		for k := range line {
			line[k] = orb.Point{rng.Float64(), rng.Float64()}
		}
		var runs []orb.Bound
		PieceBoundsPlanar(line, max, func(b orb.Bound) { runs = append(runs, b) })
		if want := (n - 2 + max - 1) / (max - 1); n > 1 && len(runs) != max2(1, want) {
			t.Fatalf("line of %d vertices in runs of %d: %d runs, want %d", n, max, len(runs), want)
		}
		for k := 1; k < n; k++ {
			if !coveredSegment(runs, line[k-1], line[k]) {
				t.Fatalf("line of %d vertices: segment %d not in one run", n, k)
			}
		}
	}
}

func max2(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func covered(boxes []orb.Bound, p orb.Point) bool {
	for _, b := range boxes {
		if b.Contains(p) {
			return true
		}
	}
	return false
}

func coveredSegment(boxes []orb.Bound, a, b orb.Point) bool {
	for _, x := range boxes {
		if x.Contains(a) && x.Contains(b) {
			return true
		}
	}
	return false
}

func BenchmarkPieceBoundsPlanar(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 3))
	mp := orb.MultiPolygon{randomPolygon(rng, orb.Point{83, 23}, 0.2, 20000, true)}
	for b.Loop() {
		PieceBoundsPlanar(mp, 64, func(orb.Bound) {})
	}
}

// TestOneSplitMatchesSubdivision checks the one-pass cover of a polygon of
// a few times n vertices against the general subdivision, box for box, in
// order, whenever it answers.
func TestOneSplitMatchesSubdivision(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed(t), 5))
	answered := 0
	for i := 0; i < 2000; i++ {
		c := orb.Point{82 + 2*rng.Float64(), 22 + 2*rng.Float64()}
		p := randomPolygon(rng, c, 0.02+0.2*rng.Float64(), 10+rng.IntN(600), rng.IntN(2) == 0)
		n := 8 + rng.IntN(300)
		bound := boundOf(p[0])
		var fast, general []orb.Bound
		if !oneSplit(p, bound, n, func(b orb.Bound) { fast = append(fast, b) }) {
			if len(fast) != 0 {
				t.Fatalf("polygon %d: declined after %d boxes", i, len(fast))
			}
			continue
		}
		answered++
		var s PieceScratch
		s.subdivide(p, bound, n, func(b orb.Bound) { general = append(general, b) })
		if !slices.Equal(fast, general) {
			t.Fatalf("polygon %d (n %d): one pass %v, subdivision %v", i, n, fast, general)
		}
	}
	if answered < 200 {
		t.Fatalf("the one pass answered for %d polygons of 2000", answered)
	}
}
