package tiles

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
)

func TestTouches(t *testing.T) {
	z12 := maptile.At(orb.Point{82.42, 24.05}, 12)
	b := z12.Bound()
	w := b.Max[0] - b.Min[0]
	for _, tc := range []struct {
		name string
		box  orb.Bound
		want bool
	}{
		{"inside", orb.Bound{Min: b.Center(), Max: b.Center()}, true},
		{"overlapping an edge", orb.Bound{Min: orb.Point{b.Max[0] - w/10, b.Min[1]}, Max: orb.Point{b.Max[0] + w, b.Max[1]}}, true},
		// Within the margin a tile is drawn with (64/4096 of its width).
		{"in the buffer", orb.Bound{Min: orb.Point{b.Max[0] + w*10/4096, b.Min[1]}, Max: orb.Point{b.Max[0] + w*20/4096, b.Min[1]}}, true},
		{"a tile away", orb.Bound{Min: orb.Point{b.Max[0] + w, b.Min[1]}, Max: orb.Point{b.Max[0] + 2*w, b.Max[1]}}, false},
		{"around the tile", orb.Bound{Min: orb.Point{b.Min[0] - w, b.Min[1] - w}, Max: orb.Point{b.Max[0] + w, b.Max[1] + w}}, true},
		{"no box", orb.Bound{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Touches(z12, tc.box); got != tc.want {
				t.Fatalf("Touches = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCacheRekey: after a change of features of one layer, its tiles the
// change does not touch move to the new version's keys (also inside tiles
// of several layers), those it touches go, the other layers' stay as they
// are, and a tile of the new version drawn meanwhile wins.
func TestCacheRekey(t *testing.T) {
	c := NewCache(1 << 20)
	a := layers.Layer{ID: "a", DataVersion: 4}
	b := layers.Layer{ID: "b", DataVersion: 9}
	near := maptile.New(10, 10, 8)
	far := maptile.New(100, 100, 8)
	drawn := maptile.New(50, 50, 8)
	add := func(ls []layers.Layer, tl maptile.Tile) *TileDesc {
		d := Describe(ls, tl, make([]Options, len(ls)))
		c.AddTile(d, entry(10))
		return d
	}
	add([]layers.Layer{a}, near)
	add([]layers.Layer{a}, far)
	add([]layers.Layer{b, a}, far)
	add([]layers.Layer{b}, near)
	add([]layers.Layer{a}, drawn)
	a5 := a
	a5.DataVersion = 5
	newer := entry(20)
	c.AddTile(Describe([]layers.Layer{a5}, drawn, make([]Options, 1)), newer)

	kept, dropped := c.Rekey("a", 4, 5, func(tl maptile.Tile) bool { return tl == near })
	if kept != 2 || dropped != 2 {
		t.Fatalf("kept %d, dropped %d; want 2 and 2", kept, dropped)
	}
	has := func(ls []layers.Layer, tl maptile.Tile) bool {
		_, ok := c.Get(Key(ls, tl, make([]Options, len(ls))))
		return ok
	}
	for _, tc := range []struct {
		name string
		ls   []layers.Layer
		tl   maptile.Tile
		want bool
	}{
		{"far tile at the new version", []layers.Layer{a5}, far, true},
		{"far tile at the old version", []layers.Layer{a}, far, false},
		{"near tile at the new version", []layers.Layer{a5}, near, false},
		{"two-layer far tile at the new version", []layers.Layer{b, a5}, far, true},
		{"other layer untouched", []layers.Layer{b}, near, true},
	} {
		if got := has(tc.ls, tc.tl); got != tc.want {
			t.Errorf("%s: cached %v, want %v", tc.name, got, tc.want)
		}
	}
	if e, ok := c.Get(Key([]layers.Layer{a5}, drawn, make([]Options, 1))); !ok || e != newer {
		t.Error("the tile drawn at the new version lost to a carried one")
	}
	// A version that is not the one before changes nothing.
	if k, d := c.Rekey("a", 2, 3, func(maptile.Tile) bool { return true }); k != 0 || d != 0 {
		t.Errorf("rekey from a version not cached: kept %d dropped %d", k, d)
	}
	if n := c.DropLayer("a"); n != 3 || has([]layers.Layer{b, a5}, far) || !has([]layers.Layer{b}, near) {
		t.Errorf("DropLayer dropped %d", n)
	}
	st := c.Stats()
	if st.Kept != 2 || st.Invalidated != 5 || st.Entries != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestServiceApplyChange: each kind of change does to the cache what it
// should.
func TestServiceApplyChange(t *testing.T) {
	s := NewService(nil, nil, Config{CacheBytes: 1 << 20})
	l := layers.Layer{ID: "blocks", DataVersion: 7}
	in := maptile.At(orb.Point{82.01, 23.71}, 12)
	out := maptile.At(orb.Point{85.5, 21.5}, 12)
	fill := func() {
		for _, tl := range []maptile.Tile{in, out} {
			s.cache.AddTile(Describe([]layers.Layer{l}, tl, make([]Options, 1)), entry(5))
		}
	}
	cached := func(v int64, tl maptile.Tile) bool {
		ll := l
		ll.DataVersion = v
		_, ok := s.cache.Get(Key([]layers.Layer{ll}, tl, make([]Options, 1)))
		return ok
	}
	ctx := context.Background()
	fill()
	s.ApplyChange(ctx, layers.Change{Layer: "blocks", Kind: layers.ChangeMetadata, Version: 7})
	if !cached(7, in) || !cached(7, out) {
		t.Fatal("a metadata change dropped tiles")
	}
	s.ApplyChange(ctx, layers.Change{Layer: "blocks", Kind: layers.ChangeFeatures, Version: 8,
		BBox: orb.Bound{Min: orb.Point{82.0, 23.7}, Max: orb.Point{82.02, 23.72}}, FeatureIDs: []string{"CB-0"}})
	if cached(8, in) || !cached(8, out) || cached(7, out) {
		t.Fatalf("after an edit in the first tile: in %v, out %v", cached(8, in), cached(8, out))
	}
	l.DataVersion = 8
	fill()
	s.ApplyChange(ctx, layers.Change{Layer: "blocks", Kind: layers.ChangeData, Version: 9})
	if st := s.cache.Stats(); st.Entries != 0 {
		t.Fatalf("an import left %d tiles of the layer", st.Entries)
	}
}
