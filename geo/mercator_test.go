package geo

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// TestMercatorScratch checks the scratch's conversion against
// ToWebMercator, point for point, on random polygons and lines over the
// whole range of latitudes (the poles clamped), within 10 nm (100 nm near the
// edge of the square world, where the tangent is steep): both are
// within a few nm of the exact value (ToWebMercator's tangent and logarithm
// round, as the scratch's value at each cell's centre does).
func TestMercatorScratch(t *testing.T) {
	seed := rand.Uint64()
	if s, err := strconv.ParseUint(os.Getenv("GEO_TEST_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (GEO_TEST_SEED to repeat)", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	var s MercatorScratch
	check := func(name string, in, out []orb.Point) {
		t.Helper()
		if len(in) != len(out) {
			t.Fatalf("%s: %d points, want %d", name, len(out), len(in))
		}
		for i, p := range in {
			want := ToWebMercator(p)
			if out[i][0] != want[0] || math.Abs(out[i][1]-want[1]) > max(1e-8, 5e-15*math.Abs(want[1])) {
				t.Fatalf("%s: %v → %v, want %v (off by %g m)", name, p, out[i], want, out[i][1]-want[1])
			}
		}
	}
	for i := range 200 {
		c := orb.Point{-180 + 360*rng.Float64(), -89 + 178*rng.Float64()}
		r := math.Pow(10, -4+4*rng.Float64())
		ring := make(orb.Ring, 0, 300)
		for k := range 299 {
			a := 2 * math.Pi * float64(k) / 299
			ring = append(ring, orb.Point{c[0] + r*math.Cos(a), c[1] + r*math.Sin(a)*(0.5+rng.Float64())})
		}
		ring = append(ring, ring[0])
		hole := orb.Ring{{c[0], c[1]}, {c[0] + r/10, c[1]}, {c[0], c[1] + r/10}, {c[0], c[1]}}
		mp := orb.MultiPolygon{{ring, hole}, {hole}}
		in := orb.Clone(mp).(orb.MultiPolygon)
		got := s.ToWebMercator(mp).(orb.MultiPolygon)
		if !orb.Equal(mp, in) {
			t.Fatalf("polygon %d: the source was modified", i)
		}
		for j := range in {
			for k := range in[j] {
				check("polygon "+strconv.Itoa(i), in[j][k], got[j][k])
			}
		}
		line := orb.LineString(ring[:1+rng.IntN(len(ring)-1)])
		check("line "+strconv.Itoa(i), line, s.ToWebMercator(line).(orb.LineString))
		ml := orb.MultiLineString{line, orb.LineString(hole)}
		gml := s.ToWebMercator(ml).(orb.MultiLineString)
		check("lines", line, gml[0])
		check("lines", orb.LineString(hole), gml[1])
	}
	// Points and collections: ToWebMercator on a copy.
	p := orb.Point{82.33, 23.95}
	if got := s.ToWebMercator(p); got != ToWebMercator(p) {
		t.Errorf("point: %v, want %v", got, ToWebMercator(p))
	}
}

func BenchmarkMercatorScratch(b *testing.B) {
	ring := make(orb.Ring, 0, 1300)
	for k := range 1299 {
		a := 2 * math.Pi * float64(k) / 1299
		ring = append(ring, orb.Point{82 + 0.03*math.Cos(a), 23 + 0.03*math.Sin(a)})
	}
	ring = append(ring, ring[0])
	mp := orb.MultiPolygon{{ring}}
	b.Run("scratch", func(b *testing.B) {
		var s MercatorScratch
		for b.Loop() {
			s.ToWebMercator(mp)
		}
	})
	b.Run("TransformPoints", func(b *testing.B) {
		c := orb.Clone(mp)
		for b.Loop() {
			for i := range ring {
				c.(orb.MultiPolygon)[0][0][i] = ring[i]
			}
			TransformPoints(c, ToWebMercator)
		}
	})
}

// TestMercatorFromWKB checks FromWKB against wkb.Unmarshal then
// ToWebMercator, in both byte orders, for every geometry type; and that
// every truncation of the WKB is an error, not a panic.
func TestMercatorFromWKB(t *testing.T) {
	ring := orb.Ring{{82, 23}, {82.1, 23}, {82.1, 23.1}, {82, 23.1}, {82, 23}}
	hole := orb.Ring{{82.02, 23.02}, {82.02, 23.05}, {82.05, 23.05}, {82.02, 23.02}}
	line := orb.LineString{{80, 20}, {80.5, 20.25}, {81, 21}}
	for _, g := range []orb.Geometry{
		line,
		orb.MultiLineString{line, orb.LineString(hole)},
		orb.Polygon{ring, hole},
		orb.MultiPolygon{{ring, hole}, {hole}},
		orb.Point{82.33, 23.95},
		orb.MultiPoint{{82.33, 23.95}, {80, 20}},
		orb.Collection{line, orb.Point{1, 2}},
	} {
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			name := fmt.Sprintf("%s %v", g.GeoJSONType(), order)
			b, err := wkb.Marshal(g, order)
			if err != nil {
				t.Fatal(err)
			}
			var s MercatorScratch
			got, err := s.FromWKB(b)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want := TransformPoints(orb.Clone(g), ToWebMercator)
			if got.GeoJSONType() != want.GeoJSONType() || !orb.Equal(orb.Round(got, 1e6), orb.Round(want, 1e6)) {
				t.Errorf("%s: %v, want %v", name, got, want)
			}
			for n := range len(b) {
				if _, err := s.FromWKB(b[:n]); err == nil {
					t.Errorf("%s truncated to %d bytes: no error", name, n)
				}
			}
		}
	}
}
