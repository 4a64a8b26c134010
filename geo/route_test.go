package geo

import (
	"context"
	"errors"
	"fmt"
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

// starPolygons returns n seeded random star-shaped polygons (convex and
// not) of vertices vertices each, of radius rMin–rMax metres, centred in the
// box [-w, w]×[-h, h] of proj's plane.
func starPolygons(rng *rand.Rand, proj Gnomonic, n, vertices int, rMin, rMax, w, h float64) []orb.MultiPolygon {
	var polys []orb.MultiPolygon
	for k := 0; k < n; k++ {
		cx, cy := -w+2*w*rng.Float64(), -h+2*h*rng.Float64()
		nv := vertices + rng.IntN(5)
		var ring orb.Ring
		for i := 0; i < nv; i++ {
			a := 2 * math.Pi * (float64(i) + 0.3*rng.Float64()) / float64(nv)
			rad := rMin + (rMax-rMin)*rng.Float64()
			ring = append(ring, proj.Inverse(orb.Point{cx + rad*math.Cos(a), cy + rad*math.Sin(a)}))
		}
		ring = append(ring, ring[0])
		polys = append(polys, orb.MultiPolygon{{ring}})
	}
	return polys
}

// planarRoute returns a route's angle points on the space's plane and its
// planar length, and reports (as test errors) every section that comes
// within the space's margin of an input polygon (checked against every
// edge) and ends that moved.
func planarRoute(t *testing.T, space *RouteSpace, r PlannedRoute, ends []orb.Point, label string) ([]orb.Point, float64) {
	t.Helper()
	rings := space.rawRings()
	var pts []orb.Point
	length := 0.0
	for i, p := range r.Angles {
		q, _ := space.proj.Forward(p)
		if i > 0 {
			prev := pts[i-1]
			length += math.Hypot(q[0]-prev[0], q[1]-prev[1])
			for _, ring := range rings {
				for j := range ring {
					if d := segSegDist(prev, q, ring[j], ring[(j+1)%len(ring)]); d < space.margin-1e-3 {
						t.Errorf("%s: section %d passes %.3f m from a polygon, margin %.3f", label, i, d, space.margin)
					}
				}
			}
		}
		pts = append(pts, q)
	}
	if r.Angles[0] != ends[0] || r.Angles[len(r.Angles)-1] != ends[len(ends)-1] {
		t.Errorf("%s: ends moved: %v … %v, want %v … %v", label, r.Angles[0], r.Angles[len(r.Angles)-1], ends[0], ends[len(ends)-1])
	}
	return pts, length
}

// TestPlanAgainstBruteForce routes between seeded random ends among seeded
// random star-shaped polygons (convex and not, some touching within the
// margin) and compares the planar length of the planner's route, and its
// clearance, with the brute force: the graph's shortest path and the route
// straightened to a 1,500 m minimum section, both within 0.5 % of it.
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
		proj := NewGnomonic(orb.Point{82.3, 23.9})
		polys := starPolygons(rng, proj, 4+rng.IntN(4), 5, 600, 2000, 6000, 3000)
		s := proj.Inverse(orb.Point{-10000, -4000 + 8000*rng.Float64()})
		e := proj.Inverse(orb.Point{10000, -4000 + 8000*rng.Float64()})
		margin := 20 + 60*rng.Float64()
		space, err := NewRouteSpace(polys, []orb.Point{s, e}, margin)
		if err != nil {
			t.Fatal(err)
		}
		routes, err := space.Plan(context.Background(), RouteProblem{Terminals: []orb.Point{s, e}, K: 1})
		if err != nil {
			// The brute force must agree there is no way through.
			ps, _ := space.proj.Forward(s)
			pe, _ := space.proj.Forward(e)
			if want := oracleShortest(space.rawRings(), ps, pe, space.margin); !math.IsInf(want, 1) {
				t.Errorf("case %d: %v, brute force %.1f m", c, err, want)
			}
			continue
		}
		straight, err := space.Plan(context.Background(), RouteProblem{Terminals: []orb.Point{s, e}, K: 1, MinSectionM: 1500})
		if err != nil {
			t.Fatalf("case %d, straightened: %v", c, err)
		}
		// The oracle works in the route space's plane, with its margin.
		ps, _ := space.proj.Forward(s)
		pe, _ := space.proj.Forward(e)
		want := oracleShortest(space.rawRings(), ps, pe, space.margin)
		_, got := planarRoute(t, space, routes[0], []orb.Point{s, e}, fmt.Sprintf("case %d", c))
		_, gotS := planarRoute(t, space, straight[0], []orb.Point{s, e}, fmt.Sprintf("case %d, straightened", c))
		if math.IsInf(want, 1) {
			t.Errorf("case %d: planner found %.1f m, brute force no route", c, got)
			continue
		}
		for _, g := range []struct {
			name string
			m    float64
		}{{"route", got}, {"straightened route", gotS}} {
			if g.m > want*1.005 || g.m < want*0.995 {
				t.Errorf("case %d: %s %.2f m, brute force %.2f m (%+.3f%%)", c, g.name, g.m, want, 100*(g.m-want)/want)
			}
		}
		t.Logf("case %d: %d polygons, margin %.0f m: route %.1f m (%d angle points), straightened %.1f m (%d angle points, %d short), brute force %.1f m (%+.3f%%, %+.3f%%)",
			c, len(polys), margin, got, len(routes[0].Angles)-2, gotS, len(straight[0].Angles)-2, straight[0].ShortSections, want, 100*(got-want)/want, 100*(gotS-want)/want)
	}
}

