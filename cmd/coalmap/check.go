package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
)

// checkCmd checks alignments from files against polygon layers.
type checkCmd struct {
	stdout, stderr io.Writer
	db             dbConfig
	log            logConfig
	against        string
	rowWidthM      float64
	voltageKV      int
	circuit        string
	rail           bool
	clearanceM     float64
	format         string
	out            string
	reroute        bool
	files          []string
}

func (c *checkCmd) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintln(c.stderr, "usage: coalmap check [--against coal_blocks] [--row-width-m 46 | --voltage-kv 765 [--circuit dc] | --rail] [--clearance-m 0] [--format text|json|geojson|csv] [-o FILE] ALIGNMENT.{geojson,kml,kmz}…")
		fs.PrintDefaults()
	}
	c.db.register(fs)
	c.log.register(fs)
	fs.StringVar(&c.against, "against", "coal_blocks", "polygon layers to check against, comma-separated")
	fs.Float64Var(&c.rowWidthM, "row-width-m", 0, "right-of-way width in metres (default: from --voltage-kv or --rail, else 46)")
	fs.IntVar(&c.voltageKV, "voltage-kv", 0, "transmission voltage: 132, 220, 400, 765… sets the right-of-way width")
	fs.StringVar(&c.circuit, "circuit", "", "circuit configuration with --voltage-kv: sc-delta, dc, sc-horizontal (765 kV; default sc-delta)")
	fs.BoolVar(&c.rail, "rail", false, "a railway: 46 m right of way")
	fs.Float64Var(&c.clearanceM, "clearance-m", 0, "near-miss distance in metres (45 m is the mining set-back)")
	fs.StringVar(&c.format, "format", "text", "output: text, json, geojson or csv")
	fs.StringVar(&c.out, "o", "", "write the report to this file instead of standard output")
	fs.BoolVar(&c.reroute, "reroute", false, "also propose, for each alignment that crosses, an alternative that avoids the polygons (text, json or geojson)")
	if err := parseFlags(fs, args, true); err != nil {
		return err
	}
	if c.reroute && c.format == "csv" {
		return errors.New("--reroute writes text, json or geojson, not csv")
	}
	c.files = fs.Args()
	if len(c.files) == 0 {
		fs.Usage()
		return errors.New("name at least one alignment file")
	}
	switch c.format {
	case "text", "json", "geojson", "csv":
	default:
		return fmt.Errorf("--format %q: want text, json, geojson or csv", c.format)
	}
	return c.db.validate()
}

func (c *checkCmd) Run(ctx context.Context) error {
	log, err := c.log.logger(c.stderr)
	if err != nil {
		return err
	}
	var alignments []overlaps.Alignment
	for _, f := range c.files {
		as, err := overlaps.ReadAlignmentsFile(f)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		alignments = append(alignments, as...)
	}
	pool, done, err := openPool(ctx, c.db, log, 4)
	if err != nil {
		return err
	}
	defer done()
	engine := overlaps.New(postgis.NewPolygons(pool), overlaps.DefaultConfig())
	var layers []string
	for _, l := range strings.Split(c.against, ",") {
		if l = strings.TrimSpace(l); l != "" {
			layers = append(layers, l)
		}
	}
	opts := overlaps.Options{
		Layers:     layers,
		Corridor:   overlaps.Corridor{RowWidthM: c.rowWidthM, VoltageKV: c.voltageKV, Circuit: c.circuit, Rail: c.rail},
		ClearanceM: c.clearanceM,
	}
	if c.reroute {
		return c.runReroute(ctx, engine, alignments, opts)
	}
	rep, err := engine.Check(ctx, alignments, opts)
	if err != nil {
		return err
	}
	return writeAnswer(c.stdout, c.out, c.format, answer{json: rep, geojson: overlaps.ReportFeatures(rep),
		csv: func(w io.Writer) error { return overlaps.WriteReportCSV(w, rep) }, text: func(w io.Writer) error { return writeReportText(w, rep) }})
}

// answer is what a command writes, in each of its formats.
type answer struct {
	json, geojson any                   // --format json (indented), geojson
	csv, text     func(io.Writer) error // --format csv, text
}

// writeAnswer writes a in format to the file out, or to stdout when out is
// empty.
func writeAnswer(stdout io.Writer, out, format string, a answer) error {
	w, closeOut, err := openOutput(stdout, out)
	if err != nil {
		return err
	}
	defer closeOut()
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(a.json)
	case "geojson":
		return json.NewEncoder(w).Encode(a.geojson)
	case "csv":
		return a.csv(w)
	}
	return a.text(w)
}

// output returns where the command writes, and a function to close it.
func (c *checkCmd) output() (io.Writer, func() error, error) {
	return openOutput(c.stdout, c.out)
}

