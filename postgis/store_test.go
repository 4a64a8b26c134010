package postgis_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/layers/layerstest"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

func newStore(t *testing.T) *postgis.Store {
	t.Helper()
	return postgis.NewStore(pgtest.NewPool(t))
}

// loadLayer registers a test layer and imports n grid features into it.
func loadLayer(t *testing.T, s *postgis.Store, id string, n int, polygons bool) layers.ImportResult {
	t.Helper()
	ctx := context.Background()
	if _, err := s.PutLayer(ctx, layerstest.Layer(id, layers.Public, polygons), "test"); err != nil {
		t.Fatal(err)
	}
	res, err := layerstest.Importer(s).Import(ctx, layers.ImportSpec{Layer: id, Source: layerstest.Grid(n, polygons), SourceName: "grid", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCatalogCRUD(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	l := layerstest.Layer("coal_blocks", layers.Restricted, true)
	created, err := s.PutLayer(ctx, l, "tester")
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	got, err := s.Layer(ctx, "coal_blocks")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != l.Title || got.Access != layers.Restricted || len(got.Attributes) != len(l.Attributes) ||
		got.Custodian.Email != l.Custodian.Email || got.GeometryType != layers.MultiPolygon || got.TitleHi != "परीक्षण" {
		t.Fatalf("read back %+v", got)
	}
	l.Title = "Coal blocks (revised)"
	l.Attributes[0].Description = "Block name as allotted"
	if created, err := s.PutLayer(ctx, l, "tester"); err != nil || created {
		t.Fatalf("update: %v %v", created, err)
	}
	got, _ = s.Layer(ctx, "coal_blocks")
	if got.Title != "Coal blocks (revised)" || got.Attributes[0].Description != "Block name as allotted" {
		t.Fatalf("update not stored: %+v", got)
	}
	t.Run("columns are fixed by metadata updates", func(t *testing.T) {
		bad := *l
		bad.Attributes = append([]layers.Attribute{}, l.Attributes...)
		bad.Attributes[1].Type = layers.Integer
		if _, err := s.PutLayer(ctx, &bad, "tester"); !errors.Is(err, layers.ErrInvalid) {
			t.Fatalf("err %v, want ErrInvalid", err)
		}
	})
	t.Run("invalid metadata", func(t *testing.T) {
		bad := *l
		bad.MinZoom, bad.MaxZoom = 10, 4
		var verr *layers.ValidationError
		if _, err := s.PutLayer(ctx, &bad, "tester"); !errors.As(err, &verr) || verr.Field != "min_zoom" {
			t.Fatalf("err %v, want a ValidationError on min_zoom", err)
		}
	})
	ids, err := s.SearchLayers(ctx, "revised")
	if err != nil || len(ids) != 1 || ids[0] != "coal_blocks" {
		t.Fatalf("search: %v %v", ids, err)
	}
	audit, err := s.Audit(ctx, "coal_blocks", 10)
	if err != nil || len(audit) != 2 || audit[0].Action != "layer.update" || audit[0].Actor != "tester" {
		t.Fatalf("audit %+v %v", audit, err)
	}
	if err := s.DeleteLayer(ctx, "coal_blocks", "tester"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Layer(ctx, "coal_blocks"); !errors.Is(err, layers.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := s.DeleteLayer(ctx, "coal_blocks", "tester"); !errors.Is(err, layers.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	var exists bool
	s.Pool().QueryRow(ctx, `SELECT to_regclass('layers.coal_blocks') IS NOT NULL`).Scan(&exists)
	if exists {
		t.Fatal("table survived the delete")
	}
}

func TestImport(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	res := loadLayer(t, s, "blocks", 500, true)
	if res.Features != 500 || res.DataVersion != 1 {
		t.Fatalf("result %+v", res)
	}
	l, _ := s.Layer(ctx, "blocks")
	if l.FeatureCount != 500 || l.Extent == nil || l.Lineage.Source != "grid" || l.Lineage.ImportedBy != "test" || l.DataVersion != 1 {
		t.Fatalf("catalog after import: %+v", l)
	}
	if e := l.Extent; e[0] != layerstest.Origin[0] || e[1] != layerstest.Origin[1] {
		t.Fatalf("extent %v", e)
	}
	// The extent the import measured while reading: that of every point,
	// exactly, as PostGIS finds it point by point.
	var want layers.Extent
	if err := s.Pool().QueryRow(ctx, `SELECT min(ST_X(p)), min(ST_Y(p)), max(ST_X(p)), max(ST_Y(p))
FROM (SELECT (ST_DumpPoints(geom)).geom p FROM layers.blocks) x`).Scan(&want[0], &want[1], &want[2], &want[3]); err != nil {
		t.Fatal(err)
	}
	if *l.Extent != want {
		t.Fatalf("extent %v, PostGIS point by point %v", *l.Extent, want)
	}
	var n int64
	var gt, idx string
	s.Pool().QueryRow(ctx, `SELECT count(*), min(GeometryType(geom)) FROM layers.blocks`).Scan(&n, &gt)
	s.Pool().QueryRow(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname='layers' AND tablename='blocks' AND indexdef LIKE '%gist%'`).Scan(&idx)
	if n != 500 || gt != "MULTIPOLYGON" || idx == "" {
		t.Fatalf("table: %d rows, type %s, gist index %q", n, gt, idx)
	}
	var fid int64
	var area float64
	var seams int64
	var op bool
	if err := s.Pool().QueryRow(ctx, `SELECT fid, area_km2, seam_count, operational FROM layers.blocks WHERE feature_id = 'blk-7'`).Scan(&fid, &area, &seams, &op); err != nil {
		t.Fatal(err)
	}
	if fid != 8 || area != 7.5 || seams != 0 || op {
		t.Fatalf("blk-7: fid %d area %v seams %d op %v", fid, area, seams, op)
	}

	t.Run("a failing import leaves the old table and version", func(t *testing.T) {
		src := layerstest.Grid(300, true)
		src.FailAt = 250
		_, err := layerstest.Importer(s).Import(ctx, layers.ImportSpec{Layer: "blocks", Source: src, Actor: "test"})
		var verr *layers.ValidationError
		if !errors.As(err, &verr) || verr.Feature != 250 {
			t.Fatalf("err %v, want a ValidationError naming feature 250", err)
		}
		after, _ := s.Layer(ctx, "blocks")
		s.Pool().QueryRow(ctx, `SELECT count(*) FROM layers.blocks`).Scan(&n)
		if after.DataVersion != 1 || after.FeatureCount != 500 || n != 500 {
			t.Fatalf("after failed import: version %d count %d rows %d", after.DataVersion, after.FeatureCount, n)
		}
		var left int
		s.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'`).Scan(&left)
		if left != 0 {
			t.Fatalf("%d staging tables left", left)
		}
	})
	t.Run("a cancelled import leaves the old table", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := layerstest.Importer(s).Import(cctx, layers.ImportSpec{Layer: "blocks", Source: layerstest.Grid(10, true)}); err == nil {
			t.Fatal("no error")
		}
		after, _ := s.Layer(ctx, "blocks")
		if after.DataVersion != 1 {
			t.Fatalf("version %d", after.DataVersion)
		}
	})
	t.Run("wrong geometry type names the feature", func(t *testing.T) {
		src := layerstest.Grid(5, true)
		src.Feats[3].Geometry = orb.LineString{{82, 23}, {83, 24}}
		_, err := layerstest.Importer(s).Import(ctx, layers.ImportSpec{Layer: "blocks", Source: src})
		var verr *layers.ValidationError
		if !errors.As(err, &verr) || verr.Feature != 3 || verr.Field != "geometry" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("duplicate ids are refused", func(t *testing.T) {
		src := layerstest.Grid(5, true)
		src.Feats[4].ID = "blk-1"
		_, err := layerstest.Importer(s).Import(ctx, layers.ImportSpec{Layer: "blocks", Source: src})
		var verr *layers.ValidationError
		if !errors.As(err, &verr) || verr.Feature != 4 {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("reimport swaps, repairs, reprojects and bumps the version", func(t *testing.T) {
		// A bow-tie polygon (invalid) in UTM 44N, and features without ids.
		src := &layerstest.Slice{SRID: 32644, Schema: layerstest.GridFields}
		src.Feats = append(src.Feats,
			formatsFeature(0, orb.Polygon{{{500000, 2650000}, {501000, 2651000}, {501000, 2650000}, {500000, 2651000}, {500000, 2650000}}}),
			formatsFeature(1, orb.Polygon{{{502000, 2650000}, {503000, 2650000}, {503000, 2651000}, {502000, 2650000}}}))
		res, err := layerstest.Importer(s).Import(ctx, layers.ImportSpec{Layer: "blocks", Source: src, Checksum: "abc", Actor: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Features != 2 || res.Repaired != 1 || res.DataVersion != 2 {
			t.Fatalf("result %+v", res)
		}
		var lon float64
		var valid bool
		var ids []string
		s.Pool().QueryRow(ctx, `SELECT min(ST_X(ST_Centroid(geom))), bool_and(ST_IsValid(geom)), array_agg(feature_id ORDER BY fid) FROM layers.blocks`).Scan(&lon, &valid, &ids)
		if lon < 80.9 || lon > 81.1 || !valid || fmt.Sprint(ids) != "[1 2]" {
			t.Fatalf("lon %v valid %v ids %v", lon, valid, ids)
		}
		again, err := layerstest.Importer(s).Import(ctx, layers.ImportSpec{Layer: "blocks", Source: src, Checksum: "abc"})
		if err != nil || !again.Unchanged || again.DataVersion != 2 {
			t.Fatalf("same checksum: %+v %v", again, err)
		}
	})
	t.Run("source fields outside the dictionary are added", func(t *testing.T) {
		src := layerstest.Grid(3, true)
		src.Schema = append(src.Schema, formatsField("Seam Thickness (m)"))
		for i := range src.Feats {
			src.Feats[i].Properties["Seam Thickness (m)"] = 2.5
		}
		if _, err := layerstest.Importer(s).Import(ctx, layers.ImportSpec{Layer: "blocks", Source: src}); err != nil {
			t.Fatal(err)
		}
		l, _ := s.Layer(ctx, "blocks")
		a, ok := l.AttributeByName("seam_thickness_m")
		if !ok || a.Alias != "Seam Thickness (m)" || a.Type != layers.Real {
			t.Fatalf("dictionary %+v", l.Attributes)
		}
	})
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	tok, hash := layers.NewToken()
	rec, err := s.CreateToken(ctx, "analyst", layers.Editor, hash, "admin-cli")
	if err != nil {
		t.Fatal(err)
	}
	var stored []byte
	s.Pool().QueryRow(ctx, `SELECT hash FROM catalog.tokens WHERE id = $1`, rec.ID).Scan(&stored)
	if string(stored) == tok || len(stored) != 32 {
		t.Fatalf("token stored as %q", stored)
	}
	p, err := s.Authenticate(ctx, layers.HashToken(tok))
	if err != nil || p.Role != layers.Editor || p.TokenID != rec.ID {
		t.Fatalf("authenticate: %+v %v", p, err)
	}
	if _, err := s.Authenticate(ctx, layers.HashToken(tok+"x")); !errors.Is(err, layers.ErrUnauthorized) {
		t.Fatalf("wrong token: %v", err)
	}
	if err := s.RevokeToken(ctx, rec.ID, "admin-cli"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, layers.HashToken(tok)); !errors.Is(err, layers.ErrUnauthorized) {
		t.Fatalf("revoked token: %v", err)
	}
	if err := s.RevokeToken(ctx, 999, "admin-cli"); !errors.Is(err, layers.ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
	ts, err := s.Tokens(ctx)
	if err != nil || len(ts) != 1 || ts[0].RevokedAt == nil || ts[0].LastUsedAt == nil {
		t.Fatalf("tokens %+v %v", ts, err)
	}
}

func TestFeatures(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	loadLayer(t, s, "pts", 100, false)
	l, _ := s.Layer(ctx, "pts")
	collect := func(q *layers.FeatureQuery) []layers.FeatureRow {
		t.Helper()
		var out []layers.FeatureRow
		if err := s.Features(ctx, q, func(r *layers.FeatureRow) error {
			c := *r
			c.Feature = append([]byte(nil), r.Feature...)
			out = append(out, c)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	rows := collect(&layers.FeatureQuery{Layer: &l, Limit: 3, After: 10})
	if len(rows) != 3 || rows[0].FID != 11 || rows[0].ID != "blk-10" {
		t.Fatalf("rows %+v", rows)
	}
	var f struct {
		ID         string
		Geometry   struct{ Coordinates []float64 }
		Properties map[string]any
	}
	if err := json.Unmarshal(rows[0].Feature, &f); err != nil {
		t.Fatalf("%v: %s", err, rows[0].Feature)
	}
	if f.ID != "blk-10" || f.Properties["state"] != "Madhya Pradesh" || len(f.Geometry.Coordinates) != 2 {
		t.Fatalf("feature %s", rows[0].Feature)
	}
	rows = collect(&layers.FeatureQuery{Layer: &l, Filters: []layers.Filter{{Attribute: "state", Value: "Odisha"}}, Properties: []string{"state"}})
	if len(rows) != 34 {
		t.Fatalf("filter: %d rows", len(rows))
	}
	n, err := s.CountFeatures(ctx, &layers.FeatureQuery{Layer: &l, BBox: &layers.BBox{Bound: orb.Bound{Min: orb.Point{82, 23.8}, Max: orb.Point{82.0101, 23.8011}}}})
	if err != nil || n != 10 {
		t.Fatalf("bbox count %d %v", n, err)
	}
}

func TestCleanStaging(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if _, err := s.Pool().Exec(ctx, `CREATE TABLE staging.coalmap_1_abc_in (x int); CREATE TABLE staging.other (x int)`); err != nil {
		t.Fatal(err)
	}
	n, err := s.CleanStaging(ctx)
	if err != nil || n != 1 {
		t.Fatalf("dropped %d, %v", n, err)
	}
}

// TestCleanStagingSparesAnEndingImport: between the end of an import's
// lease and the record of its end, another process's CleanStaging finds
// the job running with its lock free; it must not fail it (a succeeded
// import reported failed, seen in the import stress test under load).
func TestCleanStagingSparesAnEndingImport(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	job, err := s.QueueImport(ctx, "blocks", "blocks.geojson", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.StartImport(ctx, job.ID, "blocks.geojson", "sha256:x", map[string]string{}); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stage(ctx, layers.StageSpec{Layer: "blocks", Job: job.ID, GeometryType: layers.MultiPolygon, SRID: 4326})
	if err != nil {
		t.Fatal(err)
	}
	other := postgis.NewStore(s.Pool()) // another process's view: its own lock session
	if _, err := other.CleanStaging(ctx); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.ImportJob(ctx, job.ID); j.Status != layers.ImportRunning {
		t.Fatalf("a live import was failed: %s %q", j.Status, j.Error)
	}
	if err := st.Close(); err != nil { // the lease ends; the pipeline records the end just after
		t.Fatal(err)
	}
	if _, err := other.CleanStaging(ctx); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.ImportJob(ctx, job.ID); j.Status != layers.ImportRunning {
		t.Fatalf("an import between its lease's end and its record was failed: %s %q", j.Status, j.Error)
	}
}
