// Command overlaps-bench measures the overlap engine against the equivalent
// single PostGIS query, side by side on the same database and the same
// inputs, and checks that both give the same answers:
//
//	(a) one ad-hoc 150 km, 1,500-vertex alignment: latency of POST
//	    /overlaps/check (in-process HTTP server) against the PostGIS query;
//	(b) every line of the line layers against every block: wall time of a
//	    run against the PostGIS query.
//
// With -scale N it first builds N-fold copies of the layers (shifted copies
// of every feature) and measures those too.
//
//	go run ./bench/overlaps -database-url "$(coalmap db url)" [-scale 10]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/api"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
)

func main() {
	url := flag.String("database-url", os.Getenv("DATABASE_URL"), "database with the demo catalog loaded")
	blocks := flag.String("blocks", "coal_blocks", "polygon layer")
	lines := flag.String("lines", "transmission_lines_765kv,transmission_lines_400kv,transmission_lines_220kv,transmission_lines_132kv,transmission_lines_proposed_765kv,transmission_lines_proposed_400kv,transmission_lines_proposed_220kv,transmission_lines_proposed_132kv,railway_lines_existing,railway_lines_proposed,railway_lines_under_construction", "line layers for (b)")
	n := flag.Int("n", 200, "repetitions of the ad-hoc check")
	scale := flag.Int("scale", 1, "also measure an N-fold copy of the layers (1: demo only)")
	skipAll := flag.Bool("skip-all", false, "skip (b), the all-lines comparison")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	pool, err := postgis.Connect(ctx, *url, 8)
	if err != nil {
		fail(err)
	}
	defer pool.Close()
	lineLayers := existing(ctx, pool, strings.Split(*lines, ","))
	fmt.Printf("# overlap engine vs PostGIS, %s\n", time.Now().UTC().Format(time.RFC3339))
	measure(ctx, pool, *blocks, lineLayers, *n, *skipAll, "demo")
	if *scale > 1 {
		sb, sl := scaled(ctx, pool, *blocks, lineLayers, *scale)
		measure(ctx, pool, sb, sl, *n, *skipAll, fmt.Sprintf("%d× demo", *scale))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "overlaps-bench:", err)
	os.Exit(1)
}

