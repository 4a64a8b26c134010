package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
)

// routeCmd plans alternative alignments (POST /routes on the command line).
type routeCmd struct {
	stdout, stderr io.Writer
	db             dbConfig
	log            logConfig
	from, to       string
	waypoints      multiFlag
	mode           string
	k              int
	maxShared      float64
	hard           string
	softPolys      multiFlag
	crossings      multiFlag
	parallel       multiFlag
	angleCost      float64
	noSoft         bool
	rowWidthM      float64
	voltageKV      int
	circuit        string
	rail           bool
	clearanceM     float64
	minSectionM    float64
	format         string
	out            string
	file           string
	req            *overlaps.RouteRequest
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (c *routeCmd) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("route", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintln(c.stderr, "usage: coalmap route [--from LON,LAT --to LON,LAT] [--waypoint LON,LAT]… [--mode free|keep] [--k 3] [--hard coal_blocks,…]\n"+
			"       [--soft-polygons LAYER:COST_PER_KM]… [--crossings LAYER:PENALTY_KM]… [--parallel LAYER:BONUS_PER_KM:WITHIN_M]… [--angle-cost KM] [--no-soft]\n"+
			"       [--row-width-m W | --voltage-kv KV [--circuit sc-delta|dc|sc-horizontal] | --rail] [--clearance-m 0] [--format text|json|geojson|csv] [-o FILE] [ALIGNMENT.{geojson,kml}]")
		fs.PrintDefaults()
	}
	c.db.register(fs)
	c.log.register(fs)
	fs.StringVar(&c.from, "from", "", "start point lon,lat (default: the alignment's start)")
	fs.StringVar(&c.to, "to", "", "end point lon,lat (default: the alignment's end)")
	fs.Var(&c.waypoints, "waypoint", "a point lon,lat the route must pass, in order (repeatable)")
	fs.StringVar(&c.mode, "mode", "free", "free: route between the ends; keep: keep the alignment where clear, replace the conflicting stretches")
	fs.IntVar(&c.k, "k", overlaps.DefaultK, "alternatives wanted, 1 to 5")
	fs.Float64Var(&c.maxShared, "max-shared", overlaps.DefaultMaxShared, "the most any two alternatives may share, as a fraction of length")
	fs.StringVar(&c.hard, "hard", "coal_blocks", "polygon layers no route may come within the margin of, comma-separated")
	fs.Var(&c.softPolys, "soft-polygons", "LAYER:COST_PER_KM — a soft cost per km inside a polygon layer (repeatable)")
	fs.Var(&c.crossings, "crossings", "LAYER:PENALTY_KM — a penalty per crossing of a line layer (repeatable)")
	fs.Var(&c.parallel, "parallel", "LAYER:BONUS_PER_KM:WITHIN_M — a bonus per km within WITHIN_M of a line layer (repeatable)")
	fs.Float64Var(&c.angleCost, "angle-cost", -1, "cost of an angle point in km (default 0.2 with the default soft costs, else 0)")
	fs.BoolVar(&c.noSoft, "no-soft", false, "no soft costs at all: the shortest routes")
	fs.Float64Var(&c.rowWidthM, "row-width-m", 0, "right-of-way width in metres")
	fs.IntVar(&c.voltageKV, "voltage-kv", 0, "transmission voltage: sets the width from the corridor table")
	fs.StringVar(&c.circuit, "circuit", "", "circuit configuration with --voltage-kv: sc-delta, dc, sc-horizontal (765 kV)")
	fs.BoolVar(&c.rail, "rail", false, "a railway corridor")
	fs.Float64Var(&c.clearanceM, "clearance-m", 0, "clearance in metres kept beyond half the right of way")
	fs.Float64Var(&c.minSectionM, "min-section-m", -1, "shortest straight section between angle points (default: the corridor's)")
	fs.StringVar(&c.format, "format", "text", "output: text, json, geojson or csv")
	fs.StringVar(&c.out, "o", "", "write to this file instead of standard output")
	if err := parseFlags(fs, args, true); err != nil {
		return err
	}
	switch c.format {
	case "text", "json", "geojson", "csv":
	default:
		return fmt.Errorf("--format %q: want text, json, geojson or csv", c.format)
	}
	if fs.NArg() > 1 {
		return errors.New("give at most one alignment file")
	}
	if fs.NArg() == 1 {
		c.file = fs.Arg(0)
	}
	req := &overlaps.RouteRequest{Mode: overlaps.RouteMode(c.mode), K: c.k, MaxShared: c.maxShared, ClearanceM: c.clearanceM,
		Corridor: overlaps.Corridor{RowWidthM: c.rowWidthM, VoltageKV: c.voltageKV, Circuit: c.circuit, Rail: c.rail}}
	var err error
	if c.from != "" {
		if req.From, err = lonLatFlag("--from", c.from); err != nil {
			return err
		}
	}
	if c.to != "" {
		if req.To, err = lonLatFlag("--to", c.to); err != nil {
			return err
		}
	}
	for i, w := range c.waypoints {
		p, err := lonLatFlag(fmt.Sprintf("--waypoint %d", i+1), w)
		if err != nil {
			return err
		}
		req.Waypoints = append(req.Waypoints, *p)
	}
	for _, l := range strings.Split(c.hard, ",") {
		if l = strings.TrimSpace(l); l != "" {
			req.Hard = append(req.Hard, l)
		}
	}
	if c.minSectionM >= 0 {
		v := c.minSectionM
		req.MinSectionM = &v
	}
	if c.noSoft || len(c.softPolys)+len(c.crossings)+len(c.parallel) > 0 || c.angleCost >= 0 {
		soft := &overlaps.SoftCosts{Polygons: []overlaps.PolygonCost{}, Crossings: []overlaps.CrossingCost{}, Parallel: []overlaps.ParallelBonus{}}
		for _, s := range c.softPolys {
			parts, err := specFlag("--soft-polygons", s, 2)
			if err != nil {
				return err
			}
			soft.Polygons = append(soft.Polygons, overlaps.PolygonCost{Layer: parts[0].s, CostPerKm: parts[1].f})
		}
		for _, s := range c.crossings {
			parts, err := specFlag("--crossings", s, 2)
			if err != nil {
				return err
			}
			soft.Crossings = append(soft.Crossings, overlaps.CrossingCost{Layer: parts[0].s, PenaltyKm: parts[1].f})
		}
		for _, s := range c.parallel {
			parts, err := specFlag("--parallel", s, 3)
			if err != nil {
				return err
			}
			soft.Parallel = append(soft.Parallel, overlaps.ParallelBonus{Layer: parts[0].s, BonusPerKm: parts[1].f, WithinM: parts[2].f})
		}
		if c.angleCost >= 0 {
			soft.AnglePointKm = c.angleCost
		}
		req.Soft = soft
	}
	c.req = req
	return c.db.validate()
}

