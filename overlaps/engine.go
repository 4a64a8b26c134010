package overlaps

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
)

// Engine answers overlap checks from in-memory R-trees of polygon layers.
// A layer is loaded from the PolygonSource on first use, built aside and
// published atomically; a published layer is never changed, so checks in
// flight keep a consistent view while Invalidate makes the next check
// reload. Loaded layers are bounded by Config.MaxBytes, least recently
// used first out. An Engine is safe for concurrent use.
type Engine struct {
	src PolygonSource
	cfg Config

	mu     sync.Mutex
	layers map[string]*layerEntry
	tick   atomic.Int64

	// update serialises ApplyChange's copy-on-write updates.
	update sync.Mutex
	// Counters: whole layers loaded, and feature edits applied in place.
	loads, featureUpdates atomic.Int64
}

// layerEntry is the engine's slot for one layer. Fields other than cur and
// used are guarded by Engine.mu.
type layerEntry struct {
	cur     atomic.Pointer[layerIndex] // the published index, nil when not loaded
	used    atomic.Int64               // tick of the last use
	gen     int64                      // bumped by Invalidate
	builtAt int64                      // gen the published index was loaded at
	loading chan struct{}              // closed when an in-flight load ends
}

// layerIndex is a loaded, immutable polygon layer.
type layerIndex struct {
	name    string
	version int64
	feats   []feature // by index id; a removed feature leaves an empty slot
	byID    map[string]int
	index   *geo.Index
	bytes   int64
}

type feature struct {
	id, name, allocatee, status string
	poly                        *geo.PreparedPolygon
}

// New returns an engine over src. Zero fields of cfg take their defaults.
func New(src PolygonSource, cfg Config) *Engine {
	return &Engine{src: src, cfg: cfg.withDefaults(), layers: map[string]*layerEntry{}}
}

// Config returns the engine's configuration with defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// Invalidate marks a layer as changed: the next check that needs it loads
// it again from the source. Checks already running finish on the old data.
// Call it when an import replaces the layer (or on its NOTIFY).
func (e *Engine) Invalidate(layer string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ent, ok := e.layers[layer]; ok {
		ent.gen++
	}
}

// Loaded returns the layers held in memory and their versions.
func (e *Engine) Loaded() map[string]int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]int64{}
	for name, ent := range e.layers {
		if li := ent.cur.Load(); li != nil {
			out[name] = li.version
		}
	}
	return out
}

