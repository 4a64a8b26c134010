package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/coalmap/coalmap/data"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// TestLoadDemoThroughTheImportPath loads a few layers of the demo manifest
// (the whole catalog is loaded by TestServeLifecycle) and checks them
// against the generator.
func TestLoadDemoThroughTheImportPath(t *testing.T) {
	ctx := context.Background()
	store := postgis.NewStore(pgtest.NewPool(t))
	full := data.Demo()
	var m data.Manifest
	want := map[string]int{}
	for _, e := range full.Layers {
		if len(m.Layers) == 4 {
			break
		}
		n := 0
		for _, err := range e.Features(DefaultDemoSeed) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n > 5000 {
			continue // keep the test quick
		}
		m.Layers = append(m.Layers, e)
		want[e.ID] = n
	}
	sum, err := loadDemo(ctx, layers.NewImports(ctx, store, store, layers.ImportsConfig{Parallel: 2}, nil), m, DefaultDemoSeed, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Loaded != len(m.Layers) {
		t.Fatalf("summary %+v", sum)
	}
	for _, e := range m.Layers {
		l, err := store.Layer(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if l.FeatureCount != int64(want[e.ID]) || l.DataVersion != 1 || l.Lineage.ImportedBy != "demo" || l.Extent == nil {
			t.Errorf("%s: count %d (want %d), version %d, lineage %+v", e.ID, l.FeatureCount, want[e.ID], l.DataVersion, l.Lineage)
		}
		if l.GeometryType != layers.PromotedType(e.GeometryType) {
			t.Errorf("%s: geometry type %s, manifest %s", e.ID, l.GeometryType, e.GeometryType)
		}
		if len(l.Attributes) != len(e.Attributes) {
			t.Errorf("%s: %d attributes, manifest %d", e.ID, len(l.Attributes), len(e.Attributes))
		}
	}
	again, err := loadDemo(ctx, layers.NewImports(ctx, store, store, layers.ImportsConfig{Parallel: 2}, nil), m, DefaultDemoSeed, slog.Default())
	if err != nil || again.Unchanged != len(m.Layers) {
		t.Fatalf("second load: %+v %v", again, err)
	}
}
