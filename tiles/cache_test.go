package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
)

func entry(n int) *Entry { return &Entry{MVT: bytes.Repeat([]byte{'x'}, n), ETag: `"e"`} }

func TestCacheBoundedInBytes(t *testing.T) {
	c := NewCache(10 * (1000 + entryOverhead))
	for i := range 20 {
		c.Add(fmt.Sprint(i), entry(1000))
	}
	st := c.Stats()
	if st.Entries != 10 || st.Bytes > st.MaxBytes || st.Evictions != 10 {
		t.Fatalf("stats %+v", st)
	}
	if _, ok := c.Get("0"); ok {
		t.Fatal("oldest entry not evicted")
	}
	if _, ok := c.Get("19"); !ok {
		t.Fatal("newest entry evicted")
	}
	// Using an entry keeps it.
	c.Get("10")
	c.Add("new", entry(1000))
	if _, ok := c.Get("10"); !ok {
		t.Fatal("recently used entry evicted")
	}
	if _, ok := c.Get("11"); ok {
		t.Fatal("least recently used entry kept")
	}
	c.Add("huge", entry(1<<20))
	if _, ok := c.Get("huge"); ok {
		t.Fatal("entry larger than the cache stored")
	}
}

func TestCacheCountsGzipBytes(t *testing.T) {
	c := NewCache(1 << 20)
	e := &Entry{MVT: []byte("some tile bytes that compress"), ETag: `"abc"`}
	c.Add("k", e)
	before := c.Stats().Bytes
	zr, err := gzip.NewReader(bytes.NewReader(e.Gzip()))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, e.MVT) {
		t.Fatal("gzip form does not decompress to the tile")
	}
	c.Get("k")
	if after := c.Stats().Bytes; after <= before {
		t.Fatalf("bytes %d after gzip, %d before", after, before)
	}
	if e.GzipETag() != `"abc-gz"` {
		t.Fatalf("gzip etag %s", e.GzipETag())
	}
}

func TestCacheDisabled(t *testing.T) {
	c := NewCache(0)
	c.Add("k", entry(1))
	if _, ok := c.Get("k"); ok {
		t.Fatal("a cache of 0 bytes stored an entry")
	}
}

