package overlaps_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"github.com/coalmap/coalmap/data"
	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// marginTolM is the tolerance of the margin check in PostGIS: a route may
// come no closer than the margin less 5 cm (the planner keeps a centimetre
// in hand; PostGIS's geography distance and ours differ by millimetres).
const marginTolM = 0.05

// exactTol is the bound on a route's length over the exact shortest
// margin-keeping one.
const exactTol = 0.005

// TestRoutesOnTheDemo is the differential suite of the route planner on the
// demo catalog (seed 1): the four real cases and seeded random alignments
// across the coalfields ($OVERLAPS_ROUTE_CASES, default 50), hard
// constraints only (coal_blocks), the best free route. Each case is planned
// twice: as a planner gets it, straightened to the corridor's minimum
// section, and unstraightened (min_section_m 0: the graph's shortest path).
// Then, on a real PostGIS:
//   - both routes keep the margin: no block other than the unavoidable ones
//     within half the RoW plus the clearance, ST_DWithin on the geography;
//   - the pgRouting oracle (route_pgr_test.go: a visibility graph the test
//     builds in PostGIS from ST_Buffer of the blocks, solved by
//     pgr_dijkstra) gives a lower bound of the exact shortest route keeping
//     the margin, a few metres under it at most; both routes are within
//     +0.5 % of it and no shorter than it less a metre;
//   - the straightened route is within 0.5 % of the unstraightened one (the
//     straightening bound, on real cases);
//   - the unavoidable blocks are those the oracle finds by the documented
//     rule (within 1.01 × the margin + 1 m of an end).
//
// The seed of the random cases is logged and can be set with -seed or
// $OVERLAPS_TEST_SEED.
func TestRoutesOnTheDemo(t *testing.T) {
	ctx := context.Background()
	seed := testSeed(t)
	m := data.Demo()
	feats := func(layer string) map[string]orb.Geometry {
		e, err := m.Layer(layer)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]orb.Geometry{}
		for f, err := range e.Features(1) {
			if err != nil {
				t.Fatal(err)
			}
			id, _ := f.ID.(string)
			out[id] = f.Geometry
		}
		return out
	}
	blocks := feats("coal_blocks")
	var polys []overlaps.Polygon
	var ids, wkts []string
	for id, g := range blocks {
		mp, ok := g.(orb.MultiPolygon)
		if p, isPoly := g.(orb.Polygon); isPoly {
			mp, ok = orb.MultiPolygon{p}, true
		}
		if !ok {
			continue
		}
		polys = append(polys, overlaps.Polygon{ID: id, Props: map[string]any{"name": id}, Geom: mp})
		ids, wkts = append(ids, id), append(wkts, wkt.MarshalString(mp))
	}
	sort.Slice(polys, func(i, j int) bool { return polys[i].ID < polys[j].ID })
	pool := pgtest.NewPool(t)
	for _, q := range []string{`CREATE EXTENSION IF NOT EXISTS pgrouting`, oracleTable} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v (is postgresql-15-pgrouting installed? scripts/install-deps.sh)", q, err)
		}
	}
	if _, err := pool.Exec(ctx, oracleInsert, ids, wkts); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "ANALYZE oracle_blocks"); err != nil {
		t.Fatal(err)
	}
	eng := overlaps.New(&memSource{layers: map[string][]overlaps.Polygon{"coal_blocks": polys}}, overlaps.Config{})

	type tcase struct {
		name     string
		line     orb.LineString
		corridor overlaps.Corridor
	}
	var cases []tcase
	real := map[string]string{"dhirauli-765kv": "transmission_lines_proposed_765kv", "jharsuguda-dharamjaygarh": "transmission_lines_765kv",
		"pelma-sardega": "railway_lines_proposed", "tentuloi-budhapank": "railway_lines_proposed"}
	for _, id := range []string{"dhirauli-765kv", "jharsuguda-dharamjaygarh", "pelma-sardega", "tentuloi-budhapank"} {
		g := feats(real[id])[id]
		ls, _ := g.(orb.LineString)
		c := overlaps.Corridor{Rail: true}
		if real[id] != "railway_lines_proposed" {
			c = overlaps.Corridor{VoltageKV: 765, Circuit: "dc"}
		}
		cases = append(cases, tcase{id, ls, c})
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	n := randomRouteCases()
	for i := 0; i < n; i++ {
		// From one coal block's neighbourhood to another's, 10–80 km apart.
		a := polys[rng.IntN(len(polys))].Geom.Bound().Center()
		var b orb.Point
		for {
			b = polys[rng.IntN(len(polys))].Geom.Bound().Center()
			if d := math.Hypot((b[0]-a[0])*0.92, b[1]-a[1]) * 111; d > 10 && d < 80 {
				break
			}
		}
		off := func(p orb.Point) orb.Point {
			return orb.Point{p[0] + (rng.Float64()-0.5)*0.08, p[1] + (rng.Float64()-0.5)*0.08}
		}
		cases = append(cases, tcase{fmt.Sprintf("random-%02d", i), orb.LineString{off(a), off(b)}, overlaps.Corridor{RowWidthM: 20 + 60*rng.Float64()}})
	}
	var worst, worstStraight atomicMax
	for ci, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := func(minSection *float64) *overlaps.RoutesResult {
				t.Helper()
				req := &overlaps.RouteRequest{Alignment: tc.line, Mode: overlaps.ModeFree, K: 1, MaxShared: 0.5, Corridor: tc.corridor,
					MinSectionM: minSection, Soft: &overlaps.SoftCosts{}}
				res, err := eng.Routes(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			zero := 0.0
			raw, res := plan(&zero), plan(nil)
			margin := res.Parameters.MarginM
			var unav []string
			for _, u := range res.Unavoidable {
				unav = append(unav, u.ID)
			}
			rawR, best := raw.Routes[1], res.Routes[1]
			for _, r := range []struct {
				name  string
				route overlaps.Route
			}{{"unstraightened", rawR}, {"straightened", best}} {
				if near := withinMargin(ctx, t, pool, r.route, margin-marginTolM, unav); len(near) > 0 {
					t.Errorf("%s route comes within the %.2f m margin of %v", r.name, margin, near)
				}
			}

			conn, err := pool.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Release()
			s, e := tc.line[0], tc.line[len(tc.line)-1]
			oracle, err := shortestPgRouting(ctx, conn.Conn(), pgrOracle{S: s, T: e, MarginM: margin,
				MaxM: 1.01 * math.Max(rawR.LengthM, best.LengthM), SRID: 990000 + ci})
			if err != nil {
				t.Fatalf("oracle: %v", err)
			}
			if strings.Join(oracle.Unavoidable, ",") != strings.Join(unav, ",") {
				t.Errorf("unavoidable blocks: planner %v, oracle %v", unav, oracle.Unavoidable)
			}
			for _, r := range []struct {
				name  string
				route overlaps.Route
			}{{"unstraightened", rawR}, {"straightened", best}} {
				switch got := r.route.LengthM; {
				case got > oracle.LengthM*(1+exactTol):
					t.Errorf("%s route %.2f m, over 0.5 %% longer than the exact shortest (oracle lower bound %.2f m: %+.3f %%)\noracle path %s",
						r.name, got, oracle.LengthM, 100*(got/oracle.LengthM-1), wkt.MarshalString(oracle.Line))
				case got < oracle.LengthM-1:
					t.Errorf("%s route %.2f m, shorter than the oracle's lower bound %.2f m\noracle path %s",
						r.name, got, oracle.LengthM, wkt.MarshalString(oracle.Line))
				}
			}
			if got, base := best.LengthM, rawR.LengthM; got > base*(1+exactTol) {
				t.Errorf("straightening: %.2f m, %+.3f %% over the unstraightened %.2f m", got, 100*(got/base-1), base)
			}
			worst.set(100*(best.LengthM/oracle.LengthM-1), tc.name)
			worstStraight.set(100*(best.LengthM/rawR.LengthM-1), tc.name)
			t.Logf("%s: original %.3f km; oracle %.3f km (%d blocks, %d obstacles, %d of them hulls, %d pockets filled, %d nodes, %d edges, %.2f s); "+
				"unstraightened %.3f km (%+.4f %%, %d angle points); straightened %.3f km (%+.4f %%, %d angle points, %d short sections); unavoidable %v",
				tc.name, res.Routes[0].LengthM/1000, oracle.LengthM/1000, oracle.Blocks, oracle.Obstacles, oracle.Hulls, oracle.Filled, oracle.Nodes, oracle.Edges, oracle.Took.Seconds(),
				rawR.LengthM/1000, 100*(rawR.LengthM/oracle.LengthM-1), rawR.AnglePoints,
				best.LengthM/1000, 100*(best.LengthM/oracle.LengthM-1), best.AnglePoints, best.ShortSections, unav)
		})
	}
	t.Logf("largest excess of the straightened route over the oracle: %+.4f %% (%s); of straightening: %+.4f %% (%s)",
		worst.v, worst.name, worstStraight.v, worstStraight.name)
}

