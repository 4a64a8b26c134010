package overlaps_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/coalmap/coalmap/overlaps"
	"github.com/paulmach/orb"
)

func benchEngine(b *testing.B) (*overlaps.Engine, *rand.Rand) {
	rng := rand.New(rand.NewPCG(20261126, 1))
	src := &memSource{layers: map[string][]overlaps.Polygon{"coal_blocks": coalBlocks(rng, 600)}}
	e := overlaps.New(src, overlaps.Config{})
	// Load the layer before timing.
	if _, err := e.Check(context.Background(), []overlaps.Alignment{{Geom: orb.LineString{{82, 22}, {82.1, 22.1}}}}, overlaps.Options{}); err != nil {
		b.Fatal(err)
	}
	return e, rng
}

// BenchmarkCheck1500Vertices checks one 150 km, 1,500-vertex alignment
// against 600 coal blocks (46 m corridor, 45 m clearance), and reports the
// 99th percentile of the iterations.
func BenchmarkCheck1500Vertices(b *testing.B) {
	e, rng := benchEngine(b)
	lines := make([]orb.LineString, 32)
	for i := range lines {
		lines[i] = alignment(rng, 150, 1500)
	}
	opts := overlaps.Options{Corridor: overlaps.Corridor{RowWidthM: 46}, ClearanceM: 45}
	ctx := context.Background()
	var times []time.Duration
	crossed := 0
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		r, err := e.Check(ctx, []overlaps.Alignment{{Geom: lines[i%len(lines)]}}, opts)
		times = append(times, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		crossed += len(r.Crossings)
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(len(times)), "cpu-ms/op")
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(crossed)/float64(len(times)), "blocks-crossed/op")
}

// BenchmarkRunAll runs 2,000 transmission lines and 400 rail lines
// against 600 coal blocks.
func BenchmarkRunAll(b *testing.B) {
	e, rng := benchEngine(b)
	kvs := []int{132, 220, 400, 765}
	var lines []overlaps.Line
	for i := 0; i < 2000; i++ {
		lines = append(lines, overlaps.Line{ID: fmt.Sprintf("T%d", i), Geom: alignment(rng, 20+130*rng.Float64(), 100+rng.IntN(700)), Corridor: overlaps.Corridor{VoltageKV: kvs[rng.IntN(len(kvs))]}})
	}
	for i := 0; i < 400; i++ {
		lines = append(lines, overlaps.Line{ID: fmt.Sprintf("R%d", i), Geom: alignment(rng, 20+130*rng.Float64(), 100+rng.IntN(700)), Corridor: overlaps.Corridor{Rail: true}})
	}
	cpu0 := cpuTime()
	n := 0
	b.ResetTimer()
	rows := 0
	for b.Loop() {
		rows = 0
		err := e.Run(context.Background(), lines, overlaps.RunOptions{ClearanceM: 45}, func(overlaps.Row) error {
			rows++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(n), "cpu-ms/op")
	b.ReportMetric(float64(rows), "rows")
}

// cpuTime returns the CPU time the process has used, user and system: on a
// shared machine a steadier measure than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