func TestFlightRunsOnceForConcurrentCallers(t *testing.T) {
	var g flight
	var runs atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	results := make([]*Entry, 20)
	for i := range results {
		wg.Go(func() {
			e, _, err := g.do(context.Background(), "k", func(ctx context.Context) (*Entry, error) {
				runs.Add(1)
				<-release
				return entry(1), nil
			})
			if err != nil {
				t.Error(err)
			}
			results[i] = e
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if runs.Load() != 1 {
		t.Fatalf("%d runs, want 1", runs.Load())
	}
	for _, e := range results {
		if e != results[0] {
			t.Fatal("callers got different results")
		}
	}
}

func TestFlightCancelsWorkOnlyWhenEveryCallerLeft(t *testing.T) {
	var g flight
	started := make(chan struct{})
	workErr := make(chan error, 1)
	work := func(ctx context.Context) (*Entry, error) {
		close(started)
		select {
		case <-ctx.Done():
			workErr <- ctx.Err()
			return nil, ctx.Err()
		case <-time.After(2 * time.Second):
			workErr <- nil
			return entry(1), nil
		}
	}
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, _, err := g.do(ctx1, "k", work); errs <- err }()
	<-started
	go func() { _, _, err := g.do(ctx2, "k", work); errs <- err }()
	time.Sleep(20 * time.Millisecond)
	cancel1()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller: %v", err)
	}
	select {
	case err := <-workErr:
		t.Fatalf("work ended (%v) while a caller still waits", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancel2()
	<-errs
	select {
	case err := <-workErr:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("work ended with %v, want cancelled", err)
		}
	case <-time.After(time.Second):
		t.Fatal("work not cancelled after every caller left")
	}
}

// TestCacheFollowsChanges: a data change drops every cached tile of the
// layer (and only of that layer); an edit of features drops the tiles
// whose area meets its bbox, at every zoom, and keeps the others, now
// under the new version; tiles of older versions are left alone.
func TestCacheFollowsChanges(t *testing.T) {
	near := orb.Point{82.3, 23.9}
	far := orb.Point{86.0, 22.0}
	edit := orb.Bound{Min: orb.Point{82.29, 23.89}, Max: orb.Point{82.31, 23.91}}
	blocks := func(v int64) []layers.Layer { return []layers.Layer{{ID: "blocks", DataVersion: v}} }
	both := func(v int64) []layers.Layer { return append(blocks(v), layers.Layer{ID: "rail", DataVersion: 7}) }
	fill := func(c *Cache, ls []layers.Layer) {
		for _, z := range []maptile.Zoom{4, 9, 14} {
			for _, p := range []orb.Point{near, far} {
				tl := maptile.At(p, z)
				opts := make([]Options, len(ls))
				c.add(Key(ls, tl, opts), entry(10), newTag("", ls, tl, opts))
			}
		}
	}
	has := func(c *Cache, ls []layers.Layer, p orb.Point, z maptile.Zoom) bool {
		_, ok := c.Get(Key(ls, maptile.At(p, z), make([]Options, len(ls))))
		return ok
	}

	t.Run("features", func(t *testing.T) {
		c := NewCache(1 << 20)
		fill(c, blocks(3))
		fill(c, both(3))
		fill(c, blocks(2)) // an older version
		kept, dropped := c.Advance("blocks", 3, 4, edit)
		// At z4 the far point's tile is the near one's: both dropped.
		if kept != 4 || dropped != 6 {
			t.Fatalf("kept %d dropped %d, want 4 and 6", kept, dropped)
		}
		for _, z := range []maptile.Zoom{4, 9, 14} {
			if has(c, blocks(4), near, z) || has(c, both(4), near, z) {
				t.Errorf("z%d: the edited area's tile is still cached", z)
			}
		}
		for _, z := range []maptile.Zoom{9, 14} {
			if !has(c, blocks(4), far, z) || !has(c, both(4), far, z) {
				t.Errorf("z%d: the far tile was not kept under the new version", z)
			}
			if has(c, blocks(3), far, z) {
				t.Errorf("z%d: the far tile is still under the old version too", z)
			}
		}
		if !has(c, blocks(2), far, 14) {
			t.Error("a tile of an older version was touched")
		}
	})
	t.Run("data", func(t *testing.T) {
		c := NewCache(1 << 20)
		fill(c, blocks(3))
		rail := []layers.Layer{{ID: "rail", DataVersion: 7}}
		fill(c, rail)
		if n := c.DropLayer("blocks"); n != 5 {
			t.Fatalf("dropped %d tiles, want 5", n)
		}
		if !has(c, rail, far, 14) || has(c, blocks(3), far, 14) {
			t.Fatal("dropped the wrong layer's tiles")
		}
	})
}

// TestKeyNamesMatrixSet: a WorldCRS84Quad tile and the WebMercatorQuad tile
// of the same numbers are cached apart, and a tag's key is its tile's.
func TestKeyNamesMatrixSet(t *testing.T) {
	ls := []layers.Layer{{ID: "a", DataVersion: 3}}
	tl := maptile.New(5, 7, 9)
	web, crs84 := Key(ls, tl, make([]Options, 1)), keyIn(WorldCRS84Quad, versionsOf(ls), tl, make([]Options, 1))
	if web == crs84 || keyIn(WebMercatorQuad, versionsOf(ls), tl, make([]Options, 1)) != web {
		t.Fatalf("keys %q, %q", web, crs84)
	}
	if k := newTag(WorldCRS84Quad, ls, tl, make([]Options, 1)).key(); k != crs84 {
		t.Fatalf("tag key %q, want %q", k, crs84)
	}
	// A WorldCRS84Quad tag's area is its tile's in degrees (with the buffer).
	b := newTag(WorldCRS84Quad, ls, maptile.Tile{X: 1, Y: 0, Z: 0}, make([]Options, 1)).bound()
	if b.Min[0] > 0 || b.Min[0] < -3 || b.Max[0] < 180 || b.Min[1] > -90 || b.Max[1] < 90 {
		t.Fatalf("bound %v", b)
	}
}

// TestGzipWritersReused: tiles compressed with the service's shared writers,
// several at once, each decompress to their own bytes.
func TestGzipWritersReused(t *testing.T) {
	var g gzipWriters
	entries := make([]*Entry, 64)
	for i := range entries {
		mvt := bytes.Repeat([]byte{byte(i), byte(i * 7), 'x'}, 100+i*53)
		entries[i] = &Entry{MVT: mvt, ETag: `"e"`, gzw: &g}
	}
	var wg sync.WaitGroup
	for _, e := range entries {
		wg.Add(1)
		go func() { defer wg.Done(); e.Gzip() }()
	}
	wg.Wait()
	for i, e := range entries {
		zr, err := gzip.NewReader(bytes.NewReader(e.Gzip()))
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(plain, e.MVT) {
			t.Fatalf("entry %d: gzip form does not decompress to the tile (%v)", i, err)
		}
	}
}
