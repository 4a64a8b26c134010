package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coalmap/coalmap/layers"
)

func geojsonSquares(ids ...string) string {
	var fs []string
	for i, id := range ids {
		x := 82.3 + float64(i)*0.02
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","id":%q,"properties":{"name":"block %s"},"geometry":{"type":"Polygon","coordinates":[[[%g,23.9],[%g,23.9],[%g,23.91],[%g,23.9]]]}}`,
			id, id, x, x+0.01, x+0.01, x))
	}
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`
}

func (f *fixture) upload(t *testing.T, url, ctype string, role layers.Role, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequest("POST", url, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
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

// await polls a job until it has ended (the test's own timeout bounds it).
func (f *fixture) await(t *testing.T, path string, role layers.Role) layers.ImportJob {
	t.Helper()
	for {
		r := f.do(t, "GET", path, role, "")
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		var j layers.ImportJob
		if err := json.Unmarshal(r.body, &j); err != nil {
			t.Fatal(err)
		}
		if j.Status.Done() {
			return j
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func jobPath(t *testing.T, r response) string {
	t.Helper()
	if r.status != http.StatusAccepted {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	loc := r.header.Get("Location")
	i := strings.Index(loc, "/imports/")
	if i < 0 {
		t.Fatalf("Location %q", loc)
	}
	return loc[i:]
}

func TestImportRoutes(t *testing.T) {
	f := newFixture(t, 20)
	url := f.ts.URL + "/layers/blocks/imports"

	t.Run("writes need an editor token", func(t *testing.T) {
		if r := f.upload(t, url, "application/geo+json", layers.None, strings.NewReader(geojsonSquares("a"))); r.status != 401 {
			t.Fatalf("anonymous: %d", r.status)
		}
		if r := f.upload(t, url, "application/geo+json", layers.Viewer, strings.NewReader(geojsonSquares("a"))); r.status != 403 {
			t.Fatalf("viewer: %d", r.status)
		}
	})
	t.Run("a raw GeoJSON body replaces the layer", func(t *testing.T) {
		before, _ := f.store.Layer(t.Context(), "blocks")
		r := f.upload(t, url, "application/geo+json", layers.Editor, strings.NewReader(geojsonSquares("a", "b", "c")))
		j := f.await(t, jobPath(t, r), layers.Editor)
		if j.Status != layers.ImportSucceeded || j.Report == nil || j.Report.Features != 3 || j.Report.Source != "upload.geojson" {
			t.Fatalf("job %+v report %+v", j, j.Report)
		}
		after, _ := f.store.Layer(t.Context(), "blocks")
		if after.DataVersion != before.DataVersion+1 || after.FeatureCount != 3 {
			t.Fatalf("layer after: version %d count %d", after.DataVersion, after.FeatureCount)
		}
	})
	t.Run("a multipart upload creates a new layer", func(t *testing.T) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "../../sidings.geojson")
		fw.Write([]byte(geojsonSquares("s1", "s2")))
		mw.Close()
		r := f.upload(t, f.ts.URL+"/layers/sidings/imports?title=Railway+sidings", mw.FormDataContentType(), layers.Editor, &b)
		j := f.await(t, jobPath(t, r), layers.Editor)
		if j.Status != layers.ImportSucceeded || j.Report.Features != 2 || j.Report.Source != "sidings.geojson" {
			t.Fatalf("job %+v", j)
		}
		l, err := f.store.Layer(t.Context(), "sidings")
		if err != nil || l.Title != "Railway sidings" || l.GeometryType != layers.MultiPolygon {
			t.Fatalf("layer %+v %v", l, err)
		}
		h := f.do(t, "GET", "/collections/sidings/imports", layers.None, "")
		if h.status != 200 || !strings.Contains(string(h.body), `"status":"succeeded"`) {
			t.Fatalf("history: %d %s", h.status, h.body)
		}
	})
	t.Run("a malformed file fails the job with the offset, and loses nothing", func(t *testing.T) {
		before, _ := f.store.Layer(t.Context(), "blocks")
		r := f.upload(t, url+"?filename=bad.geojson", "", layers.Editor, strings.NewReader(`{"type":"FeatureCollection","features":[{"type":"Feature",}]}`))
		j := f.await(t, jobPath(t, r), layers.Editor)
		if j.Status != layers.ImportFailed || !strings.Contains(j.Error, "offset") {
			t.Fatalf("job %+v", j)
		}
		after, _ := f.store.Layer(t.Context(), "blocks")
		if after.DataVersion != before.DataVersion {
			t.Fatal("the layer changed")
		}
	})
	// Bad files over HTTP: the job fails naming what and where, in the
	// words of the query parameters, and the layer keeps its data.
	sq := func(id string, x, y float64) string {
		return fmt.Sprintf(`{"type":"Feature","id":%q,"properties":{"name":"b"},"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
			id, x, y, x+0.01, y, x+0.01, y+0.01, x, y)
	}
	fc := func(fs ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`
	}
	for _, tc := range []struct {
		name, query, body string
		say               []string
	}{
		{"one feature abroad among many is named", "", fc(sq("in1", 82.3, 23.9), sq("in2", 82.32, 23.9), sq("paris", 2.35, 48.85), sq("in3", 82.34, 23.9)),
			[]string{"1 of 4 feature(s) lie outside India", `feature 2 (id "paris")`, "allow_outside=true"}},
		{"lon 200 with allow_outside", "&allow_outside=true", fc(sq("ok", 82.3, 23.9), sq("far", 200, 85)),
			[]string{"1 of 2 feature(s) have coordinates outside longitude", `feature 1 (id "far")`, "never stored"}},
		{"a wrong CRS: most features out of range", "", fc(sq("u1", 534000, 2650000), sq("u2", 536000, 2650000)),
			[]string{"2 of 2", "CRS is probably wrong", "srid="}},
		{"a line into a polygon layer", "", fc(sq("p", 82.3, 23.9), `{"type":"Feature","id":"l","properties":{},"geometry":{"type":"LineString","coordinates":[[82.3,23.9],[82.4,23.9]]}}`),
			[]string{"feature 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := f.store.Layer(t.Context(), "blocks")
			r := f.upload(t, url+"?filename=bad.geojson"+tc.query, "", layers.Editor, strings.NewReader(tc.body))
			j := f.await(t, jobPath(t, r), layers.Editor)
			if j.Status != layers.ImportFailed {
				t.Fatalf("job %+v", j)
			}
			for _, w := range tc.say {
				if !strings.Contains(j.Error, w) {
					t.Errorf("%q does not say %q", j.Error, w)
				}
			}
			after, _ := f.store.Layer(t.Context(), "blocks")
			if after.DataVersion != before.DataVersion || after.FeatureCount != before.FeatureCount {
				t.Fatal("the layer changed")
			}
		})
	}
	t.Run("an empty upload is a 400", func(t *testing.T) {
		if r := f.upload(t, url, "application/geo+json", layers.Editor, strings.NewReader("")); r.status != 400 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("beyond the size limit is a 413", func(t *testing.T) {
		small := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxUploadBytes: 1000},
			Deps{Catalog: f.catalog, Store: f.store, Search: f.store, Features: f.store, Tokens: f.store, Imports: f.imports})
		ts := httptest.NewServer(small)
		defer ts.Close()
		big := geojsonSquares("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l")
		if r := f.upload(t, ts.URL+"/layers/blocks/imports", "application/geo+json", layers.Editor, strings.NewReader(big)); r.status != 413 {
			t.Fatalf("with a Content-Length: %d %s", r.status, r.body)
		}
		// Chunked: no Content-Length to refuse early; the stream is cut.
		if r := f.upload(t, ts.URL+"/layers/blocks/imports", "application/geo+json", layers.Editor, io.MultiReader(strings.NewReader(big))); r.status != 413 {
			t.Fatalf("chunked: %d %s", r.status, r.body)
		}
	})
	t.Run("restricted layers are invisible", func(t *testing.T) {
		if r := f.do(t, "GET", "/collections/secret/imports", layers.None, ""); r.status != 404 {
			t.Fatalf("anonymous history of a restricted layer: %d", r.status)
		}
		if r := f.do(t, "GET", "/collections/secret/imports", layers.Viewer, ""); r.status != 200 {
			t.Fatalf("viewer: %d %s", r.status, r.body)
		}
		jobs, _ := f.store.LayerImports(t.Context(), "secret", 1)
		if r := f.do(t, "GET", fmt.Sprintf("/imports/%d", jobs[0].ID), layers.None, ""); r.status != 404 {
			t.Fatalf("anonymous job of a restricted layer: %d", r.status)
		}
		if r := f.do(t, "GET", "/imports/999999", layers.Editor, ""); r.status != 404 {
			t.Fatalf("unknown job: %d", r.status)
		}
	})
}