// withinMargin returns the blocks (other than skip) within d metres of a
// route, on the geography.
func withinMargin(ctx context.Context, t *testing.T, pool *pgxpool.Pool, r overlaps.Route, d float64, skip []string) []string {
	t.Helper()
	g, _ := json.Marshal(r.Geometry)
	rows, err := pool.Query(ctx, `WITH r AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g)
		SELECT b.id, ST_Distance(b.geom::geography, r.g::geography) FROM oracle_blocks b, r
		WHERE b.geom && ST_Expand(r.g, 0.01) AND ST_DWithin(b.geom::geography, r.g::geography, $2) AND NOT b.id = ANY($3)`,
		pgx.QueryExecModeExec, string(g), d, skip)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var near []string
	for rows.Next() {
		var id string
		var dist float64
		if err := rows.Scan(&id, &dist); err != nil {
			t.Fatal(err)
		}
		near = append(near, fmt.Sprintf("%s at %.3f m", id, dist))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return near
}

// atomicMax keeps the largest value set and its label.
type atomicMax struct {
	mu   sync.Mutex
	v    float64
	name string
}

func (m *atomicMax) set(v float64, name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.name == "" || v > m.v {
		m.v, m.name = v, name
	}
}

// TestRoutesAlternatives plans k = 4 alternatives between the ends of seeded
// random alignments across a synthetic coalfield (hard constraints only) and
// checks what the answer promises: ranks in order of cost, the best the
// same route as asked alone (k = 1), every alternative clear of every block
// with its clearance, and any two sharing at most max_shared of the shorter
// one's length (measured on the geometries, not the planner's graph).
func TestRoutesAlternatives(t *testing.T) {
	ctx := context.Background()
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 11))
	eng := overlaps.New(&memSource{layers: map[string][]overlaps.Polygon{"coal_blocks": coalBlocks(rng, 300)}}, overlaps.Config{})
	const maxShared = 0.5
	found := 0
	for c := 0; c < 6; c++ {
		line := alignment(rng, 40+60*rng.Float64(), 12)
		ends := orb.LineString{line[0], line[len(line)-1]}
		plan := func(k int) *overlaps.RoutesResult {
			t.Helper()
			res, err := eng.Routes(ctx, &overlaps.RouteRequest{Alignment: ends, K: k, MaxShared: maxShared, Corridor: overlaps.Corridor{RowWidthM: 46},
				ClearanceM: 10, Soft: &overlaps.SoftCosts{}})
			if err != nil {
				t.Fatalf("case %d, k = %d: %v", c, k, err)
			}
			return res
		}
		one, res := plan(1), plan(4)
		alts := res.Routes[1:]
		found += len(alts) - 1
		if math.Abs(alts[0].LengthM-one.Routes[1].LengthM) > 0.01 {
			t.Errorf("case %d: best of 4 is %.2f m, alone %.2f m", c, alts[0].LengthM, one.Routes[1].LengthM)
		}
		for i, r := range alts {
			if r.Rank != i+1 || (i > 0 && r.Cost < alts[i-1].Cost) {
				t.Errorf("case %d: route %d has rank %d, cost %.3f after %.3f", c, i+1, r.Rank, r.Cost, alts[max(i-1, 0)].Cost)
			}
			for _, h := range r.HardCrossed {
				if !slices.ContainsFunc(res.Unavoidable, func(u overlaps.PolygonRef) bool { return u.ID == h.ID }) {
					t.Errorf("case %d, rank %d crosses %s, which no end lies in", c, r.Rank, h.ID)
				}
			}
			if r.MinClearanceM != nil && *r.MinClearanceM < 10-marginTolM {
				t.Errorf("case %d, rank %d: clearance %.2f m", c, r.Rank, *r.MinClearanceM)
			}
			for j, q := range alts {
				if j != i && r.SharedM[j+1] > maxShared*math.Min(r.LengthM, q.LengthM)+1 {
					t.Errorf("case %d: ranks %d and %d share %.0f m of %.0f and %.0f m", c, r.Rank, q.Rank, r.SharedM[j+1], r.LengthM, q.LengthM)
				}
			}
		}
		t.Logf("case %d: %d alternatives, %.2f–%.2f km, unavoidable %v", c, len(alts), alts[0].LengthM/1000, alts[len(alts)-1].LengthM/1000, res.Unavoidable)
	}
	if found == 0 {
		t.Error("no case found a second alternative")
	}
}

