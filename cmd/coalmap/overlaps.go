package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
)

// overlapsCmd runs every feature of line layers against polygon layers and
// exports the pairs.
type overlapsCmd struct {
	stdout, stderr io.Writer
	db             dbConfig
	log            logConfig
	lines          string
	polygons       string
	rowWidthM      float64
	clearanceM     float64
	out            string
}

func (c *overlapsCmd) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("overlaps", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	c.db.register(fs)
	c.log.register(fs)
	fs.StringVar(&c.lines, "lines", "", "line layers, comma-separated (required)")
	fs.StringVar(&c.polygons, "polygons", "coal_blocks", "polygon layers, comma-separated")
	fs.Float64Var(&c.rowWidthM, "row-width-m", 0, "right-of-way width in metres for every line (default: each line's voltage, rail 46 m, else 46 m)")
	fs.Float64Var(&c.clearanceM, "clearance-m", 0, "near-miss distance in metres")
	fs.StringVar(&c.out, "o", "", "output file: .csv, .geojson or .json (default: CSV on standard output)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if c.lines == "" {
		return errors.New("--lines is required")
	}
	if _, err := exportFormat(c.out); err != nil {
		return err
	}
	return c.db.validate()
}

func exportFormat(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case "", ".csv":
		return "csv", nil
	case ".geojson":
		return "geojson", nil
	case ".json":
		return "json", nil
	default:
		return "", fmt.Errorf("-o %s: want a .csv, .geojson or .json file", path)
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (c *overlapsCmd) Run(ctx context.Context) error {
	log, err := c.log.logger(c.stderr)
	if err != nil {
		return err
	}
	pool, closeDB, err := openPool(ctx, c.db, log, 4)
	if err != nil {
		return err
	}
	defer closeDB()
	store := postgis.NewRuns(pool)
	engine := overlaps.New(postgis.NewPolygons(pool), overlaps.DefaultConfig())
	runs := overlaps.NewRuns(ctx, engine, store, store, 1, log)
	start := time.Now()
	info, err := runs.Start(ctx, overlaps.RunSpec{Lines: splitList(c.lines), Polygons: splitList(c.polygons),
		RowWidthM: c.rowWidthM, ClearanceM: c.clearanceM}, "cli")
	if err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { runs.Wait(); close(done) }()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
wait:
	for {
		select {
		case <-done:
			break wait
		case <-tick.C:
			if p, err := store.RunInfo(ctx, info.ID); err == nil && p.LinesTotal > 0 {
				fmt.Fprintf(c.stderr, "run %d: %d/%d lines, %d rows\n", p.ID, p.LinesDone, p.LinesTotal, p.ResultRows)
			}
		}
	}
	info, err = runs.Get(context.WithoutCancel(ctx), info.ID)
	if err != nil {
		return err
	}
	if info.Status != overlaps.RunSucceeded {
		return fmt.Errorf("run %d %s: %s", info.ID, info.Status, info.Error)
	}
	format, _ := exportFormat(c.out)
	w := c.stdout
	if c.out != "" {
		f, err := os.Create(c.out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	rw, err := overlaps.NewResultWriter(w, format)
	if err != nil {
		return err
	}
	crossings := 0
	err = runs.Results(ctx, info.ID, func(r overlaps.ResultRow) error {
		if r.Kind == overlaps.RowCrossing {
			crossings++
		}
		return rw.Write(r)
	})
	if err != nil {
		return err
	}
	if err := rw.Close(); err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "run %d: %d lines against %s: %d rows, %d line–polygon crossings, in %v\n",
		info.ID, info.LinesTotal, strings.Join(info.Spec.Polygons, ","), info.ResultRows, crossings, time.Since(start).Round(time.Millisecond))
	return nil
}
