package tiles

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"io"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
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
	// SizeCapped lists the layers that left features out to keep the tile
	// within its size bound, as "id=number left out".
	SizeCapped []string
	// Features counts the features of every layer.
	Features int

	gzOnce sync.Once
	gz     []byte
	size   atomic.Int64
	gzw    *gzipWriters // the service's writers; nil: a new one each time
}

// Gzip returns the tile gzip-compressed, compressing it on the first call.
func (e *Entry) Gzip() []byte {
	e.gzOnce.Do(func() {
		var b bytes.Buffer
		b.Grow(len(e.MVT)/2 + 64)
		e.gzw.compress(&b, e.MVT)
		e.gz = b.Bytes()
		e.size.Add(int64(cap(e.gz))) // what it holds, slack included
	})
	return e.gz
}

// gzipWriters is a free list of gzip writers. Each holds about a megabyte
// of compressor state: made anew for every tile, they were most of what a
// tile server under load allocated, and the garbage set the heap's peaks.
type gzipWriters struct{ pool sync.Pool }

// compress writes src gzip-compressed (best speed) to dst, with a writer
// from the free list when g is not nil.
func (g *gzipWriters) compress(dst *bytes.Buffer, src []byte) {
	var zw *gzip.Writer
	if g != nil {
		if w, ok := g.pool.Get().(*gzip.Writer); ok {
			zw = w
			zw.Reset(dst)
		}
	}
	if zw == nil {
		zw, _ = gzip.NewWriterLevel(dst, gzip.BestSpeed)
	}
	_, _ = zw.Write(src)
	_ = zw.Close()
	if g != nil {
		zw.Reset(io.Discard) // drop dst
		g.pool.Put(zw)
	}
}

// GzipETag is the strong validator of the gzip form.
func (e *Entry) GzipETag() string { return e.ETag[:len(e.ETag)-1] + `-gz"` }

// entryOverhead approximates the bookkeeping bytes of one cached entry (key,
// list element, map slot), so that many tiny or empty tiles are bounded too.
const entryOverhead = 256

func (e *Entry) bytes() int64 { return int64(cap(e.MVT)) + e.size.Load() + entryOverhead }

// CacheStats are a cache's counters.
type CacheStats struct {
	Hits, Misses, Evictions int64
	Entries                 int
	Bytes, MaxBytes         int64
}

// Cache is an in-process LRU of composed tiles bounded in bytes. Keys name the
// data version of each layer (see Key), so an entry never needs invalidating:
// after an import, requests use a new key and the old entry ages out.
// A Cache with MaxBytes 0 stores nothing.
type Cache struct {
	max int64

	mu    sync.Mutex
	ll    *list.List // front = most recent; values are *cacheItem
	items map[string]*list.Element
	used  int64

	hits, misses, evictions atomic.Int64
}

type cacheItem struct {
	key   string
	entry *Entry
	size  int64
	tag   *tileTag // what the key names, to follow changes; nil for a bare Add
}

// tileTag is what a cached tile's key names: the tile and, per layer, its
// data version and options.
type tileTag struct {
	tms      string // "" for WebMercatorQuad
	tile     maptile.Tile
	layers   []layerVersion
	opts     []Options
	kb       orb.Bound // the tile's bounds with its buffer, EPSG:4326
	boundSet bool
}

func (t *tileTag) key() string { return keyIn(t.tms, t.layers, t.tile, t.opts) }

func (t *tileTag) has(id string) int {
	for i, l := range t.layers {
		if l.ID == id {
			return i
		}
	}
	return -1
}

// bound is the area whose features can show in the tile: its bounds and
// its buffer.
func (t *tileTag) bound() orb.Bound {
	if !t.boundSet {
		b := TileBound(t.tms, t.tile)
		pad := max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]) * float64(Buffer) / float64(Extent) * 1.01
		t.kb, t.boundSet = b.Pad(pad), true
	}
	return t.kb
}

// NewCache returns a cache holding at most maxBytes of tiles.
func NewCache(maxBytes int64) *Cache {
	return &Cache{max: maxBytes, ll: list.New(), items: map[string]*list.Element{}}
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
// byte bound. An entry larger than the whole bound is not stored.
func (c *Cache) Add(key string, e *Entry) { c.add(key, e, nil) }

func (c *Cache) add(key string, e *Entry, tag *tileTag) {
	size := e.bytes()
	if c.max <= 0 || size > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		it := el.Value.(*cacheItem)
		c.used += size - it.size
		it.entry, it.size, it.tag = e, size, tag
		c.ll.MoveToFront(el)
	} else {
		c.items[key] = c.ll.PushFront(&cacheItem{key: key, entry: e, size: size, tag: tag})
		c.used += size
	}
	c.evictLocked()
}

// DropLayer removes every tile that holds layer id, and returns how many.
func (c *Cache) DropLayer(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for el := c.ll.Front(); el != nil; {
		next := el.Next()
		if it := el.Value.(*cacheItem); it.tag != nil && it.tag.has(id) >= 0 {
			c.removeLocked(el)
			n++
		}
		el = next
	}
	return n
}

// Advance follows a change of some of layer id's features from data
// version from to version to, within bbox: a cached tile of version from
// whose area (bounds and buffer) meets bbox is dropped; one whose area does
// not keeps its bytes, now under version to, since none of its features
// changed. Tiles of other versions are left to age out. It returns how many
// tiles it kept and dropped.
func (c *Cache) Advance(id string, from, to int64, bbox orb.Bound) (kept, dropped int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.ll.Front(); el != nil; {
		next := el.Next()
		it := el.Value.(*cacheItem)
		if it.tag != nil {
			if i := it.tag.has(id); i >= 0 && it.tag.layers[i].DataVersion == from {
				tag := *it.tag
				tag.layers = append([]layerVersion(nil), it.tag.layers...)
				tag.layers[i].DataVersion = to
				nk := tag.key()
				if _, taken := c.items[nk]; taken || it.tag.bound().Intersects(bbox) {
					// Changed, or rendered at the new version meanwhile.
					c.removeLocked(el)
					dropped++
				} else {
					delete(c.items, it.key)
					it.key, it.tag = nk, &tag
					c.items[nk] = el
					kept++
				}
			}
		}
		el = next
	}
	return kept, dropped
}

func (c *Cache) removeLocked(el *list.Element) {
	it := el.Value.(*cacheItem)
	c.ll.Remove(el)
	delete(c.items, it.key)
	c.used -= it.size
}

func (c *Cache) evictLocked() {
	for c.used > c.max {
		el := c.ll.Back()
		if el == nil {
			return
		}
		it := el.Value.(*cacheItem)
		c.ll.Remove(el)
		delete(c.items, it.key)
		c.used -= it.size
		c.evictions.Add(1)
	}
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	n, used := len(c.items), c.used
	c.mu.Unlock()
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.evictions.Load(),
		Entries: n, Bytes: used, MaxBytes: c.max}
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
