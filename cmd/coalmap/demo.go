package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/coalmap/coalmap/data"
	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
)

// DefaultDemoSeed is the seed of the demo catalog's generator.
const DefaultDemoSeed = data.DefaultSeed

// demoCmd loads the demo catalog.
type demoCmd struct {
	stdout, stderr io.Writer
	seed           int64
	jobs           int
	db             dbConfig
	log            logConfig
}

func (c *demoCmd) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	c.db.register(fs)
	c.log.register(fs)
	fs.Int64Var(&c.seed, "seed", DefaultDemoSeed, "seed of the generated features (env COALMAP_SEED)")
	fs.IntVar(&c.jobs, "jobs", 3, "layers loaded at once (env COALMAP_JOBS)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if c.jobs < 1 {
		return fmt.Errorf("--jobs must be at least 1, got %d", c.jobs)
	}
	return c.db.validate()
}

func (c *demoCmd) Run(ctx context.Context) error {
	log, err := c.log.logger(c.stderr)
	if err != nil {
		return err
	}
	// Each import holds up to four connections (COPY, its lease, progress,
	// the tile bands built as it copies).
	store, done, err := openStore(ctx, c.db, c.log, c.stderr, int32(4*c.jobs+2))
	if err != nil {
		return err
	}
	defer done()
	m := data.Demo()
	imports := layers.NewImports(ctx, store, store, layers.ImportsConfig{Parallel: c.jobs, MaxQueued: len(m.Layers)}, log)
	defer imports.Close()
	start := time.Now()
	sum, err := loadDemo(ctx, imports, m, c.seed, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "demo catalog: %d layers (%d loaded, %d unchanged), %d features in %v\n",
		sum.Layers, sum.Loaded, sum.Unchanged, sum.Features, time.Since(start).Round(time.Millisecond))
	return nil
}

// demoSummary counts what loadDemo did.
type demoSummary struct {
	Layers, Loaded, Unchanged int
	Features                  int64
}

// loadDemo loads every layer of m through the analysts' import service: the
// generated features streamed into the layer table, the layer created with
// its manifest metadata. A layer already loaded from the same manifest
// entry and seed is left alone, so a second run is quick.
func loadDemo(ctx context.Context, imports *layers.Imports, m data.Manifest, seed int64, log *slog.Logger) (demoSummary, error) {
	sum := demoSummary{Layers: len(m.Layers)}
	var errs []error
	jobs := make([]int64, len(m.Layers))
	for i, e := range m.Layers {
		src := newEntrySource(e, seed)
		meta := e.Layer
		job, err := imports.Start(ctx, layers.ImportSpec{
			Layer: e.ID, Source: src, Meta: &meta,
			SourceName: fmt.Sprintf("coalmap demo generator (seed %d)", seed),
			Checksum:   demoChecksum(e, seed),
			Actor:      "demo",
			Release:    src.Close,
		})
		if err != nil {
			src.Close()
			errs = append(errs, fmt.Errorf("demo layer %s: %w", e.ID, err))
			continue
		}
		jobs[i] = job.ID
	}
	for i, id := range jobs {
		if id == 0 {
			continue
		}
		res, err := imports.Wait(context.WithoutCancel(ctx), id)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("demo layer %s: %w", m.Layers[i].ID, err))
		case res.Unchanged:
			sum.Unchanged++
		default:
			sum.Loaded++
			log.Debug("demo layer loaded", "layer", m.Layers[i].ID, "features", res.Features, "duration", res.Duration)
		}
		sum.Features += res.Features
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	return sum, errors.Join(errs...)
}

// demoChecksum identifies a manifest entry, seed and generator version: the
// generator is deterministic, so the same checksum means the same features.
func demoChecksum(e data.Entry, seed int64) string {
	h := sha256.New()
	b, _ := json.Marshal(e)
	fmt.Fprintf(h, "coalmap-demo seed=%d generator=%d\n", seed, data.GeneratorVersion)
	h.Write(b)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// entrySource adapts the demo generator of one manifest entry to the
// import's FeatureSource: the generator's GeoJSON features become
// formats.Features, its dictionary the fields.
type entrySource struct {
	next   func() (*geojson.Feature, error, bool)
	stop   func()
	fields []formats.Field
	index  int
}

var _ layers.FeatureSource = (*entrySource)(nil)

func newEntrySource(e data.Entry, seed int64) *entrySource {
	next, stop := iter.Pull2(e.Features(seed))
	s := &entrySource{next: next, stop: stop}
	for _, a := range e.Attributes {
		s.fields = append(s.fields, formats.Field{Name: a.Name, Original: a.Name, Type: a.Type})
	}
	return s
}

func (s *entrySource) Next() (*formats.Feature, error) {
	f, err, ok := s.next()
	if !ok {
		return nil, io.EOF
	}
	if err != nil {
		return nil, err
	}
	out := &formats.Feature{Index: s.index, Geometry: f.Geometry, Properties: f.Properties}
	s.index++
	switch id := f.ID.(type) {
	case nil:
	case string:
		out.ID = id
	case float64:
		out.ID = fmt.Sprint(int64(id))
	default:
		out.ID = fmt.Sprint(id)
	}
	return out, nil
}

func (s *entrySource) Fields() []formats.Field { return s.fields }
func (s *entrySource) CRS() formats.CRS {
	return formats.CRS{SRID: geo.SRIDWGS84, From: "demo generator"}
}
func (s *entrySource) Close() { s.stop() }