// openOutput opens the file path for writing, or returns stdout when path is
// empty.
func openOutput(stdout io.Writer, path string) (io.Writer, func() error, error) {
	if path == "" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

// runReroute proposes an alternative for each alignment.
func (c *checkCmd) runReroute(ctx context.Context, engine *overlaps.Engine, alignments []overlaps.Alignment, opts overlaps.Options) error {
	w, closeOut, err := c.output()
	if err != nil {
		return err
	}
	defer closeOut()
	all := overlaps.FeatureCollection{Type: "FeatureCollection", Features: []overlaps.Feature{}}
	var results []*overlaps.RerouteResult
	for i, a := range alignments {
		res, err := engine.Reroute(ctx, a, opts)
		if err != nil {
			return fmt.Errorf("alignment %d %s: %w", i, a.ID, err)
		}
		results = append(results, res)
		all.Features = append(all.Features, overlaps.RerouteFeatures(a, res).Features...)
		if c.format != "text" {
			continue
		}
		name := a.ID
		if name == "" {
			name = fmt.Sprintf("alignment %d", i)
		}
		o := res.Original.Summary
		fmt.Fprintf(w, "%s: %.2f km, crosses %d polygons over %.2f km\n", name, o.LengthM/1000, o.PolygonsCrossed, o.LengthInsideM/1000)
		var unavoidable []string
		for _, p := range res.Unavoidable {
			unavoidable = append(unavoidable, p.Layer+"/"+p.ID+" "+p.Name)
		}
		if len(unavoidable) > 0 {
			fmt.Fprintf(w, "  cannot avoid (an end of the alignment lies in or next to them): %s\n", strings.Join(unavoidable, ", "))
		}
		if len(res.Alternatives) == 0 {
			fmt.Fprintln(w, "  no alternative needed: nothing else is crossed")
		}
		for _, alt := range res.Alternatives {
			var avoided []string
			for _, p := range alt.Avoided {
				avoided = append(avoided, p.Layer+"/"+p.ID+" "+p.Name)
			}
			clearOf := "every polygon"
			if len(unavoidable) > 0 {
				clearOf = "every other polygon"
			}
			fmt.Fprintf(w, "  alternative: %.2f km (+%.2f km, +%.1f%%), clear of %s; goes around %s\n",
				alt.LengthM/1000, alt.AddedLengthM/1000, alt.AddedPct, clearOf, strings.Join(avoided, ", "))
		}
	}
	switch c.format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	case "geojson":
		return json.NewEncoder(w).Encode(all)
	}
	return nil
}

// writeReportText prints a report for a person at a terminal.
func writeReportText(w io.Writer, rep *overlaps.Report) error {
	fmt.Fprintf(w, "Right of way %.0f m, clearance %.0f m; layers:", rep.RowWidthM, rep.ClearanceM)
	for _, l := range rep.Layers {
		fmt.Fprintf(w, " %s (v%d)", l.Layer, l.Version)
	}
	fmt.Fprintln(w)
	for _, a := range rep.Alignments {
		name := a.AlignmentID
		if name == "" {
			name = fmt.Sprintf("alignment %d", a.Alignment)
		}
		fmt.Fprintf(w, "\n%s: %.2f km, %.2f km inside (%.1f%%) %d polygons, %d crossings, corridor %.2f ha, %d near-misses\n",
			name, a.LengthM/1000, a.LengthInsideM/1000, a.ShareInsidePct, a.PolygonsCrossed, a.Crossings, a.CorridorAreaHa, a.NearMisses)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  LAYER\tID\tNAME\tINSIDE m\tCROSSINGS\tENTRY km\tEXIT km\tCORRIDOR ha\t% OF LINE\t% OF POLYGON")
		for _, c := range rep.Crossings {
			if c.Alignment != a.Alignment {
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%.1f\t%d\t%s\t%s\t%.3f\t%.2f\t%.2f\n", c.Layer, c.ID, c.Name, c.LengthM, c.Crossings,
				kmList(c.Entries), kmList(c.Exits), c.CorridorAreaHa, c.ShareOfAlignmentPct, c.ShareOfPolygonPct)
		}
		for _, n := range rep.NearMisses {
			if n.Alignment != a.Alignment {
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\tnear miss: %.1f m away\t\t\t\t\t\t\n", n.Layer, n.ID, n.Name, n.MinDistanceM)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	s := rep.Summary
	_, err := fmt.Fprintf(w, "\nTotal: %d alignments, %.2f km; %d polygons crossed, %d crossings, %.2f km inside, corridor %.2f ha, %d near-misses\n",
		s.Alignments, s.LengthM/1000, s.PolygonsCrossed, s.Crossings, s.LengthInsideM/1000, s.CorridorAreaHa, s.NearMisses)
	return err
}

func kmList(ws []overlaps.Waypoint) string {
	parts := make([]string, len(ws))
	for i, p := range ws {
		parts[i] = fmt.Sprintf("%.3f", p.ChainageKm)
	}
	return strings.Join(parts, ",")
}
