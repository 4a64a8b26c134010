package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
	"github.com/coalmap/coalmap/tiles"
)

type tileEnv struct {
	ts    *httptest.Server
	pool  *pgxpool.Pool
	svc   *tiles.Service
	token string // a viewer's: reads restricted layers
}

// blockingRenderer holds every render until release is closed.
type blockingRenderer struct {
	tiles.Renderer
	started chan struct{}
	release chan struct{}
}

func (b *blockingRenderer) Render(ctx context.Context, l layers.Layer, t maptile.Tile, o tiles.Options) (tiles.Blob, error) {
	select {
	case b.started <- struct{}{}:
	default:
	}
	<-b.release
	return b.Renderer.Render(ctx, l, t, o)
}

func newTileEnv(t *testing.T, cfg tiles.Config, wrap func(tiles.Renderer) tiles.Renderer) *tileEnv {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	url := pgtest.URL(t)
	pool, err := postgis.Connect(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	t.Cleanup(cancel) // before the pool closes: Follow holds a connection
	pgtest.CreateCoalLayers(t, pool)
	for _, id := range []string{"coal_blocks", "transmission_lines", "sidings"} {
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return postgis.PrepareTiles(ctx, tx, id) }); err != nil {
			t.Fatal(err)
		}
	}
	store := postgis.NewStore(pool)
	snap := layers.NewCatalog(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := snap.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	go snap.Follow(ctx, store, time.Minute) //nolint:errcheck
	token, hash := layers.NewToken()
	if _, err := store.CreateToken(ctx, "viewer", layers.Viewer, hash, "test"); err != nil {
		t.Fatal(err)
	}
	r, err := postgis.NewTileRenderer(ctx, url, postgis.RendererOptions{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	var rend tiles.Renderer = r
	if wrap != nil {
		rend = wrap(r)
	}
	svc := tiles.NewService(snap, rend, cfg)
	s := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()},
		Deps{Tiles: svc, Tokens: store, Catalog: snap})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &tileEnv{ts: ts, pool: pool, svc: svc, token: token}
}

type tileResponse struct {
	status int
	header http.Header
	body   []byte
}

func (e *tileEnv) get(t *testing.T, path string, hdr ...string) tileResponse {
	t.Helper()
	req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return tileResponse{resp.StatusCode, resp.Header, b}
}

// A tile over the Singrauli fixtures at z12 and an empty one.
var (
	z12   = maptile.At(orb.Point{82.42, 24.05}, 12)
	empty = maptile.New(0, 0, 12)
)

func tilePath(ids string, t maptile.Tile) string {
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", ids, t.Z, t.X, t.Y)
}

func decode(t *testing.T, b []byte) mvt.Layers {
	t.Helper()
	ls, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return ls
}

