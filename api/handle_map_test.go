package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/go-chi/chi/v5"
)

func newMapTestServer(t *testing.T, files fstest.MapFS) *httptest.Server {
	t.Helper()
	h := newMapHandler(files)
	r := chi.NewRouter()
	r.Get("/map", h.index)
	r.Get("/map/", h.index)
	r.Get("/map/assets/*", h.asset)
	ts := httptest.NewServer(r)
	t.Cleanup(ts.Close)
	return ts
}

func TestMapServesBuiltAssets(t *testing.T) {
	ts := newMapTestServer(t, fstest.MapFS{
		"index.html":                 {Data: []byte(`<!doctype html><script type="module" src="/map/assets/app-ABC.js"></script>`)},
		"assets/app-ABC.js":          {Data: []byte(`console.log(1)`)},
		"assets/app-ABC.css":         {Data: []byte(`body{}`)},
		"assets/maplibre-worker.mjs": {Data: []byte(`self.x=1`)},
		"assets/sub/x.svg":           {Data: []byte(`<svg/>`)},
	})
	for _, tc := range []struct {
		name, path string
		status     int
		ctype      string
		cache      string
		contains   string
	}{
		{"page", "/map", 200, "text/html; charset=utf-8", "no-cache", "app-ABC.js"},
		{"page with slash", "/map/", 200, "text/html; charset=utf-8", "no-cache", "app-ABC.js"},
		{"report", "/map?report=1#case=dhirauli", 200, "text/html; charset=utf-8", "no-cache", "app-ABC.js"},
		{"script", "/map/assets/app-ABC.js", 200, "text/javascript; charset=utf-8", "immutable", "console"},
		{"style", "/map/assets/app-ABC.css", 200, "text/css; charset=utf-8", "immutable", "body"},
		{"module worker", "/map/assets/maplibre-worker.mjs", 200, "text/javascript; charset=utf-8", "immutable", "self"},
		{"nested", "/map/assets/sub/x.svg", 200, "image/svg+xml", "immutable", "svg"},
		{"missing", "/map/assets/nope.js", 404, "application/json", "", "no such asset"},
		{"directory", "/map/assets/sub", 404, "application/json", "", "no such asset"},
		{"escape", "/map/assets/../index.html", 404, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(ts.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tc.ctype)
			}
			if !strings.Contains(resp.Header.Get("Cache-Control"), tc.cache) {
				t.Errorf("Cache-Control %q, want %q", resp.Header.Get("Cache-Control"), tc.cache)
			}
			if !strings.Contains(string(body), tc.contains) {
				t.Errorf("body %q lacks %q", body, tc.contains)
			}
			if resp.StatusCode == 200 {
				csp := resp.Header.Get("Content-Security-Policy")
				if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "http") || strings.Contains(csp, "unsafe") {
					t.Errorf("CSP %q must allow only self", csp)
				}
				if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Error("no nosniff")
				}
			}
		})
	}
}

func TestMapRevalidatesPage(t *testing.T) {
	ts := newMapTestServer(t, fstest.MapFS{"index.html": {Data: []byte("<!doctype html>page")}})
	resp, err := http.Get(ts.URL + "/map")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on the page")
	}
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/map", nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("status %d, want 304", resp.StatusCode)
	}
}

func TestMapPlaceholderWhenNotBuilt(t *testing.T) {
	ts := newMapTestServer(t, fstest.MapFS{".gitkeep": {Data: nil}})
	resp, err := http.Get(ts.URL + "/map")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "make build") {
		t.Fatalf("status %d body %s: want the placeholder that says how to build", resp.StatusCode, body)
	}
}

// TestMapMounted checks that the server routes /map to the embedded assets,
// built or not.
func TestMapMounted(t *testing.T) {
	ts := newTestServer(t, nil)
	resp, err := http.Get(ts.URL + "/map")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /map: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
