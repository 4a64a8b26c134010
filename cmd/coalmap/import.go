package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/coalmap/coalmap/data"
	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/migrations"
	"github.com/coalmap/coalmap/postgis"
)

// importCmd loads files into layers: one layer from files, or every layer
// of a manifest in parallel.
type importCmd struct {
	stdout, stderr io.Writer

	db       dbConfig
	log      logConfig
	layer    string
	manifest string
	jobs     int
	title    string
	srid     int
	idField  string
	encoding string
	srcLayer string
	format   string
	invalid  string
	outside  bool
	asJSON   bool
	maxUnzip int64
	files    []string
	mode     layers.InvalidMode
	logger   *slog.Logger
}

func (c *importCmd) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintln(c.stderr, "usage: coalmap import --layer ID [--srid N] [--id-field F] [--title T] FILE…\n       coalmap import --manifest FILE [--jobs N]")
		fs.PrintDefaults()
	}
	c.db.register(fs)
	c.log.register(fs)
	fs.StringVar(&c.layer, "layer", "", "the layer to create or replace")
	fs.StringVar(&c.manifest, "manifest", "", "a manifest (the demo catalog's format): import every layer with a source file")
	fs.IntVar(&c.jobs, "jobs", 2, "layers imported at once with --manifest (env COALMAP_JOBS)")
	fs.StringVar(&c.title, "title", "", "the layer's title (a new layer: default its id)")
	fs.IntVar(&c.srid, "srid", 0, "EPSG code of the files' CRS, when they do not say or say wrongly")
	fs.StringVar(&c.idField, "id-field", "", "the attribute that holds each feature's id (default: the file's own ids, else 1, 2, 3…)")
	fs.StringVar(&c.encoding, "encoding", "", "text encoding of a shapefile's .dbf (overrides .cpg and detection)")
	fs.StringVar(&c.srcLayer, "source-layer", "", "the layer of a GeoPackage, or the shapefile of a folder or zip, to read")
	fs.StringVar(&c.format, "format", "", "force a reader: geojson, geojsonseq, shapefile, gpkg, kml, kmz, csv, ogr")
	fs.StringVar(&c.invalid, "invalid", "repair", "invalid geometries: repair (ST_MakeValid, counted) or reject (left out, each named)")
	fs.BoolVar(&c.outside, "allow-outside", false, "accept data outside India's bounds (68–98°E, 6–38°N) after reprojection")
	fs.BoolVar(&c.asJSON, "json", false, "print the reports as JSON on stdout")
	fs.Int64Var(&c.maxUnzip, "max-uncompressed", 4<<30, "bytes a .zip or .kmz may decompress to")
	if err := parseFlags(fs, args, true); err != nil {
		return err
	}
	c.files = fs.Args()
	var err error
	if c.mode, err = layers.ParseInvalidMode(c.invalid); err != nil {
		return fmt.Errorf("--invalid %q: want repair or reject", c.invalid)
	}
	switch {
	case c.layer != "" && c.manifest != "":
		return errors.New("give --layer with files, or --manifest, not both")
	case c.manifest != "":
		if len(c.files) > 0 {
			return fmt.Errorf("--manifest takes no files (got %q): the manifest names them", c.files[0])
		}
	case c.layer != "":
		if !layers.ValidID(c.layer) {
			return fmt.Errorf("--layer %q: want lower-case letters, digits and _, starting with a letter", c.layer)
		}
		if len(c.files) == 0 {
			return errors.New("no file to import: coalmap import --layer ID FILE…")
		}
	default:
		fs.Usage()
		return errors.New("--layer ID FILE… or --manifest FILE is required")
	}
	if c.jobs < 1 {
		return fmt.Errorf("--jobs must be at least 1, got %d", c.jobs)
	}
	if c.srid < 0 {
		return fmt.Errorf("--srid %d: want an EPSG code", c.srid)
	}
	return c.db.validate()
}

// importTask is one layer to import.
type importTask struct {
	id    string
	meta  *layers.Layer // the manifest's metadata, or nil
	files []string
	srid  int
	note  string // why there is nothing to import, when files is empty
}

// importOutcome is how one task ended.
type importOutcome struct {
	task importTask
	res  layers.ImportResult
	err  error
}

