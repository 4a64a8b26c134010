package tiles

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
)

// TestCacheAdvance: after a change of some features of one layer, its tiles
// the change's box does not reach (with their buffer) move to the new
// version's keys, also inside tiles of several layers; those it reaches go;
// the other layers' stay as they are; a tile drawn at the new version
// meanwhile wins.
func TestCacheAdvance(t *testing.T) {
	c := NewCache(1 << 20)
	a := layers.Layer{ID: "a", DataVersion: 4}
	b := layers.Layer{ID: "b", DataVersion: 9}
	near := maptile.At(orb.Point{82.01, 23.71}, 12)
	far := maptile.At(orb.Point{84.5, 21.5}, 12)
	drawn := maptile.At(orb.Point{86.5, 22.5}, 12)
	opts := func(n int) []Options { return make([]Options, n) }
	add := func(ls []layers.Layer, tl maptile.Tile, e *Entry) {
		c.add(Key(ls, tl, opts(len(ls))), e, newTag("", ls, tl, opts(len(ls))))
	}
	add([]layers.Layer{a}, near, entry(10))
	add([]layers.Layer{a}, far, entry(10))
	add([]layers.Layer{b, a}, far, entry(10))
	add([]layers.Layer{b}, near, entry(10))
	add([]layers.Layer{a}, drawn, entry(10))
	a5 := a
	a5.DataVersion = 5
	newer := entry(20)
	add([]layers.Layer{a5}, drawn, newer)

	// The box of an edit inside near, and one just outside its edge but
	// within the buffer a tile is drawn with.
	nb := near.Bound()
	box := orb.Bound{Min: nb.Center(), Max: nb.Center()}
	kept, dropped := c.Advance("a", 4, 5, box)
	if kept != 2 || dropped != 2 {
		t.Fatalf("kept %d, dropped %d; want 2 and 2", kept, dropped)
	}
	has := func(ls []layers.Layer, tl maptile.Tile) bool {
		_, ok := c.Get(Key(ls, tl, opts(len(ls))))
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
	if e, ok := c.Get(Key([]layers.Layer{a5}, drawn, opts(1))); !ok || e != newer {
		t.Error("the tile drawn at the new version lost to a carried one")
	}
	// Within the buffer counts as touching.
	a6 := a5
	a6.DataVersion = 6
	add([]layers.Layer{a5}, near, entry(10))
	w := nb.Max[0] - nb.Min[0]
	edge := orb.Bound{Min: orb.Point{nb.Max[0] + w*10/4096, nb.Min[1]}, Max: orb.Point{nb.Max[0] + w*20/4096, nb.Min[1]}}
	if _, d := c.Advance("a", 5, 6, edge); d != 1 || has([]layers.Layer{a6}, near) {
		t.Errorf("an edit in the buffer of a tile kept it (dropped %d)", d)
	}
	if n := c.DropLayer("a"); n != 3 || has([]layers.Layer{b, a6}, far) || !has([]layers.Layer{b}, near) {
		t.Errorf("DropLayer dropped %d", n)
	}
}

// TestServiceApply: each kind of change does to the cache what it should.
func TestServiceApply(t *testing.T) {
	s := NewService(nil, nil, Config{CacheBytes: 1 << 20})
	l := layers.Layer{ID: "blocks", DataVersion: 7}
	in := maptile.At(orb.Point{82.01, 23.71}, 12)
	out := maptile.At(orb.Point{85.5, 21.5}, 12)
	fill := func() {
		for _, tl := range []maptile.Tile{in, out} {
			ls := []layers.Layer{l}
			s.cache.add(Key(ls, tl, make([]Options, 1)), entry(5), newTag("", ls, tl, make([]Options, 1)))
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
	s.Apply(ctx, layers.Change{Layer: "blocks", Kind: layers.ChangeMetadata, Version: 7})
	if !cached(7, in) || !cached(7, out) {
		t.Fatal("a metadata change dropped tiles")
	}
	s.Apply(ctx, layers.Change{Layer: "blocks", Kind: layers.ChangeFeatures, Version: 8,
		BBox: orb.Bound{Min: orb.Point{82.0, 23.7}, Max: orb.Point{82.02, 23.72}}, FeatureIDs: []string{"CB-0"}})
	if cached(8, in) || !cached(8, out) || cached(7, out) {
		t.Fatalf("after an edit in the first tile: in %v, out %v", cached(8, in), cached(8, out))
	}
	l.DataVersion = 8
	fill()
	s.Apply(ctx, layers.Change{Layer: "blocks", Kind: layers.ChangeData, Version: 9})
	if st := s.cache.Stats(); st.Entries != 0 {
		t.Fatalf("an import left %d tiles of the layer", st.Entries)
	}
}
