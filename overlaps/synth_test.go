package overlaps_test

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/coalmap/coalmap/overlaps"
	"github.com/paulmach/orb"
)

var seedFlag = flag.Uint64("seed", 0, "seed for randomised tests (default: $OVERLAPS_TEST_SEED or a fixed seed)")

// testSeed returns the seed for randomised tests and logs it.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	s := uint64(20261126)
	if v, err := strconv.ParseUint(os.Getenv("OVERLAPS_TEST_SEED"), 10, 64); err == nil && v != 0 {
		s = v
	}
	if *seedFlag != 0 {
		s = *seedFlag
	}
	t.Logf("seed %d (override with -seed or OVERLAPS_TEST_SEED)", s)
	return s
}

// memSource is a PolygonSource over layers held in memory; it counts loads.
type memSource struct {
	layers  map[string][]overlaps.Polygon
	version atomic.Int64
	loads   atomic.Int64
}

func (s *memSource) Polygons(ctx context.Context, layer string) (int64, []overlaps.Polygon, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	feats, ok := s.layers[layer]
	if !ok {
		return 0, nil, errNotFound
	}
	s.loads.Add(1)
	return s.version.Load(), feats, nil
}

var errNotFound = fmt.Errorf("test source: layer not found")

// Region of the synthetic coalfield: 22–24°N, 82–84°E.
const (
	regionLon0, regionLat0 = 82.0, 22.0
	regionSize             = 2.0
)

// coalBlocks returns n synthetic coal blocks laid out like a coalfield:
// star-shaped polygons of 1.5–4 km across on a jittered grid, not
// overlapping, about one in ten with a hole and one in ten in two parts.
func coalBlocks(rng *rand.Rand, n int) []overlaps.Polygon {
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := (n + cols - 1) / cols
	cw, ch := regionSize/float64(cols), regionSize/float64(rows)
	statuses := []string{"allocated", "auctioned", "unallocated", "producing"}
	var out []overlaps.Polygon
	for i := 0; i < n; i++ {
		cx := regionLon0 + (float64(i%cols)+0.5)*cw + (rng.Float64()-0.5)*cw*0.2
		cy := regionLat0 + (float64(i/cols)+0.5)*ch + (rng.Float64()-0.5)*ch*0.2
		rad := math.Min(cw, ch) * (0.2 + 0.2*rng.Float64())
		var mp orb.MultiPolygon
		switch k := rng.IntN(10); {
		case k == 0: // two parts
			mp = orb.MultiPolygon{
				star(rng, orb.Point{cx - rad*0.5, cy}, rad*0.45, 12+rng.IntN(20)),
				star(rng, orb.Point{cx + rad*0.5, cy}, rad*0.45, 12+rng.IntN(20)),
			}
		case k == 1: // with a hole
			p := star(rng, orb.Point{cx, cy}, rad, 20+rng.IntN(60))
			h := rad * 0.25
			p = append(p, orb.Ring{{cx - h, cy - h}, {cx - h, cy + h}, {cx + h, cy + h}, {cx + h, cy - h}, {cx - h, cy - h}})
			mp = orb.MultiPolygon{p}
		default:
			mp = orb.MultiPolygon{star(rng, orb.Point{cx, cy}, rad, 20+rng.IntN(60))}
		}
		out = append(out, overlaps.Polygon{
			ID: fmt.Sprintf("CB-%04d", i),
			Props: map[string]any{
				"name":      fmt.Sprintf("Block %d", i),
				"allocatee": fmt.Sprintf("Company %d", rng.IntN(40)),
				"status":    statuses[rng.IntN(len(statuses))],
			},
			Geom: mp,
		})
	}
	return out
}

// star returns a star-shaped polygon around c, counter-clockwise.
func star(rng *rand.Rand, c orb.Point, rad float64, n int) orb.Polygon {
	r := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		rr := rad * (0.65 + 0.35*rng.Float64())
		r = append(r, orb.Point{c[0] + rr*math.Cos(a), c[1] + rr*math.Sin(a)*1.0})
	}
	return orb.Polygon{append(r, r[0])}
}

// alignment returns a random, gently turning alignment of about lengthKm
// with n vertices that starts near the region's edge and heads across it.
func alignment(rng *rand.Rand, lengthKm float64, n int) orb.LineString {
	step := lengthKm / float64(n-1) / 105 // degrees, roughly
	var p orb.Point
	var heading float64
	switch rng.IntN(4) {
	case 0:
		p, heading = orb.Point{regionLon0 + 0.05, regionLat0 + rng.Float64()*regionSize}, 0
	case 1:
		p, heading = orb.Point{regionLon0 + regionSize - 0.05, regionLat0 + rng.Float64()*regionSize}, math.Pi
	case 2:
		p, heading = orb.Point{regionLon0 + rng.Float64()*regionSize, regionLat0 + 0.05}, math.Pi/2
	default:
		p, heading = orb.Point{regionLon0 + rng.Float64()*regionSize, regionLat0 + regionSize - 0.05}, -math.Pi/2
	}
	heading += (rng.Float64() - 0.5) * 0.8
	ls := make(orb.LineString, 0, n)
	ls = append(ls, p)
	turn := 0.0
	for len(ls) < n {
		turn = 0.9*turn + (rng.Float64()-0.5)*0.04
		heading += turn
		p = orb.Point{p[0] + step*math.Cos(heading), p[1] + step*math.Sin(heading)}
		ls = append(ls, p)
	}
	return ls
}

// randomRouteCases is how many seeded random alignments the route tests
// plan ($OVERLAPS_ROUTE_CASES, default 50).
func randomRouteCases() int {
	if v, err := strconv.Atoi(os.Getenv("OVERLAPS_ROUTE_CASES")); err == nil && v >= 0 {
		return v
	}
	return 50
}
