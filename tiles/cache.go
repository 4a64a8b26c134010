package tiles

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
)

// Entry is a composed tile: the concatenated MVT layers, its strong validator,
// and which layers hit their feature cap. An Entry is immutable once cached,
// except for its gzip form, made once on first demand.
type Entry struct {
	// MVT is the tile, uncompressed; empty when no layer has a feature.
	MVT []byte
	// ETag is a strong validator of MVT (quoted); the gzip form's is GzipETag.
	ETag string
	// Capped lists the layers whose feature cap was reached, as "id=cap".
	Capped []string
	// Features counts the features of every layer.
	Features int

	gzOnce sync.Once
	gz     []byte
	size   atomic.Int64
}

// Gzip returns the tile gzip-compressed, compressing it on the first call.
func (e *Entry) Gzip() []byte {
	e.gzOnce.Do(func() {
		var b bytes.Buffer
		b.Grow(len(e.MVT)/2 + 64)
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		_, _ = zw.Write(e.MVT)
		_ = zw.Close()
		e.gz = b.Bytes()
		e.size.Add(int64(len(e.gz)))
	})
	return e.gz
}

// GzipETag is the strong validator of the gzip form.
func (e *Entry) GzipETag() string { return e.ETag[:len(e.ETag)-1] + `-gz"` }

// entryOverhead approximates the bookkeeping bytes of one cached entry (key,
// list element, map slot), so that many tiny or empty tiles are bounded too.
const entryOverhead = 256

func (e *Entry) bytes() int64 { return int64(len(e.MVT)) + e.size.Load() + entryOverhead }

// CacheStats are a cache's counters.
type CacheStats struct {
	Hits, Misses, Evictions int64
	// Invalidated counts entries dropped because their layer changed
	// where they are; Kept those a change of features elsewhere carried
	// over to the new data version.
	Invalidated, Kept int64
	Entries           int
	Bytes, MaxBytes   int64
}

// Cache is an in-process LRU of composed tiles bounded in bytes. Keys name the
// data version of each layer (see Key), so an entry is never served for
// another version: after an import, requests use a new key and the old
// entry ages out (or is dropped at once, DropLayer). After an edit of some
// features, Rekey carries the entries the edit cannot have changed over
// to the new version, so that they stay hits.
// A Cache with MaxBytes 0 stores nothing.
type Cache struct {
	max int64

	mu    sync.Mutex
	ll    *list.List // front = most recent; values are *cacheItem
	items map[string]*list.Element
	// byLayer indexes the entries added with their tile's description
	// (AddTile) by layer id.
	byLayer map[string]map[*list.Element]struct{}
	used    int64

	hits, misses, evictions, invalidated, kept atomic.Int64
}

type cacheItem struct {
	key   string
	entry *Entry
	size  int64
	desc  *TileDesc
}

// NewCache returns a cache holding at most maxBytes of tiles.
func NewCache(maxBytes int64) *Cache {
	return &Cache{max: maxBytes, ll: list.New(), items: map[string]*list.Element{},
		byLayer: map[string]map[*list.Element]struct{}{}}
}

// TileDesc describes what a cached tile was drawn from: the tile, and each
// layer's id, data version and options, in tile order. Its Key is the
// cache key.
type TileDesc struct {
	Tile     maptile.Tile
	Layers   []string
	Versions []int64
	Opts     []Options
}

// Describe returns the description of tile t of layers ls with opts.
func Describe(ls []layers.Layer, t maptile.Tile, opts []Options) *TileDesc {
	d := &TileDesc{Tile: t, Layers: make([]string, len(ls)), Versions: make([]int64, len(ls)), Opts: opts}
	for i, l := range ls {
		d.Layers[i], d.Versions[i] = l.ID, l.DataVersion
	}
	return d
}

// Key is the cache key of the description.
func (d *TileDesc) Key() string {
	var b strings.Builder
	b.Grow(32 + 32*len(d.Layers))
	fmt.Fprintf(&b, "%d/%d/%d", d.Tile.Z, d.Tile.X, d.Tile.Y)
	for i, id := range d.Layers {
		b.WriteByte('|')
		b.WriteString(id)
		b.WriteByte('@')
		b.WriteString(strconv.FormatInt(d.Versions[i], 10))
		o := d.Opts[i]
		if o.Properties != nil {
			b.WriteString("?p=")
			b.WriteString(strings.Join(o.Properties, ","))
		}
		if o.MaxFeatures > 0 {
			b.WriteString("&cap=")
			b.WriteString(strconv.Itoa(o.MaxFeatures))
		}
	}
	return b.String()
}

// Get returns the entry under key and marks it recently used.
func (c *Cache) Get(key string) (*Entry, bool) {
	if c.max <= 0 {
		c.misses.Add(1)
		return nil, false
	}
	c.mu.Lock()
	el, ok := c.items[key]
	if ok {
		c.ll.MoveToFront(el)
		it := el.Value.(*cacheItem)
		// Account for a gzip form made since the entry was stored.
		if s := it.entry.bytes(); s != it.size {
			c.used += s - it.size
			it.size = s
			c.evictLocked()
		}
		c.mu.Unlock()
		c.hits.Add(1)
		return it.entry, true
	}
	c.mu.Unlock()
	c.misses.Add(1)
	return nil, false
}

// Add stores e under key, evicting the least recently used entries beyond the
// byte bound. An entry larger than the whole bound is not stored. An entry
// added by Add is not known to Rekey or DropLayer: it ages out.
func (c *Cache) Add(key string, e *Entry) { c.add(key, e, nil) }

