package postgis_test

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// TestProvablyValidAgainstPostGIS checks the import's validity filter
// against ST_IsValid on random polygons, valid and not: whatever Go proves
// valid PostGIS must find valid; and the plain valid shapes must mostly be
// proven, or the filter saves nothing. COALMAP_SEED replays a run.
func TestProvablyValidAgainstPostGIS(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("COALMAP_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (COALMAP_SEED=%d replays it)", seed, seed)
	rnd := rand.New(rand.NewPCG(seed, 1))
	pool := pgtest.NewPool(t)
	ctx := context.Background()

	star := func(cx, cy, r float64, n int, jag float64) orb.Ring {
		var ring orb.Ring
		for k := range n {
			a := 2 * math.Pi * float64(k) / float64(n)
			rr := r * (1 - jag*rnd.Float64())
			ring = append(ring, orb.Point{cx + rr*math.Cos(a), cy + rr*math.Sin(a)})
		}
		return append(ring, ring[0])
	}
	walk := func(n int) orb.Ring {
		var ring orb.Ring
		p := orb.Point{82, 23}
		for range n {
			ring = append(ring, p)
			p = orb.Point{p[0] + rnd.Float64() - 0.5, p[1] + rnd.Float64() - 0.5}
		}
		return append(ring, ring[0])
	}
	rev := func(r orb.Ring) orb.Ring {
		out := append(orb.Ring(nil), r...)
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return out
	}
	var gs []orb.Geometry
	var plain int // how many are plainly valid (stars, holes well inside)
	for range 300 {
		switch rnd.IntN(6) {
		case 0: // a star: valid
			gs = append(gs, orb.Polygon{star(82, 23, 1, 3+rnd.IntN(200), 0.5*rnd.Float64())})
			plain++
		case 1: // a random walk: mostly self-intersecting
			gs = append(gs, orb.Polygon{walk(4 + rnd.IntN(30))})
		case 2: // a hole inside, crossing, or outside its shell
			off := rnd.Float64() * 2
			gs = append(gs, orb.Polygon{star(82, 23, 1, 40, 0.1), rev(star(82+off, 23, 0.3, 20, 0.1))})
			if off < 0.5 {
				plain++
			}
		case 3: // two polygons apart, touching or overlapping
			d := 1 + rnd.Float64()*2
			gs = append(gs, orb.MultiPolygon{{star(82, 23, 1, 30, 0)}, {star(82+d, 23, 1, 30, 0)}})
			if d > 2.1 {
				plain++
			}
		case 4: // a spike, or a ring with repeated and collinear points
			r := orb.Ring{{82, 23}, {83, 23}, {83, 23}, {84, 23}, {84, 24}, {82, 24}, {82, 23}}
			if rnd.IntN(2) == 0 {
				r = orb.Ring{{82, 23}, {84, 23}, {84, 24}, {83, 24}, {83, 25}, {83, 24}, {82, 24}, {82, 23}}
			} else {
				plain++
			}
			gs = append(gs, orb.Polygon{r})
		case 5: // a bow tie or a self-touching ring
			gs = append(gs, orb.Polygon{{{82, 23}, {83, 24}, {83, 23}, {82, 24}, {82, 23}}})
		}
	}
	proven := 0
	for i, g := range gs {
		ok := geo.ProvablyValid(g)
		b, _ := wkb.Marshal(g)
		var valid bool
		if err := pool.QueryRow(ctx, `SELECT ST_IsValid(ST_GeomFromWKB($1))`, b).Scan(&valid); err != nil {
			t.Fatal(err)
		}
		if ok && !valid {
			t.Fatalf("geometry %d: proven valid in Go, invalid for PostGIS: %v", i, g)
		}
		if ok {
			proven++
		}
	}
	if proven < plain*9/10 {
		t.Fatalf("only %d of %d plainly valid geometries proven", proven, plain)
	}
	t.Logf("%d geometries, %d plainly valid, %d proven valid", len(gs), plain, proven)
}
