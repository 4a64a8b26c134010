package api

import (
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

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/layers/layerstest"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// fixture is a served catalog on a fresh database: a public polygon layer
// "blocks", a restricted point layer "secret", and tokens of each role.
type fixture struct {
	ts      *httptest.Server
	store   *postgis.Store
	catalog *layers.Catalog
	imports *layers.Imports
	tokens  map[layers.Role]string
}

func newFixture(t *testing.T, blocks int) *fixture {
	t.Helper()
	ctx := context.Background()
	store := postgis.NewStore(pgtest.NewPool(t))
	load := func(id string, access layers.Access, n int, polygons bool) {
		if _, err := store.PutLayer(ctx, layerstest.Layer(id, access, polygons), "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := layerstest.Importer(store).Import(ctx, layers.ImportSpec{Layer: id, Source: layerstest.Grid(n, polygons), SourceName: "grid", Actor: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	load("blocks", layers.Public, blocks, true)
	load("secret", layers.Restricted, 50, false)
	cat := layers.NewCatalog(store, nil)
	if err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	// The catalog follows the change feed, as serve's does; imports wait
	// until it has their change.
	fctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { cat.Follow(fctx, store, time.Minute); close(done) }() //nolint:errcheck
	imports := layers.NewImports(fctx, store, store, layers.ImportsConfig{}, nil)
	t.Cleanup(func() { stop(); imports.Close(); <-done })
	f := &fixture{store: store, catalog: cat, imports: imports, tokens: map[layers.Role]string{}}
	for _, role := range []layers.Role{layers.Viewer, layers.Planner, layers.Editor, layers.Admin} {
		tok, hash := layers.NewToken()
		if _, err := store.CreateToken(ctx, role.String(), role, hash, "test"); err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = tok
	}
	srv := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"},
		Deps{Catalog: cat, Store: store, Search: store, Features: store, Tokens: store, Imports: imports})
	f.ts = httptest.NewServer(srv)
	t.Cleanup(f.ts.Close)
	return f
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("not JSON (%v): %s", err, r.body)
	}
	return v
}

func (f *fixture) do(t *testing.T, method, path string, role layers.Role, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if role != layers.None {
		req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

func (f *fixture) get(t *testing.T, path string) response {
	return f.do(t, "GET", path, layers.None, "")
}

func TestLandingConformanceAPI(t *testing.T) {
	f := newFixture(t, 20)
	for _, tc := range []struct{ path, ctype, want string }{
		{"/", mediaJSON, `"rel":"service-desc"`},
		{"/conformance", mediaJSON, "ogcapi-features-2/1.0/conf/crs"},
		{"/api", mediaOpenAPI, `"openapi":"3.0.3"`},
		{"/collections", mediaJSON, `"id":"blocks"`},
		{"/collections/blocks", mediaJSON, `"itemType":"feature"`},
		{"/collections/blocks/queryables", mediaSchema, `"area_km2":{"title":"Area","type":"number","x-unit":"km²"}`},
		{"/collections/blocks/items", mediaGeoJSON, `"type":"FeatureCollection"`},
		{"/collections/blocks/items/blk-3", mediaGeoJSON, `"id":"blk-3"`},
		{"/collections/blocks/items?f=csv", mediaCSV, "id,name,state"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := f.get(t, tc.path)
			if r.status != 200 || r.header.Get("Content-Type") != tc.ctype || !strings.Contains(string(r.body), tc.want) {
				t.Fatalf("%d %s: %.600s", r.status, r.header.Get("Content-Type"), r.body)
			}
		})
	}
	c := f.get(t, "/collections/blocks").json(t)
	for _, k := range []string{"title", "title_hi", "description", "category", "keywords", "owner", "custodian", "geometry_type",
		"srid", "lineage", "feature_count", "extent", "attributes", "access", "min_zoom", "max_zoom", "style", "data_version", "license"} {
		if _, ok := c[k]; !ok {
			t.Errorf("collection lacks %q", k)
		}
	}
	items := f.get(t, "/collections/blocks/items?limit=5")
	if items.header.Get("Content-Crs") != "<"+crs84URI+">" {
		t.Errorf("Content-Crs %q", items.header.Get("Content-Crs"))
	}
	v := items.json(t)
	if v["numberReturned"].(float64) != 5 || v["numberMatched"].(float64) != 20 {
		t.Errorf("numberReturned %v numberMatched %v", v["numberReturned"], v["numberMatched"])
	}
}

func TestCollectionsSearch(t *testing.T) {
	f := newFixture(t, 10)
	for _, tc := range []struct {
		query string
		role  layers.Role
		want  []string
	}{
		{"", layers.None, []string{"blocks"}},
		{"", layers.Viewer, []string{"blocks", "secret"}},
		{"?q=dhirauli", layers.None, []string{"blocks"}},
		{"?q=dhirauli", layers.Viewer, []string{"blocks", "secret"}},
		{"?q=nosuchword", layers.Viewer, nil},
		{"?category=coal_resources", layers.None, []string{"blocks"}},
		{"?category=rail", layers.Viewer, nil},
	} {
		t.Run(fmt.Sprintf("%s as %s", tc.query, tc.role), func(t *testing.T) {
			r := f.do(t, "GET", "/collections"+tc.query, tc.role, "")
			var v struct{ Collections []struct{ ID string } }
			json.Unmarshal(r.body, &v)
			var got []string
			for _, c := range v.Collections {
				got = append(got, c.ID)
			}
			if r.status != 200 || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("%d: got %v, want %v", r.status, got, tc.want)
			}
		})
	}
}

func TestRestrictedLayersAreInvisible(t *testing.T) {
	f := newFixture(t, 10)
	paths := []string{"/collections/secret", "/collections/secret/items", "/collections/secret/items/blk-1",
		"/collections/secret/queryables", "/collections/secret/items?f=csv"}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			anon := f.get(t, p)
			unknown := f.get(t, strings.Replace(p, "secret", "nosuch", 1))
			if anon.status != 404 || unknown.status != 404 {
				t.Fatalf("anonymous: %d, unknown layer: %d; want 404 for both", anon.status, unknown.status)
			}
			if strings.ReplaceAll(string(anon.body), "secret", "X") != strings.ReplaceAll(string(unknown.body), "nosuch", "X") {
				t.Fatalf("a restricted layer answers differently from an unknown one:\n%s\n%s", anon.body, unknown.body)
			}
			if r := f.do(t, "GET", p, layers.Viewer, ""); r.status != 200 {
				t.Fatalf("viewer: %d %s", r.status, r.body)
			}
		})
	}
	t.Run("a revoked token reads nothing restricted", func(t *testing.T) {
		ts, _ := f.store.Tokens(context.Background())
		for _, tok := range ts {
			if tok.Role == layers.Viewer {
				f.store.RevokeToken(context.Background(), tok.ID, "test")
			}
		}
		if r := f.do(t, "GET", "/collections/secret", layers.Viewer, ""); r.status != 401 {
			t.Fatalf("revoked token: %d", r.status)
		}
	})
	t.Run("bad authorization header", func(t *testing.T) {
		req, _ := http.NewRequest("GET", f.ts.URL+"/collections", nil)
		req.Header.Set("Authorization", "Basic abc")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
}

func TestBadRequests(t *testing.T) {
	f := newFixture(t, 30)
	for _, tc := range []struct {
		name, path string
		status     int
		param      string
	}{
		{"bbox with 3 numbers", "/collections/blocks/items?bbox=1,2,3", 400, "bbox"},
		{"bbox not numbers", "/collections/blocks/items?bbox=a,b,c,d", 400, "bbox"},
		{"bbox inverted", "/collections/blocks/items?bbox=83,24,82,23", 400, "bbox"},
		{"bbox out of range", "/collections/blocks/items?bbox=82,23,200,24", 400, "bbox"},
		{"bbox NaN", "/collections/blocks/items?bbox=NaN,1,2,3", 400, "bbox"},
		{"unknown property filter", "/collections/blocks/items?colour=red", 400, "colour"},
		{"unknown properties", "/collections/blocks/items?properties=name,colour", 400, "properties"},
		{"limit -1", "/collections/blocks/items?limit=-1", 400, "limit"},
		{"limit 0", "/collections/blocks/items?limit=0", 400, "limit"},
		{"limit text", "/collections/blocks/items?limit=ten", 400, "limit"},
		{"offset negative", "/collections/blocks/items?offset=-5", 400, "offset"},
		{"unknown crs", "/collections/blocks/items?crs=EPSG:9999", 400, "crs"},
		{"crs garbage", "/collections/blocks/items?crs=http://example.org/x", 400, "crs"},
		{"unknown bbox-crs", "/collections/blocks/items?bbox=1,2,3,4&bbox-crs=EPSG:1", 400, "bbox-crs"},
		{"SQL in an integer filter", "/collections/blocks/items?seam_count=1%20OR%201=1", 400, "seam_count"},
		{"SQL in a real filter", "/collections/blocks/items?area_km2=1;DROP%20TABLE%20layers.blocks", 400, "area_km2"},
		{"bad boolean", "/collections/blocks/items?operational=perhaps", 400, "operational"},
		{"bad date", "/collections/blocks/items?allotted_on=yesterday", 400, "allotted_on"},
		{"bad cursor", "/collections/blocks/items?cursor=!!", 400, "cursor"},
		{"bad f", "/collections/blocks/items?f=xml", 400, "f"},
		{"datetime", "/collections/blocks/items?datetime=2020-13-01", 400, "datetime"},
		{"item unknown crs", "/collections/blocks/items/blk-1?crs=EPSG:1", 400, "crs"},
		{"collections unknown param", "/collections?colour=red", 400, "colour"},
		{"unknown layer", "/collections/nosuch", 404, ""},
		{"unknown layer items", "/collections/nosuch/items?bbox=1,2", 404, ""},
		{"unknown feature", "/collections/blocks/items/blk-99999", 404, ""},
		{"SQL as a layer", "/collections/blocks%22%3B%20DROP%20TABLE%20x/items", 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.get(t, tc.path)
			if r.status != tc.status || r.header.Get("Content-Type") != mediaJSON {
				t.Fatalf("%d %s, want %d: %s", r.status, r.header.Get("Content-Type"), tc.status, r.body)
			}
			v := r.json(t)
			msg, _ := v["error"].(string)
			if tc.param != "" {
				d, _ := v["detail"].(map[string]any)
				if d["parameter"] != tc.param || !strings.Contains(msg, tc.param) {
					t.Fatalf("error does not name %s: %s", tc.param, r.body)
				}
			}
			if strings.Contains(strings.ToLower(msg), "select") || strings.Contains(msg, "SQLSTATE") {
				t.Fatalf("SQL leaked: %s", msg)
			}
		})
	}
	t.Run("SQL in a text filter is a value, not SQL", func(t *testing.T) {
		r := f.get(t, "/collections/blocks/items?state=x%27%20OR%20%271%27=%271")
		v := r.json(t)
		if r.status != 200 || v["numberReturned"].(float64) != 0 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if v := f.get(t, "/collections/blocks/items?limit=1").json(t); v["numberMatched"].(float64) != 30 {
			t.Fatalf("the table changed: %v", v["numberMatched"])
		}
	})
	t.Run("limit above the maximum is served as the maximum", func(t *testing.T) {
		r := f.get(t, fmt.Sprintf("/collections/blocks/items?limit=%d", MaxLimit*10))
		if r.status != 200 {
			t.Fatalf("%d", r.status)
		}
	})
}