func existing(ctx context.Context, pool *pgxpool.Pool, ids []string) []string {
	var out []string
	for _, id := range ids {
		var ok bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM catalog.layers WHERE id = $1)`, id).Scan(&ok); err != nil {
			fail(err)
		}
		if ok {
			out = append(out, id)
		}
	}
	return out
}

// alignment is a 150 km line of 1,500 vertices across the Singrauli
// coalfield, gently meandering, the same on every run.
func alignment() [][2]float64 {
	const nv = 1500
	pts := make([][2]float64, nv)
	for i := range pts {
		t := float64(i) / (nv - 1)
		lon := 81.95 + 1.45*t
		lat := 23.98 + 0.12*t + 0.02*math.Sin(t*37) + 0.004*math.Sin(t*311)
		pts[i] = [2]float64{lon, lat}
	}
	return pts
}

func wkt(pts [][2]float64) string {
	var b strings.Builder
	b.WriteString("LINESTRING(")
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%.7f %.7f", p[0], p[1])
	}
	b.WriteByte(')')
	return b.String()
}

// sqlCheck is the equivalent single PostGIS query: GiST-indexed
// ST_Intersects, ST_Intersection, geodesic length and corridor area.
const sqlCheck = `WITH a AS (SELECT ST_GeomFromText($1, 4326) AS g),
c AS (SELECT ST_Buffer(a.g::geography, $2)::geometry AS g FROM a)
SELECT b.feature_id,
       ST_Length(ST_Intersection(a.g, b.geom)::geography),
       ST_Area(ST_Intersection(c.g, b.geom)::geography) / 10000
FROM %s b, a, c
WHERE ST_Intersects(b.geom, a.g) AND ST_Length(ST_Intersection(a.g, b.geom)) > 0`

type result struct{ length, area float64 }

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(math.Ceil(p*float64(len(s))))-1]
}

func measure(ctx context.Context, pool *pgxpool.Pool, blocks string, lineLayers []string, n int, skipAll bool, label string) {
	engine := overlaps.New(postgis.NewPolygons(pool), overlaps.DefaultConfig())
	cat := layers.NewCatalog(postgis.NewStore(pool), nil)
	if err := cat.Refresh(ctx); err != nil {
		fail(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, api.Deps{Catalog: cat, Overlaps: engine}))
	defer srv.Close()
	pts := alignment()
	body, _ := json.Marshal(map[string]any{"type": "LineString", "coordinates": pts})
	url := srv.URL + "/overlaps/check?against=" + blocks + "&row_width_m=46"

	var blockCount int
	pool.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{"layers", blocks}.Sanitize()).Scan(&blockCount)
	fmt.Printf("\n## %s: %s (%d polygons)\n\n", label, blocks, blockCount)

	// Warm both: the engine loads the layer, PostGIS fills its cache.
	var rep overlaps.Report
	var last []byte // the body of the last answer, decoded once at the end
	post := func() time.Duration {
		t0 := time.Now()
		resp, err := http.Post(url, "application/geo+json", bytes.NewReader(body))
		if err != nil {
			fail(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			fail(fmt.Errorf("check: %d %s", resp.StatusCode, b))
		}
		d := time.Since(t0)
		last = b
		return d
	}
	q := fmt.Sprintf(sqlCheck, pgx.Identifier{"layers", blocks}.Sanitize())
	line := wkt(pts)
	oracle := map[string]result{}
	query := func() time.Duration {
		t0 := time.Now()
		// Exec mode plans each execution for its geometry: the generic plan
		// of a prepared statement is several times slower here.
		rows, err := pool.Query(ctx, q, pgx.QueryExecModeExec, line, 23.0)
		if err != nil {
			fail(err)
		}
		clear(oracle)
		for rows.Next() {
			var id string
			var r result
			if err := rows.Scan(&id, &r.length, &r.area); err != nil {
				fail(err)
			}
			oracle[id] = r
		}
		if rows.Err() != nil {
			fail(rows.Err())
		}
		return time.Since(t0)
	}
	post()
	query()
	var de, dp []time.Duration
	for range n {
		de = append(de, post())
		dp = append(dp, query())
	}
	// Same answers.
	if err := json.Unmarshal(last, &rep); err != nil {
		fail(err)
	}
	agree := len(rep.Crossings) == len(oracle)
	worstLen, worstArea := 0.0, 0.0
	for _, c := range rep.Crossings {
		o, ok := oracle[c.ID]
		if !ok {
			agree = false
			continue
		}
		worstLen = math.Max(worstLen, math.Abs(c.LengthM-o.length)/math.Max(o.length, 1))
		worstArea = math.Max(worstArea, math.Abs(c.CorridorAreaHa-o.area)/math.Max(o.area, 1e-9))
	}
	fmt.Printf("(a) one 150 km, %d-vertex alignment, %d repetitions; %d blocks crossed (PostGIS: %d), same set: %t, worst length diff %.4f%%, worst corridor area diff %.3f%%\n\n",
		len(pts), n, len(rep.Crossings), len(oracle), agree, 100*worstLen, 100*worstArea)
	fmt.Println("| path | p50 | p99 |")
	fmt.Println("|---|---|---|")
	fmt.Printf("| POST /overlaps/check (engine) | %v | %v |\n", pct(de, .5).Round(time.Microsecond), pct(de, .99).Round(time.Microsecond))
	fmt.Printf("| PostGIS single query | %v | %v |\n", pct(dp, .5).Round(time.Microsecond), pct(dp, .99).Round(time.Microsecond))
	fmt.Printf("| ratio engine/PostGIS | %.3f | %.3f |\n", float64(pct(de, .5))/float64(pct(dp, .5)), float64(pct(de, .99))/float64(pct(dp, .99)))

	if skipAll || len(lineLayers) == 0 {
		return
	}
	// (b) all lines against all blocks.
	store := postgis.NewRuns(pool)
	t0 := time.Now()
	total, pairs := 0, 0
	var loadTime time.Duration
	for _, ll := range lineLayers {
		tl := time.Now()
		_, lines, err := store.Lines(ctx, ll)
		if err != nil {
			fail(err)
		}
		loadTime += time.Since(tl)
		for i := range lines {
			lines[i].Corridor = overlaps.Corridor{RowWidthM: 46}
		}
		total += len(lines)
		err = engine.Run(ctx, lines, overlaps.RunOptions{Layers: []string{blocks}, Corridor: overlaps.Corridor{RowWidthM: 46}}, func(r overlaps.Row) error {
			if r.Kind == overlaps.RowCrossing {
				pairs++
			}
			return nil
		})
		if err != nil {
			fail(err)
		}
	}
	engineAll := time.Since(t0)
	var parts []string
	for _, ll := range lineLayers {
		parts = append(parts, "SELECT feature_id, geom FROM "+pgx.Identifier{"layers", ll}.Sanitize())
	}
	allQ := fmt.Sprintf(`WITH l AS (%s)
SELECT count(*), sum(len), sum(area) FROM (
  SELECT ST_Length(ST_Intersection(l.geom, b.geom)::geography) AS len,
         ST_Area(ST_Intersection(ST_Buffer(l.geom::geography, 23)::geometry, b.geom)::geography) / 10000 AS area
  FROM l JOIN %s b ON ST_Intersects(l.geom, b.geom)
  WHERE ST_Length(ST_Intersection(l.geom, b.geom)) > 0) x`, strings.Join(parts, " UNION ALL "), pgx.Identifier{"layers", blocks}.Sanitize())
	t0 = time.Now()
	var pgPairs int
	var pgLen, pgArea *float64
	if err := pool.QueryRow(ctx, allQ).Scan(&pgPairs, &pgLen, &pgArea); err != nil {
		fail(err)
	}
	pgAll := time.Since(t0)
	fmt.Printf("\n(b) %d lines of %s against %d blocks: engine %d crossing pairs, PostGIS %d\n\n", total, strings.Join(lineLayers, ", "), blockCount, pairs, pgPairs)
	fmt.Println("| path | wall time |")
	fmt.Println("|---|---|")
	fmt.Printf("| engine (load lines + check all) | %v (of which loading lines %v) |\n", engineAll.Round(time.Millisecond), loadTime.Round(time.Millisecond))
	fmt.Printf("| PostGIS single query | %v |\n", pgAll.Round(time.Millisecond))
	fmt.Printf("| ratio engine/PostGIS | %.3f |\n", float64(engineAll)/float64(pgAll))
}

// scaled builds N-fold copies of the layers: every feature copied N times,
// each copy shifted by a whole number of 0.7° steps in longitude (wrapping
// within India), under new layer ids with a _xN suffix.
func scaled(ctx context.Context, pool *pgxpool.Pool, blocks string, lineLayers []string, n int) (string, []string) {
	suffix := fmt.Sprintf("_x%d", n)
	var outLines []string
	for _, id := range append([]string{blocks}, lineLayers...) {
		dst := id + suffix
		src := pgx.Identifier{"layers", id}.Sanitize()
		dt := pgx.Identifier{"layers", dst}.Sanitize()
		stmts := []struct {
			sql  string
			args []any
		}{
			{`DELETE FROM catalog.layers WHERE id = $1`, []any{dst}},
			{`DROP TABLE IF EXISTS ` + dt, nil},
			{`INSERT INTO catalog.layers (id, title, geometry_type, category, data_version)
			 SELECT $1, title || ' (scaled)', geometry_type, category, 1 FROM catalog.layers WHERE id = $2`, []any{dst, id}},
			{fmt.Sprintf(`CREATE TABLE %s AS SELECT (row_number() OVER ())::bigint AS fid, t.feature_id || '#' || k AS feature_id,
			 ST_Translate(t.geom, ((k * 0.7)::numeric %% 6)::float8, ((k / 9) * 0.35)::float8) AS geom
			 FROM %s t, generate_series(0, %d) k`, dt, src, n-1), nil},
			{`ALTER TABLE ` + dt + ` ADD PRIMARY KEY (fid)`, nil},
			{`CREATE INDEX ON ` + dt + ` USING gist (geom)`, nil},
			{`ANALYZE ` + dt, nil},
		}
		for _, s := range stmts {
			if _, err := pool.Exec(ctx, s.sql, s.args...); err != nil {
				fail(fmt.Errorf("scaling %s: %w", id, err))
			}
		}
		if id != blocks {
			outLines = append(outLines, dst)
		}
	}
	return blocks + suffix, outLines
}
