package postgis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/coalmap/coalmap/layers"
)

// benchBlocks are n star-shaped polygons of v vertices, the shape of
// bench/imports/gen.py's (smooth lobes, a little noise, 1–5.5 km across
// the coal belt), as the WKB an import's COPY sends.
func benchBlocks(n, v int) [][]byte {
	rnd := rand.New(rand.NewPCG(42, 0))
	out := make([][]byte, n)
	for i := range out {
		cx, cy := 78+9*rnd.Float64(), 19+6*rnd.Float64()
		r0 := 0.01 + 0.04*rnd.Float64()
		p1, p2, p3 := 6.3*rnd.Float64(), 6.3*rnd.Float64(), 6.3*rnd.Float64()
		ring := make(orb.Ring, 0, v)
		for k := range v - 1 {
			a := 2 * math.Pi * float64(k) / float64(v-1)
			r := r0 * (1 + 0.25*math.Sin(3*a+p1) + 0.1*math.Sin(7*a+p2) + 0.04*math.Sin(23*a+p3) + 0.002*rnd.Float64())
			ring = append(ring, orb.Point{cx + r*math.Cos(a), cy + r*math.Sin(a)})
		}
		ring = append(ring, ring[0])
		b, err := wkb.Marshal(orb.MultiPolygon{{ring}})
		if err != nil {
			panic(err)
		}
		out[i] = b
	}
	return out
}

// BenchmarkGeneraliseFeature times one polygon of the import benchmark's
// generalised for every band, on one core.
func BenchmarkGeneraliseFeature(b *testing.B) {
	srcs := benchBlocks(200, 1300)
	var w bandWorker
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := w.feature(int64(i), srcs[i%len(srcs)], layers.MultiPolygon); err != nil {
			b.Fatal(err)
		}
	}
}
