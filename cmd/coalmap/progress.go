package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/coalmap/coalmap/layers"
)

// board shows the imports under way: on a terminal, a progress bar per
// running layer redrawn in place, with a line for each layer as it ends;
// elsewhere (a pipe, a log file) plain lines when a layer starts and ends.
type board struct {
	w     io.Writer
	tty   bool
	mu    sync.Mutex
	rows  []*boardRow
	drawn int // bar lines on screen
	stopc chan struct{}
	ended chan struct{}
}

type boardRow struct {
	layer  string
	start  time.Time
	mu     sync.Mutex
	prog   layers.ImportProgress
	source *layers.FileSource
}

func newBoard(w io.Writer) *board {
	b := &board{w: w, stopc: make(chan struct{}), ended: make(chan struct{})}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb" {
			b.tty = true
		}
	}
	return b
}

func (r *boardRow) phase() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.prog.Phase
}

func (r *boardRow) update(p layers.ImportProgress) {
	r.mu.Lock()
	r.prog = p
	r.mu.Unlock()
}

func (b *board) add(layer string) *boardRow {
	r := &boardRow{layer: layer, start: time.Now()}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rows = append(b.rows, r)
	if !b.tty {
		fmt.Fprintf(b.w, "%s: importing\n", layer)
	}
	return r
}

// finish prints a layer's last line.
func (b *board) finish(layer, line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.clear()
	fmt.Fprintf(b.w, "%s: %s\n", layer, line)
	b.draw()
}

// done removes a layer's bar and prints how it ended.
func (b *board) done(r *boardRow, o importOutcome) {
	var line string
	res := o.res
	switch {
	case o.err != nil:
		line = "FAILED (previous data kept): " + o.err.Error()
	case res.Unchanged:
		line = fmt.Sprintf("unchanged (same checksum and options), %d features", res.Features)
	default:
		line = fmt.Sprintf("%d features loaded (%d repaired, %d rejected) in %.1fs, data version %d",
			res.Features, res.Repaired, res.Rejected, time.Since(r.start).Seconds(), res.DataVersion)
	}
	b.mu.Lock()
	for i, x := range b.rows {
		if x == r {
			b.rows = append(b.rows[:i], b.rows[i+1:]...)
			break
		}
	}
	b.mu.Unlock()
	b.finish(r.layer, line)
}

func (b *board) run() {
	defer close(b.ended)
	if !b.tty {
		<-b.stopc
		return
	}
	t := time.NewTicker(150 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-b.stopc:
			b.mu.Lock()
			b.clear()
			b.mu.Unlock()
			return
		case <-t.C:
			b.mu.Lock()
			b.clear()
			b.draw()
			b.mu.Unlock()
		}
	}
}

func (b *board) stop() {
	close(b.stopc)
	<-b.ended
}

// clear erases the bars drawn last (b.mu held).
func (b *board) clear() {
	if !b.tty || b.drawn == 0 {
		return
	}
	fmt.Fprintf(b.w, "\x1b[%dA\x1b[J", b.drawn)
	b.drawn = 0
}

// draw writes a bar per running layer (b.mu held).
func (b *board) draw() {
	if !b.tty {
		return
	}
	width := 0
	for _, r := range b.rows {
		width = max(width, len(r.layer))
	}
	for _, r := range b.rows {
		fmt.Fprintln(b.w, r.line(width))
	}
	b.drawn = len(b.rows)
}

// line is one layer's bar: by bytes read while reading, full after.
func (r *boardRow) line(width int) string {
	r.mu.Lock()
	p, src := r.prog, r.source
	r.mu.Unlock()
	const cells = 30
	frac := -1.0
	if src != nil && (p.Phase == "" || p.Phase == layers.PhaseQueued || p.Phase == layers.PhaseReading) {
		if done, total := src.Position(); total > 0 && done > 0 {
			frac = float64(done) / float64(total)
		}
	} else if p.Phase != "" && p.Phase != layers.PhaseQueued {
		frac = 1
	}
	bar := strings.Repeat("·", cells)
	pct := "    "
	if frac >= 0 {
		n := int(frac * cells)
		bar = strings.Repeat("█", n) + strings.Repeat("·", cells-n)
		pct = fmt.Sprintf("%3.0f%%", frac*100)
	}
	phase := p.Phase
	if phase == "" {
		phase = "opening"
	}
	el := time.Since(r.start).Seconds()
	rate := ""
	if el > 0 && p.Features > 0 {
		rate = fmt.Sprintf(" %.0f/s", float64(p.Features)/el)
	}
	return fmt.Sprintf("%-*s [%s] %s %9d features%s  %-8s %5.1fs", width, r.layer, bar, pct, p.Features, rate, phase, el)
}
