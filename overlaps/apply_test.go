package overlaps_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
)

// editSource is a polygon layer held in memory that can be edited: it
// serves whole loads and reads by id, with the layer's version.
type editSource struct {
	mu      sync.Mutex
	feats   []overlaps.Polygon
	version int64
}

func (s *editSource) Polygons(ctx context.Context, layer string) (int64, []overlaps.Polygon, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, slices.Clone(s.feats), nil
}

func (s *editSource) PolygonsByID(ctx context.Context, layer string, ids []string) (int64, []overlaps.Polygon, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []overlaps.Polygon
	for _, f := range s.feats {
		if slices.Contains(ids, f.ID) {
			out = append(out, f)
		}
	}
	return s.version, out, nil
}

// edit applies one random edit (replace, delete or create) and returns its
// change event.
func (s *editSource) edit(rng *rand.Rand, n int) layers.Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version++
	ch := layers.Change{Layer: "blocks", Kind: layers.ChangeFeatures, Version: s.version}
	switch i := rng.IntN(len(s.feats)); rng.IntN(3) {
	case 0: // replace: a new shape somewhere else
		s.feats[i].Geom = coalBlocks(rng, 1)[0].Geom
		ch.FeatureIDs = []string{s.feats[i].ID}
	case 1:
		ch.FeatureIDs = []string{s.feats[i].ID}
		s.feats = slices.Delete(s.feats, i, i+1)
	default:
		f := coalBlocks(rng, 1)[0]
		f.ID = fmt.Sprintf("new-%d", n)
		s.feats = append(s.feats, f)
		ch.FeatureIDs = []string{f.ID}
	}
	return ch
}

// TestApplyFeatureEdits edits a loaded layer many times through Apply and
// checks, after each edit, random alignments against an engine that loads
// the edited layer afresh: the same crossings, and no reload.
func TestApplyFeatureEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 11))
	src := &editSource{feats: coalBlocks(rng, 150), version: 1}
	cfg := overlaps.DefaultConfig()
	cfg.DefaultLayers = []string{"blocks"}
	e := overlaps.New(src, cfg)
	ctx := context.Background()
	opts := overlaps.Options{Corridor: overlaps.Corridor{RowWidthM: 46}}
	crossed := func(e *overlaps.Engine, line orb.LineString) []string {
		r, err := e.Check(ctx, []overlaps.Alignment{{Geom: line}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range r.Crossings {
			ids = append(ids, fmt.Sprintf("%s %.3f", c.ID, c.LengthM))
		}
		slices.Sort(ids)
		return ids
	}
	line := func() orb.LineString {
		a := orb.Point{82 + 2*rng.Float64(), 22 + 2*rng.Float64()}
		return orb.LineString{a, {a[0] + 0.5*(rng.Float64()-0.5), a[1] + 0.5*(rng.Float64()-0.5)}}
	}
	crossed(e, line()) // loads the layer
	for n := range 40 {
		e.Apply(ctx, src.edit(rng, n))
		fresh := overlaps.New(src, cfg)
		for range 5 {
			l := line()
			if got, want := crossed(e, l), crossed(fresh, l); !slices.Equal(got, want) {
				t.Fatalf("edit %d, line %v: crossings %v, loaded afresh %v", n, l, got, want)
			}
		}
	}
	if b := e.Builds(); b != 1 {
		t.Fatalf("%d loads of the layer for 40 edits: want them applied in place", b)
	}
	// An edit the engine missed (a version skipped) makes it reload.
	src.mu.Lock()
	src.version++
	src.mu.Unlock()
	e.Apply(ctx, src.edit(rng, 99))
	crossed(e, line())
	if b := e.Builds(); b != 2 {
		t.Fatalf("%d loads after a missed edit, want 2", b)
	}
}
