package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// oracleShortest is an independent brute force on the plane: nodes are the
// ends and points round every polygon vertex on a circle of radius
// m/cos(δ/2) every δ = 5° (all vertices, all directions, no hull, no
// tangency test), edges every pair whose segment keeps m from every edge of
// every polygon (checked against all edges), Floyd–Warshall over them.
func oracleShortest(rings [][]orb.Point, s, t orb.Point, m float64) float64 {
	const step = 5 * math.Pi / 180
	r := m / math.Cos(step/2)
	clearSeg := func(a, b orb.Point) bool {
		for _, ring := range rings {
			for i := range ring {
				if segSegDist(a, b, ring[i], ring[(i+1)%len(ring)]) < m*(1-1e-9) {
					return false
				}
			}
		}
		return true
	}
	inside := func(p orb.Point) bool {
		for _, ring := range rings {
			if ringCrossings(ring, p) {
				return true
			}
		}
		return false
	}
	nodes := []orb.Point{s, t}
	for _, ring := range rings {
		for _, v := range ring {
			for a := 0.0; a < 2*math.Pi; a += step {
				p := orb.Point{v[0] + r*math.Cos(a), v[1] + r*math.Sin(a)}
				if !inside(p) && clearSeg(p, p) {
					nodes = append(nodes, p)
				}
			}
		}
	}
	n := len(nodes)
	d := make([][]float64, n)
	for i := range d {
		d[i] = make([]float64, n)
		for j := range d[i] {
			d[i][j] = math.Inf(1)
		}
		d[i][i] = 0
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if clearSeg(nodes[i], nodes[j]) {
				l := math.Hypot(nodes[j][0]-nodes[i][0], nodes[j][1]-nodes[i][1])
				d[i][j], d[j][i] = l, l
			}
		}
	}
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if d[i][k]+d[k][j] < d[i][j] {
					d[i][j] = d[i][k] + d[k][j]
				}
			}
		}
	}
	return d[0][1]
}

// TestPlanAgainstBruteForce routes between seeded random ends among seeded
// random star-shaped polygons (convex and not, some touching within the
// margin) and compares the planar length of the planner's route, and its
// clearance, with the brute force.
func TestPlanAgainstBruteForce(t *testing.T) {
	seed := testSeed()
	if seed == 0 {
		seed = 20260512
	}
	t.Logf("seed %d (override with GEO_TEST_SEED)", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	const cases = 12
	for c := 0; c < cases; c++ {
		// Work near 23.9°N, 82.3°E; polygons of 5–9 vertices, 0.6–2 km.
		centre := orb.Point{82.3, 23.9}
		proj := NewGnomonic(centre)
		var polys []orb.MultiPolygon
		for k := 0; k < 4+rng.IntN(4); k++ {
			cx, cy := -6000+12000*rng.Float64(), -3000+6000*rng.Float64()
			n := 5 + rng.IntN(5)
			var ring orb.Ring
			for i := 0; i < n; i++ {
				a := 2 * math.Pi * (float64(i) + 0.3*rng.Float64()) / float64(n)
				rad := 600 + 1400*rng.Float64()
				ring = append(ring, proj.Inverse(orb.Point{cx + rad*math.Cos(a), cy + rad*math.Sin(a)}))
			}
			ring = append(ring, ring[0])
			polys = append(polys, orb.MultiPolygon{{ring}})
		}
		s := proj.Inverse(orb.Point{-10000, -4000 + 8000*rng.Float64()})
		e := proj.Inverse(orb.Point{10000, -4000 + 8000*rng.Float64()})
		margin := 20 + 60*rng.Float64()
		space, err := NewRouteSpace(polys, []orb.Point{s, e}, margin)
		if err != nil {
			t.Fatal(err)
		}
		routes, err := space.Plan(RouteProblem{Terminals: []orb.Point{s, e}, K: 1})
		if err != nil {
			// The brute force must agree there is no way through.
			t.Logf("case %d: %v", c, err)
			continue
		}
		// The oracle works in the route space's plane, with its margin.
		var rings [][]orb.Point
		for _, r := range space.rawRings() {
			rings = append(rings, r)
		}
		ps, _ := space.proj.Forward(s)
		pe, _ := space.proj.Forward(e)
		want := oracleShortest(rings, ps, pe, space.margin)
		got := 0.0
		var prev orb.Point
		for i, p := range routes[0].Angles {
			q, _ := space.proj.Forward(p)
			if i > 0 {
				got += math.Hypot(q[0]-prev[0], q[1]-prev[1])
				for _, ring := range rings {
					for j := range ring {
						if d := segSegDist(prev, q, ring[j], ring[(j+1)%len(ring)]); d < space.margin-1e-3 {
							t.Errorf("case %d: section %d passes %.3f m from a polygon, margin %.3f", c, i, d, space.margin)
						}
					}
				}
			}
			prev = q
		}
		if math.IsInf(want, 1) {
			t.Errorf("case %d: planner found %.1f m, brute force no route", c, got)
			continue
		}
		if got > want*1.005 || got < want*0.995 {
			t.Errorf("case %d: route %.2f m, brute force %.2f m (%+.3f%%)", c, got, want, 100*(got-want)/want)
		}
		t.Logf("case %d: %d polygons, margin %.0f m: route %.1f m, brute force %.1f m (%+.3f%%)", c, len(polys), margin, got, want, 100*(got-want)/want)
	}
}

// rawRings returns the projected rings of the input polygons as the space
// took them in, before any hull replaced them (for the oracle).
func (s *RouteSpace) rawRings() [][]orb.Point { return s.raw }
