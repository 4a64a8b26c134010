package overlaps_test

import (
	"context"
	"testing"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/overlaps"
)

// A layer whose version the catalog says has moved on is reloaded before the
// next check, without any Invalidate call.
func TestEngineFollowsCurrentVersion(t *testing.T) {
	src := &memSource{layers: map[string][]overlaps.Polygon{"blocks": {{
		ID:   "b1",
		Geom: orb.MultiPolygon{{{{82.0, 23.0}, {82.1, 23.0}, {82.1, 23.1}, {82.0, 23.1}, {82.0, 23.0}}}},
	}}}}
	src.version.Store(1)
	current := int64(1)
	cfg := overlaps.Config{CurrentVersion: func(string) (int64, bool) { return current, true }}
	e := overlaps.New(src, cfg)
	line := []overlaps.Alignment{{Geom: orb.LineString{{81.9, 23.05}, {82.2, 23.05}}}}
	check := func() *overlaps.Report {
		t.Helper()
		r, err := e.Check(context.Background(), line, overlaps.Options{Layers: []string{"blocks"}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := check(); len(r.Crossings) != 1 || src.loads.Load() != 1 {
		t.Fatalf("first check: %d crossings, %d loads", len(r.Crossings), src.loads.Load())
	}
	check()
	if src.loads.Load() != 1 {
		t.Fatalf("unchanged layer reloaded: %d loads", src.loads.Load())
	}
	// The layer is replaced: the block moves away, the version moves on.
	src.layers["blocks"] = []overlaps.Polygon{{ID: "b1", Geom: orb.MultiPolygon{{{{83.0, 23.0}, {83.1, 23.0}, {83.1, 23.1}, {83.0, 23.1}, {83.0, 23.0}}}}}}
	src.version.Store(2)
	current = 2
	if r := check(); len(r.Crossings) != 0 || src.loads.Load() != 2 || r.Layers[0].Version != 2 {
		t.Fatalf("after the change: %d crossings, %d loads, version %d", len(r.Crossings), src.loads.Load(), r.Layers[0].Version)
	}
}
