// Command soak drives a running `coalmap serve` with mixed traffic for a
// set time, as a client in its own process over loopback, and samples the
// server while it does: the soak of BENCHMARKS.md.
//
//	soak -mode soak  -url http://127.0.0.1:8080 -token cm_… -pid PID -database-url URL [-duration 30m]
//	soak -mode flood -url http://127.0.0.1:8080 [-phase 60s]
//	soak -mode lines -out /tmp/lines.geojson [-features 80000 -vertices 1200]
//
// soak: tiles (cold and warm, z6–z14, single- and multi-layer, XYZ and OGC
// addresses), items paged by their next links, ad-hoc overlap checks, a
// reroute or POST /routes every few seconds, an import through
// POST /layers/{id}/imports every minute (a writer's token), metadata edits
// (PUT /collections/{id}), the catalog and TileJSON. Every 10 s it samples
// serve's resident set (/proc/PID/status), goroutines and pool connections
// (/metrics), the database's sessions (pg_stat_activity) and the load
// average; at the end it prints a markdown report: per route counts, status
// classes, p50/p99; 5xx other than 503 (which must be none); and whether the
// resident set, goroutines and connections stayed flat after the warm-up.
//
// flood: a tile client alone for one phase, then the same tile client while
// another floods POST /overlaps/check with no pause and no regard for
// Retry-After; the tile client's p99 in each, and the flooder's 429s.
//
// lines: writes a deterministic GeoJSON FeatureCollection of long
// transmission lines (about 2 GB at the defaults), streamed.
//
// bench/soak/run.sh starts the throwaway cluster, the dataset and serve
// around it.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type config struct {
	base        string
	token       string
	pid         int
	databaseURL string
	duration    time.Duration
	warmup      time.Duration
	sample      time.Duration
	seed        int64
	tileWorkers int
	tilePause   time.Duration
	importEvery time.Duration
	routeEvery  time.Duration
	editEvery   time.Duration
	checkPause  time.Duration
	importLayer string
	samplesOut  string

	phase        time.Duration
	floodWorkers int

	out      string
	features int
	vertices int
}

func main() {
	var c config
	mode := flag.String("mode", "soak", "soak, flood or lines")
	flag.StringVar(&c.base, "url", "http://127.0.0.1:8080", "the service")
	flag.StringVar(&c.token, "token", os.Getenv("COALMAP_TOKEN"), "an editor's token (imports, metadata edits)")
	flag.IntVar(&c.pid, "pid", 0, "serve's process id, for its resident set")
	flag.StringVar(&c.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "the database serve uses, for pg_stat_activity")
	flag.DurationVar(&c.duration, "duration", 30*time.Minute, "how long the soak runs")
	flag.DurationVar(&c.warmup, "warmup", 5*time.Minute, "growth of the resident set is measured from this point")
	flag.DurationVar(&c.sample, "sample", 10*time.Second, "sampling period")
	flag.Int64Var(&c.seed, "seed", 1, "seed of the traffic")
	flag.IntVar(&c.tileWorkers, "tile-workers", 4, "concurrent tile clients")
	flag.DurationVar(&c.tilePause, "tile-pause", 40*time.Millisecond, "pause of each tile client between requests")
	flag.DurationVar(&c.importEvery, "import-every", time.Minute, "period of the imports")
	flag.DurationVar(&c.routeEvery, "route-every", 4*time.Second, "period of the reroutes and POST /routes (alternating)")
	flag.DurationVar(&c.editEvery, "edit-every", 10*time.Second, "period of the metadata edits")
	flag.DurationVar(&c.checkPause, "check-pause", 300*time.Millisecond, "pause of the check client between checks")
	flag.StringVar(&c.importLayer, "import-layer", "soak_blocks", "the layer the imports replace")
	flag.StringVar(&c.samplesOut, "samples", "", "write the samples as CSV to this file")
	flag.DurationVar(&c.phase, "phase", time.Minute, "flood: length of each phase")
	flag.IntVar(&c.floodWorkers, "flood-workers", 4, "flood: concurrent requests of the flooding client")
	flag.StringVar(&c.out, "out", "", "lines: the GeoJSON file to write")
	flag.IntVar(&c.features, "features", 80000, "lines: number of lines")
	flag.IntVar(&c.vertices, "vertices", 1200, "lines: mean vertices per line")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch *mode {
	case "soak":
		err = runSoak(ctx, c)
	case "flood":
		err = runFlood(ctx, c)
	case "lines":
		err = writeLines(c.out, c.features, c.vertices, c.seed)
	default:
		err = fmt.Errorf("-mode: want soak, flood or lines, got %q", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// newClient is an HTTP client with room for every worker's connection.
func newClient() *http.Client {
	return &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{
		MaxIdleConnsPerHost: 64, DisableCompression: false}}
}