func TestTileHTTP(t *testing.T) {
	e := newTileEnv(t, tiles.Config{CacheBytes: 64 << 20, MaxFeatures: 3}, nil)
	path := tilePath("coal_blocks", z12)

	first := e.get(t, path)
	if first.status != 200 || first.header.Get("X-Cache") != "miss" || first.header.Get("Content-Type") != tiles.MediaTypeMVT {
		t.Fatalf("first: %d %v %s", first.status, first.header, first.body)
	}
	etag := first.header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || first.header.Get("Cache-Control") != DefaultTileCacheControl {
		t.Fatalf("headers %v", first.header)
	}
	ls := decode(t, first.body)
	if len(ls) != 1 || ls[0].Name != "coal_blocks" || len(ls[0].Features) == 0 {
		t.Fatalf("layers %v", ls)
	}

	t.Run("hit has the same ETag", func(t *testing.T) {
		r := e.get(t, path)
		if r.status != 200 || r.header.Get("X-Cache") != "hit" || r.header.Get("ETag") != etag || !bytes.Equal(r.body, first.body) {
			t.Fatalf("%d %v", r.status, r.header)
		}
	})
	t.Run("If-None-Match gives 304", func(t *testing.T) {
		r := e.get(t, path, "If-None-Match", `"other", `+etag)
		if r.status != 304 || len(r.body) != 0 || r.header.Get("ETag") != etag {
			t.Fatalf("%d %v", r.status, r.header)
		}
	})
	t.Run("gzip when accepted", func(t *testing.T) {
		r := e.get(t, path, "Accept-Encoding", "br, gzip")
		if r.status != 200 || r.header.Get("Content-Encoding") != "gzip" || r.header.Get("ETag") == etag ||
			!strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Accept-Encoding") {
			t.Fatalf("%d %v", r.status, r.header)
		}
		zr, err := gzip.NewReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if !bytes.Equal(plain, first.body) {
			t.Fatal("gzip body differs from the tile")
		}
		if r := e.get(t, path, "Accept-Encoding", "gzip;q=0"); r.header.Get("Content-Encoding") != "" {
			t.Fatal("gzip sent although refused")
		}
		if r := e.get(t, path, "Accept-Encoding", "gzip", "If-None-Match", r.header.Get("ETag")); r.status != 304 {
			t.Fatalf("gzip revalidation: %d", r.status)
		}
	})
	t.Run("empty tile is 204", func(t *testing.T) {
		r := e.get(t, tilePath("coal_blocks", empty))
		if r.status != 204 || len(r.body) != 0 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("comma list: one tile, one MVT layer each, in order", func(t *testing.T) {
		r := e.get(t, tilePath("transmission_lines,coal_blocks", z12))
		ls := decode(t, r.body)
		if r.status != 200 || len(ls) != 2 || ls[0].Name != "transmission_lines" || ls[1].Name != "coal_blocks" {
			t.Fatalf("%d %v", r.status, ls)
		}
	})
	t.Run("properties choose attributes", func(t *testing.T) {
		r := e.get(t, tilePath("coal_blocks", z12)+"?properties=grade")
		ls := decode(t, r.body)
		if p := ls[0].Features[0].Properties; len(p) != 1 || p["grade"] == nil {
			t.Fatalf("properties %v", p)
		}
		if r := e.get(t, tilePath("coal_blocks", z12)+"?properties=voltage_kv"); r.status != 400 {
			t.Fatalf("unknown property: %d %s", r.status, r.body)
		}
	})
	t.Run("feature cap reported in a header", func(t *testing.T) {
		r := e.get(t, fmt.Sprintf("/tiles/sidings/10/%d/%d.mvt", maptile.At(orb.Point{82.4, 24.0}, 10).X, maptile.At(orb.Point{82.4, 24.0}, 10).Y))
		ls := decode(t, r.body)
		if r.header.Get("X-Feature-Cap") != "sidings=3" || len(ls[0].Features) != 3 {
			t.Fatalf("%v, %d features", r.header, len(ls[0].Features))
		}
	})
	t.Run("versioned URL is immutable", func(t *testing.T) {
		r := e.get(t, path+"?v=1")
		if r.header.Get("Cache-Control") != DefaultVersionedTileCacheControl {
			t.Fatalf("Cache-Control %q", r.header.Get("Cache-Control"))
		}
		if r := e.get(t, path+"?v=999"); r.header.Get("Cache-Control") != DefaultTileCacheControl {
			t.Fatalf("stale version: Cache-Control %q", r.header.Get("Cache-Control"))
		}
	})
	t.Run("restricted layers need a grant, also in a comma list", func(t *testing.T) {
		for _, p := range []string{tilePath("defence_land", z12), tilePath("coal_blocks,defence_land", z12),
			"/tiles/defence_land.json", "/collections/defence_land/tiles"} {
			if r := e.get(t, p); r.status != 404 {
				t.Errorf("%s: %d", p, r.status)
			}
		}
		both := maptile.At(orb.Point{82.21, 23.91}, 12) // a coal block and a defence range
		r := e.get(t, tilePath("coal_blocks,defence_land", both), "Authorization", "Bearer "+e.token)
		if r.status != 200 || len(decode(t, r.body)) != 2 || !strings.HasPrefix(r.header.Get("Cache-Control"), "private") {
			t.Fatalf("with a grant: %d %v", r.status, r.header)
		}
	})
	t.Run("bad requests", func(t *testing.T) {
		for p, want := range map[string]int{
			"/tiles/coal_blocks/3/9/0.mvt":        400,
			"/tiles/coal_blocks/30/0/0.mvt":       400,
			"/tiles/no_such/3/0/0.mvt":            404,
			"/tiles/Coal;DROP/3/0/0.mvt":          400,
			"/tiles/coal_blocks,coal_blocks.json": 400,
		} {
			r := e.get(t, p)
			if r.status != want || !strings.Contains(string(r.body), `"error"`) {
				t.Errorf("%s: %d %s, want %d", p, r.status, r.body, want)
			}
		}
	})
	t.Run("metrics", func(t *testing.T) {
		r := e.get(t, "/metrics")
		for _, want := range []string{
			fmt.Sprintf(`coalmap_tiles_served_total{cache="hit",layer="coal_blocks",zoom="12"}`),
			`coalmap_tile_cache_hits_total`, `coalmap_tile_render_seconds_bucket`, `coalmap_tile_bytes_total`,
		} {
			if !strings.Contains(string(r.body), want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

// TestTileNeverStale changes a layer's data the way an import does (new rows,
// PrepareTiles, data_version bumped with NOTIFY): the next request renders
// afresh and its ETag changes.
func TestTileNeverStale(t *testing.T) {
	e := newTileEnv(t, tiles.Config{CacheBytes: 64 << 20}, nil)
	path := tilePath("coal_blocks", z12)
	before := e.get(t, path)
	if again := e.get(t, path); again.header.Get("X-Cache") != "hit" {
		t.Fatal("second request not a hit")
	}
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE layers.coal_blocks SET name = name || ' (revised)'`); err != nil {
			return err
		}
		return postgis.PrepareTiles(ctx, tx, "coal_blocks")
	})
	if err != nil {
		t.Fatal(err)
	}
	pgtest.BumpVersion(t, e.pool, "coal_blocks")
	var after tileResponse
	deadline := time.Now().Add(5 * time.Second)
	for {
		after = e.get(t, path)
		if after.header.Get("ETag") != before.header.Get("ETag") || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if after.header.Get("ETag") == before.header.Get("ETag") || after.header.Get("X-Cache") != "miss" {
		t.Fatalf("after the re-import: ETag %s (was %s), X-Cache %s", after.header.Get("ETag"), before.header.Get("ETag"), after.header.Get("X-Cache"))
	}
	ls := decode(t, after.body)
	if name, _ := ls[0].Features[0].Properties["name"].(string); !strings.HasSuffix(name, "(revised)") {
		t.Fatalf("tile carries old data: name %q", name)
	}
	var tj tiles.TileJSON
	if err := json.Unmarshal(e.get(t, "/tiles/coal_blocks.json").body, &tj); err != nil || !strings.HasSuffix(tj.Tiles[0], "?v=2") {
		t.Fatalf("TileJSON tiles %v, %v", tj.Tiles, err)
	}
}

func TestTileOverloadIs503(t *testing.T) {
	br := &blockingRenderer{started: make(chan struct{}, 1), release: make(chan struct{})}
	e := newTileEnv(t, tiles.Config{MaxRenders: 1, MaxQueue: -1}, func(r tiles.Renderer) tiles.Renderer {
		br.Renderer = r
		return br
	})
	done := make(chan tileResponse)
	go func() { done <- e.get(t, tilePath("coal_blocks", z12)) }()
	<-br.started
	r := e.get(t, tilePath("transmission_lines", z12))
	if r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Fatalf("saturated: %d %v %s", r.status, r.header, r.body)
	}
	close(br.release)
	if r := <-done; r.status != 200 {
		t.Fatalf("the render that held the slot: %d", r.status)
	}
}

func TestTileErrorsLeakNoSQL(t *testing.T) {
	e := newTileEnv(t, tiles.Config{}, nil)
	// A layer in the catalog whose table has gone.
	if _, err := e.pool.Exec(context.Background(), `DROP TABLE layers.sidings CASCADE`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(context.Background(), `DROP TABLE tilegen."sidings__z12"`); err != nil {
		t.Fatal(err)
	}
	pgtest.BumpVersion(t, e.pool, "sidings")
	time.Sleep(100 * time.Millisecond)
	r := e.get(t, tilePath("sidings", z12))
	if r.status != 500 || strings.Contains(string(r.body), "relation") || strings.Contains(string(r.body), "SELECT") ||
		strings.Contains(string(r.body), "sidings") {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestTileJSONAndOGC(t *testing.T) {
	e := newTileEnv(t, tiles.Config{CacheBytes: 1 << 20}, nil)
	var tj tiles.TileJSON
	r := e.get(t, "/tiles/coal_blocks,transmission_lines.json")
	if err := json.Unmarshal(r.body, &tj); err != nil || r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	want := e.ts.URL + "/tiles/coal_blocks,transmission_lines/{z}/{x}/{y}.mvt?v=1.1"
	if tj.TileJSON != "3.0.0" || tj.Tiles[0] != want || len(tj.VectorLayers) != 2 || tj.VectorLayers[0].Fields["area_km2"] != "Number" ||
		tj.VectorLayers[0].MinZoom != 4 || len(tj.Bounds) != 4 || tj.Bounds[0] < 81 || !strings.Contains(tj.Attribution, "Ministry of Coal") {
		t.Fatalf("%s", r.body)
	}

	var list struct {
		TileMatrixSets []struct{ ID string } `json:"tileMatrixSets"`
	}
	json.Unmarshal(e.get(t, "/tileMatrixSets").body, &list)
	if len(list.TileMatrixSets) != 2 || list.TileMatrixSets[0].ID != "WebMercatorQuad" || list.TileMatrixSets[1].ID != "WorldCRS84Quad" {
		t.Fatalf("tileMatrixSets %+v", list)
	}
	var tms tiles.TileMatrixSet
	json.Unmarshal(e.get(t, "/tileMatrixSets/WebMercatorQuad").body, &tms)
	if len(tms.TileMatrices) != 25 || tms.TileMatrices[12].MatrixWidth != 4096 {
		t.Fatalf("tms %+v", tms.TileMatrices[:1])
	}
	var sets struct {
		Tilesets []struct {
			Links []tiles.Link `json:"links"`
		} `json:"tilesets"`
	}
	json.Unmarshal(e.get(t, "/collections/coal_blocks/tiles").body, &sets)
	var tmpl string
	for _, l := range sets.Tilesets[0].Links {
		if l.Rel == "item" {
			tmpl = l.Href
		}
	}
	if !strings.Contains(tmpl, "/collections/coal_blocks/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}") {
		t.Fatalf("item link %q", tmpl)
	}
	var ts tiles.TileSet
	json.Unmarshal(e.get(t, "/collections/coal_blocks/tiles/WebMercatorQuad").body, &ts)
	if ts.DataType != "vector" || len(ts.Layers) != 1 || ts.BoundingBox == nil || len(ts.TileMatrixLimits) != 13 {
		t.Fatalf("tileset %+v", ts)
	}
	// The templated link, filled in, serves the same tile as /tiles/…/z/x/y.
	u := strings.NewReplacer("{tileMatrix}", fmt.Sprint(z12.Z), "{tileRow}", fmt.Sprint(z12.Y), "{tileCol}", fmt.Sprint(z12.X)).Replace(tmpl)
	u = strings.TrimPrefix(u, e.ts.URL)
	a, b := e.get(t, u), e.get(t, tilePath("coal_blocks", z12))
	if a.status != 200 || !bytes.Equal(a.body, b.body) {
		t.Fatalf("OGC tile %s: %d, %d bytes; /tiles: %d bytes", u, a.status, len(a.body), len(b.body))
	}
	if r := e.get(t, "/collections/coal_blocks/tiles/GoogleCRS84Quad"); r.status != 404 {
		t.Fatalf("unknown tile matrix set: %d", r.status)
	}
}

// TestTileClientGoneEndsItsQuery: a client that hangs up cancels the tile's
// query in PostgreSQL (shared renders end when their last waiter leaves).
func TestTileClientGoneEndsItsQuery(t *testing.T) {
	e := newTileEnv(t, tiles.Config{CacheBytes: 1 << 20}, nil)
	ctx := context.Background()
	for _, sql := range []string{
		`CREATE VIEW layers.slow AS SELECT s.* FROM layers.sidings s, LATERAL (SELECT pg_sleep(0.05 + 0 * s.fid)) z`,
		`INSERT INTO catalog.layers (id, title, geometry_type, attributes, data_version, min_zoom) VALUES ('slow', 'Slow', 'Point', '[]', 1, 0)`,
	} {
		if _, err := e.pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	pgtest.BumpVersion(t, e.pool, "slow")
	for deadline := time.Now().Add(5 * time.Second); e.get(t, "/tiles/slow.json").status != 200; {
		if time.Now().After(deadline) {
			t.Fatal("the catalog did not pick up the new layer")
		}
		time.Sleep(20 * time.Millisecond)
	}
	client := &http.Client{Timeout: 300 * time.Millisecond}
	if _, err := client.Get(e.ts.URL + tilePath("slow", maptile.At(orb.Point{82.4, 24.0}, 8))); err == nil {
		t.Fatal("a tile of the slow layer came back within 300 ms")
	}
	running := func() int {
		var n int
		e.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'coalmap-tiles' AND state = 'active'`).Scan(&n)
		return n
	}
	deadline := time.Now().Add(3 * time.Second)
	for running() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := running(); n > 0 {
		t.Fatalf("%d tile queries still running after the client left", n)
	}
}
