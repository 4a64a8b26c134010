package overlaps

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/coalmap/coalmap/geo"
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
	lines  map[string]*lineLayer // line layers of routes, guarded by mu
	tick   atomic.Int64
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
	feats   []feature
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

// build loads a layer from the source and indexes it.
func (e *Engine) build(ctx context.Context, name string) (*layerIndex, error) {
	version, feats, err := e.src.Polygons(ctx, name)
	if err != nil {
		return nil, &layerError{layer: name, err: err}
	}
	li := &layerIndex{name: name, version: version, feats: make([]feature, 0, len(feats))}
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
		p := geo.PreparePolygon(f.Geom)
		li.feats = append(li.feats, feature{
			id:        f.ID,
			name:      prop(f.Props, e.cfg.NameProps),
			allocatee: prop(f.Props, e.cfg.AllocateeProps),
			status:    prop(f.Props, e.cfg.StatusProps),
			poly:      p,
		})
		polys = append(polys, p)
		li.bytes += p.ApproxBytes() + int64(len(f.ID)) + 128
	}
	li.index = geo.NewIndex(polys, e.cfg.MaxCellEdges)
	li.bytes += int64(li.index.Cells()) * 64
	return li, nil
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
