package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// tileSourceFrom reads the tile list bench/gen.sql wrote (tiles centred on
// features, z6–z14): the first 300 are the warm set, all of them the seeds
// of the cold ones.
func tileSourceFrom(ctx context.Context, db *pgxpool.Pool, importLayer string) (*tileSource, error) {
	rows, err := db.Query(ctx, `SELECT layer, z, x, y FROM public.bench_tiles ORDER BY i`)
	if err != nil {
		return nil, fmt.Errorf("reading bench_tiles (made by bench/gen.sql): %w", err)
	}
	defer rows.Close()
	src := &tileSource{more: []string{"coal_blocks,rail_lines", "transmission_lines,coal_blocks,rail_lines",
		importLayer, "coal_blocks," + importLayer}}
	for rows.Next() {
		var t tile
		if err := rows.Scan(&t.layers, &t.z, &t.x, &t.y); err != nil {
			return nil, err
		}
		src.seed = append(src.seed, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(src.seed) < 300 {
		return nil, fmt.Errorf("bench_tiles holds %d tiles, want at least 300", len(src.seed))
	}
	src.warm = src.seed[:300]
	return src, nil
}

func runSoak(ctx context.Context, c config) error {
	if c.token == "" || c.databaseURL == "" || c.pid == 0 {
		return fmt.Errorf("-token (an editor's), -database-url and -pid are needed")
	}
	db, err := pgxpool.New(ctx, c.databaseURL+"&pool_max_conns=2&application_name=soak-sampler")
	if err != nil {
		return err
	}
	defer db.Close()
	src, err := tileSourceFrom(ctx, db, c.importLayer)
	if err != nil {
		return err
	}
	rec := newRecorder()
	cl := &client{base: c.base, token: c.token, http: newClient(), rec: rec}
	anon := &client{base: c.base, http: cl.http, rec: rec} // readers carry no token

	// The imported layer must exist before anything reads it.
	fmt.Fprintf(os.Stderr, "first import of %s\n", c.importLayer)
	if err := cl.importOnce(ctx, c.importLayer, 0, 800); err != nil {
		return fmt.Errorf("first import: %w", err)
	}

	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	rnd := func(i uint64) *rand.Rand { return rand.New(rand.NewPCG(uint64(c.seed), i)) }
	var wg sync.WaitGroup
	run := func(f func()) { wg.Add(1); go func() { defer wg.Done(); f() }() }
	for i := range c.tileWorkers {
		r := rnd(uint64(100 + i))
		run(func() { anon.tileWorker(rctx, src, r, c.tilePause, "") })
	}
	readLayers := []string{"coal_blocks", "rail_lines", "transmission_lines", c.importLayer}
	run(func() { anon.itemsWorker(rctx, rnd(1), readLayers) })
	run(func() { anon.checkWorker(rctx, rnd(2), "coal_blocks,"+c.importLayer, c.checkPause) })
	run(func() { anon.routeWorker(rctx, rnd(3), c.routeEvery) })
	run(func() { cl.editWorker(rctx, rnd(4), []string{"coal_blocks", "rail_lines", c.importLayer}, c.editEvery) })
	run(func() { cl.importWorker(rctx, c.importLayer, 1, c.importEvery) })

	smp := &sampler{base: c.base, pid: c.pid, http: newClient(), db: db, t0: start}
	var samples []sample
	tick := time.NewTicker(c.sample)
	for done := false; !done; {
		x, err := smp.take(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sample:", err)
		} else {
			samples = append(samples, x)
			f5, r5, n5 := rec.unexpected()
			fmt.Fprintf(os.Stderr, "%5.0fs rss %4d MB (cache %4.0f MB, heap %4.0f MB, live %4.0f MB) goroutines %4d pool %2d/%2d db sessions %2d load %s | 5xx %d, 503-no-RA %d, no answer %d\n",
				x.at.Seconds(), x.rssKB/1024, x.cacheMB, x.heapMB, x.liveMB, x.goroutines, x.poolBusy, x.poolConns, x.dbSessions, x.load1, f5, r5, n5)
		}
		select {
		case <-rctx.Done():
			done = true
		case <-tick.C:
		}
	}
	tick.Stop()
	wg.Wait()
	elapsed := time.Since(start)
	// A last look once the traffic has stopped and the server has settled.
	sleep(ctx, 3*time.Second)
	final, ferr := smp.take(ctx)
	if c.samplesOut != "" {
		if err := writeSamples(c.samplesOut, samples); err != nil {
			return err
		}
	}
	report(os.Stdout, c, rec, samples, elapsed, final, ferr)
	if f5, r5, n5 := rec.unexpected(); f5+r5+n5 > 0 {
		return fmt.Errorf("%d 5xx other than 503, %d 503 without Retry-After, %d requests without an answer", f5, r5, n5)
	}
	return nil
}
