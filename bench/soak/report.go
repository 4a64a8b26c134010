package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
)

// window averages a sample field over [from, to).
func window(ss []sample, from, to time.Duration, f func(sample) float64) (mean, hi float64, n int) {
	for _, x := range ss {
		if x.at >= from && x.at < to {
			v := f(x)
			mean += v
			hi = max(hi, v)
			n++
		}
	}
	if n > 0 {
		mean /= float64(n)
	}
	return mean, hi, n
}

func report(w io.Writer, c config, rec *recorder, ss []sample, elapsed time.Duration, final sample, ferr error) {
	secs := elapsed.Seconds()
	fmt.Fprintf(w, "### Soak: %s of mixed traffic (seed %d)\n\n", elapsed.Round(time.Second), c.seed)
	fmt.Fprintf(w, "Clients: %d tile clients (pause %v), 1 items pager, 1 check client (pause %v), a reroute or POST /routes every %v, "+
		"an import of %s every %v, a metadata edit every %v.\n\n", c.tileWorkers, c.tilePause, c.checkPause, c.routeEvery, c.importLayer, c.importEvery, c.editEvery)
	rec.table(w, secs)
	f5, r5, n5 := rec.unexpected()
	var deliberate int
	rec.mu.Lock()
	for _, s := range rec.routes {
		deliberate += s.deliber8
	}
	bad := slices.Clone(rec.bad)
	rec.mu.Unlock()
	fmt.Fprintf(w, "\n**5xx other than 503: %d**; 503 with Retry-After (deliberate): %d; 503 without Retry-After: %d; requests without an answer: %d.\n",
		f5, deliberate, r5, n5)
	for _, b := range bad {
		fmt.Fprintf(w, "- `%s`\n", b)
	}
	if len(ss) == 0 {
		return
	}

	// Resources over time, one row a warm-up's length (at most 12 rows).
	step := max(c.warmup, elapsed/12)
	fmt.Fprintln(w, "\n| time | serve RSS MB | live heap MB | tile cache MB | goroutines | pool conns (busy) | DB sessions (active) | load 1/5/15 min |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---|")
	next := time.Duration(0)
	row := func(x sample) {
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f | %d | %d (%d) | %d (%d) | %s %s %s |\n", x.at.Round(time.Second), float64(x.rssKB)/1024,
			x.liveMB, x.cacheMB, x.goroutines, x.poolConns, x.poolBusy, x.dbSessions, x.dbActive, x.load1, x.load5, x.load15)
	}
	for i, x := range ss {
		if x.at >= next || i == len(ss)-1 {
			row(x)
			next += step
		}
	}
	if ferr == nil {
		fmt.Fprintf(w, "| after (3 s idle) | %.0f | %.0f | %.0f | %d | %d (%d) | %d (%d) | %s %s %s |\n", float64(final.rssKB)/1024,
			final.liveMB, final.cacheMB, final.goroutines, final.poolConns, final.poolBusy, final.dbSessions, final.dbActive, final.load1, final.load5, final.load15)
	}

	// Growth after the warm-up: the sample at the warm-up's end against the
	// last; and the means of the first and last five minutes after it.
	var at5 *sample
	for i := range ss {
		if ss[i].at >= c.warmup {
			at5 = &ss[i]
			break
		}
	}
	if at5 == nil {
		fmt.Fprintf(w, "\n(the run was shorter than the warm-up of %v: no growth figures)\n", c.warmup)
		return
	}
	last := ss[len(ss)-1]
	win := min(5*time.Minute, (elapsed-c.warmup)/2)
	rss := func(x sample) float64 { return float64(x.rssKB) / 1024 }
	gor := func(x sample) float64 { return float64(x.goroutines) }
	pool := func(x sample) float64 { return float64(x.poolConns) }
	sess := func(x sample) float64 { return float64(x.dbSessions) }
	_, rssMax, _ := window(ss, c.warmup, elapsed+time.Minute, rss)
	fmt.Fprintf(w, "\nAfter the first %v (sample at %v): serve's RSS %.0f MB → %.0f MB at the end (**%+.1f %%**), highest %.0f MB (%+.1f %%).\n",
		c.warmup, at5.at.Round(time.Second), rss(*at5), rss(last), 100*(rss(last)/rss(*at5)-1), rssMax, 100*(rssMax/rss(*at5)-1))
	fmt.Fprintf(w, "\nMeans of the first and last %v after the warm-up (and highest after it):\n\n", win.Round(time.Second))
	fmt.Fprintln(w, "| measure | first | last | change | highest |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for _, m := range []struct {
		name string
		f    func(sample) float64
	}{{"serve RSS MB", rss}, {"goroutines", gor}, {"pool connections", pool}, {"DB sessions (pg_stat_activity)", sess},
		{"live heap MB (at the last GC)", func(x sample) float64 { return x.liveMB }}, {"tile cache MB", func(x sample) float64 { return x.cacheMB }}} {
		a, _, _ := window(ss, c.warmup, c.warmup+win, m.f)
		b, _, _ := window(ss, elapsed-win, elapsed+time.Minute, m.f)
		_, hi, _ := window(ss, c.warmup, elapsed+time.Minute, m.f)
		ch := "–"
		if a > 0 {
			ch = fmt.Sprintf("%+.1f %%", 100*(b/a-1))
		}
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %s | %.0f |\n", m.name, a, b, ch, hi)
	}
	var loads []float64
	for _, x := range ss {
		if v, err := strconv.ParseFloat(x.load1, 64); err == nil {
			loads = append(loads, v)
		}
	}
	slices.Sort(loads)
	fmt.Fprintf(w, "\nLoad average (1 min) over the run: median %.2f, lowest %.2f, highest %.2f (2 cores).\n",
		percentile(loads, 0.5), loads[0], loads[len(loads)-1])
}
