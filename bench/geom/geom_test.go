// Package geom measures github.com/twpayne/go-geom against what coalmap
// uses in its place (paulmach/orb and its own code), on the conversions an
// import and a read do per feature: the WKB a COPY sends, the WKB a
// polygon load reads back. It is a module of its own so that go-geom, a
// dependency of this comparison only, stays out of coalmap's go.mod.
//
//	cd bench/geom && go test -run '^$' -bench . -benchmem -count 5
//
// Figures: BENCHMARKS.md ("go-geom"), and the doc of package layers.
package geom

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/paulmach/orb"
	orbwkb "github.com/paulmach/orb/encoding/wkb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"
	"github.com/twpayne/go-geom/encoding/wkb"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
)

// block is a coal-block-like polygon of n vertices (a smooth boundary
// near Dhirauli, as bench/imports/gen.py draws them).
func block(n int) orb.MultiPolygon {
	ring := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		r := 0.02 * (1 + 0.1*math.Sin(5*a))
		ring = append(ring, orb.Point{82.33 + r*math.Cos(a), 23.95 + r*math.Sin(a)})
	}
	ring = append(ring, ring[0])
	return orb.MultiPolygon{{ring}}
}

// toGeom converts an orb multipolygon to go-geom's (flat coordinates): the
// conversion layer that go-geom's encoders, or pgx-geom's codec, would
// need, since every reader of package formats yields orb geometries.
func toGeom(mp orb.MultiPolygon) *geom.MultiPolygon {
	var flat []float64
	var endss [][]int
	for _, p := range mp {
		var ends []int
		for _, r := range p {
			for _, pt := range r {
				flat = append(flat, pt[0], pt[1])
			}
			ends = append(ends, len(flat))
		}
		endss = append(endss, ends)
	}
	return geom.NewMultiPolygonFlat(geom.XY, flat, endss).SetSRID(geo.SRIDWGS84)
}

// fromGeom converts back.
func fromGeom(g *geom.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, g.NumPolygons())
	for i := range out {
		p := g.Polygon(i)
		out[i] = make(orb.Polygon, p.NumLinearRings())
		for j := range out[i] {
			c := p.LinearRing(j).Coords()
			r := make(orb.Ring, len(c))
			for k, xy := range c {
				r[k] = orb.Point{xy[0], xy[1]}
			}
			out[i][j] = r
		}
	}
	return out
}

var sizes = []struct {
	name string
	n    int
}{{"64v", 64}, {"1300v", 1300}}

// What an import does per feature: the WKB of the layer's type for COPY.
func BenchmarkEncodeWKB(b *testing.B) {
	for _, sz := range sizes {
		mp := block(sz.n)
		gm := toGeom(mp)
		b.Run(sz.name+"/orb", func(b *testing.B) { // coalmap today: layers.ImportPlan.Row
			b.ReportAllocs()
			for b.Loop() {
				if _, err := orbwkb.Marshal(mp); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(sz.name+"/go-geom_from_orb", func(b *testing.B) { // go-geom in the pipeline: convert, then encode
			b.ReportAllocs()
			for b.Loop() {
				if _, err := wkb.Marshal(toGeom(mp), binary.LittleEndian); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(sz.name+"/go-geom_ewkb_from_orb", func(b *testing.B) { // pgx-geom's codec: convert, EWKB, then copied into pgx's buffer
			b.ReportAllocs()
			buf := make([]byte, 0, 64<<10)
			for b.Loop() {
				data, err := ewkb.Marshal(toGeom(mp), binary.LittleEndian)
				if err != nil {
					b.Fatal(err)
				}
				buf = append(buf[:0], data...)
			}
		})
		b.Run(sz.name+"/go-geom_native", func(b *testing.B) { // were the readers to yield go-geom: encode only
			b.ReportAllocs()
			for b.Loop() {
				if _, err := wkb.Marshal(gm, binary.LittleEndian); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// What a polygon load (the overlap engine's) does per feature: WKB from
// PostGIS to the orb geometry package geo indexes.
func BenchmarkDecodeWKB(b *testing.B) {
	for _, sz := range sizes {
		data, _ := orbwkb.Marshal(block(sz.n))
		b.Run(sz.name+"/orb", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := orbwkb.Unmarshal(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(sz.name+"/go-geom_to_orb", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g, err := wkb.Unmarshal(data)
				if err != nil {
					b.Fatal(err)
				}
				_ = fromGeom(g.(*geom.MultiPolygon))
			}
		})
		b.Run(sz.name+"/go-geom_only", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := wkb.Unmarshal(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The whole per-feature conversion of an import (fit, promote, WKB) as
// layers.ImportPlan.Row does it, for scale.
func BenchmarkImportRow(b *testing.B) {
	l := layers.Layer{ID: "blocks", GeometryType: layers.MultiPolygon}
	plan, err := layers.PlanImport(l, nil, formatsCRS(), 0)
	if err != nil {
		b.Fatal(err)
	}
	f := feature(block(1300))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := plan.Row(f); err != nil {
			b.Fatal(err)
		}
	}
}