type specPart struct {
	s string
	f float64
}

// specFlag splits LAYER:NUMBER[:NUMBER].
func specFlag(name, v string, n int) ([]specPart, error) {
	parts := strings.Split(v, ":")
	if len(parts) != n || parts[0] == "" {
		want := map[int]string{2: "LAYER:NUMBER", 3: "LAYER:NUMBER:NUMBER"}[n]
		return nil, fmt.Errorf("%s %q: want %s", name, v, want)
	}
	out := []specPart{{s: parts[0]}}
	for _, p := range parts[1:] {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %q is not a number", name, v, p)
		}
		out = append(out, specPart{f: f})
	}
	return out, nil
}

func lonLatFlag(name, v string) (*orb.Point, error) {
	parts := strings.Split(v, ",")
	if len(parts) != 2 {
		return nil, fmt.Errorf("%s %q: want LON,LAT", name, v)
	}
	var p orb.Point
	for i, s := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %q is not a number", name, v, s)
		}
		p[i] = f
	}
	return &p, nil
}

func (c *routeCmd) Run(ctx context.Context) error {
	log, err := c.log.logger(c.stderr)
	if err != nil {
		return err
	}
	if c.file != "" {
		as, err := overlaps.ReadAlignmentsFile(c.file)
		if err != nil {
			return fmt.Errorf("%s: %w", c.file, err)
		}
		if len(as) != 1 {
			return fmt.Errorf("%s: want one alignment, got %d", c.file, len(as))
		}
		ls, ok := as[0].Geom.(orb.LineString)
		if mls, multi := as[0].Geom.(orb.MultiLineString); multi && len(mls) == 1 {
			ls, ok = mls[0], true
		}
		if !ok {
			return fmt.Errorf("%s: want one LineString", c.file)
		}
		c.req.Alignment, c.req.AlignmentID = ls, as[0].ID
	}
	pool, done, err := openPool(ctx, c.db, log, 4)
	if err != nil {
		return err
	}
	defer done()
	cfg := overlaps.DefaultConfig()
	cfg.Lines = postgis.NewRuns(pool)
	engine := overlaps.New(postgis.NewPolygons(pool), cfg)
	res, err := engine.Routes(ctx, c.req)
	if err != nil {
		return routeError(err, c.file)
	}
	return writeAnswer(c.stdout, c.out, c.format, answer{json: res, geojson: overlaps.RoutesFeatures(res),
		csv: func(w io.Writer) error { return overlaps.WriteRoutesCSV(csv.NewWriter(w), res) }, text: func(w io.Writer) error { return writeRoutesText(w, res) }})
}

