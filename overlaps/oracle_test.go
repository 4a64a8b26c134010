package overlaps_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The oracle's tolerances, from the issue.
const (
	lengthRelTol = 0.001 // 0.1 %
	lengthAbsTol = 1.0   // or 1 m
	areaRelTol   = 0.01  // 1 %
	distAbsTol   = 0.5   // metres, for near-miss distances
)

const oracleTable = `CREATE TABLE oracle_blocks (id text PRIMARY KEY, geom geometry(MultiPolygon, 4326) NOT NULL);
CREATE INDEX ON oracle_blocks USING gist (geom)`

const oracleInsert = `INSERT INTO oracle_blocks (id, geom)
SELECT id, ST_Multi(ST_GeomFromText(w, 4326)) FROM unnest($1::text[], $2::text[]) AS u(id, w)`

// oracleQuery answers a check the way PostGIS would: intersection in
// degrees, lengths and areas on the spheroid, the corridor from
// ST_Buffer(geography), crossings as the pieces of the merged intersection.
const oracleQuery = `WITH a AS (SELECT ST_GeomFromText($1, 4326) AS g),
hits AS (
  SELECT b.id, b.geom,
         ST_CollectionExtract(ST_Intersection(a.g, b.geom), 2) AS inside,
         ST_Distance(a.g::geography, b.geom::geography) AS dist
  FROM oracle_blocks b, a
  WHERE b.geom && ST_Expand(a.g, 0.01) -- 1 km or more: far beyond any clearance tested
    AND ST_DWithin(a.g::geography, b.geom::geography, $3)
)
SELECT h.id,
       COALESCE(ST_Length(h.inside::geography), 0),
       CASE WHEN ST_IsEmpty(h.inside) THEN 0 ELSE ST_NumGeometries(ST_LineMerge(h.inside)) END,
       CASE WHEN ST_IsEmpty(h.inside) OR $2 = 0 THEN 0
            ELSE ST_Area(ST_Intersection(ST_Buffer(a.g::geography, $2)::geometry, h.geom)::geography) END,
       h.dist,
       ST_IsSimple(a.g)
FROM hits h, a`

type oracleRow struct {
	id        string
	lengthM   float64
	crossings int
	areaM2    float64
	distM     float64
	simple    bool
}

func oracleCheck(ctx context.Context, pool *pgxpool.Pool, line orb.Geometry, halfWidth, clearance float64) ([]oracleRow, time.Duration, error) {
	t0 := time.Now()
	rows, err := pool.Query(ctx, oracleQuery, pgx.QueryExecModeExec, wkt.MarshalString(line), halfWidth, clearance)
	if err != nil {
		return nil, 0, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (oracleRow, error) {
		var o oracleRow
		err := r.Scan(&o.id, &o.lengthM, &o.crossings, &o.areaM2, &o.distM, &o.simple)
		return o, err
	})
	return out, time.Since(t0), err
}

type oracleCase struct {
	name string
	line orb.Geometry
}

