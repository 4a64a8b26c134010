package tiles

import (
	"context"
	"log/slog"
	"time"

	"github.com/coalmap/coalmap/layers"
)

// BandBuilder builds the generalised zoom bands tiles are cut from. Bands
// are a derived artefact with their own state: built from data version N.
// Building them is not a change of the data: it bumps no version and
// announces nothing. Package postgis implements it.
type BandBuilder interface {
	// BandsCurrent reports whether a layer's bands were built from its
	// current data version.
	BandsCurrent(ctx context.Context, layer string) (bool, error)
	// BuildBands builds a layer's bands from its current data, unless
	// another process is building them (then it returns nil at once).
	BuildBands(ctx context.Context, layer string) error
}

// ChangeSource is what the band keeper follows: the catalog's snapshot and
// its change events (layers.Catalog).
type ChangeSource interface {
	Snapshot() *layers.Snapshot
	Subscribe() <-chan layers.Change
}

// BandKeeper keeps every layer's zoom bands built for its current data
// version, in the background, one layer at a time: a subscriber of the
// change event (a data change, a new layer or edited features make a
// layer's bands stale; metadata does not). Tiles come from the layer table
// while a layer's bands are stale, so a slow build never shows old data.
type BandKeeper struct {
	src     ChangeSource
	builder BandBuilder
	log     *slog.Logger
	// Built, when not nil, is called after a layer's bands are built (the
	// tile service drops the layer's cached tiles, cut from the layer
	// table).
	Built func(layer string)
	// Retry is the period at which a layer whose bands were left stale
	// (another process held its build, or the build failed) is tried
	// again, sooner than the full scan: the other process may have been
	// killed mid-build. 10 s when 0.
	Retry time.Duration
}

// NewBandKeeper returns a keeper of src's layers' bands.
func NewBandKeeper(src ChangeSource, b BandBuilder, log *slog.Logger) *BandKeeper {
	if log == nil {
		log = slog.Default()
	}
	return &BandKeeper{src: src, builder: b, log: log}
}

// Run builds what is stale once start is closed, then the bands of each
// layer whose data changes, and scans every layer every interval in any
// case (a change missed, a build another process gave up), until ctx ends.
func (k *BandKeeper) Run(ctx context.Context, start <-chan struct{}, every time.Duration) {
	changes := k.src.Subscribe()
	select {
	case <-start:
	case <-ctx.Done():
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	retry := k.Retry
	if retry <= 0 {
		retry = 10 * time.Second
	}
	again := time.NewTicker(retry)
	defer again.Stop()
	stale := map[string]bool{}
	k.scan(ctx, stale)
	for {
		select {
		case <-ctx.Done():
			return
		case ch := <-changes:
			if ch.Kind == layers.ChangeMetadata || ch.Kind == layers.ChangeDeleted {
				if ch.Kind == layers.ChangeDeleted {
					delete(stale, ch.Layer)
				}
				continue
			}
			k.build(ctx, ch.Layer, stale)
		case <-again.C:
			for id := range stale {
				if ctx.Err() != nil {
					return
				}
				if _, ok := k.src.Snapshot().Layer(id); !ok {
					delete(stale, id)
					continue
				}
				k.build(ctx, id, stale)
			}
		case <-tick.C:
			k.scan(ctx, stale)
		}
	}
}

// scan builds the bands of every layer whose bands are stale.
func (k *BandKeeper) scan(ctx context.Context, stale map[string]bool) {
	for _, l := range k.src.Snapshot().Layers() {
		if ctx.Err() != nil {
			return
		}
		k.build(ctx, l.ID, stale)
	}
}

// build builds a layer's bands if they are stale, and notes in stale the
// layers it leaves so: their build failed, or another process holds it.
func (k *BandKeeper) build(ctx context.Context, id string, stale map[string]bool) {
	ok, err := k.builder.BandsCurrent(ctx, id)
	if err != nil || ok {
		if ok {
			delete(stale, id)
		}
		return
	}
	t0 := time.Now()
	if err := k.builder.BuildBands(ctx, id); err != nil {
		if ctx.Err() == nil {
			stale[id] = true
			k.log.Warn("building tile bands", "layer", id, "err", err, "cause", layers.Cause(err))
		}
		return
	}
	// BuildBands returns at once when another process holds the build:
	// the layer is tried again in a while, in case that process dies.
	if ok, err := k.builder.BandsCurrent(ctx, id); err != nil || !ok {
		stale[id] = true
		return
	}
	delete(stale, id)
	if k.Built != nil {
		k.Built(id)
	}
	k.log.Debug("tile bands built", "layer", id, "duration", time.Since(t0).Round(time.Millisecond))
}