// routeError says what is wrong with a route request in the command's own
// words: the flag (or the alignment file) instead of the request's field.
func routeError(err error, file string) error {
	var in *overlaps.RouteInputError
	if errors.As(err, &in) {
		return fmt.Errorf("%s: %s", flagOf(in.Field, file), in.Reason)
	}
	var bl *overlaps.RouteBlockedError
	if errors.As(err, &bl) {
		return errors.New(strings.TrimPrefix(bl.Error(), overlaps.ErrRouteBlocked.Error()+": "))
	}
	return err
}

// routeFlags maps a request field (its first part) to the flag that sets it.
var routeFlags = map[string]string{
	"k": "--k", "max_shared": "--max-shared", "mode": "--mode", "clearance_m": "--clearance-m", "min_section_m": "--min-section-m",
	"from": "--from", "to": "--to", "waypoints": "--waypoint", "hard": "--hard",
	"corridor.row_width_m": "--row-width-m", "corridor.voltage_kv": "--voltage-kv", "corridor.circuit": "--circuit", "corridor.rail": "--rail",
	"soft.polygons": "--soft-polygons", "soft.crossings": "--crossings", "soft.parallel": "--parallel", "soft.angle_point_km": "--angle-cost",
}

// flagOf names the flag behind a request field ("soft.crossings[1].layer" →
// "--crossings #2"); the alignment's fields are the file's.
func flagOf(field, file string) string {
	if field == "alignment" || strings.HasPrefix(field, "alignment.") {
		if file == "" {
			return "the alignment (give a file, or --from and --to)"
		}
		return file
	}
	head, index := field, ""
	if i := strings.IndexByte(field, '['); i >= 0 {
		head = field[:i]
		if j := strings.IndexByte(field[i:], ']'); j > 0 {
			if n, err := strconv.Atoi(field[i+1 : i+j]); err == nil {
				index = fmt.Sprintf(" #%d", n+1)
			}
		}
	}
	if f, ok := routeFlags[head]; ok {
		return f + index
	}
	return field
}

// writeRoutesText writes the routes as a table, the original first.
func writeRoutesText(w io.Writer, res *overlaps.RoutesResult) error {
	p := res.Parameters
	fmt.Fprintf(w, "corridor %s (%g m), clearance %g m: margin %g m from %s; mode %s, k %d\n",
		p.Corridor.Label, p.Corridor.RowWidthM, p.ClearanceM, p.MarginM, strings.Join(p.Hard, ", "), p.Mode, p.K)
	if len(res.Unavoidable) > 0 {
		var names []string
		for _, u := range res.Unavoidable {
			names = append(names, u.Layer+"/"+u.ID)
		}
		fmt.Fprintf(w, "unavoidable (an end lies in or near them): %s\n", strings.Join(names, ", "))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rank\tkind\tlength km\tadded km\tadded %\tangles\thard crossings\tmin clearance m\tcrossings\tsoft ha\tcost\t")
	for _, r := range res.Routes {
		clear := "-"
		if r.MinClearanceM != nil {
			clear = fmt.Sprintf("%.1f", *r.MinClearanceM)
		}
		var cross, soft []string
		for k, v := range r.Crossings {
			if k != "hard" && v > 0 {
				cross = append(cross, fmt.Sprintf("%s %d", k, v))
			}
		}
		for k, v := range r.SoftHa {
			if v > 0 {
				soft = append(soft, fmt.Sprintf("%s %.1f", k, v))
			}
		}
		sort.Strings(cross)
		sort.Strings(soft)
		fmt.Fprintf(tw, "%d\t%s\t%.3f\t%+.3f\t%+.2f\t%d\t%d\t%s\t%s\t%s\t%.3f\t\n", r.Rank, r.Kind, r.LengthM/1000, r.AddedLengthM/1000, r.AddedPct,
			r.AnglePoints, r.Crossings["hard"], clear, orDash(strings.Join(cross, ", ")), orDash(strings.Join(soft, ", ")), r.Cost)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
