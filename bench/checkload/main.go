// Command checkload measures POST /overlaps/check as a user meets it: a
// client in its own process sends one 150 km, 1,500-vertex alignment (a 46 m
// right of way) to a running `coalmap serve` over HTTP, one request at a
// time, and on the same database runs the tuned single PostGIS query that
// answers the same question, the two alternating, after a warm-up:
//
//	go run ./bench/checkload -url http://127.0.0.1:8080 -database-url "$DATABASE_URL" \
//	    [-layer coal_blocks] [-n 1000] [-warmup 100]
//
// The PostGIS query: the alignment as WKB, GiST-indexed ST_Intersects, the
// intersection computed once, its length on the geography, the corridor
// (the alignment buffered on the geography by half the width) intersected
// and measured on the geography; planned for each execution (pgx's exec
// mode: the generic plan of a prepared statement is several times slower,
// see DOMAIN.md). It prints p50, p99 and max of both, their ratio, whether
// they agree (the same blocks, lengths and corridor areas), and two floors
// measured in this process: decoding the request body alone
// (overlaps.ParseAlignments) and an HTTP round trip to /healthz.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/coalmap/coalmap/overlaps"
)

// sqlCheck is the tuned single query.
const sqlCheck = `WITH a AS MATERIALIZED (SELECT ST_GeomFromWKB($1, 4326) AS g),
c AS MATERIALIZED (SELECT ST_Buffer(a.g::geography, $2)::geometry AS g FROM a)
SELECT b.feature_id, ST_Length(x.i::geography), ST_Area(ST_Intersection(c.g, b.geom)::geography) / 10000
FROM a, c, %s b, LATERAL (SELECT ST_Intersection(a.g, b.geom) AS i) x
WHERE ST_Intersects(b.geom, a.g) AND ST_Dimension(x.i) > 0`

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "the running service")
	dbURL := flag.String("database-url", os.Getenv("DATABASE_URL"), "its database")
	layer := flag.String("layer", "coal_blocks", "the polygon layer checked against")
	n := flag.Int("n", 1000, "measured requests of each")
	warm := flag.Int("warmup", 100, "requests of each before measuring")
	width := flag.Float64("row-width-m", 46, "right-of-way width")
	flag.Parse()
	ctx := context.Background()

	pts := alignment()
	body, _ := json.Marshal(map[string]any{"type": "LineString", "coordinates": pts})
	geom, _ := wkb.Marshal(pts)
	conn, err := pgx.Connect(ctx, *dbURL)
	if err != nil {
		fail(err)
	}
	defer conn.Close(ctx)
	q := fmt.Sprintf(sqlCheck, pgx.Identifier{"layers", *layer}.Sanitize())
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true}}
	checkURL := fmt.Sprintf("%s/overlaps/check?against=%s&row_width_m=%g", *url, *layer, *width)

	var last []byte
	post := func() time.Duration {
		t0 := time.Now()
		resp, err := client.Post(checkURL, "application/geo+json", bytes.NewReader(body))
		if err != nil {
			fail(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != http.StatusOK {
			fail(fmt.Errorf("check: %s: %s", resp.Status, b))
		}
		last = b
		return d
	}
	oracle := map[string][2]float64{}
	query := func() time.Duration {
		t0 := time.Now()
		rows, err := conn.Query(ctx, q, pgx.QueryExecModeExec, geom, *width/2)
		if err != nil {
			fail(err)
		}
		clear(oracle)
		for rows.Next() {
			var id string
			var l, a float64
			if err := rows.Scan(&id, &l, &a); err != nil {
				fail(err)
			}
			oracle[id] = [2]float64{l, a}
		}
		if err := rows.Err(); err != nil {
			fail(err)
		}
		return time.Since(t0)
	}
	health := func() time.Duration {
		t0 := time.Now()
		resp, err := client.Get(*url + "/healthz")
		if err != nil {
			fail(err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
		return time.Since(t0)
	}
	decode := func() time.Duration {
		t0 := time.Now()
		if _, err := overlaps.ParseAlignments(body); err != nil {
			fail(err)
		}
		return time.Since(t0)
	}
	for range *warm {
		post()
		query()
		health()
		decode()
	}
	var de, dp, dh, dd []time.Duration
	for range *n {
		de = append(de, post())
		dp = append(dp, query())
		dh = append(dh, health())
		dd = append(dd, decode())
	}

	var rep overlaps.Report
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
		worstLen = math.Max(worstLen, math.Abs(c.LengthM-o[0])/math.Max(o[0], 1))
		worstArea = math.Max(worstArea, math.Abs(c.CorridorAreaHa-o[1])/math.Max(o[1], 1e-9))
	}
	fmt.Printf("layer %s: %d polygons crossed (PostGIS %d), same set %t, worst length difference %.4f%%, worst corridor area difference %.3f%%; body %d bytes, answer %d bytes\n",
		*layer, len(rep.Crossings), len(oracle), agree, 100*worstLen, 100*worstArea, len(body), len(last))
	fmt.Printf("%d requests each after %d of warm-up, one at a time\n\n", *n, *warm)
	fmt.Println("| path | p50 | p99 | max |")
	fmt.Println("|---|---:|---:|---:|")
	row := func(name string, d []time.Duration) {
		fmt.Printf("| %s | %s | %s | %s |\n", name, ms(pct(d, .5)), ms(pct(d, .99)), ms(pct(d, 1)))
	}
	row("POST /overlaps/check (coalmap, HTTP over loopback)", de)
	row("tuned PostGIS query (pgx, planned each time)", dp)
	row("floor: decoding the body alone (in process)", dd)
	row("floor: GET /healthz (HTTP over loopback)", dh)
	fmt.Printf("\nratio coalmap / PostGIS: p50 %.3f, p99 %.3f\n", float64(pct(de, .5))/float64(pct(dp, .5)), float64(pct(de, .99))/float64(pct(dp, .99)))
}

// alignment is a 150 km line of 1,500 vertices across the Singrauli
// coalfield, gently meandering; it crosses five of bench/gen.sql's blocks.
func alignment() orb.LineString {
	const nv = 1500
	pts := make(orb.LineString, nv)
	for i := range pts {
		t := float64(i) / (nv - 1)
		pts[i] = orb.Point{81.95 + 1.45*t, 24.30 + 0.12*t + 0.02*math.Sin(t*37) + 0.004*math.Sin(t*311)}
	}
	return pts
}

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[max(0, int(math.Ceil(p*float64(len(s))))-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "checkload:", err)
	os.Exit(1)
}
