package overlaps_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"github.com/coalmap/coalmap/data"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// marginTolM is the tolerance of the margin check in PostGIS: a route may
// come no closer than the margin less 5 cm (the planner keeps a centimetre
// in hand; PostGIS's geography distance and ours differ by millimetres).
const marginTolM = 0.05

// TestRoutesOnTheDemo routes the four real cases of the demo catalog and
// seeded random alignments across coalfields around the demo's coal blocks,
// and checks every route in PostGIS: no coal block (other than those an end
// lies in) within half the RoW plus the clearance, on the geography.
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
	pool := pgtest.NewPool(t)
	if _, err := pool.Exec(ctx, oracleTable); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, oracleInsert, ids, wkts); err != nil {
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
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := &overlaps.RouteRequest{Alignment: tc.line, Mode: overlaps.ModeFree, K: 1, MaxShared: 0.5, Corridor: tc.corridor, Soft: &overlaps.SoftCosts{}}
			res, err := eng.Routes(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			best := res.Routes[1]
			g, _ := json.Marshal(best.Geometry)
			var unav []string
			for _, u := range res.Unavoidable {
				unav = append(unav, u.ID)
			}
			var near []string
			var minD float64
			rows, err := pool.Query(ctx, `WITH r AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)::geography AS g)
				SELECT b.id, ST_Distance(b.geom::geography, r.g) FROM oracle_blocks b, r
				WHERE ST_DWithin(b.geom::geography, r.g, $2) AND NOT b.id = ANY($3)`, pgx.QueryExecModeExec, string(g), res.Parameters.MarginM-marginTolM, unav)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id string
				rows.Scan(&id, &minD)
				near = append(near, fmt.Sprintf("%s at %.3f m", id, minD))
			}
			if rows.Err() != nil {
				t.Fatal(rows.Err())
			}
			if len(near) > 0 {
				t.Errorf("route comes within the %.2f m margin of %v", res.Parameters.MarginM, near)
			}
			t.Logf("%s: original %.2f km, route %.2f km (%+.2f km), %d angle points, %d short sections, unavoidable %v",
				tc.name, res.Routes[0].LengthM/1000, best.LengthM/1000, best.AddedLengthM/1000, best.AnglePoints, best.ShortSections, unav)
		})
	}
}
