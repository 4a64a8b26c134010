package postgis_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/cql2"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
	"github.com/coalmap/coalmap/tiles"
)

// TestReadsAfterColumnsChanged drives, without timing, the moment between
// a re-import's commit and this server's catalog reload: every read is
// planned from a catalog entry taken before a swap that renamed one of
// the layer's columns (the swap renames the column and bumps the layer's
// data version in one transaction, as a re-import's swap does). Each read
// answers from the new version, never with an error.
func TestReadsAfterColumnsChanged(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	pool, err := postgis.Connect(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pgtest.CreateCoalLayers(t, pool)
	store := postgis.NewStore(pool)
	r := newRenderer(t, url, postgis.RendererOptions{StatementTimeout: 5 * time.Second})
	stale := snapshotLayer(t, pool, "coal_blocks")
	if _, ok := stale.AttributeByName("grade"); !ok {
		t.Fatalf("coal_blocks has no grade: %v", stale.Attributes)
	}

	// The swap: grade becomes grade_new, in the table and the catalog.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE `+layers.Schema+`.coal_blocks RENAME COLUMN grade TO grade_new`); err != nil {
		t.Fatal(err)
	}
	attrs := append([]layers.Attribute{}, stale.Attributes...)
	for i := range attrs {
		if attrs[i].Name == "grade" {
			attrs[i].Name = "grade_new"
		}
	}
	js, _ := json.Marshal(attrs)
	if _, err := tx.Exec(ctx, `UPDATE catalog.layers SET attributes = $2, data_version = data_version + 1 WHERE id = $1`, "coal_blocks", js); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	z8 := maptile.At(orb.Point{82.4, 24.0}, 8)
	t.Run("tile", func(t *testing.T) {
		b, err := r.Render(ctx, stale, z8, tiles.Options{})
		if err != nil || b.Features == 0 {
			t.Fatalf("features %d, err %v", b.Features, err)
		}
	})
	t.Run("tile with properties", func(t *testing.T) {
		b, err := r.Render(ctx, stale, z8, tiles.Options{Properties: []string{"grade"}})
		if err != nil || b.Features == 0 {
			t.Fatalf("features %d, err %v", b.Features, err)
		}
	})
	t.Run("tile filtered on the renamed attribute", func(t *testing.T) {
		e, err := cql2.ParseText("grade IS NOT NULL")
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.Render(ctx, stale, z8, tiles.Options{Filter: &layers.CQLFilter{Expr: e}})
		if err != nil || b.Features != 0 {
			t.Fatalf("features %d (the filter's attribute is gone: none match), err %v", b.Features, err)
		}
	})
	t.Run("WorldCRS84Quad tile", func(t *testing.T) {
		// Level 7 of WorldCRS84Quad: 256 columns of 360/256°, 128 rows of
		// 180/128°; the blocks lie around 82.4°E 24°N, column 186, row 46.
		var total int
		for x := uint32(185); x <= 187; x++ {
			for y := uint32(45); y <= 47; y++ {
				b, err := r.RenderMatrix(ctx, stale, tiles.WorldCRS84Quad, maptile.Tile{X: x, Y: y, Z: 7}, tiles.Options{})
				if err != nil {
					t.Fatalf("tile 7/%d/%d: %v", y, x, err)
				}
				total += b.Features
			}
		}
		if total == 0 {
			t.Fatal("no features in the row of WorldCRS84Quad tiles over the blocks")
		}
	})
	for name, f := range map[string]layers.OutputFormat{"GeoJSON": layers.GeoJSON, "CSV": layers.Tabular} {
		t.Run("items "+name, func(t *testing.T) {
			q := &layers.FeatureQuery{Layer: &stale, Format: f, Limit: 5}
			n := 0
			if err := store.Features(ctx, q, func(*layers.FeatureRow) error { n++; return nil }); err != nil || n == 0 {
				t.Fatalf("rows %d, err %v", n, err)
			}
			if c, err := store.CountFeatures(ctx, q); err != nil || c == 0 {
				t.Fatalf("count %d, err %v", c, err)
			}
		})
	}
}