func (c *importCmd) Run(ctx context.Context) error {
	log, err := c.log.logger(c.stderr)
	if err != nil {
		return err
	}
	c.logger = log
	tasks, err := c.tasks()
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, c.db, log, false)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	// Each import holds up to four connections (COPY, its lease, progress,
	// its tile bands): opened at once, in the background.
	pool, err := postgis.ConnectWarm(ctx, db.URL, int32(4*c.jobs+2), int32(4*min(c.jobs, len(tasks))))
	if err != nil {
		return err
	}
	defer pool.Close()
	ms, err := postgis.LoadMigrations(migrations.FS)
	if err != nil {
		return err
	}
	if _, err := postgis.Migrate(ctx, pool, ms); err != nil {
		return err
	}
	store := postgis.NewStore(pool)
	if n, err := store.CleanStaging(ctx); err != nil {
		return err
	} else if n > 0 {
		fmt.Fprintf(c.stderr, "dropped %d staging table(s) left by interrupted imports\n", n)
	}

	// The import service runs the layers, c.jobs at a time; this command
	// starts them, shows their progress and prints how they ended.
	imports := layers.NewImports(ctx, store, store, layers.ImportsConfig{Parallel: c.jobs, MaxQueued: len(tasks)}, log)
	defer imports.Close()
	b := newBoard(c.stderr)
	go b.run()
	outcomes := make([]importOutcome, len(tasks))
	jobs := make([]int64, len(tasks))
	for i, t := range tasks {
		outcomes[i] = importOutcome{task: t}
		if len(t.files) == 0 {
			b.finish(t.id, "skipped: "+t.note)
			continue
		}
		job, err := imports.Start(ctx, c.spec(t, b))
		if err != nil {
			outcomes[i].err = err
			b.finish(t.id, "FAILED (previous data kept): "+err.Error())
			continue
		}
		jobs[i] = job.ID
	}
	for i, id := range jobs {
		if id != 0 {
			// Cancelling ctx cancels the imports (the service's base): wait
			// for them to be recorded so.
			outcomes[i].res, outcomes[i].err = imports.Wait(context.WithoutCancel(ctx), id)
		}
	}
	b.stop()
	return c.summarise(outcomes)
}

