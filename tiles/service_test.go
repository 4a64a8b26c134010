package tiles_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

type fakeCatalog map[string]layers.Layer

func (c fakeCatalog) Layer(id string) (*layers.Layer, bool) {
	l, ok := c[id]
	return &l, ok
}

// fakeRenderer renders "<id>@<version>:<z>/<x>/<y>" and counts calls.
type fakeRenderer struct {
	calls atomic.Int32
	block chan struct{}
	mu    sync.Mutex
	opts  []tiles.Options
}

func (r *fakeRenderer) Render(ctx context.Context, l layers.Layer, t maptile.Tile, opt tiles.Options) (tiles.Blob, error) {
	r.calls.Add(1)
	r.mu.Lock()
	r.opts = append(r.opts, opt)
	r.mu.Unlock()
	if r.block != nil {
		select {
		case <-r.block:
		case <-ctx.Done():
			return tiles.Blob{}, ctx.Err()
		}
	}
	if l.ID == "empty" {
		return tiles.Blob{}, nil
	}
	return tiles.Blob{MVT: fmt.Appendf(nil, "%s@%d:%d/%d/%d;", l.ID, l.DataVersion, t.Z, t.X, t.Y), Features: 1,
		Capped: opt.MaxFeatures > 0}, nil
}

func catalog() fakeCatalog {
	return fakeCatalog{
		"blocks": {ID: "blocks", DataVersion: 1, Attributes: []layers.Attribute{{Name: "name"}, {Name: "grade"}}},
		"lines":  {ID: "lines", DataVersion: 7, MinZoom: 6, Attributes: []layers.Attribute{{Name: "name"}, {Name: "kv"}}},
		"secret": {ID: "secret", DataVersion: 1, Access: layers.Restricted},
		"empty":  {ID: "empty", DataVersion: 1},
	}
}