func TestFiltersAndProperties(t *testing.T) {
	f := newFixture(t, 30)
	v := f.get(t, "/collections/blocks/items?state=Odisha&properties=state,seam_count&limit=100").json(t)
	if v["numberReturned"].(float64) != 10 || v["numberMatched"].(float64) != 10 {
		t.Fatalf("returned %v matched %v", v["numberReturned"], v["numberMatched"])
	}
	props := v["features"].([]any)[0].(map[string]any)["properties"].(map[string]any)
	if len(props) != 2 || props["state"] != "Odisha" {
		t.Fatalf("properties %v", props)
	}
	v = f.get(t, "/collections/blocks/items?seam_count=3&operational=false").json(t)
	if v["numberMatched"].(float64) != 2 { // i = 3, 17 (i%7==3 and odd)
		t.Fatalf("matched %v", v["numberMatched"])
	}
	v = f.get(t, "/collections/blocks/items?bbox=82.0,23.8,82.0025,23.8025").json(t)
	if v["numberMatched"].(float64) != 3 {
		t.Fatalf("bbox matched %v", v["numberMatched"])
	}
	// The same box in UTM 44N.
	var minx, miny, maxx, maxy float64
	f.store.Pool().QueryRow(context.Background(), `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (SELECT ST_Transform(ST_MakeEnvelope(82.0, 23.8, 82.0025, 23.8025, 4326), 32644) e) x`).Scan(&minx, &miny, &maxx, &maxy)
	v = f.get(t, fmt.Sprintf("/collections/blocks/items?bbox=%f,%f,%f,%f&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/32644", minx+30, miny+30, maxx-30, maxy-30)).json(t)
	if v["numberMatched"].(float64) != 3 {
		t.Fatalf("UTM bbox matched %v", v["numberMatched"])
	}
}
