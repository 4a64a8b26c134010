package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/layers/layerstest"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
)

// follower is a catalog that follows the change feed, as serve's does, with
// an overlap engine subscribed to it.
type follower struct {
	cat    *layers.Catalog
	engine *overlaps.Engine
}

func follow(t *testing.T, s *postgis.Store) *follower {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cat := layers.NewCatalog(s, nil)
	if err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := overlaps.DefaultConfig()
	cfg.CurrentVersion = func(id string) (int64, bool) {
		l, ok := cat.Layer(id)
		if !ok {
			return 0, false
		}
		return l.DataVersion, true
	}
	engine := overlaps.New(postgis.NewPolygons(s.Pool()), cfg)
	cat.OnChange(engine.Apply)
	done := make(chan struct{})
	go func() { cat.Follow(ctx, s, time.Hour); close(done) }() //nolint:errcheck
	t.Cleanup(func() { cancel(); <-done })
	return &follower{cat: cat, engine: engine}
}

// TestOneReloadPerImport counts the work an import causes a server that
// follows the change feed: one reload of one catalog entry (no full
// reload), and, in the overlap engine, one R-tree build when the data
// changed and none when only the metadata did. The import waits until the
// follower has acknowledged its change, so the counts are final when it
// returns; a marker change committed afterwards shows that nothing else
// arrives.
func TestOneReloadPerImport(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	loadLayer(t, s, "blocks", 40, true)
	f := follow(t, s)
	imports := layers.NewImports(ctx, s, s, layers.ImportsConfig{}, nil)
	defer imports.Close()
	// The follower has caught up once it has the marker.
	marker := func() int64 {
		t.Helper()
		mark(t, s, "marker")
		last, err := s.LastChange(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.cat.WaitFor(ctx, last); err != nil {
			t.Fatal(err)
		}
		return last
	}
	marker()
	check := func() {
		t.Helper()
		line := overlaps.Alignment{ID: "probe", Geom: orb.LineString{{81.99, 23.8005}, {82.05, 23.8005}}}
		if _, err := f.engine.Check(ctx, []overlaps.Alignment{line}, overlaps.Options{Layers: []string{"blocks"}}); err != nil {
			t.Fatal(err)
		}
	}
	check()
	before, builds := f.cat.Stats(), f.engine.Builds()
	if builds != 1 {
		t.Fatalf("%d R-tree builds for the first check", builds)
	}

	res, err := imports.Import(ctx, layers.ImportSpec{Layer: "blocks", Source: layerstest.Grid(30, true), SourceName: "grid", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Visibility == nil || !res.Visibility.Visible() || res.Visibility.Listeners != 1 {
		t.Fatalf("visibility %+v: the follower should have acknowledged the import", res.Visibility)
	}
	if got := f.cat.Snapshot().Version("blocks"); got != res.DataVersion {
		t.Fatalf("the follower has version %d once the import returned, want %d", got, res.DataVersion)
	}
	after := f.cat.Stats()
	if n := after.LayerReloads - before.LayerReloads; n != 1 {
		t.Fatalf("%d catalog entry reloads for one import, want 1", n)
	}
	if after.FullReloads != before.FullReloads {
		t.Fatalf("the import caused %d full catalog reloads", after.FullReloads-before.FullReloads)
	}
	check()
	if n := f.engine.Builds() - builds; n != 1 {
		t.Fatalf("%d R-tree builds after an import, want 1", n)
	}
	// Tile bands are built after the import: not a change.
	if err := s.BuildBands(ctx, "blocks"); err != nil {
		t.Fatal(err)
	}
	marker()
	if n := f.cat.Stats().LayerReloads - after.LayerReloads; n != 1 { // the marker's
		t.Fatalf("%d catalog reloads after building bands and a marker, want the marker's 1", n)
	}

	// A metadata-only change: one catalog reload, no R-tree build.
	builds = f.engine.Builds()
	l, err := s.Layer(ctx, "blocks")
	if err != nil {
		t.Fatal(err)
	}
	l.Title = "Blocks (retitled)"
	if _, err := s.PutLayer(ctx, &l, "test"); err != nil {
		t.Fatal(err)
	}
	marker()
	if got, _ := f.cat.Layer("blocks"); got.Title != "Blocks (retitled)" || got.DataVersion != res.DataVersion {
		t.Fatalf("after the metadata change: title %q version %d", got.Title, got.DataVersion)
	}
	check()
	if n := f.engine.Builds() - builds; n != 0 {
		t.Fatalf("%d R-tree builds after a metadata-only change, want 0", n)
	}
}
