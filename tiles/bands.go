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
	k.scan(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case ch := <-changes:
			if ch.Kind == layers.ChangeMetadata || ch.Kind == layers.ChangeDeleted {
				continue
			}
			k.build(ctx, ch.Layer)
		case <-tick.C:
			k.scan(ctx)
		}
	}
}

// scan builds the bands of every layer whose bands are stale.
func (k *BandKeeper) scan(ctx context.Context) {
	for _, l := range k.src.Snapshot().Layers() {
		if ctx.Err() != nil {
			return
		}
		k.build(ctx, l.ID)
	}
}

// build builds a layer's bands if they are stale.
func (k *BandKeeper) build(ctx context.Context, id string) {
	ok, err := k.builder.BandsCurrent(ctx, id)
	if err != nil || ok {
		return
	}
	t0 := time.Now()
	if err := k.builder.BuildBands(ctx, id); err != nil {
		if ctx.Err() == nil {
			k.log.Warn("building tile bands", "layer", id, "err", err, "cause", layers.Cause(err))
		}
		return
	}
	if k.Built != nil {
		k.Built(id)
	}
	k.log.Debug("tile bands built", "layer", id, "duration", time.Since(t0).Round(time.Millisecond))
}