// oracleCases returns the hand-made edge cases (on the hand layer's blocks),
// probes that pass a few metres to tens of metres outside synthetic blocks,
// and seeded random alignments over the synthetic coalfield.
func oracleCases(rng *rand.Rand, blocks []overlaps.Polygon, random int) []oracleCase {
	cases := []oracleCase{
		{"through-A", orb.LineString{{82.29, 23.91}, {82.3202, 23.91}}},
		{"along-A-boundary", orb.LineString{{82.305, 23.92}, {82.315, 23.92}}},
		{"along-A-boundary-and-beyond", orb.LineString{{82.29, 23.90}, {82.31, 23.90}, {82.31, 23.91}}},
		{"touching-A-vertex", orb.LineString{{82.31, 23.93}, {82.3199, 23.9201}, {82.32, 23.92}, {82.32, 23.93}}},
		{"through-hole-of-B", orb.LineString{{82.39, 23.91}, {82.43, 23.91}}},
		{"along-hole-edge-of-B", orb.LineString{{82.39, 23.905}, {82.43, 23.905}}},
		{"both-parts-of-C", orb.LineString{{82.49, 23.91}, {82.57, 23.91}}},
		{"wholly-inside-A", orb.LineString{{82.305, 23.905}, {82.315, 23.915}}},
		{"closed-ring-round-A", orb.LineString{{82.31, 23.91}, {82.335, 23.91}, {82.335, 23.95}, {82.31, 23.95}, {82.31, 23.91}}},
		{"duplicate-vertices", orb.LineString{{82.29, 23.91}, {82.29, 23.91}, {82.31, 23.91}, {82.31, 23.91}, {82.3202, 23.91}}},
		{"self-crossing", orb.LineString{{82.29, 23.905}, {82.315, 23.915}, {82.315, 23.905}, {82.305, 23.915}, {82.305, 23.93}}},
		{"multilinestring", orb.MultiLineString{{{82.29, 23.91}, {82.31, 23.91}}, {{82.41, 23.89}, {82.41, 23.93}}}},
		{"near-D-within-clearance", orb.LineString{{82.29, 23.9305}, {82.34, 23.9305}}},
		{"5000-vertices", alignment(rng, 150, 5000)},
	}
	for i := 0; i < 20; i++ {
		// A short line square to the radius through an outer vertex,
		// 1–60 m beyond it.
		b := blocks[rng.IntN(len(blocks))]
		ring := b.Geom[0][0]
		c := ring.Bound().Center()
		v := ring[rng.IntN(len(ring)-1)]
		dx, dy := (v[0]-c[0])*math.Cos(c[1]*math.Pi/180), v[1]-c[1]
		n := math.Hypot(dx, dy)
		dx, dy = dx/n, dy/n
		off := (1 + 59*rng.Float64()) / 111000
		p := orb.Point{v[0] + dx*off/math.Cos(c[1]*math.Pi/180), v[1] + dy*off}
		h := 100.0 / 111000
		cases = append(cases, oracleCase{fmt.Sprintf("probe-%02d-%s", i, b.ID), orb.LineString{
			{p[0] - dy*h/math.Cos(c[1]*math.Pi/180), p[1] + dx*h}, {p[0] + dy*h/math.Cos(c[1]*math.Pi/180), p[1] - dx*h},
		}})
	}
	for i := 0; i < random; i++ {
		cases = append(cases, oracleCase{fmt.Sprintf("random-%02d", i), alignment(rng, 20+130*rng.Float64(), 50+rng.IntN(1500))})
	}
	return cases
}