// tasks lists the layers to import.
func (c *importCmd) tasks() ([]importTask, error) {
	if c.manifest == "" {
		return []importTask{{id: c.layer, files: c.files, srid: c.srid}}, nil
	}
	f, err := os.Open(c.manifest)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := data.ParseManifest(f)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(c.manifest)
	var ts []importTask
	for _, e := range m.Layers {
		meta := e.Layer
		t := importTask{id: e.ID, meta: &meta, srid: e.SRID}
		if c.srid != 0 {
			t.srid = c.srid
		}
		if e.Source == "" {
			t.note = "no source file (a generated demo layer: coalmap demo loads it)"
		} else {
			src := e.Source
			if !filepath.IsAbs(src) {
				src = filepath.Join(dir, src)
			}
			t.files = []string{src}
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// spec is the import of one task, its progress shown on the board.
func (c *importCmd) spec(t importTask, b *board) layers.ImportSpec {
	var row *boardRow
	return layers.ImportSpec{
		Layer: t.id, Files: t.files, Meta: t.meta, Title: c.title,
		Read: formats.Options{SRID: t.srid, IDField: c.idField, Encoding: c.encoding,
			SourceLayer: c.srcLayer, Format: c.format, MaxUncompressed: c.maxUnzip},
		Invalid: c.mode, AllowOutside: c.outside, Actor: "cli:" + currentUser(),
		// The service calls these from the import's goroutines, Opened
		// first, then Progress and Finished, never at once.
		Opened: func(src *layers.FileSource) {
			row = b.add(t.id)
			c.logger.Debug("import phase", "layer", t.id, "phase", "opened")
			row.mu.Lock()
			row.source = src
			row.mu.Unlock()
		},
		Progress: func(p layers.ImportProgress) {
			if row == nil {
				return
			}
			if p.Phase != row.phase() {
				c.logger.Debug("import phase", "layer", t.id, "phase", p.Phase, "features", p.Features,
					"elapsed", time.Since(row.start).Round(time.Millisecond))
			}
			row.update(p)
		},
		Finished: func(res layers.ImportResult, err error) {
			if row == nil {
				row = b.add(t.id)
			}
			b.done(row, importOutcome{task: t, res: res, err: err})
		},
	}
}

func currentUser() string {
	for _, k := range []string{"SUDO_USER", "USER", "LOGNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "unknown"
}

// summarise prints the reports (a table for several layers, every detail
// for one) and fails if any layer failed.
func (c *importCmd) summarise(outs []importOutcome) error {
	failed := 0
	for _, o := range outs {
		if o.err != nil {
			failed++
		}
	}
	if c.asJSON {
		type entry struct {
			Layer  string               `json:"layer"`
			Report *layers.ImportResult `json:"report,omitempty"`
			Error  string               `json:"error,omitempty"`
			Note   string               `json:"note,omitempty"`
		}
		var es []entry
		for _, o := range outs {
			e := entry{Layer: o.task.id, Note: o.task.note}
			if len(o.task.files) > 0 {
				r := o.res
				e.Report = &r
			}
			if o.err != nil {
				e.Error = o.err.Error()
			}
			es = append(es, e)
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(es); err != nil {
			return err
		}
	} else if len(outs) == 1 {
		printReport(c.stdout, outs[0])
	} else {
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LAYER\tSTATUS\tREAD\tLOADED\tREPAIRED\tREJECTED\tZ DROPPED\tCRS\tSECONDS")
		for _, o := range outs {
			r := o.res
			status := string(r.Status)
			switch {
			case len(o.task.files) == 0:
				status = "skipped"
			case o.err != nil && r.Status == "":
				status = "failed"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%.1f\n", o.task.id, status, r.Read, r.Features, r.Repaired, r.Rejected, r.ZDropped, r.CRS, r.Seconds)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, o := range outs {
			if o.err != nil {
				fmt.Fprintf(c.stdout, "%s: %v\n", o.task.id, o.err)
			}
		}
	}
	if failed > 0 && len(outs) == 1 {
		return errors.New("the import failed; the layer keeps its previous data")
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d layer(s) failed; the others were imported, and the failed ones keep their previous data", failed, len(outs))
	}
	return nil
}

// printReport writes everything an import did, for one layer.
func printReport(w io.Writer, o importOutcome) {
	r := o.res
	if o.err != nil {
		fmt.Fprintf(w, "layer %s: import failed; its previous data is unchanged\n  %v\n", o.task.id, o.err)
	}
	switch {
	case r.Unchanged:
		fmt.Fprintf(w, "layer %s: unchanged — the same file (%s) with the same options is already loaded (data version %d, %d features); nothing done\n",
			o.task.id, r.Checksum, r.DataVersion, r.Features)
		return
	case o.err == nil:
		fmt.Fprintf(w, "layer %s: %d features loaded (data version %d) in %.1fs\n", o.task.id, r.Features, r.DataVersion, r.Seconds)
		if v := r.Visibility; v != nil {
			fmt.Fprintf(w, "  visible   %s\n", visibility(*v))
		}
	}
	if r.Source == "" {
		return
	}
	fmt.Fprintf(w, "  source    %s (%s)\n", r.Source, r.Checksum)
	if r.CRS != "" {
		fmt.Fprintf(w, "  CRS       %s (from %s)\n", r.CRS, r.CRSFrom)
	}
	if r.Encoding != "" {
		fmt.Fprintf(w, "  encoding  %s (%s)\n", r.Encoding, r.EncodingFrom)
	}
	fmt.Fprintf(w, "  features  %d read, %d loaded, %d repaired, %d rejected, %d without geometry, %d had Z/M dropped\n",
		r.Read, r.Features, r.Repaired, r.Rejected, r.NullGeometries, r.ZDropped)
	if r.Extent != nil {
		fmt.Fprintf(w, "  extent    %.5f, %.5f, %.5f, %.5f\n", r.Extent[0], r.Extent[1], r.Extent[2], r.Extent[3])
	}
	if len(r.Widened) > 0 {
		fmt.Fprintf(w, "  widened   %s (types changed after the first features)\n", strings.Join(r.Widened, ", "))
	}
	for _, l := range []struct {
		what string
		list []layers.Rejection
		n    int64
	}{{"repaired", r.Repairs, r.Repaired}, {"rejected", r.Rejections, r.Rejected}} {
		const show = 20
		for i, x := range l.list {
			if i == show {
				break
			}
			id := ""
			if x.ID != "" {
				id = fmt.Sprintf(" (id %s)", x.ID)
			}
			fmt.Fprintf(w, "  %s feature %d%s: %s\n", l.what, x.Feature, id, x.Reason)
		}
		if l.n > show {
			fmt.Fprintf(w, "  … and %d more %s\n", l.n-show, l.what)
		}
	}
}

// visibility says how an import reached the servers following the change
// feed.
func visibility(v layers.Visibility) string {
	switch {
	case v.Listeners == 0:
		return "no server is following the changes; any that starts reads the new version"
	case v.Lagging == 0:
		return fmt.Sprintf("on all %d server(s) following the changes, %v after the commit", v.Listeners, v.Waited.Round(time.Millisecond))
	}
	return fmt.Sprintf("NOT YET on %d of %d server(s) after waiting %v (each picks it up once it catches up)",
		v.Lagging, v.Listeners, v.Waited.Round(time.Millisecond))
}
