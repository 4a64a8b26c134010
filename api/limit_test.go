package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/coalmap/coalmap/layers"
)

// TestRateLimits: an anonymous caller is limited per address, a caller
// with a token per token; past the burst the answer is 429 with a
// Retry-After the rate explains; other callers and cheap routes go on.
func TestRateLimits(t *testing.T) {
	f := newFixture(t, 3)
	const burst, perMinute = 2, 1.0
	srv := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test",
		RateLimits: RateLimits{PerToken: perMinute, PerAddress: perMinute, Burst: burst}},
		Deps{Catalog: f.catalog, Store: f.store, Search: f.store, Features: f.store, Tokens: f.store, Imports: f.imports})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	post := func(role layers.Role) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", ts.URL+"/layers/blocks/imports?filename=x.geojson", strings.NewReader(""))
		if role != layers.None {
			req.Header.Set("Authorization", "Bearer "+f.tokens[role])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
		return resp
	}
	limited := func(t *testing.T, who string, role layers.Role) {
		t.Helper()
		for i := range burst {
			if r := post(role); r.StatusCode == http.StatusTooManyRequests {
				t.Fatalf("%s: request %d of the burst refused", who, i)
			}
		}
		req, _ := http.NewRequest("POST", ts.URL+"/layers/blocks/imports?filename=x.geojson", strings.NewReader(""))
		if role != layers.None {
			req.Header.Set("Authorization", "Bearer "+f.tokens[role])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%s: request %d: %d, want 429", who, burst+1, resp.StatusCode)
		}
		// One request a minute: the next is due within 60 s.
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
			t.Fatalf("%s: Retry-After %q, want 1…60 s", who, resp.Header.Get("Retry-After"))
		}
		var body struct {
			Error  string         `json:"error"`
			Detail map[string]any `json:"detail"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body.Error, "/layers/{layer}/imports") || !strings.Contains(body.Error, "retry in") {
			t.Fatalf("%s: %q does not name the route and the wait", who, body.Error)
		}
	}
	limited(t, "anonymous (per address)", layers.None)
	limited(t, "editor (per token)", layers.Editor)
	// Another token has its own bucket, although it comes from the same
	// address as the two callers refused above.
	if r := post(layers.Admin); r.StatusCode == http.StatusTooManyRequests {
		t.Fatal("another token was refused: buckets are shared")
	}
	// Reading is not limited.
	for range 5 {
		resp, err := http.Get(ts.URL + "/collections")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("/collections: %d", resp.StatusCode)
		}
	}
}
