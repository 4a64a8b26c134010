package postgis_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/layers/layerstest"
	"github.com/coalmap/coalmap/postgis"
)

// editOnce patches feature id's name, against the version it reads first.
func editOnce(ctx context.Context, s *postgis.Store, id, name string) error {
	l, err := s.Layer(ctx, "blocks")
	if err != nil {
		return err
	}
	var tag string
	q := layers.FeatureQuery{Layer: &l, FeatureID: id, Limit: 1, ETag: true}
	if err := s.Features(ctx, &q, func(r *layers.FeatureRow) error { tag = r.ETag; return nil }); err != nil {
		return err
	}
	e, err := layers.PrepareEdit(&l, layers.EditRequest{Op: layers.EditUpdate, ID: id, IfMatch: []string{tag},
		Body: []byte(fmt.Sprintf(`{"properties":{"name":%q}}`, name)), Actor: layers.Principal{Name: "test"}})
	if err != nil {
		return err
	}
	_, err = s.EditFeature(ctx, e)
	return err
}

// TestEditsWithImportsAndBandBuilds edits features of a layer while it is
// re-imported and its tile bands rebuilt, all at once: the transactions
// take their locks in one order, so none fails with a deadlock or an
// internal error; an edit may only find its feature gone or changed (a
// re-import replaced it). Every edit that succeeded left one audit record
// and one change event, and the bands are those of the last data.
func TestEditsWithImportsAndBandBuilds(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	loadLayer(t, s, "blocks", 300, true)
	if err := postgis.PrepareLayerTiles(ctx, s.Pool(), "blocks"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var edited int
	var failures []error
	fail := func(err error) {
		mu.Lock()
		failures = append(failures, err)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := range 20 {
				err := editOnce(ctx, s, fmt.Sprintf("blk-%d", (w*37+i*11)%300), fmt.Sprintf("edit %d.%d", w, i))
				switch {
				case err == nil:
					mu.Lock()
					edited++
					mu.Unlock()
				case errors.Is(err, layers.ErrStale), errors.Is(err, layers.ErrNotFound):
				default:
					fail(fmt.Errorf("edit %d.%d: %w", w, i, err))
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 4 {
			if _, err := layerstest.Importer(s).Import(ctx, layers.ImportSpec{Layer: "blocks", Source: layerstest.Grid(300-i, true),
				SourceName: fmt.Sprintf("grid-%d", i), Actor: "test"}); err != nil {
				fail(fmt.Errorf("import %d: %w", i, err))
			}
		}
	})
	wg.Go(func() {
		for i := range 6 {
			if err := postgis.PrepareLayerTiles(ctx, s.Pool(), "blocks"); err != nil {
				fail(fmt.Errorf("band build %d: %w", i, err))
			}
		}
	})
	wg.Wait()
	for _, err := range failures {
		t.Error(err, "cause:", layers.Cause(err))
	}
	if edited == 0 {
		t.Fatal("no edit succeeded")
	}
	// Then edits during band builds alone.
	if err := postgis.PrepareLayerTiles(ctx, s.Pool(), "blocks"); err != nil {
		t.Fatal(err)
	}
	for w := range 2 {
		wg.Go(func() {
			for i := range 15 {
				err := editOnce(ctx, s, fmt.Sprintf("blk-%d", (w*53+i*7)%290), fmt.Sprintf("late edit %d.%d", w, i))
				if err != nil && !errors.Is(err, layers.ErrStale) {
					fail(fmt.Errorf("late edit %d.%d: %w", w, i, err))
				}
				if err == nil {
					mu.Lock()
					edited++
					mu.Unlock()
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 4 {
			if _, err := s.Pool().Exec(ctx, `DELETE FROM tilegen.bands WHERE layer_id = 'blocks'`); err != nil {
				fail(err)
			}
			if err := postgis.PrepareLayerTiles(ctx, s.Pool(), "blocks"); err != nil {
				fail(fmt.Errorf("late band build %d: %w", i, err))
			}
		}
	})
	wg.Wait()
	for _, err := range failures {
		t.Error(err, "cause:", layers.Cause(err))
	}
	// Bands that say they are current are what a build from the table
	// now would make: an edit during a build waited for it and patched
	// its bands, or left them stale, never current and wrong.
	current, err := s.BandsCurrent(ctx, "blocks")
	if err != nil {
		t.Fatal(err)
	}
	var audits, changes int
	if err := s.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM catalog.feature_edits WHERE layer_id = 'blocks'),
(SELECT count(*) FROM catalog.changes WHERE layer_id = 'blocks' AND kind = 'features')`).Scan(&audits, &changes); err != nil {
		t.Fatal(err)
	}
	if audits != edited || changes != edited {
		t.Fatalf("%d edits succeeded: %d audit records, %d change events", edited, audits, changes)
	}
	t.Logf("bands current after the storm: %v", current)
	if current {
		sameAsFresh(t, s)
	}
	t.Logf("%d edits applied among imports and band builds", edited)
}

// TestEditPatchesBands edits a feature of a layer with current bands: the
// bands stay current (no rebuild needed) and equal bands built afresh.
func TestEditPatchesBands(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	loadLayer(t, s, "blocks", 100, true)
	if err := postgis.PrepareLayerTiles(ctx, s.Pool(), "blocks"); err != nil {
		t.Fatal(err)
	}
	if err := editOnce(ctx, s, "blk-5", "renamed"); err != nil {
		t.Fatal(err)
	}
	l, _ := s.Layer(ctx, "blocks")
	var tag string
	q := layers.FeatureQuery{Layer: &l, FeatureID: "blk-7", Limit: 1, ETag: true}
	s.Features(ctx, &q, func(r *layers.FeatureRow) error { tag = r.ETag; return nil })
	e, err := layers.PrepareEdit(&l, layers.EditRequest{Op: layers.EditUpdate, ID: "blk-7", IfMatch: []string{tag},
		Body: []byte(`{"geometry":{"type":"Polygon","coordinates":[[[82.3,23.9],[82.5,23.9],[82.5,24.1],[82.3,24.1],[82.3,23.9]]]}}`)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.EditFeature(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	sameAsFresh(t, s)
	if !res.HasBBox || res.BBox.Max[0] < 82.5 || res.BBox.Min[1] > 23.9 {
		t.Fatalf("bbox %v: want old and new geometry", res.BBox)
	}
}

// bands reads every zoom band and index table of layer blocks.
func bands(t *testing.T, s *postgis.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, b := range []string{"z0", "z6", "z8", "z10", "z12", "z14"} {
		rows, err := s.Pool().Query(ctx, fmt.Sprintf(`SELECT fid, ST_AsText(geom) FROM tilegen.blocks__%s
UNION ALL SELECT -fid, ST_AsText(geom) FROM tilegen.blocks__%s_i ORDER BY 1, 2`, b, b))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var fid int64
			var wkt string
			if err := rows.Scan(&fid, &wkt); err != nil {
				t.Fatal(err)
			}
			out[fmt.Sprintf("%s/%d", b, fid)] += wkt + ";"
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sameAsFresh checks that the bands of layer blocks, which say they are
// current, equal bands built afresh from its table.
func sameAsFresh(t *testing.T, s *postgis.Store) {
	t.Helper()
	ctx := context.Background()
	if ok, err := s.BandsCurrent(ctx, "blocks"); err != nil || !ok {
		t.Fatalf("bands not current: %v %v", ok, err)
	}
	patched := bands(t, s)
	// Built afresh: forced (the bands say they are current).
	if _, err := s.Pool().Exec(ctx, `DELETE FROM tilegen.bands WHERE layer_id = 'blocks'`); err != nil {
		t.Fatal(err)
	}
	if err := postgis.PrepareLayerTiles(ctx, s.Pool(), "blocks"); err != nil {
		t.Fatal(err)
	}
	fresh := bands(t, s)
	if len(patched) != len(fresh) {
		t.Fatalf("%d band rows patched, %d built afresh", len(patched), len(fresh))
	}
	for k, v := range fresh {
		if patched[k] != v {
			t.Fatalf("%s: patched %s, built afresh %s", k, patched[k], v)
		}
	}
}