// AddTile stores e, drawn as d says, under d's key (see Add).
func (c *Cache) AddTile(d *TileDesc, e *Entry) { c.add(d.Key(), e, d) }

func (c *Cache) add(key string, e *Entry, d *TileDesc) {
	size := e.bytes()
	if c.max <= 0 || size > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		it := el.Value.(*cacheItem)
		c.used += size - it.size
		it.entry, it.size = e, size
		c.ll.MoveToFront(el)
	} else {
		el := c.ll.PushFront(&cacheItem{key: key, entry: e, size: size, desc: d})
		c.items[key] = el
		c.used += size
		c.indexLocked(el)
	}
	c.evictLocked()
}

func (c *Cache) indexLocked(el *list.Element) {
	it := el.Value.(*cacheItem)
	if it.desc == nil {
		return
	}
	for _, id := range it.desc.Layers {
		m := c.byLayer[id]
		if m == nil {
			m = map[*list.Element]struct{}{}
			c.byLayer[id] = m
		}
		m[el] = struct{}{}
	}
}

// removeLocked takes el out of the list, the map and the layer index.
func (c *Cache) removeLocked(el *list.Element) {
	it := el.Value.(*cacheItem)
	c.ll.Remove(el)
	if c.items[it.key] == el {
		delete(c.items, it.key)
	}
	c.used -= it.size
	if it.desc != nil {
		for _, id := range it.desc.Layers {
			if m := c.byLayer[id]; m != nil {
				delete(m, el)
				if len(m) == 0 {
					delete(c.byLayer, id)
				}
			}
		}
	}
}

func (c *Cache) evictLocked() {
	for c.used > c.max {
		el := c.ll.Back()
		if el == nil {
			return
		}
		c.removeLocked(el)
		c.evictions.Add(1)
	}
}

// Rekey carries over, after a change of some features of layer, the
// entries drawn from its data version from to version to: those whose tile
// the change does not touch (touches reports false) get the key of version
// to and stay hits; the others are dropped, and the next request draws
// them afresh. It returns how many entries were kept and dropped. An entry
// of version to already there (drawn since) wins over a carried one.
func (c *Cache) Rekey(layer string, from, to int64, touches func(maptile.Tile) bool) (kept, dropped int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := range c.byLayer[layer] {
		it := el.Value.(*cacheItem)
		d := it.desc
		i := slices.Index(d.Layers, layer)
		if d.Versions[i] != from {
			continue
		}
		if touches(d.Tile) {
			c.removeLocked(el)
			dropped++
			continue
		}
		nd := *d
		nd.Versions = slices.Clone(d.Versions)
		// A tile of several layers may hold this one more than once.
		for j, id := range nd.Layers {
			if id == layer && nd.Versions[j] == from {
				nd.Versions[j] = to
			}
		}
		key := nd.Key()
		if _, taken := c.items[key]; taken {
			c.removeLocked(el)
			dropped++
			continue
		}
		delete(c.items, it.key)
		it.key, it.desc = key, &nd
		c.items[key] = el
		kept++
	}
	c.kept.Add(int64(kept))
	c.invalidated.Add(int64(dropped))
	return kept, dropped
}

// DropLayer drops every entry (added with AddTile) that holds layer: its
// data was replaced, its entries can never be asked for again.
func (c *Cache) DropLayer(layer string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for el := range c.byLayer[layer] {
		c.removeLocked(el)
		n++
	}
	c.invalidated.Add(int64(n))
	return n
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	n, used := len(c.items), c.used
	c.mu.Unlock()
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.evictions.Load(),
		Invalidated: c.invalidated.Load(), Kept: c.kept.Load(), Entries: n, Bytes: used, MaxBytes: c.max}
}

// flight runs one computation per key at a time and shares its result with
// every caller that asks for the key meanwhile.
//
// It is golang.org/x/sync/singleflight's idea with one difference that matters
// here: the shared work runs under its own context, cancelled only when every
// caller waiting for it has gone. With singleflight.Do the work runs under the
// first caller's context, so that caller's disconnect fails the tile for all
// the others; with a detached context a tile nobody waits for any more would
// keep its query running.
type flight struct {
	mu    sync.Mutex
	calls map[string]*call
}

type call struct {
	done    chan struct{}
	val     *Entry
	err     error
	waiters int
	cancel  context.CancelFunc
}

// do returns fn's result for key, running fn only if no call for key is in
// flight. shared reports whether the result came from another caller's call.
func (g *flight) do(ctx context.Context, key string, fn func(context.Context) (*Entry, error)) (e *Entry, shared bool, err error) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = map[string]*call{}
	}
	c, shared := g.calls[key]
	if !shared {
		wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		if dl, ok := ctx.Deadline(); ok {
			wctx, cancel = context.WithDeadline(context.WithoutCancel(ctx), dl)
		}
		c = &call{done: make(chan struct{}), cancel: cancel}
		g.calls[key] = c
		go func() {
			defer cancel()
			v, err := fn(wctx)
			g.mu.Lock()
			c.val, c.err = v, err
			if g.calls[key] == c {
				delete(g.calls, key)
			}
			g.mu.Unlock()
			close(c.done)
		}()
	}
	c.waiters++
	g.mu.Unlock()

	select {
	case <-c.done:
		return c.val, shared, c.err
	case <-ctx.Done():
		g.mu.Lock()
		c.waiters--
		if c.waiters == 0 {
			c.cancel()
			if g.calls[key] == c {
				delete(g.calls, key) // a newcomer starts afresh
			}
		}
		g.mu.Unlock()
		return nil, shared, ctx.Err()
	}
}
