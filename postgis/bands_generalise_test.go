package postgis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
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

// BenchmarkGeneraliseFeature times the import benchmark's polygons
// generalised for every band by one worker, in batches of an import's
// size (teeBatchRows); ns/op is per feature.
func BenchmarkGeneraliseFeature(b *testing.B) {
	srcs := benchBlocks(teeBatchRows, 1300)
	fids := make([]int64, len(srcs))
	ws := bandWorkers{&bandWorker{}}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n += len(srcs) {
		if _, err := ws.batch(fids, srcs, layers.MultiPolygon); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBandWorker checks a worker's generalisation of the benchmark's
// polygons and of lines against the plain path — wkb.Unmarshal,
// ToWebMercator, tiles.Generalise, wkb.Marshal, geo.PieceBoundsPlanar —
// feature after feature with the same worker: the same bands, suspects
// and pieces (coordinates within a micrometre: the worker's projection
// rounds differently in the last place).
func TestBandWorker(t *testing.T) {
	srcs := benchBlocks(60, 1300)
	for i := range 40 {
		l := make(orb.LineString, 0, 500)
		for k := range 500 {
			l = append(l, orb.Point{80 + 0.002*float64(k), 22 + 0.05*math.Sin(float64(k*(i+1))/50)})
		}
		b, err := wkb.Marshal(orb.MultiLineString{l, l[:100]})
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, b)
	}
	var w bandWorker
	for i, src := range srcs {
		kind := layers.MultiPolygon
		if i >= 60 {
			kind = layers.MultiLineString
		}
		got, err := w.feature(int64(i), src, kind)
		if err != nil {
			t.Fatal(err)
		}
		g, err := wkb.Unmarshal(src)
		if err != nil {
			t.Fatal(err)
		}
		tiles.Generalise(geo.TransformPoints(g, geo.ToWebMercator), kind, func(b tiles.Band, bg orb.Geometry, suspect bool) {
			k := bandIndex(b)
			var boxes []orb.Bound
			if bg != nil {
				geo.PieceBoundsPlanar(bg, b.PieceVertices(kind), func(bd orb.Bound) { boxes = append(boxes, bd) })
			}
			if n := len(got.pieceList(k)); n != len(boxes) {
				t.Fatalf("feature %d band %v: %d pieces, want %d", i, b, n, len(boxes))
			}
			for p, box := range got.pieceList(k) {
				bg, err := wkb.Unmarshal(box)
				if err != nil {
					t.Fatal(err)
				}
				if !near(bg.Bound().ToPolygon(), boxes[p].ToPolygon()) {
					t.Fatalf("feature %d band %v piece %d: %v, want %v", i, b, p, bg.Bound(), boxes[p])
				}
			}
			if k == fullBand {
				return
			}
			if (got.geom[k] == nil) != (bg == nil) || got.suspect[k] != suspect {
				t.Fatalf("feature %d band %v: kept %v suspect %v, want %v %v", i, b, got.geom[k] != nil, got.suspect[k], bg != nil, suspect)
			}
			if bg == nil {
				return
			}
			gg, err := wkb.Unmarshal(got.geom[k])
			if err != nil {
				t.Fatal(err)
			}
			if !near(gg, bg) {
				t.Fatalf("feature %d band %v: the geometries differ", i, b)
			}
		})
	}
}

// near reports whether a and b are the same geometry, coordinates within a
// micrometre.
func near(a, b orb.Geometry) bool {
	sa, pa := flatten(a)
	sb, pb := flatten(b)
	if sa != sb {
		return false
	}
	for i := range pa {
		if math.Abs(pa[i][0]-pb[i][0]) > 1e-6 || math.Abs(pa[i][1]-pb[i][1]) > 1e-6 {
			return false
		}
	}
	return true
}

// flatten returns g's shape (its type and the lengths of its parts) and
// its points.
func flatten(g orb.Geometry) (string, []orb.Point) {
	shape := fmt.Sprintf("%T", g)
	var ps []orb.Point
	add := func(l []orb.Point) {
		shape += fmt.Sprintf(" %d", len(l))
		ps = append(ps, l...)
	}
	switch g := g.(type) {
	case orb.LineString:
		add(g)
	case orb.MultiLineString:
		for _, l := range g {
			add(l)
		}
	case orb.Polygon:
		for _, r := range g {
			add(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			shape += " |"
			for _, r := range p {
				add(r)
			}
		}
	}
	return shape, ps
}
