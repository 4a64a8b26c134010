package overlaps

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
)

// PolygonUpdater is what a PolygonSource may offer besides: some features
// of a layer by id (those that still exist) with the layer's version, so
// that an edit of a few features updates the engine's copy of a layer
// rather than reloading it.
type PolygonUpdater interface {
	PolygonsByID(ctx context.Context, layer string, ids []string) (version int64, feats []Polygon, err error)
}

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
	lines  map[string]*lineLayer // line layers of routes, guarded by mu
	tick   atomic.Int64
	// builds counts the layers loaded and indexed (whole layers, not
	// feature updates), for tests and metrics.
	builds atomic.Int64
	// updating serialises the feature updates: each copies a published
	// index, and copies of one index are made one at a time.
	updating sync.Mutex
	// meters keeps *geo.CorridorMeter for the goroutines that work out
	// corridor areas, so that their memory serves one check after another.
	meters sync.Pool
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
	feats   []feature // by index id; an edit may leave an empty slot (poly nil)
	index   *geo.Index
	bytes   int64
}

type feature struct {
	id, name, allocatee, status string
	poly                        *geo.PreparedPolygon
}

// New returns an engine over src. Zero fields of cfg take their defaults.
func New(src PolygonSource, cfg Config) *Engine {
	return &Engine{src: src, cfg: cfg.withDefaults(), layers: map[string]*layerEntry{}, lines: map[string]*lineLayer{}}
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
	delete(e.lines, layer)
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

// Builds returns how many times the engine has loaded and indexed a whole
// layer.
func (e *Engine) Builds() int64 { return e.builds.Load() }

// build loads a layer from the source and indexes it.
func (e *Engine) build(ctx context.Context, name string) (*layerIndex, error) {
	version, feats, err := e.src.Polygons(ctx, name)
	if err != nil {
		return nil, &layerError{layer: name, err: err}
	}
	e.builds.Add(1)
	li := &layerIndex{name: name, version: version, feats: make([]feature, 0, len(feats))}
	for i, f := range feats {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		e.addFeature(li, f)
	}
	e.index(li)
	return li, nil
}

// addFeature prepares f and adds it to li (not yet indexed).
func (e *Engine) addFeature(li *layerIndex, f Polygon) {
	if len(f.Geom) == 0 {
		return
	}
	nf := e.prepare(f)
	li.feats = append(li.feats, nf)
	li.bytes += nf.poly.ApproxBytes() + int64(len(f.ID)) + 128
}

// prepare makes the engine's feature of f.
func (e *Engine) prepare(f Polygon) feature {
	return feature{
		id:        f.ID,
		name:      prop(f.Props, e.cfg.NameProps),
		allocatee: prop(f.Props, e.cfg.AllocateeProps),
		status:    prop(f.Props, e.cfg.StatusProps),
		poly:      geo.PreparePolygon(f.Geom),
	}
}

// index builds li's spatial index over its features.
func (e *Engine) index(li *layerIndex) {
	polys := make([]*geo.PreparedPolygon, len(li.feats))
	for i, f := range li.feats {
		polys[i] = f.poly
	}
	li.index = geo.NewIndex(polys, e.cfg.MaxCellEdges)
	li.bytes += int64(li.index.Cells()) * 64
}

// Apply follows a change event (register it with layers.Catalog.OnChange).
// A new version of a layer's data (an import, a new or deleted layer)
// makes the next check reload the layer. An edit of some features updates
// a loaded layer in place of a reload: those features are read again (a
// deleted one is gone) and the index is rebuilt over the prepared
// polygons, published as a new version; if that cannot be done (the layer
// is not loaded at the version before the edit, the source cannot read by
// id), the layer is reloaded on next use. A metadata change does nothing:
// geometry and attributes are unchanged.
func (e *Engine) Apply(ctx context.Context, ch layers.Change) {
	switch ch.Kind {
	case layers.ChangeData, layers.ChangeCreated, layers.ChangeDeleted:
		e.Invalidate(ch.Layer)
	case layers.ChangeFeatures:
		if !e.update(ctx, ch) {
			e.Invalidate(ch.Layer)
		}
	}
}

// update applies an edit of some features to a loaded layer.
func (e *Engine) update(ctx context.Context, ch layers.Change) bool {
	up, ok := e.src.(PolygonUpdater)
	if !ok {
		return false
	}
	e.updating.Lock()
	defer e.updating.Unlock()
	e.mu.Lock()
	ent := e.layers[ch.Layer]
	var li *layerIndex
	if ent != nil {
		li = ent.cur.Load()
	}
	gen := int64(0)
	if ent != nil {
		gen = ent.gen
	}
	e.mu.Unlock()
	if li == nil {
		return true // not loaded: the next check loads the current version
	}
	if li.version >= ch.Version {
		return true // loaded since the change: current already
	}
	if li.version != ch.Version-1 {
		return false
	}
	// The source may be ahead of the change (a later edit committed
	// meanwhile): these features are then newer than the label, which is
	// harmless, and that later change comes next.
	version, feats, err := up.PolygonsByID(ctx, ch.Layer, ch.FeatureIDs)
	if err != nil || version < ch.Version {
		return false
	}
	// Features keep their place (their id in the index): an edited one is
	// replaced where it is, a deleted one leaves an empty slot, a new one
	// is appended; the index is copied with just those changes (geo.Index
	// With, copy on write), not rebuilt: about 0.06 ms against 0.5 s for
	// a layer of 20,000 polygons (BENCHMARKS.md, "Feature edits").
	got := make(map[string]Polygon, len(feats))
	for _, f := range feats {
		if len(f.Geom) > 0 {
			got[f.ID] = f
		}
	}
	touched := make(map[string]bool, len(ch.FeatureIDs))
	for _, id := range ch.FeatureIDs {
		touched[id] = true
	}
	next := &layerIndex{name: li.name, version: ch.Version, bytes: li.bytes, feats: make([]feature, len(li.feats), len(li.feats)+len(got))}
	copy(next.feats, li.feats)
	changed := map[int]*geo.PreparedPolygon{}
	for i, f := range li.feats {
		if f.poly == nil || !touched[f.id] {
			continue
		}
		next.bytes -= f.poly.ApproxBytes()
		if g, ok := got[f.id]; ok {
			nf := e.prepare(g)
			next.feats[i] = nf
			next.bytes += nf.poly.ApproxBytes()
			delete(got, f.id)
			changed[i] = nf.poly
		} else {
			next.feats[i] = feature{}
			changed[i] = nil
		}
	}
	var added []*geo.PreparedPolygon
	for _, id := range ch.FeatureIDs { // in the change's order, not the map's
		if g, ok := got[id]; ok {
			nf := e.prepare(g)
			next.feats = append(next.feats, nf)
			next.bytes += nf.poly.ApproxBytes() + int64(len(id)) + 128
			added = append(added, nf.poly)
			delete(got, id)
		}
	}
	next.index = li.index.With(changed, added)
	next.bytes += int64(next.index.Cells()-li.index.Cells()) * 64
	e.mu.Lock()
	defer e.mu.Unlock()
	if ent.cur.Load() != li || ent.gen != gen {
		return false // reloaded or invalidated meanwhile
	}
	ent.cur.Store(next)
	return true
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