// layer returns the current index of a layer, loading it when it is not in
// memory or has been invalidated. Concurrent callers share one load.
func (e *Engine) layer(ctx context.Context, name string) (*layerIndex, error) {
	for {
		e.mu.Lock()
		ent, ok := e.layers[name]
		if !ok {
			ent = &layerEntry{}
			e.layers[name] = ent
		}
		if li := ent.cur.Load(); li != nil && ent.builtAt == ent.gen && !e.outdated(li) {
			e.mu.Unlock()
			ent.used.Store(e.tick.Add(1))
			return li, nil
		}
		if ch := ent.loading; ch != nil {
			e.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		ch := make(chan struct{})
		ent.loading = ch
		gen := ent.gen
		e.mu.Unlock()

		li, err := e.build(ctx, name)

		e.mu.Lock()
		ent.loading = nil
		close(ch)
		if err != nil {
			e.mu.Unlock()
			return nil, err
		}
		ent.cur.Store(li)
		ent.builtAt = gen
		ent.used.Store(e.tick.Add(1))
		e.evictLocked(ent)
		e.mu.Unlock()
		return li, nil
	}
}

// outdated reports whether the catalog knows a newer version of li's layer.
func (e *Engine) outdated(li *layerIndex) bool {
	if e.cfg.CurrentVersion == nil {
		return false
	}
	v, ok := e.cfg.CurrentVersion(li.name)
	return ok && v > li.version
}

// evictLocked drops least recently used layers, other than keep, while the
// loaded layers exceed MaxBytes.
func (e *Engine) evictLocked(keep *layerEntry) {
	for {
		var total int64
		var victim *layerEntry
		for _, ent := range e.layers {
			li := ent.cur.Load()
			if li == nil {
				continue
			}
			total += li.bytes
			if ent != keep && (victim == nil || ent.used.Load() < victim.used.Load()) {
				victim = ent
			}
		}
		if total <= e.cfg.MaxBytes || victim == nil {
			return
		}
		victim.cur.Store(nil)
	}
}

// build loads a layer from the source and indexes it.
func (e *Engine) build(ctx context.Context, name string) (*layerIndex, error) {
	version, feats, err := e.src.Polygons(ctx, name)
	if err != nil {
		return nil, &layerError{layer: name, err: err}
	}
	e.loads.Add(1)
	li := &layerIndex{name: name, version: version, feats: make([]feature, 0, len(feats)), byID: make(map[string]int, len(feats))}
	polys := make([]*geo.PreparedPolygon, 0, len(feats))
	for i, f := range feats {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if len(f.Geom) == 0 {
			continue
		}
		ft := e.feature(f)
		li.byID[f.ID] = len(li.feats)
		li.feats = append(li.feats, ft)
		polys = append(polys, ft.poly)
		li.bytes += ft.poly.ApproxBytes() + int64(len(f.ID)) + 128
	}
	li.index = geo.NewIndex(polys, e.cfg.MaxCellEdges)
	li.bytes += int64(li.index.Cells()) * 64
	return li, nil
}

func (e *Engine) feature(f Polygon) feature {
	return feature{
		id:        f.ID,
		name:      prop(f.Props, e.cfg.NameProps),
		allocatee: prop(f.Props, e.cfg.AllocateeProps),
		status:    prop(f.Props, e.cfg.StatusProps),
		poly:      geo.PreparePolygon(f.Geom),
	}
}

// FeatureSource gives the engine some features of a polygon layer by id,
// so that it can follow an edit of a few features without reloading the
// layer. Package postgis implements it beside PolygonSource.
type FeatureSource interface {
	// PolygonsByID returns the layer's data version and those of the
	// features named by ids that exist and have a polygon geometry; the
	// others (deleted, or without a geometry) are left out.
	PolygonsByID(ctx context.Context, layer string, ids []string) (version int64, feats []Polygon, err error)
}

// EngineStats counts the engine's work.
type EngineStats struct {
	// Loads counts the layers loaded whole from the source; FeatureUpdates
	// the edits of a few features applied to a loaded layer in place.
	Loads, FeatureUpdates int64
}

// Stats returns the engine's counters.
func (e *Engine) Stats() EngineStats {
	return EngineStats{Loads: e.loads.Load(), FeatureUpdates: e.featureUpdates.Load()}
}

// ApplyChange brings the engine up to date with a committed change (register
// it with layers.Catalog.OnChange, which calls it before the change is
// acknowledged, so that a writer that waits for the acknowledgement knows
// the next check sees its change). An edit of some features of a loaded
// layer (ChangeFeatures) is applied in place: those features are read from
// the source and a copy of the layer's index with them swapped in is
// published, the checks running on the old one undisturbed. A new version
// of the whole layer, its creation or deletion makes the next check reload
// it; a metadata change does nothing.
func (e *Engine) ApplyChange(ctx context.Context, ch layers.Change) {
	switch ch.Kind {
	case layers.ChangeMetadata:
		return
	case layers.ChangeFeatures:
		if err := e.applyFeatures(ctx, ch); err == nil {
			return
		}
	}
	e.Invalidate(ch.Layer)
}

// errOutOfStep says an in-place update cannot be applied: the engine must
// reload the layer.
var errOutOfStep = errors.New("overlaps: loaded layer out of step with the change")

func (e *Engine) applyFeatures(ctx context.Context, ch layers.Change) error {
	e.update.Lock()
	defer e.update.Unlock()
	e.mu.Lock()
	ent, ok := e.layers[ch.Layer]
	var li *layerIndex
	var gen int64
	if ok {
		li, gen = ent.cur.Load(), ent.gen
	}
	e.mu.Unlock()
	if li == nil {
		return nil // not loaded: it will be loaded current when used
	}
	if li.version >= ch.Version {
		return nil // loaded since the change: current already
	}
	fs, ok := e.src.(FeatureSource)
	if !ok || li.version != ch.Version-1 {
		return errOutOfStep
	}
	version, feats, err := fs.PolygonsByID(ctx, ch.Layer, ch.FeatureIDs)
	if err != nil || version < ch.Version {
		return errOutOfStep
	}
	got := make(map[string]Polygon, len(feats))
	for _, f := range feats {
		if len(f.Geom) > 0 {
			got[f.ID] = f
		}
	}
	n := &layerIndex{name: li.name, version: ch.Version, bytes: li.bytes,
		feats: make([]feature, len(li.feats), len(li.feats)+len(ch.FeatureIDs)), byID: make(map[string]int, len(li.byID)+len(got))}
	copy(n.feats, li.feats)
	for id, i := range li.byID {
		n.byID[id] = i
	}
	changed := map[int]*geo.PreparedPolygon{}
	var added []*geo.PreparedPolygon
	for _, id := range ch.FeatureIDs {
		f, exists := got[id]
		i, had := n.byID[id]
		switch {
		case had && exists:
			ft := e.feature(f)
			n.bytes += ft.poly.ApproxBytes() - n.feats[i].poly.ApproxBytes()
			n.feats[i] = ft
			changed[i] = ft.poly
		case had:
			n.bytes -= n.feats[i].poly.ApproxBytes()
			n.feats[i] = feature{}
			delete(n.byID, id)
			changed[i] = nil
		case exists:
			ft := e.feature(f)
			n.bytes += ft.poly.ApproxBytes() + int64(len(id)) + 128
			n.byID[id] = len(n.feats)
			n.feats = append(n.feats, ft)
			added = append(added, ft.poly)
		}
	}
	n.index = li.index.With(changed, added)
	n.bytes += int64(n.index.Cells()-li.index.Cells()) * 64
	e.mu.Lock()
	defer e.mu.Unlock()
	if ent.cur.Load() != li || ent.gen != gen {
		return errOutOfStep // reloaded or invalidated meanwhile
	}
	ent.cur.Store(n)
	e.featureUpdates.Add(1)
	return nil
}

func prop(props map[string]any, keys []string) string {
	for _, k := range keys {
		v, ok := props[k]
		if !ok || v == nil {
			continue
		}
		if s, ok := v.(string); ok {
			return s
		}
		return fmt.Sprint(v)
	}
	return ""
}
