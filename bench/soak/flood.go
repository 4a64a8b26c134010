package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// runFlood measures a tile client's latency alone, then while another
// client floods overlap checks (no pause, Retry-After ignored), then alone
// again.
func runFlood(ctx context.Context, c config) error {
	if c.databaseURL == "" {
		return fmt.Errorf("-database-url is needed (the tile list of bench/gen.sql)")
	}
	db, err := pgxpool.New(ctx, c.databaseURL+"&pool_max_conns=1&application_name=soak-flood")
	if err != nil {
		return err
	}
	src, err := tileSourceFrom(ctx, db, c.importLayer)
	db.Close()
	if err != nil {
		return err
	}
	// The flood's tiles: the dataset's own layers only.
	src.more = src.more[:2]
	rec := newRecorder()
	tiles := &client{base: c.base, http: newClient(), rec: rec}
	flooder := &client{base: c.base, token: c.token, http: newClient(), rec: rec}

	// Warm the warm set first, so that each phase starts from the same cache.
	for _, t := range src.warm {
		tiles.get(ctx, "warm-up", fmt.Sprintf("%s/tiles/%s/%d/%d/%d.mvt", c.base, t.layers, t.z, t.x, t.y), "Accept-Encoding", "gzip") //nolint:errcheck
	}
	phases := []struct {
		label string
		flood bool
	}{{"1 alone", false}, {"2 with the flood", true}, {"3 alone", false}}
	for pi, ph := range phases {
		fmt.Fprintf(os.Stderr, "phase %s (%v)\n", ph.label, c.phase)
		pctx, cancel := context.WithTimeout(ctx, c.phase)
		var wg sync.WaitGroup
		for i := range c.tileWorkers {
			r := rand.New(rand.NewPCG(uint64(c.seed), uint64(1000*(pi+1)+i)))
			wg.Add(1)
			go func() { defer wg.Done(); tiles.tileWorker(pctx, src, r, c.tilePause, ph.label+": ") }()
		}
		if ph.flood {
			for i := range c.floodWorkers {
				r := rand.New(rand.NewPCG(uint64(c.seed), uint64(9000+i)))
				wg.Add(1)
				go func() {
					defer wg.Done()
					for pctx.Err() == nil {
						url := c.base + "/overlaps/check?against=coal_blocks&row_width_m=46"
						flooder.send(pctx, "flood: POST /overlaps/check", http.MethodPost, url, "application/geo+json", lineJSON(alignment(r))) //nolint:errcheck
					}
				}()
			}
		}
		wg.Wait()
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}

	fmt.Printf("### Flood: a tile client (%d workers, pause %v) alone, with %d workers flooding POST /overlaps/check, alone again (%v each)\n\n",
		c.tileWorkers, c.tilePause, c.floodWorkers, c.phase)
	rec.mu.Lock()
	delete(rec.routes, "warm-up")
	rec.mu.Unlock()
	rec.table(os.Stdout, c.phase.Seconds())
	// The tile client's latency per phase, hits and misses together.
	p := map[string][2]float64{}
	fmt.Println("\n| phase | tiles | p50 ms | p99 ms |")
	fmt.Println("|---|---:|---:|---:|")
	for _, ph := range phases {
		var all []float64
		for _, route := range []string{"GET tile (cache hit)", "GET tile (cache miss)", "GET ogc tile (cache hit)", "GET ogc tile (cache miss)", "GET tile", "GET ogc tile"} {
			all = append(all, rec.latencies(ph.label+": "+route)...)
		}
		sortFloats(all)
		p[ph.label] = [2]float64{percentile(all, 0.5), percentile(all, 0.99)}
		fmt.Printf("| %s | %d | %.1f | %.1f |\n", ph.label, len(all), p[ph.label][0], p[ph.label][1])
	}
	alone := (p["1 alone"][1] + p["3 alone"][1]) / 2
	f := "flood: POST /overlaps/check"
	fmt.Printf("\nTile p99 with the flood: **%.2f×** its p99 alone (mean of phases 1 and 3; target ≤ 2×). "+
		"The flooder: %d answered 429, %d answered 200 (%.0f checks/s attempted).\n",
		p["2 with the flood"][1]/alone, rec.count(f, http.StatusTooManyRequests), rec.count(f, http.StatusOK),
		float64(len(rec.latencies(f)))/c.phase.Seconds())
	if f5, r5, n5 := rec.unexpected(); f5+r5+n5 > 0 {
		return fmt.Errorf("%d 5xx other than 503, %d 503 without Retry-After, %d requests without an answer", f5, r5, n5)
	}
	return nil
}
