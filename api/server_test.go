package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newTestServer(t *testing.T, ready error) *httptest.Server {
	t.Helper()
	s := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"},
		Deps{Ready: func(context.Context) error { return ready }})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

func TestHealthAndMetrics(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ready    error
		path     string
		status   int
		contains string
	}{
		{"healthz", nil, "/healthz", 200, `"status":"ok"`},
		{"readyz ready", nil, "/readyz", 200, `"ready"`},
		{"readyz not ready", errors.New("postgis: dial: connection refused on 10.0.0.1"), "/readyz", 503, `"not ready"`},
		{"readyz says why", &NotReadyError{Reason: "the database cannot be reached", Err: errors.New("dial unix /run/.s.PGSQL.5432")}, "/readyz", 503, `"detail":"the database cannot be reached"`},
		{"unknown path", nil, "/no/such/thing", 404, `"error"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, tc.ready)
			resp, err := http.Get(ts.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if !strings.Contains(string(body), tc.contains) {
				t.Fatalf("body %s lacks %s", body, tc.contains)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			if resp.StatusCode == 503 && resp.Header.Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
			if strings.Contains(string(body), "10.0.0.1") || strings.Contains(string(body), "PGSQL") {
				t.Fatalf("internal cause leaked to the client: %s", body)
			}
			var v map[string]any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
		})
	}
	t.Run("metrics count requests by route", func(t *testing.T) {
		ts := newTestServer(t, nil)
		for range 3 {
			r, _ := http.Get(ts.URL + "/healthz")
			r.Body.Close()
		}
		resp, err := http.Get(ts.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		want := `coalmap_http_requests_total{method="GET",route="/healthz",status="200"} 3`
		if !strings.Contains(string(body), want) {
			t.Fatalf("metrics lack %q:\n%s", want, body)
		}
	})
}

func TestPanicIsA500WithoutDetail(t *testing.T) {
	s := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, Deps{})
	s.router.Get("/boom", func(http.ResponseWriter, *http.Request) { panic("secret stack detail") })
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "secret") {
		t.Fatalf("got %d %s", rec.Code, rec.Body.String())
	}
}
