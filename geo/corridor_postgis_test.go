package geo_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func ringWKT(r orb.Ring) string {
	var b strings.Builder
	b.WriteString("(")
	for i, q := range append(append(orb.Ring(nil), r...), r[0]) {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%.12f %.12f", q[0], q[1])
	}
	b.WriteString(")")
	return b.String()
}

// TestCorridorAreaAgainstPostGIS checks CorridorAreaLocal against GEOS: the
// area of the intersection of the polygon with the union of the corridor's
// plain definition (a whole polygonal disc at every vertex, a rectangle per
// segment), both in the polygon's local frame, computed by PostGIS
// (ST_Union, ST_Intersection, ST_Area). The lines are random walks over
// random polygons (sharp and gentle turns, spans shorter and longer than
// the half width, closed loops, lines doubling back), lines along a
// polygon's boundary, and bench/checkload's
// alignment over the blocks of bench/gen.sql it comes near.
//
// Where the corridor is summed piece by piece it agrees to a ten-millionth
// and a hundredth of a square metre (points within epsMetre of the
// polygon's boundary count as on it); where the line comes back over itself
// and the area is that of a union of overlapping shapes, to a
// ten-thousandth.
func TestCorridorAreaAgainstPostGIS(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostGIS")
	}
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	type tc struct {
		name string
		l    *geo.PreparedLine
		p    *geo.PreparedPolygon
		r    float64
	}
	var cases []tc
	rng := rand.New(rand.NewPCG(20261205, 3))
	for i := 0; i < 80; i++ {
		c := orb.Point{82 + rng.Float64(), 23 + rng.Float64()}
		p := geo.PreparePolygon(orb.MultiPolygon{geo.RandomPolygon(rng, c, 0.005+0.02*rng.Float64(), 8+rng.IntN(60), rng.IntN(2) == 0)})
		step := []float64{0.0001, 0.0003, 0.001, 0.003}[rng.IntN(4)]
		start := orb.Point{c[0] + (rng.Float64()-0.5)*0.03, c[1] + (rng.Float64()-0.5)*0.03}
		ls := geo.RandomWalk(rng, start, 3+rng.IntN(200), step)
		switch i % 10 {
		case 7:
			ls = append(ls, ls[0])
		case 8:
			for k := len(ls) - 2; k >= len(ls)/2; k-- {
				ls = append(ls, ls[k])
			}
		}
		l, err := geo.PrepareLine(ls, 0)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, tc{fmt.Sprintf("walk %d", i), l, p, []float64{5, 23, 40}[rng.IntN(3)]})
	}
	// Lines along a block's boundary and back over themselves, with
	// corridors from a centimetre to tens of metres wide (found by
	// FuzzClipPlanar).
	block := geo.PreparePolygon(orb.MultiPolygon{{{{82.30, 23.90}, {82.32, 23.90}, {82.32, 23.92}, {82.30, 23.92}, {82.30, 23.90}}}})
	for i, w := range []struct {
		line orb.LineString
		r    float64
	}{
		{orb.LineString{{82.3, 23.9}, {82.32, 23.9}, {82.32, 20.2}}, 0.001142857142857143},
		{orb.LineString{{82.3, 23.9}, {82.32, 23.9}, {88.32, 20.2}}, 0.01142857142857143},
		{orb.LineString{{82.3, 23.9}, {82.32, 23.9}, {88.32, 20.2}}, 20.00126984126984},
		{orb.LineString{{82.3, 23.9}, {82.32, 26.9}, {82.32, 23.92}}, 0.014814814814814814},
		{orb.LineString{{82.31, 23.91}, {82.31, 23.955}, {82.31, 21.91}}, 810},
	} {
		l, err := geo.PrepareLine(w.line, 0)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, tc{fmt.Sprintf("along the boundary %d", i), l, block, w.r})
	}
	l, blocks := checkAlignment(t)
	for i, p := range blocks {
		cases = append(cases, tc{fmt.Sprintf("alignment, block %d", i), l, p, 23})
	}

	pieces := 0
	worst := 0.0
	for _, c := range cases {
		got := geo.CorridorAreaLocal(c.l, c.p, c.r)
		var shapes, rings []string
		for _, r := range geo.CorridorAsDiscsAndRects(c.l, c.p, c.r) {
			shapes = append(shapes, "POLYGON("+ringWKT(r)+")")
		}
		for _, r := range geo.LocalRings(c.p) {
			rings = append(rings, "LINESTRING"+ringWKT(r))
		}
		var want float64
		err := pool.QueryRow(ctx, `
SELECT COALESCE(ST_Area(ST_Intersection(
  (SELECT ST_Union(ST_GeomFromText(s)) FROM unnest($1::text[]) s),
  (SELECT ST_BuildArea(ST_Collect(ST_GeomFromText(r))) FROM unnest($2::text[]) r))), 0)`, shapes, rings).Scan(&want)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		tol := 1e-4*want + 1e-2
		if geo.SummedByPieces(c.l, c.p, c.r) {
			pieces++
			tol = 1e-7*want + 1e-2
			worst = math.Max(worst, math.Abs(got-want)/math.Max(want, 1))
		}
		if math.Abs(got-want) > tol {
			t.Errorf("%s (r %g, summed piece by piece %v): corridor area %.6f m², PostGIS %.6f m²", c.name, c.r, geo.SummedByPieces(c.l, c.p, c.r), got, want)
		}
	}
	t.Logf("%d of %d summed piece by piece, worst relative difference there %.2g", pieces, len(cases), worst)
	if pieces < len(cases)/2 {
		t.Errorf("only %d of %d corridors summed piece by piece", pieces, len(cases))
	}
}

// checkAlignment is bench/checkload's alignment (150 km, 1,500 vertices)
// and the blocks of bench/gen.sql within 0.002° of it
// (testdata/check_blocks.geojson).
func checkAlignment(t testing.TB) (*geo.PreparedLine, []*geo.PreparedPolygon) {
	const nv = 1500
	pts := make(orb.LineString, nv)
	for i := range pts {
		f := float64(i) / (nv - 1)
		pts[i] = orb.Point{81.95 + 1.45*f, 24.30 + 0.12*f + 0.02*math.Sin(f*37) + 0.004*math.Sin(f*311)}
	}
	l, err := geo.PrepareLine(pts, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("testdata/check_blocks.geojson")
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	var ps []*geo.PreparedPolygon
	for _, f := range fc.Features {
		ps = append(ps, geo.PreparePolygon(f.Geometry.(orb.MultiPolygon)))
	}
	return l, ps
}

// BenchmarkCorridorAreaCheck is the corridor area of the check benchmark's
// alignment (a 46 m right of way) over each block it comes near, by one
// CorridorMeter as a check's worker does.
func BenchmarkCorridorAreaCheck(b *testing.B) {
	l, ps := checkAlignment(b)
	var m geo.CorridorMeter
	for b.Loop() {
		for _, p := range ps {
			m.Area(l, p, 23)
		}
	}
}
