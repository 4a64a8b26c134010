package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/coalmap/coalmap/layers"
)

// bandKeeper builds the tiles' zoom bands of layers that lack them (new,
// or just re-imported: an import drops the old bands), one layer at a time
// in the background; tiles come from the layer tables meanwhile.
type bandKeeper struct {
	catalog  *layers.Catalog
	prepared func(ctx context.Context, id string) (bool, error)
	prepare  func(ctx context.Context, id string) error
	log      *slog.Logger
}

// run scans once start is closed, then after every change the catalog
// reports, and every interval in any case, until ctx ends.
func (k *bandKeeper) run(ctx context.Context, start <-chan struct{}, every time.Duration) {
	changes := k.catalog.Subscribe()
	select {
	case <-start:
	case <-ctx.Done():
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		k.scan(ctx)
		select {
		case <-ctx.Done():
			return
		case <-changes:
		case <-tick.C:
		}
	}
}

func (k *bandKeeper) scan(ctx context.Context) {
	for _, l := range k.catalog.Snapshot().Layers() {
		if ctx.Err() != nil {
			return
		}
		ok, err := k.prepared(ctx, l.ID)
		if err != nil || ok {
			continue
		}
		t0 := time.Now()
		if err := k.prepare(ctx, l.ID); err != nil {
			if ctx.Err() == nil {
				k.log.Warn("building tile bands", "layer", l.ID, "err", err)
			}
			continue
		}
		k.log.Debug("tile bands built", "layer", l.ID, "duration", time.Since(t0).Round(time.Millisecond))
	}
}