func TestServiceCachesByDataVersion(t *testing.T) {
	ctx := context.Background()
	cat := catalog()
	r := &fakeRenderer{}
	s := tiles.NewService(cat, r, tiles.Config{CacheBytes: 1 << 20})
	tile := maptile.New(5, 6, 7)
	req := tiles.Request{Layers: []string{"blocks", "lines"}, Tile: tile}

	first, err := s.Tile(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if first.Hit || string(first.MVT) != "blocks@1:7/5/6;lines@7:7/5/6;" {
		t.Fatalf("first: hit %v, %q", first.Hit, first.MVT)
	}
	second, _ := s.Tile(ctx, req)
	if !second.Hit || second.ETag != first.ETag || r.calls.Load() != 2 {
		t.Fatalf("second: hit %v, etag %s/%s, %d renders", second.Hit, second.ETag, first.ETag, r.calls.Load())
	}
	l := cat["blocks"]
	l.DataVersion = 2
	cat["blocks"] = l
	third, _ := s.Tile(ctx, req)
	if third.Hit || third.ETag == first.ETag || !bytes.Contains(third.MVT, []byte("blocks@2")) {
		t.Fatalf("after a version bump: hit %v, %q", third.Hit, third.MVT)
	}
}

func TestServiceMinZoomAndOptions(t *testing.T) {
	ctx := context.Background()
	r := &fakeRenderer{}
	s := tiles.NewService(catalog(), r, tiles.Config{CacheBytes: 1 << 20, MaxFeatures: 50})
	res, err := s.Tile(ctx, tiles.Request{Layers: []string{"lines", "blocks"}, Tile: maptile.New(0, 0, 3),
		Properties: []string{"kv", "grade"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.MVT) != "blocks@1:3/0/0;" {
		t.Fatalf("below lines' min zoom: %q", res.MVT)
	}
	if len(r.opts) != 1 || fmt.Sprint(r.opts[0].Properties) != "[grade]" || r.opts[0].MaxFeatures != 50 {
		t.Fatalf("options %+v", r.opts)
	}
	if fmt.Sprint(res.Capped) != "[blocks=50]" {
		t.Fatalf("capped %v", res.Capped)
	}
	_, err = s.Tile(ctx, tiles.Request{Layers: []string{"blocks"}, Tile: maptile.New(0, 0, 3), Properties: []string{"kv"}})
	if !errors.Is(err, layers.ErrInvalid) {
		t.Fatalf("unknown property: %v", err)
	}
}

func TestServiceHidesRestrictedLayers(t *testing.T) {
	ctx := context.Background()
	s := tiles.NewService(catalog(), &fakeRenderer{}, tiles.Config{})
	tile := maptile.New(0, 0, 8)
	for _, ids := range [][]string{{"secret"}, {"blocks", "secret"}, {"nope"}} {
		if _, err := s.Tile(ctx, tiles.Request{Layers: ids, Tile: tile}); !errors.Is(err, layers.ErrNotFound) {
			t.Errorf("%v: err %v, want not found", ids, err)
		}
	}
	granted := func(l layers.Layer) bool { return l.ID == "secret" }
	if _, err := s.Tile(ctx, tiles.Request{Layers: []string{"blocks", "secret"}, Tile: tile, MayRead: granted}); err != nil {
		t.Fatalf("with a grant: %v", err)
	}
}

func TestServiceSingleRenderForConcurrentMisses(t *testing.T) {
	r := &fakeRenderer{block: make(chan struct{})}
	s := tiles.NewService(catalog(), r, tiles.Config{CacheBytes: 1 << 20})
	var wg sync.WaitGroup
	var hits atomic.Int32
	for range 10 {
		wg.Go(func() {
			res, err := s.Tile(context.Background(), tiles.Request{Layers: []string{"blocks"}, Tile: maptile.New(1, 1, 9)})
			if err != nil {
				t.Error(err)
				return
			}
			if res.Hit {
				hits.Add(1)
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(r.block)
	wg.Wait()
	if r.calls.Load() != 1 || hits.Load() != 9 {
		t.Fatalf("%d renders, %d hits; want 1 and 9", r.calls.Load(), hits.Load())
	}
}

func TestServiceRefusesBeyondItsQueue(t *testing.T) {
	r := &fakeRenderer{block: make(chan struct{})}
	s := tiles.NewService(catalog(), r, tiles.Config{MaxRenders: 1, MaxQueue: -1})
	done := make(chan error)
	go func() {
		_, err := s.Tile(context.Background(), tiles.Request{Layers: []string{"blocks"}, Tile: maptile.New(0, 0, 9)})
		done <- err
	}()
	for r.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	_, err := s.Tile(context.Background(), tiles.Request{Layers: []string{"blocks"}, Tile: maptile.New(1, 0, 9)})
	if !errors.Is(err, tiles.ErrOverloaded) {
		t.Fatalf("second render while the only slot is busy: %v", err)
	}
	close(r.block)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestParseTile(t *testing.T) {
	for _, c := range []struct {
		z, x, y string
		ok      bool
	}{
		{"0", "0", "0", true}, {"12", "2985", "1765", true}, {"3", "8", "0", false}, {"25", "0", "0", false},
		{"-1", "0", "0", false}, {"a", "0", "0", false}, {"2", "3", "4", false},
	} {
		_, err := tiles.ParseTile(c.z, c.x, c.y)
		if (err == nil) != c.ok {
			t.Errorf("%s/%s/%s: err %v", c.z, c.x, c.y, err)
		}
	}
	if _, err := tiles.ParseLayerList("a,b,a"); err == nil {
		t.Error("repeated layer accepted")
	}
	if _, err := tiles.ParseLayerList("a,,b"); err == nil {
		t.Error("empty layer accepted")
	}
}

func TestTileJSON(t *testing.T) {
	cat := catalog()
	b := cat["blocks"]
	b.Extent = &layers.Extent{82, 23.7, 82.8, 24.3}
	b.Owner, b.License = "Ministry of Coal", "GODL-India"
	b.MaxZoom = 16
	l := cat["lines"]
	l.MaxZoom = 14
	tj := tiles.NewTileJSON([]layers.Layer{b, l}, "https://x/tiles/blocks,lines/{z}/{x}/{y}.mvt?v=1.7")
	if tj.TileJSON != "3.0.0" || tj.MinZoom != 0 || tj.MaxZoom != 16 || len(tj.VectorLayers) != 2 ||
		tj.VectorLayers[1].MinZoom != 6 || tj.Bounds[0] != 82 || tj.Attribution != "© Ministry of Coal, GODL-India" {
		t.Fatalf("%+v", tj)
	}
	if tj.VectorLayers[0].Fields["name"] != "String" {
		t.Fatalf("fields %v", tj.VectorLayers[0].Fields)
	}
}