// TestStraightenBound plans among seeded random clusters of small polygons
// (100–500 m, gaps of tens of metres) whose shortest routes bend at many
// angle points a few hundred metres apart, with minimum sections of
// 300–2,000 m, and checks the straightening's bound: the straightened route
// keeps the margin (every section against every polygon edge), keeps its
// ends, is no more than straightenBudget (0.25 %, within the 0.5 %)
// longer than the graph's shortest path, has no more angle points, and
// reports every inner section still under the minimum. Across the cases,
// merges must have happened.
func TestStraightenBound(t *testing.T) {
	seed := testSeed()
	if seed == 0 {
		seed = 20261205
	}
	t.Logf("seed %d (override with GEO_TEST_SEED)", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	merged, fewer := 0, 0
	const cases = 30
	for c := 0; c < cases; c++ {
		proj := NewGnomonic(orb.Point{83.5 + rng.Float64(), 22 + 2*rng.Float64()})
		polys := starPolygons(rng, proj, 20+rng.IntN(30), 5, 100, 500, 8000, 1500)
		s := proj.Inverse(orb.Point{-10000, -1500 + 3000*rng.Float64()})
		e := proj.Inverse(orb.Point{10000, -1500 + 3000*rng.Float64()})
		ends := []orb.Point{s, e}
		margin := 10 + 40*rng.Float64()
		minSection := 300 + 1700*rng.Float64()
		space, err := NewRouteSpace(polys, ends, margin)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := space.Plan(context.Background(), RouteProblem{Terminals: ends, K: 1})
		if errors.Is(err, ErrNoRoute) || errors.Is(err, ErrTerminalBlocked) {
			t.Logf("case %d: %v", c, err)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		str, err := space.Plan(context.Background(), RouteProblem{Terminals: ends, K: 1, MinSectionM: minSection})
		if err != nil {
			t.Fatalf("case %d, straightened: %v", c, err)
		}
		label := fmt.Sprintf("case %d", c)
		_, lr := planarRoute(t, space, raw[0], ends, label)
		_, ls := planarRoute(t, space, str[0], ends, label+", straightened")
		if ls > lr*(1+straightenBudget)+1e-6 {
			t.Errorf("%s: straightened %.2f m, %+.4f %% over the graph's shortest %.2f m (bound %.2f %%)", label, ls, 100*(ls/lr-1), lr, 100*straightenBudget)
		}
		if lr < ls*(1-1e-9)-1e-6 && len(str[0].Angles) > len(raw[0].Angles) {
			t.Errorf("%s: straightening added angle points: %d → %d", label, len(raw[0].Angles), len(str[0].Angles))
		}
		if n := len(raw[0].Angles) - len(str[0].Angles); n > 0 {
			merged += n
			fewer++
		}
		short := 0
		for i := 1; i < len(str[0].Angles); i++ {
			if DistanceGeodesic(str[0].Angles[i-1], str[0].Angles[i]) < minSection*0.999 && i > 1 && i < len(str[0].Angles)-1 {
				short++
			}
		}
		if short > str[0].ShortSections {
			t.Errorf("%s: %d inner sections under %.0f m, %d reported", label, short, minSection, str[0].ShortSections)
		}
		t.Logf("%s: %d polygons, margin %.0f m, minimum section %.0f m: %d → %d angle points (%d short left), %.1f → %.1f m (%+.4f %%)",
			label, len(polys), margin, minSection, len(raw[0].Angles)-2, len(str[0].Angles)-2, str[0].ShortSections, lr, ls, 100*(ls/lr-1))
	}
	if merged == 0 {
		t.Errorf("no case merged an angle point: the test does not exercise straightening")
	}
	t.Logf("%d cases of %d lost %d angle points to straightening", fewer, cases, merged)
}

// TestStraightenBudget is a hand-made case where merging two angle points
// would cost more than straightenBudget: a route round the top of a tall
// wall 600 m thick turns at its two top corners, 600 m apart; replacing
// them by the meeting point of the sections before and after would add
// about 0.33 %, and neither corner can be dropped. With a 1,000 m minimum
// section the route keeps both corners (the corners of the margin's arcs
// at each are merged) and reports one short section.
func TestStraightenBudget(t *testing.T) {
	proj := NewGnomonic(orb.Point{82.3, 23.9})
	var ring orb.Ring
	for _, p := range []orb.Point{{-300, -5000}, {300, -5000}, {300, 5000}, {-300, 5000}, {-300, -5000}} {
		ring = append(ring, proj.Inverse(p))
	}
	ends := []orb.Point{proj.Inverse(orb.Point{-10000, 0}), proj.Inverse(orb.Point{10000, 0})}
	space, err := NewRouteSpace([]orb.MultiPolygon{{{ring}}}, ends, 30)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := space.Plan(context.Background(), RouteProblem{Terminals: ends, K: 1})
	if err != nil {
		t.Fatal(err)
	}
	str, err := space.Plan(context.Background(), RouteProblem{Terminals: ends, K: 1, MinSectionM: 1000})
	if err != nil {
		t.Fatal(err)
	}
	_, lr := planarRoute(t, space, raw[0], ends, "graph")
	pts, ls := planarRoute(t, space, str[0], ends, "straightened")
	if len(pts) != 4 || str[0].ShortSections != 1 {
		t.Errorf("straightened route has %d angle points and %d short sections, want 2 and 1: %v", len(pts)-2, str[0].ShortSections, pts)
	}
	if ls > lr*(1+straightenBudget) {
		t.Errorf("straightened %.2f m, graph %.2f m: %+.3f %%", ls, lr, 100*(ls/lr-1))
	}
	t.Logf("graph route %.1f m with %d angle points; straightened %.1f m (%+.4f %%) with %d", lr, len(raw[0].Angles)-2, ls, 100*(ls/lr-1), len(pts)-2)
}

// rawRings returns the projected rings of the input polygons as the space
// took them in, before any hull replaced them (for the oracle).
func (s *RouteSpace) rawRings() [][]orb.Point { return s.raw }