// TestRoutesKeepMode plans keep mode on seeded random alignments across a
// synthetic coalfield (hard constraints only) and checks it against free
// mode: the best alternative keeps every vertex of the alignment outside the
// replaced stretches, in order; each stretch runs between two clear
// vertices of the alignment; the whole is as long as the kept sections plus,
// for each stretch, the shortest route between its two points asked for on
// its own (free mode, k = 1); and it keeps the clearance from every block no
// end lies in.
func TestRoutesKeepMode(t *testing.T) {
	ctx := context.Background()
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 13))
	eng := overlaps.New(&memSource{layers: map[string][]overlaps.Polygon{"coal_blocks": coalBlocks(rng, 300)}}, overlaps.Config{})
	corridor, clearance := overlaps.Corridor{RowWidthM: 46}, 5.0
	zero := 0.0
	replaced := 0
	for c := 0; c < 8; c++ {
		line := alignment(rng, 30+50*rng.Float64(), 25)
		res, err := eng.Routes(ctx, &overlaps.RouteRequest{Alignment: line, Mode: overlaps.ModeKeep, K: 3, MaxShared: 0.5, Corridor: corridor,
			ClearanceM: clearance, MinSectionM: &zero, Soft: &overlaps.SoftCosts{}})
		if err != nil {
			t.Fatalf("case %d: %v", c, err)
		}
		if len(res.Routes) == 1 {
			if res.Routes[0].Crossings["hard"] != 0 && len(res.Unavoidable) == 0 {
				t.Errorf("case %d: no alternative for an alignment that crosses %d blocks", c, res.Routes[0].Crossings["hard"])
			}
			continue
		}
		chain := []float64{0}
		for i := 1; i < len(line); i++ {
			chain = append(chain, chain[i-1]+geo.DistanceGeodesic(line[i-1], line[i]))
		}
		vertexAt := func(m float64) int {
			for i, ch := range chain {
				if math.Abs(ch-m) < 1e-6 {
					return i
				}
			}
			t.Fatalf("case %d: no vertex at chainage %.3f m", c, m)
			return -1
		}
		best := res.Routes[1]
		if len(best.Replaced) == 0 {
			t.Fatalf("case %d: the best alternative replaces nothing", c)
		}
		// The kept vertices, in order, in the alternative's line.
		inside := make([]bool, len(line))
		want := 0.0
		kept := chain[len(chain)-1]
		for _, st := range best.Replaced {
			a, b := vertexAt(st.FromM), vertexAt(st.ToM)
			for i := a + 1; i < b; i++ {
				inside[i] = true
			}
			kept -= chain[b] - chain[a]
			free, err := eng.Routes(ctx, &overlaps.RouteRequest{From: &line[a], To: &line[b], Mode: overlaps.ModeFree, K: 1, Corridor: corridor,
				ClearanceM: clearance, MinSectionM: &zero, Soft: &overlaps.SoftCosts{}})
			if err != nil {
				t.Fatalf("case %d, free between vertices %d and %d: %v", c, a, b, err)
			}
			want += free.Routes[0].LengthM
			replaced++
		}
		want += kept
		if math.Abs(best.LengthM-want) > 0.5 {
			t.Errorf("case %d: best keep-mode route %.2f m, kept sections and the free routes of its stretches %.2f m", c, best.LengthM, want)
		}
		j := 0
		coords := best.Geometry.Coordinates
		for i, p := range line {
			if inside[i] {
				continue
			}
			for j < len(coords) && coords[j] != p {
				j++
			}
			if j == len(coords) {
				t.Errorf("case %d: vertex %d of the alignment, outside the replaced stretches, is not kept", c, i)
				break
			}
		}
		for _, r := range res.Routes[1:] {
			for _, h := range r.HardCrossed {
				if !slices.ContainsFunc(res.Unavoidable, func(u overlaps.PolygonRef) bool { return u.ID == h.ID }) {
					t.Errorf("case %d, rank %d crosses %s", c, r.Rank, h.ID)
				}
			}
			if r.MinClearanceM != nil && *r.MinClearanceM < clearance-marginTolM {
				t.Errorf("case %d, rank %d: clearance %.2f m", c, r.Rank, *r.MinClearanceM)
			}
		}
		t.Logf("case %d: original %.2f km crossing %d blocks; %d alternatives, best %.2f km replacing %d stretches",
			c, res.Routes[0].LengthM/1000, res.Routes[0].Crossings["hard"], len(res.Routes)-1, best.LengthM/1000, len(best.Replaced))
	}
	if replaced == 0 {
		t.Error("no case replaced a stretch")
	}
}
