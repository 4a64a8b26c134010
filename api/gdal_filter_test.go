package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestGDALFilter: GDAL's OAPIF driver, given -where, sends the condition
// to the service as a filter (seen here on the requests that reach it),
// and the features it copies are those PostGIS selects with the same
// condition. GDAL 3.6 does not read /conformance for this: it looks for
// filter-lang=cql-text (the draft's name) in the OpenAPI document and for
// the draft's queryables list, and writes the draft's dialect (operational
// = 1 for a boolean); the service reads it as cql2-text with those
// looser literals.
func TestGDALFilter(t *testing.T) {
	ogr2ogr, err := exec.LookPath("ogr2ogr")
	if err != nil {
		if testing.Short() {
			t.Skip("-short: no ogr2ogr")
		}
		t.Fatal("ogr2ogr not found: install gdal-bin (scripts/install-deps.sh)")
	}
	f := filterFixture(t)
	var mu sync.Mutex
	var items []url.Values
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/items") {
			mu.Lock()
			items = append(items, r.URL.Query())
			mu.Unlock()
		}
		f.ts.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(rec.Close)

	for _, tt := range []struct{ where, sql string }{
		{"state = 'Odisha' AND seam_count > 2", "state = 'Odisha' AND seam_count > 2"},
		{"area_km2 >= 40.5 OR name LIKE 'Dhirauli%'", "area_km2 >= 40.5 OR name LIKE 'Dhirauli%'"},
		{"operational = 1 AND state IS NULL", "operational AND state IS NULL"},
	} {
		t.Run(tt.where, func(t *testing.T) {
			mu.Lock()
			items = nil
			mu.Unlock()
			dst := filepath.Join(t.TempDir(), "out.json")
			cmd := exec.Command(ogr2ogr, "-f", "GeoJSON", dst, "OAPIF:"+rec.URL, "blocks", "-where", tt.where)
			cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=60", "CPL_DEBUG=OFF")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("ogr2ogr: %v\n%s", err, out)
			}
			b, err := os.ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			var fc struct {
				Features []json.RawMessage
			}
			if err := json.Unmarshal(b, &fc); err != nil {
				t.Fatal(err)
			}
			var want int
			if err := f.store.Pool().QueryRow(context.Background(), "SELECT count(*) FROM layers.blocks WHERE "+tt.sql).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if len(fc.Features) != want || want == 0 {
				t.Fatalf("GDAL copied %d features, PostGIS selects %d", len(fc.Features), want)
			}
			mu.Lock()
			defer mu.Unlock()
			var filters []string
			for _, q := range items {
				if q.Has("filter") {
					filters = append(filters, q.Get("filter")+" ["+q.Get("filter-lang")+"]")
				}
			}
			// GDAL reads one unfiltered page first to learn the fields; every
			// read after it carries the filter, one per page of 10.
			if len(items) < 2 || items[0].Has("filter") || len(filters) != len(items)-1 || len(filters) != (want+9)/10 {
				t.Fatalf("%d of %d item requests carried a filter, for %d features: %v", len(filters), len(items), want, items)
			}
			t.Logf("GDAL sent filter=%s in %d requests", filters[0], len(items))
		})
	}
}
