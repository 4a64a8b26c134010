package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
	"github.com/coalmap/coalmap/styles"
	"github.com/coalmap/coalmap/tiles"
)

type styleEnv struct {
	ts    *httptest.Server
	token string // a viewer's: reads the restricted defence_land
	store *postgis.Store
}

// newStyleEnv serves the Singrauli fixture layers (coal_blocks, sidings,
// transmission_lines, the restricted defence_land) with cfg, and the sprite
// and glyphs built into the binary.
func newStyleEnv(t *testing.T, cfg Config) *styleEnv {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	u := pgtest.URL(t)
	pool, err := postgis.Connect(ctx, u, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	t.Cleanup(cancel)
	pgtest.CreateCoalLayers(t, pool)
	for _, id := range []string{"coal_blocks", "sidings"} {
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return postgis.PrepareTiles(ctx, tx, id) }); err != nil {
			t.Fatal(err)
		}
	}
	store := postgis.NewStore(pool)
	cat := layers.NewCatalog(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	go cat.Follow(ctx, store, time.Minute) //nolint:errcheck
	token, hash := layers.NewToken()
	if _, err := store.CreateToken(ctx, "viewer", layers.Viewer, hash, "test"); err != nil {
		t.Fatal(err)
	}
	r, err := postgis.NewTileRenderer(ctx, u, postgis.RendererOptions{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Registry = prometheus.NewRegistry()
	s := New(cfg, Deps{Tiles: tiles.NewService(cat, r, tiles.Config{}), Tokens: store, Catalog: cat, Store: store,
		Features: store, Search: store})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &styleEnv{ts: ts, token: token, store: store}
}

func (e *styleEnv) do(t *testing.T, method, path string, hdr ...string) tileResponse {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return tileResponse{resp.StatusCode, resp.Header, b}
}

func TestStyleRoutes(t *testing.T) {
	e := newStyleEnv(t, Config{})
	auth := []string{"Authorization", "Bearer " + e.token}

	t.Run("a set of layers as one style document", func(t *testing.T) {
		r := e.do(t, "GET", "/styles/coal_blocks,sidings")
		if r.status != 200 || r.header.Get("Content-Type") != MediaTypeMapboxStyle {
			t.Fatalf("%d %s: %s", r.status, r.header.Get("Content-Type"), r.body)
		}
		var doc styles.Style
		if err := json.Unmarshal(r.body, &doc); err != nil {
			t.Fatal(err)
		}
		src := doc.Sources[styles.SourceID]
		if src.URL != e.ts.URL+"/tiles/coal_blocks,sidings.json" || doc.Glyphs != e.ts.URL+"/fonts/{fontstack}/{range}.pbf" {
			t.Fatalf("source %+v glyphs %s", src, doc.Glyphs)
		}
		got := map[string]bool{}
		for _, l := range doc.Layers {
			got[l.ID] = true
		}
		for _, id := range []string{"coal_blocks-fill", "coal_blocks-outline", "sidings-circle", "coal_blocks-label", "sidings-label"} {
			if !got[id] {
				t.Errorf("no style layer %s in %v", id, got)
			}
		}
		// What the document points at answers, on the same server.
		tj := e.do(t, "GET", strings.TrimPrefix(src.URL, e.ts.URL))
		if tj.status != 200 || !strings.Contains(string(tj.body), `"vector_layers"`) {
			t.Fatalf("TileJSON %d %s", tj.status, tj.body)
		}
		if doc.Sprite != "" {
			for _, suffix := range []string{".json", ".png", "@2x.json", "@2x.png"} {
				if r := e.do(t, "GET", strings.TrimPrefix(doc.Sprite, e.ts.URL)+suffix); r.status != 200 || len(r.body) == 0 {
					t.Errorf("sprite%s: %d", suffix, r.status)
				}
			}
			stack := url.PathEscape(strings.Join([]string{styles.FontRegular, styles.FontDevanagariRegular}, ","))
			if r := e.do(t, "GET", "/fonts/"+stack+"/2304-2559.pbf"); r.status != 200 || r.header.Get("Content-Type") != "application/x-protobuf" {
				t.Errorf("glyphs: %d %s", r.status, r.body)
			}
			if r := e.do(t, "GET", strings.TrimPrefix(doc.FontFaces[styles.FontDevanagariRegular][0].URL, e.ts.URL)); r.status != 200 || r.header.Get("Content-Type") != "font/ttf" {
				t.Errorf("font-faces file: %d", r.status)
			}
		} else if !testing.Short() {
			t.Error("the binary has no sprite or glyphs: run make build (scripts/build-web.sh)")
		}
		// Unchanged metadata: the same ETag, and a 304 for it.
		if r2 := e.do(t, "GET", "/styles/coal_blocks,sidings", "If-None-Match", r.header.Get("ETag")); r2.status != http.StatusNotModified {
			t.Fatalf("revalidation: %d", r2.status)
		}
	})

	t.Run("a metadata change changes the document", func(t *testing.T) {
		before := e.do(t, "GET", "/styles/coal_blocks")
		l := pgtest.CoalBlocks
		l.Style = layers.Style{Color: "#4a148c", FillColor: "#7b1fa2", FillOpacity: 0.3, LineWidth: 1}
		if _, err := e.store.PutLayer(context.Background(), &l, "test"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			after := e.do(t, "GET", "/styles/coal_blocks")
			if strings.Contains(string(after.body), `"fill-color":"#7b1fa2"`) {
				if after.header.Get("ETag") == before.header.Get("ETag") {
					t.Fatal("same ETag for a changed document")
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the style does not follow the metadata: %s", after.body)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	t.Run("restricted layers need a token", func(t *testing.T) {
		if r := e.do(t, "GET", "/styles/defence_land"); r.status != 404 {
			t.Fatalf("anonymous: %d", r.status)
		}
		if r := e.do(t, "GET", "/styles/coal_blocks,defence_land"); r.status != 404 {
			t.Fatalf("anonymous, in a set: %d", r.status)
		}
		r := e.do(t, "GET", "/styles/defence_land", auth...)
		if r.status != 200 || !strings.Contains(r.header.Get("Cache-Control"), "private") || !strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Authorization") {
			t.Fatalf("with a token: %d %v", r.status, r.header)
		}
		list := e.do(t, "GET", "/styles")
		if list.status != 200 || strings.Contains(string(list.body), "defence_land") || !strings.Contains(string(list.body), `"id":"coal_blocks"`) {
			t.Fatalf("/styles anonymous: %d %s", list.status, list.body)
		}
		if list := e.do(t, "GET", "/styles", auth...); !strings.Contains(string(list.body), "defence_land") {
			t.Fatalf("/styles with a token lacks defence_land")
		}
	})

	for _, tc := range []struct {
		name, path string
		status     int
		says       string
	}{
		{"unknown layer", "/styles/no_such_layer", 404, "no_such_layer"},
		{"bad layer list", "/styles/coal_blocks,,", 400, ""},
		{"bad lang", "/styles/coal_blocks?lang=fr", 400, "lang"},
		{"bad f", "/styles/coal_blocks?f=sld", 400, "parameter f"},
		{"Hindi labels (the fixture has no name_hi: name)", "/styles/coal_blocks?lang=hi", 200, `"coalmap:lang":"hi"`},
		{"OGC API – Styles' f=mapbox", "/styles/coal_blocks?f=mapbox", 200, `"version":8`},
		{"bad glyph range", "/fonts/Noto%20Sans%20Regular/0-300.pbf", 400, "range"},
		{"unknown font", "/fonts/Comic%20Sans%20MS/0-255.pbf", 404, "Comic Sans"},
		{"unknown font file", "/fonts/NotoSansKlingon.ttf", 404, ""},
		{"font list", "/fonts", 200, `"fonts"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(t, "GET", tc.path)
			if r.status != tc.status || !strings.Contains(string(r.body), tc.says) {
				t.Fatalf("%s: %d %s, want %d with %q", tc.path, r.status, r.body, tc.status, tc.says)
			}
			if tc.status >= 400 && !strings.Contains(r.header.Get("Content-Type"), "json") {
				t.Fatalf("an error that is not JSON: %s", r.header.Get("Content-Type"))
			}
		})
	}
}

func TestCORS(t *testing.T) {
	const page = "http://127.0.0.1:9999" // a map page on another origin
	preflight := func(origin, method, headers string) []string {
		return []string{"Origin", origin, "Access-Control-Request-Method", method, "Access-Control-Request-Headers", headers}
	}
	hasVaryOrigin := func(h http.Header) bool {
		for _, v := range h.Values("Vary") {
			for _, p := range strings.Split(v, ",") {
				if strings.EqualFold(strings.TrimSpace(p), "Origin") {
					return true
				}
			}
		}
		return false
	}
	t.Run("any origin (the default)", func(t *testing.T) {
		e := newStyleEnv(t, Config{})
		for _, path := range []string{"/tiles/coal_blocks.json", "/tiles/coal_blocks/12/2985/1758.mvt", "/styles/coal_blocks",
			"/collections/coal_blocks/items?limit=1", "/fonts"} {
			r := e.do(t, "GET", path, "Origin", page)
			if r.status >= 400 || r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("GET %s: %d ACAO %q ACAC %q", path, r.status, r.header.Get("Access-Control-Allow-Origin"), r.header.Get("Access-Control-Allow-Credentials"))
			}
			if !hasVaryOrigin(r.header) {
				t.Errorf("GET %s: no Vary: Origin (%v)", path, r.header.Values("Vary"))
			}
		}
		r := e.do(t, "OPTIONS", "/tiles/defence_land.json", preflight(page, "GET", "authorization")...)
		if r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.EqualFold(r.header.Get("Access-Control-Allow-Headers"), "authorization") || r.header.Get("Access-Control-Max-Age") == "" {
			t.Fatalf("preflight with Authorization: %d %v", r.status, r.header)
		}
		if r := e.do(t, "OPTIONS", "/collections/coal_blocks/items", preflight(page, "POST", "content-type,if-match")...); r.status != 204 || r.header.Get("Access-Control-Allow-Methods") != "POST" {
			t.Fatalf("preflight of a write: %d %v", r.status, r.header)
		}
		if r := e.do(t, "OPTIONS", "/tiles/coal_blocks.json", preflight(page, "GET", "x-secret-header")...); r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("preflight with a header not allowed: %v", r.header)
		}
		// The restricted layer with the token, from the other origin.
		r = e.do(t, "GET", "/tiles/defence_land.json", "Origin", page, "Authorization", "Bearer "+e.token)
		if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("restricted TileJSON with a token: %d %v", r.status, r.header)
		}
		// An error answer can be read by the page too.
		r = e.do(t, "GET", "/tiles/defence_land.json", "Origin", page, "Authorization", "Bearer not-a-token")
		if r.status != 401 || r.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("401 without CORS headers: %d %v", r.status, r.header)
		}
	})
	t.Run("a list of origins", func(t *testing.T) {
		origins, err := ParseCORSOrigins("https://maps.example.gov.in, " + page)
		if err != nil {
			t.Fatal(err)
		}
		e := newStyleEnv(t, Config{CORSOrigins: origins})
		r := e.do(t, "GET", "/tiles/coal_blocks.json", "Origin", page)
		if r.header.Get("Access-Control-Allow-Origin") != page || !hasVaryOrigin(r.header) {
			t.Fatalf("allowed origin: %v", r.header)
		}
		r = e.do(t, "GET", "/tiles/coal_blocks.json")
		if r.header.Get("Access-Control-Allow-Origin") != "" || !hasVaryOrigin(r.header) {
			t.Fatalf("no origin: %v (want no ACAO and Vary: Origin, so that caches keep the two apart)", r.header)
		}
		const other = "http://127.0.0.1:9998"
		r = e.do(t, "GET", "/tiles/coal_blocks.json", "Origin", other)
		if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("a read from another origin: %d ACAO %q (want the answer without CORS headers: the browser hides it)", r.status, r.header.Get("Access-Control-Allow-Origin"))
		}
		if r := e.do(t, "OPTIONS", "/tiles/coal_blocks.json", preflight(other, "GET", "authorization")...); r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("preflight from another origin: %v", r.header)
		}
		// Writes follow the list: refused before they run from another
		// origin, let through from an allowed one (the token decides then)
		// and from the service's own pages.
		for _, tc := range []struct {
			origin string
			status int
		}{{other, 403}, {page, 401}, {e.ts.URL, 401}} {
			r := e.do(t, "DELETE", "/collections/coal_blocks/items/CB-1", "Origin", tc.origin)
			if r.status != tc.status {
				t.Errorf("DELETE from %s: %d %s, want %d", tc.origin, r.status, r.body, tc.status)
			}
		}
	})
	t.Run("none", func(t *testing.T) {
		e := newStyleEnv(t, Config{CORSOrigins: []string{}})
		if r := e.do(t, "GET", "/tiles/coal_blocks.json", "Origin", page); r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("CORS headers with none allowed: %v", r.header)
		}
		if r := e.do(t, "POST", "/overlaps/check", "Origin", page); r.status != 403 {
			t.Fatalf("a POST from another origin: %d", r.status)
		}
	})
}

func TestParseCORSOrigins(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		bad  bool
	}{
		{in: "*", want: []string{"*"}},
		{in: "", want: []string{"*"}},
		{in: "none", want: []string{}},
		{in: "https://maps.example.gov.in", want: []string{"https://maps.example.gov.in"}},
		{in: "http://127.0.0.1:8081, https://*.nic.in", want: []string{"http://127.0.0.1:8081", "https://*.nic.in"}},
		{in: "HTTPS://Maps.Example.gov.in", want: []string{"https://maps.example.gov.in"}},
		{in: "maps.example.gov.in", bad: true},
		{in: "https://maps.example.gov.in/map", bad: true},
		{in: "ftp://maps.example.gov.in", bad: true},
		{in: "https://a.example, *", bad: true},
		{in: "https://*.*.example", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseCORSOrigins(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("accepted: %v", got)
				}
				return
			}
			if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") || (got == nil) != (tc.want == nil) {
				t.Fatalf("%v %v, want %v", got, err, tc.want)
			}
		})
	}
}
