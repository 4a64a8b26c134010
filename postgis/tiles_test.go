package postgis_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
	"github.com/coalmap/coalmap/tiles"
)

func prepare(t *testing.T, pool *pgxpool.Pool, ids ...string) {
	t.Helper()
	for _, id := range ids {
		err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
			return postgis.PrepareTiles(context.Background(), tx, id)
		})
		if err != nil {
			t.Fatalf("PrepareTiles(%s): %v", id, err)
		}
	}
}

func newRenderer(t *testing.T, url string, opt postgis.RendererOptions) *postgis.TileRenderer {
	t.Helper()
	r, err := postgis.NewTileRenderer(context.Background(), url, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func snapshotLayer(t *testing.T, pool *pgxpool.Pool, id string) layers.Layer {
	t.Helper()
	s := layers.NewCatalog(postgis.NewStore(pool), nil)
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	l, ok := s.Layer(id)
	if !ok {
		t.Fatalf("no layer %s", id)
	}
	return *l
}

func TestPrepareTiles(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	pgtest.CreateCoalLayers(t, pool)
	// A block of 641 vertices, more than a full-band piece holds.
	if _, err := pool.Exec(ctx, `INSERT INTO layers.coal_blocks (feature_id, geom)
VALUES ('CB-ROUND', ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(82.6, 24.3), 4326), 0.03, 160)))`); err != nil {
		t.Fatal(err)
	}
	prepare(t, pool, "coal_blocks", "transmission_lines", "sidings")
	prepare(t, pool, "transmission_lines") // again: replaces

	count := func(sql string) int64 {
		t.Helper()
		var n int64
		if err := pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	t.Run("tiny features dropped at low zoom, kept at full resolution", func(t *testing.T) {
		for _, c := range []struct {
			layer, band string
			want        int64
		}{
			{"coal_blocks", "z0", 0}, {"coal_blocks", "z14", 1},
			{"transmission_lines", "z0", 0}, {"transmission_lines", "z14", 1},
		} {
			n := count(fmt.Sprintf(`SELECT count(*) FROM tilegen.%s g JOIN layers.%s l USING (fid) WHERE l.feature_id LIKE '%%-TINY'`,
				pgx.Identifier{c.layer + "__" + c.band}.Sanitize(), pgx.Identifier{c.layer}.Sanitize()))
			if n != c.want {
				t.Errorf("%s %s band: %d tiny features, want %d", c.layer, c.band, n, c.want)
			}
		}
	})
	t.Run("geometry simplified at low zoom, full at z14", func(t *testing.T) {
		full := count(`SELECT sum(ST_NPoints(geom)) FROM layers.transmission_lines`)
		z14 := count(`SELECT sum(ST_NPoints(geom)) FROM tilegen."transmission_lines__z14"`)
		z0 := count(`SELECT sum(ST_NPoints(geom)) FROM tilegen."transmission_lines__z0"`)
		z10 := count(`SELECT sum(ST_NPoints(geom)) FROM tilegen."transmission_lines__z10"`)
		t.Logf("vertices: source %d, z14 band %d, z10 band %d, z0 band %d", full, z14, z10, z0)
		if z14 != full || !(z0*10 < full) || !(z10 < full) || !(z0 <= z10) {
			t.Fatalf("vertices: source %d, z14 %d, z10 %d, z0 %d", full, z14, z10, z0)
		}
		if bad := count(`SELECT count(*) FROM tilegen."coal_blocks__z0" WHERE NOT ST_IsValid(geom)`); bad != 0 {
			t.Fatalf("%d invalid generalised polygons", bad)
		}
	})
	t.Run("large geometries subdivided for the index", func(t *testing.T) {
		rows := count(`SELECT count(*) FROM tilegen."coal_blocks__z14"`)
		pieces := count(`SELECT count(*) FROM tilegen."coal_blocks__z14_i"`)
		maxv := count(`SELECT max(ST_NPoints(geom)) FROM tilegen."coal_blocks__z14_i"`)
		lines := count(`SELECT count(*) FROM tilegen."transmission_lines__z14_i"`)
		if pieces <= rows || maxv > 64 || lines <= 11 {
			t.Fatalf("%d features in %d pieces of at most %d vertices", rows, pieces, maxv)
		}
		// Every polygon of more vertices than a piece holds is in several
		// pieces (CB-ROUND is one), every other in one.
		limit := tiles.Bands[len(tiles.Bands)-1].PieceVertices(layers.MultiPolygon)
		var big, wrong int64
		if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE n > $1), count(*) FILTER (WHERE (n > $1) <> (p > 1))
FROM (SELECT ST_NPoints(l.geom) n, (SELECT count(*) FROM tilegen."coal_blocks__z14_i" i WHERE i.fid = l.fid) p
      FROM layers.coal_blocks l) x`, limit).Scan(&big, &wrong); err != nil {
			t.Fatal(err)
		}
		if big == 0 || wrong != 0 {
			t.Fatalf("%d polygons of more than %d vertices; %d with pieces not as their size says", big, limit, wrong)
		}
	})
	t.Run("points thinned per pixel at low zoom", func(t *testing.T) {
		if z0, z14 := count(`SELECT count(*) FROM tilegen."sidings__z0"`), count(`SELECT count(*) FROM tilegen."sidings__z14"`); !(z0 < z14) || z14 != 200 {
			t.Fatalf("sidings: z0 band %d, z14 band %d", z0, z14)
		}
	})
	t.Run("unknown layer", func(t *testing.T) {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return postgis.PrepareTiles(ctx, tx, "no_such_layer") })
		if !errors.Is(err, layers.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
}

// source is a layer's features as stored, keyed by fid.
type source struct {
	geom  map[uint64]orb.Geometry
	names map[uint64]string
}

func loadSource(t *testing.T, pool *pgxpool.Pool, id string) source {
	t.Helper()
	rows, err := pool.Query(context.Background(), fmt.Sprintf(`SELECT fid, ST_AsBinary(geom), name FROM layers.%s`, pgx.Identifier{id}.Sanitize()))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	s := source{geom: map[uint64]orb.Geometry{}, names: map[uint64]string{}}
	for rows.Next() {
		var fid int64
		var b []byte
		var name string
		if err := rows.Scan(&fid, &b, &name); err != nil {
			t.Fatal(err)
		}
		g, err := wkb.Unmarshal(b)
		if err != nil {
			t.Fatal(err)
		}
		s.geom[uint64(fid)], s.names[uint64(fid)] = g, name
	}
	return s
}

// oracle returns the fids PostGIS says must be in tile t (they intersect
// the tile shrunk by slack metres and are at least minSize across) and those
// that may be (they intersect the tile grown by the buffer and slack).
func oracle(t *testing.T, pool *pgxpool.Pool, id string, tile maptile.Tile, slack, minSize float64) (must, may map[uint64]bool) {
	t.Helper()
	q := fmt.Sprintf(`SELECT fid,
	    ST_Intersects(g, ST_Expand(ST_TileEnvelope($1, $2, $3), -$4::float8))
	      AND greatest(ST_XMax(g) - ST_XMin(g), ST_YMax(g) - ST_YMin(g)) >= $5::float8
	  FROM (SELECT fid, ST_Transform(geom, 3857) g FROM layers.%s) s
	  WHERE ST_Intersects(g, ST_Expand(ST_TileEnvelope($1, $2, $3, margin => $6), $4::float8))`, pgx.Identifier{id}.Sanitize())
	rows, err := pool.Query(context.Background(), q, int(tile.Z), int(tile.X), int(tile.Y), slack, minSize, float64(tiles.Buffer)/tiles.Extent)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	must, may = map[uint64]bool{}, map[uint64]bool{}
	for rows.Next() {
		var fid int64
		var m bool
		if err := rows.Scan(&fid, &m); err != nil {
			t.Fatal(err)
		}
		may[uint64(fid)] = true
		if m {
			must[uint64(fid)] = true
		}
	}
	return must, may
}

// tileMetres is the width of a tile at zoom z in EPSG:3857 metres.
func tileMetres(z maptile.Zoom) float64 { return 2 * 20037508.3427892 / math.Exp2(float64(z)) }

func boundary(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Polygon:
		mls := orb.MultiLineString{}
		for _, r := range g {
			mls = append(mls, orb.LineString(r))
		}
		return mls
	case orb.MultiPolygon:
		mls := orb.MultiLineString{}
		for _, p := range g {
			for _, r := range p {
				mls = append(mls, orb.LineString(r))
			}
		}
		return mls
	}
	return g
}

func vertices(g orb.Geometry) []orb.Point {
	var ps []orb.Point
	switch g := g.(type) {
	case orb.Point:
		ps = append(ps, g)
	case orb.MultiPoint:
		ps = append(ps, g...)
	case orb.LineString:
		ps = append(ps, g...)
	case orb.MultiLineString:
		for _, l := range g {
			ps = append(ps, l...)
		}
	case orb.Polygon:
		for _, r := range g {
			ps = append(ps, r...)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				ps = append(ps, r...)
			}
		}
	}
	return ps
}

// checkTile decodes blob and compares it with the source: the right features
// (by id), each vertex inside the tile within tol units of the source
// geometry, and the name attribute.
func checkTile(t *testing.T, pool *pgxpool.Pool, l layers.Layer, src source, tile maptile.Tile, blob tiles.Blob, tol float64, gen bool) int {
	t.Helper()
	unit := tileMetres(tile.Z) / tiles.Extent
	slack, minSize := 2*unit, 2*unit // ST_AsMVTGeom drops what collapses on the grid
	if gen && tile.Z < 14 {
		px := tileMetres(tile.Z) / 256 // the band's pixel is at most this
		slack, minSize = px, 2*px
	}
	must, may := oracle(t, pool, l.ID, tile, slack, minSize)
	got := map[uint64]bool{}
	if len(blob.MVT) > 0 {
		ls, err := mvt.Unmarshal(blob.MVT)
		if err != nil {
			t.Fatalf("%v: decode: %v", tile, err)
		}
		if len(ls) != 1 || ls[0].Name != l.ID || ls[0].Extent != tiles.Extent {
			t.Fatalf("%v: layers %v", tile, ls)
		}
		for _, f := range ls[0].Features {
			id := uint64(f.ID.(float64))
			if got[id] {
				t.Errorf("%v: feature %d twice", tile, id)
			}
			got[id] = true
			if f.Properties["name"] != src.names[id] {
				t.Errorf("%v: feature %d name %v, want %q", tile, id, f.Properties["name"], src.names[id])
			}
			for _, a := range l.Attributes {
				if _, ok := f.Properties[a.Name]; !ok {
					t.Errorf("%v: feature %d lacks attribute %s", tile, id, a.Name)
				}
			}
			// The source in tile units, as orb projects it.
			sl := mvt.NewLayer("s", geojson.NewFeatureCollection().Append(geojson.NewFeature(orb.Clone(src.geom[id]))))
			sl.ProjectToTile(tile)
			ref := boundary(sl.Features[0].Geometry)
			for _, p := range vertices(f.Geometry) {
				if p[0] < 0 || p[0] > tiles.Extent || p[1] < 0 || p[1] > tiles.Extent {
					continue // clipped in the buffer
				}
				if d := planar.DistanceFrom(ref, p); d > tol {
					t.Errorf("%v: feature %d vertex %v is %.2f units from the source (tolerance %.1f)", tile, id, p, d, tol)
					break
				}
			}
		}
		if len(got) != blob.Features {
			t.Errorf("%v: %d features decoded, renderer said %d", tile, len(got), blob.Features)
		}
	}
	for id := range must {
		if !got[id] {
			t.Errorf("%v: feature %d (%s) missing", tile, id, src.names[id])
		}
	}
	for id := range got {
		if !may[id] {
			t.Errorf("%v: feature %d (%s) does not belong in this tile", tile, id, src.names[id])
		}
	}
	return len(got)
}

// fixtureTiles are the tiles over the fixtures at zoom z, every step-th.
func fixtureTiles(z maptile.Zoom, step uint32) []maptile.Tile {
	min, max := maptile.At(orb.Point{81.88, 24.36}, z), maptile.At(orb.Point{82.92, 23.66}, z)
	var ts []maptile.Tile
	for x := min.X; x <= max.X; x += step {
		for y := min.Y; y <= max.Y; y += step {
			ts = append(ts, maptile.New(x, y, z))
		}
	}
	return ts
}

func TestRenderMatchesPostGIS(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	pool, err := postgis.Connect(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pgtest.CreateCoalLayers(t, pool)
	r := newRenderer(t, url, postgis.RendererOptions{})
	srcs := map[string]source{}
	for _, id := range []string{"coal_blocks", "transmission_lines", "sidings"} {
		srcs[id] = loadSource(t, pool, id)
	}
	zooms := []struct {
		z    maptile.Zoom
		step uint32
	}{{6, 1}, {8, 1}, {10, 1}, {12, 3}, {14, 9}, {15, 23}}
	for _, gen := range []bool{false, true} {
		if gen {
			prepare(t, pool, "coal_blocks", "transmission_lines", "sidings")
			pgtest.BumpVersion(t, pool, "coal_blocks")
			pgtest.BumpVersion(t, pool, "transmission_lines")
			pgtest.BumpVersion(t, pool, "sidings")
		}
		for _, id := range []string{"coal_blocks", "transmission_lines", "sidings"} {
			l := snapshotLayer(t, pool, id)
			t.Run(fmt.Sprintf("%s generalised=%v", id, gen), func(t *testing.T) {
				total, n := 0, 0
				for _, zc := range zooms {
					for _, tile := range fixtureTiles(zc.z, zc.step) {
						blob, err := r.Render(ctx, l, tile, tiles.Options{})
						if err != nil {
							t.Fatalf("%v: %v", tile, err)
						}
						tol := math.Sqrt2 // one unit on each axis
						if gen && tile.Z < 14 {
							tol = 9 // half a pixel at the band's deepest zoom, plus rounding
						}
						total += checkTile(t, pool, l, srcs[id], tile, blob, tol, gen)
						n++
					}
				}
				t.Logf("%d tiles, %d features checked", n, total)
				if total == 0 {
					t.Fatal("no features checked")
				}
			})
		}
	}
}

func TestFeatureCrossingTilesAppearsInEach(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	pool, err := postgis.Connect(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pgtest.CreateCoalLayers(t, pool)
	prepare(t, pool, "transmission_lines")
	l := snapshotLayer(t, pool, "transmission_lines")
	r := newRenderer(t, url, postgis.RendererOptions{})
	// Line 0 runs east from 81.9°E across every tile column at z11.
	var fid int64
	if err := pool.QueryRow(ctx, `SELECT fid FROM layers.transmission_lines WHERE feature_id = 'TL-0'`).Scan(&fid); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `SELECT x, y FROM generate_series(0, 2047) x, generate_series(0, 2047) y
	  WHERE x BETWEEN 1485 AND 1500 AND y BETWEEN 870 AND 900
	    AND ST_Intersects(ST_TileEnvelope(11, x, y), (SELECT ST_Transform(geom, 3857) FROM layers.transmission_lines WHERE fid = $1))`, fid)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (maptile.Tile, error) {
		var x, y int64
		err := r.Scan(&x, &y)
		return maptile.New(uint32(x), uint32(y), 11), err
	})
	if err != nil || len(ts) < 3 {
		t.Fatalf("%d tiles, %v", len(ts), err)
	}
	for _, tile := range ts {
		blob, err := r.Render(ctx, l, tile, tiles.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ls, _ := mvt.Unmarshal(blob.MVT)
		found := false
		for _, lay := range ls {
			for _, f := range lay.Features {
				found = found || f.ID.(float64) == float64(fid)
			}
		}
		if !found {
			t.Errorf("TL-0 missing from %v", tile)
		}
	}
	t.Logf("TL-0 found in all %d tiles it crosses", len(ts))
}

func TestRenderOptions(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	pool, err := postgis.Connect(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pgtest.CreateCoalLayers(t, pool)
	r := newRenderer(t, url, postgis.RendererOptions{StatementTimeout: 1500 * time.Millisecond})
	sidings := snapshotLayer(t, pool, "sidings")
	blocks := snapshotLayer(t, pool, "coal_blocks")
	z8 := maptile.At(orb.Point{82.4, 24.0}, 8)

	t.Run("feature cap is reported", func(t *testing.T) {
		b, err := r.Render(ctx, sidings, z8, tiles.Options{MaxFeatures: 5})
		if err != nil {
			t.Fatal(err)
		}
		ls, _ := mvt.Unmarshal(b.MVT)
		if !b.Capped || b.Features != 5 || len(ls[0].Features) != 5 {
			t.Fatalf("capped %v, features %d, decoded %d", b.Capped, b.Features, len(ls[0].Features))
		}
		b, _ = r.Render(ctx, sidings, z8, tiles.Options{MaxFeatures: 1000})
		if b.Capped || b.Features != 200 {
			t.Fatalf("cap 1000: capped %v, features %d", b.Capped, b.Features)
		}
	})
	t.Run("byte budget leaves out the smallest features, and says how many", func(t *testing.T) {
		all, err := r.Render(ctx, blocks, z8, tiles.Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.Render(ctx, blocks, z8, tiles.Options{MaxBytes: len(all.MVT) / 3})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("z8 tile of %d blocks, %d bytes; budget %d bytes: %d blocks, %d bytes, %d left out",
			all.Features, len(all.MVT), len(all.MVT)/3, b.Features, len(b.MVT), b.Omitted)
		if b.Omitted == 0 || b.Features+b.Omitted != all.Features || all.Omitted != 0 || len(b.MVT) >= len(all.MVT) {
			t.Fatalf("budget: %d features, %d left out, of %d", b.Features, b.Omitted, all.Features)
		}
		// PostGIS's ranking of the tile's blocks by area: the kept ones
		// are its first.
		ls, _ := mvt.Unmarshal(all.MVT)
		var ids []int64
		for _, f := range ls[0].Features {
			ids = append(ids, int64(f.ID.(float64)))
		}
		rows, err := pool.Query(ctx, `SELECT fid FROM layers.coal_blocks WHERE fid = ANY($1) ORDER BY ST_Area(geom) DESC, fid LIMIT $2`, ids, b.Features)
		if err != nil {
			t.Fatal(err)
		}
		want, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		ls, _ = mvt.Unmarshal(b.MVT)
		got := map[int64]bool{}
		for _, f := range ls[0].Features {
			got[int64(f.ID.(float64))] = true
		}
		for _, id := range want {
			if !got[id] {
				t.Fatalf("block %d, among the %d largest, left out (kept %v)", id, b.Features, got)
			}
		}
	})
	t.Run("properties choose attributes; dates as text", func(t *testing.T) {
		b, err := r.Render(ctx, blocks, z8, tiles.Options{Properties: []string{"grade", "allotted_on"}})
		if err != nil {
			t.Fatal(err)
		}
		ls, _ := mvt.Unmarshal(b.MVT)
		p := ls[0].Features[0].Properties
		if len(p) != 2 || p["grade"] == nil {
			t.Fatalf("properties %v", p)
		}
		if s, ok := p["allotted_on"].(string); !ok || len(s) != 10 {
			t.Fatalf("allotted_on = %#v", p["allotted_on"])
		}
		b, _ = r.Render(ctx, blocks, z8, tiles.Options{Properties: []string{}})
		ls, _ = mvt.Unmarshal(b.MVT)
		if len(ls[0].Features[0].Properties) != 0 {
			t.Fatalf("no properties asked, got %v", ls[0].Features[0].Properties)
		}
	})
	t.Run("empty tile is empty", func(t *testing.T) {
		b, err := r.Render(ctx, blocks, maptile.New(0, 0, 8), tiles.Options{})
		if err != nil || len(b.MVT) != 0 || b.Features != 0 {
			t.Fatalf("%d bytes, %d features, %v", len(b.MVT), b.Features, err)
		}
	})
	t.Run("cancelled context cancels the query", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := r.Render(cctx, blocks, z8, tiles.Options{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a slow query ends with its context or its statement timeout", func(t *testing.T) {
		// A layer whose "table" is a view that sleeps for every row.
		for _, sql := range []string{
			`CREATE VIEW layers.slow AS SELECT s.* FROM layers.sidings s, LATERAL (SELECT pg_sleep(0.05 + 0 * s.fid)) z`,
			`INSERT INTO catalog.layers (id, title, geometry_type, attributes, data_version) VALUES ('slow', 'Slow', 'Point', '[]', 1)`,
		} {
			if _, err := pool.Exec(ctx, sql); err != nil {
				t.Fatal(err)
			}
		}
		slow := snapshotLayer(t, pool, "slow")
		running := func() int {
			var n int
			pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'coalmap-tiles' AND state = 'active'`).Scan(&n)
			return n
		}
		cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := r.Render(cctx, slow, z8, tiles.Options{})
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
			t.Fatalf("request deadline: %v after %v", err, time.Since(start))
		}
		deadline := time.Now().Add(2 * time.Second)
		for running() > 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := running(); n > 0 {
			t.Fatalf("%d tile queries still running after their request ended", n)
		}
		start = time.Now()
		_, err = r.Render(ctx, slow, z8, tiles.Options{}) // statement_timeout 1.5 s
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Fatalf("statement timeout: %v after %v", err, time.Since(start))
		}
	})
	t.Run("statement timeout is set on the renderer's connections", func(t *testing.T) {
		var v string
		if err := r.Pool().QueryRow(ctx, `SHOW statement_timeout`).Scan(&v); err != nil || v != "1500ms" {
			t.Fatalf("statement_timeout %q, %v", v, err)
		}
	})
	t.Run("generalised low-zoom tile is smaller", func(t *testing.T) {
		lines := snapshotLayer(t, pool, "transmission_lines")
		z5 := maptile.At(orb.Point{82.4, 24.0}, 5)
		raw, err := r.Render(ctx, lines, z5, tiles.Options{})
		if err != nil {
			t.Fatal(err)
		}
		prepare(t, pool, "transmission_lines")
		gen, err := r.Render(ctx, lines, z5, tiles.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("z5 tile of transmission lines: %d bytes from the layer table, %d from the z0–5 band", len(raw.MVT), len(gen.MVT))
		if len(gen.MVT)*2 > len(raw.MVT) {
			t.Fatalf("generalised %d bytes, raw %d", len(gen.MVT), len(raw.MVT))
		}
	})
}