// TestOracle runs the same alignments through the engine and through
// PostGIS and wants the same crossed pairs, lengths within 0.1 % (or 1 m),
// corridor areas within 1 %, the same number of crossings (for alignments
// that do not cross themselves) and the same near-misses.
func TestOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("PostGIS oracle skipped in -short mode")
	}
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	rng := rand.New(rand.NewPCG(testSeed(t), 21))
	synthetic := coalBlocks(rng, 600)
	blocks := append(synthetic, handLayer()["coal_blocks"]...)
	if _, err := pool.Exec(ctx, oracleTable); err != nil {
		t.Fatal(err)
	}
	ids, wkts := make([]string, len(blocks)), make([]string, len(blocks))
	for i, b := range blocks {
		ids[i], wkts[i] = b.ID, wkt.MarshalString(b.Geom)
	}
	if _, err := pool.Exec(ctx, oracleInsert, ids, wkts); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "ANALYZE oracle_blocks"); err != nil {
		t.Fatal(err)
	}
	e := overlaps.New(&memSource{layers: map[string][]overlaps.Polygon{"coal_blocks": blocks}}, overlaps.Config{})

	const rowWidth, clearance = 46.0, 45.0
	var stats struct {
		pairs, crossed, nearMisses    int
		maxLenErr, maxAreaErr, maxDst float64
		engine, postgis               time.Duration
	}
	for _, c := range oracleCases(rng, synthetic, 40) {
		t.Run(c.name, func(t *testing.T) {
			t0 := time.Now()
			rep, err := e.Check(ctx, []overlaps.Alignment{{Geom: c.line}}, overlaps.Options{Corridor: overlaps.Corridor{RowWidthM: rowWidth}, ClearanceM: clearance})
			stats.engine += time.Since(t0)
			if err != nil {
				t.Fatal(err)
			}
			want, took, err := oracleCheck(ctx, pool, c.line, rowWidth/2, clearance)
			stats.postgis += took
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]overlaps.Crossing{}
			for _, cr := range rep.Crossings {
				got[cr.ID] = cr
			}
			near := map[string]overlaps.NearMiss{}
			for _, n := range rep.NearMisses {
				near[n.ID] = n
			}
			sort.Slice(want, func(i, j int) bool { return want[i].id < want[j].id })
			seen := map[string]bool{}
			for _, w := range want {
				seen[w.id] = true
				stats.pairs++
				cr, crossed := got[w.id]
				if w.lengthM <= 0 {
					// PostGIS: within the clearance, no length inside.
					if crossed {
						t.Errorf("%s: engine crosses (%.3f m), PostGIS has no length inside", w.id, cr.LengthM)
						continue
					}
					n, ok := near[w.id]
					if !ok {
						if math.Abs(w.distM-clearance) > distAbsTol {
							t.Errorf("%s: PostGIS near-miss at %.3f m, engine has none", w.id, w.distM)
						}
						continue
					}
					stats.nearMisses++
					if d := math.Abs(n.MinDistanceM - w.distM); d > distAbsTol {
						t.Errorf("%s: distance %.3f m, PostGIS %.3f m", w.id, n.MinDistanceM, w.distM)
					} else {
						stats.maxDst = math.Max(stats.maxDst, d)
					}
					continue
				}
				if !crossed {
					t.Errorf("%s: PostGIS crosses (%.3f m inside), engine does not", w.id, w.lengthM)
					continue
				}
				stats.crossed++
				lenErr := math.Abs(cr.LengthM - w.lengthM)
				if lenErr > math.Max(lengthAbsTol, lengthRelTol*w.lengthM) {
					t.Errorf("%s: length %.3f m, PostGIS %.3f m", w.id, cr.LengthM, w.lengthM)
				}
				if w.lengthM > lengthAbsTol/lengthRelTol {
					stats.maxLenErr = math.Max(stats.maxLenErr, lenErr/w.lengthM)
				}
				area := cr.CorridorAreaHa * 1e4
				areaErr := math.Abs(area-w.areaM2) / w.areaM2
				if areaErr > areaRelTol {
					t.Errorf("%s: corridor area %.1f m², PostGIS %.1f m² (%.3f%%)", w.id, area, w.areaM2, 100*areaErr)
				}
				stats.maxAreaErr = math.Max(stats.maxAreaErr, areaErr)
				if w.simple && cr.Crossings != w.crossings {
					t.Errorf("%s: %d crossings, PostGIS %d", w.id, cr.Crossings, w.crossings)
				}
			}
			for id, cr := range got {
				if !seen[id] {
					t.Errorf("%s: engine crosses (%.3f m), PostGIS does not", id, cr.LengthM)
				}
			}
			for id, n := range near {
				if !seen[id] {
					t.Errorf("%s: engine near-miss at %.3f m, PostGIS has it beyond the clearance", id, n.MinDistanceM)
				}
			}
		})
	}
	t.Logf("oracle: %d pairs, %d crossed, %d near-misses; worst length error %.4f%%, worst area error %.3f%%, worst distance error %.3f m; engine %v, PostGIS %v in all",
		stats.pairs, stats.crossed, stats.nearMisses, 100*stats.maxLenErr, 100*stats.maxAreaErr, stats.maxDst, stats.engine, stats.postgis)
}

// BenchmarkPostGISCheck1500Vertices times the oracle's single PostGIS query
// for the alignments of BenchmarkCheck1500Vertices, for comparison.
func BenchmarkPostGISCheck1500Vertices(b *testing.B) {
	if testing.Short() {
		b.Skip("needs PostGIS")
	}
	ctx := context.Background()
	pool := pgtest.NewPool(b)
	rng := rand.New(rand.NewPCG(20261126, 1))
	blocks := coalBlocks(rng, 600)
	if _, err := pool.Exec(ctx, oracleTable); err != nil {
		b.Fatal(err)
	}
	ids, wkts := make([]string, len(blocks)), make([]string, len(blocks))
	for i, bl := range blocks {
		ids[i], wkts[i] = bl.ID, wkt.MarshalString(bl.Geom)
	}
	if _, err := pool.Exec(ctx, oracleInsert, ids, wkts); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "ANALYZE oracle_blocks"); err != nil {
		b.Fatal(err)
	}
	lines := make([]orb.LineString, 32)
	for i := range lines {
		lines[i] = alignment(rng, 150, 1500)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, _, err := oracleCheck(ctx, pool, lines[i%len(lines)], 23, 45); err != nil {
			b.Fatal(err)
		}
	}
}