// TestGDALReadsTiles opens rendered tiles with GDAL's MVT driver and compares
// its features with orb's decoding. GDAL (gdal-bin) is a test dependency: its
// absence fails the test.
func TestGDALReadsTiles(t *testing.T) {
	ogr, err := exec.LookPath("ogr2ogr")
	if err != nil {
		t.Fatalf("ogr2ogr not found: install gdal-bin (apt-get install -y gdal-bin): %v", err)
	}
	ctx := context.Background()
	url := pgtest.URL(t)
	pool, err := postgis.Connect(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pgtest.CreateCoalLayers(t, pool)
	prepare(t, pool, "coal_blocks", "transmission_lines")
	r := newRenderer(t, url, postgis.RendererOptions{})
	dir := t.TempDir()
	for _, id := range []string{"coal_blocks", "transmission_lines"} {
		l := snapshotLayer(t, pool, id)
		src := loadSource(t, pool, id)
		tile := maptile.At(orb.Point{82.42, 24.05}, 12)
		b, err := r.Render(ctx, l, tile, tiles.Options{})
		if err != nil || b.Features == 0 {
			t.Fatalf("%s: %d features, %v", id, b.Features, err)
		}
		p := filepath.Join(dir, id, fmt.Sprint(tile.Z), fmt.Sprint(tile.X), fmt.Sprintf("%d.pbf", tile.Y))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b.MVT, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(ogr, "-f", "GeoJSON", "/vsistdout/", p, id).Output()
		if err != nil {
			t.Fatalf("ogr2ogr: %v", err)
		}
		var fc struct {
			Features []struct {
				Properties map[string]any `json:"properties"`
				Geometry   struct {
					Coordinates json.RawMessage `json:"coordinates"`
				} `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(out, &fc); err != nil {
			t.Fatalf("ogr2ogr output: %v\n%s", err, out)
		}
		var gdalIDs []int
		for _, f := range fc.Features {
			fid := int(f.Properties["mvt_id"].(float64))
			gdalIDs = append(gdalIDs, fid)
			if f.Properties["name"] != src.names[uint64(fid)] {
				t.Errorf("%s: GDAL feature %d name %v, want %s", id, fid, f.Properties["name"], src.names[uint64(fid)])
			}
			if len(f.Geometry.Coordinates) < 4 {
				t.Errorf("%s: GDAL feature %d has no geometry", id, fid)
			}
		}
		ls, _ := mvt.Unmarshal(b.MVT)
		var orbIDs []int
		for _, f := range ls[0].Features {
			orbIDs = append(orbIDs, int(f.ID.(float64)))
		}
		sort.Ints(gdalIDs)
		sort.Ints(orbIDs)
		if fmt.Sprint(gdalIDs) != fmt.Sprint(orbIDs) {
			t.Errorf("%s: GDAL read ids %v, orb %v", id, gdalIDs, orbIDs)
		}
		t.Logf("%s %v: GDAL and orb agree on %d features", id, tile, len(orbIDs))
	}
}
