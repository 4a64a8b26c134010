package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/coalmap/coalmap/api"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/layers/layerstest"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// benchFeatures is the size of the layer the items benchmarks read.
const benchFeatures = 100_000

// pageSize is the limit of every page.
const pageSize = 1000

// server serves one 100,000-polygon layer, loaded through the import
// pipeline, on a database that lives as long as b.
func server(b *testing.B) string {
	b.Helper()
	ctx := context.Background()
	pool := pgtest.NewPool(b)
	store := postgis.NewStore(pool)
	if _, err := store.PutLayer(ctx, layerstest.Layer("blocks", layers.Public, true), "bench"); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	res, err := layerstest.Importer(store).Import(ctx, layers.ImportSpec{Layer: "blocks", Source: layerstest.Grid(benchFeatures, true), Actor: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("imported %d features in %v", res.Features, time.Since(start).Round(time.Millisecond))
	cat := layers.NewCatalog(store, nil)
	if err := cat.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	srv := api.New(api.Config{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))},
		api.Deps{Catalog: cat, Store: store, Features: store, Search: store})
	ts := httptest.NewServer(srv)
	b.Cleanup(ts.Close)
	return ts.URL
}

type page struct {
	Features       []json.RawMessage
	NumberReturned int
	Links          []struct{ Href, Rel string }
}

func fetch(b *testing.B, url string) page {
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		body, _ := io.ReadAll(resp.Body)
		b.Fatalf("%s: %d %s", url, resp.StatusCode, body)
	}
	var p page
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		b.Fatal(err)
	}
	return p
}

func (p page) next() string {
	for _, l := range p.Links {
		if l.Rel == "next" {
			return l.Href
		}
	}
	return ""
}

// BenchmarkItems measures /items throughput in GeoJSON features per second
// on one 100,000-polygon layer, keyset paging against LIMIT/OFFSET paging
// (pg_featureserv's approach), in one run on the same data.
//
// fullscan reads the whole layer page by page, following the next links
// (keyset: WHERE fid > cursor ORDER BY fid LIMIT n+1) or computing offsets
// (ORDER BY fid LIMIT n OFFSET k). deep reads one page at 90% of the layer.
func BenchmarkItems(b *testing.B) {
	base := server(b)
	b.Run("fullscan/keyset", func(b *testing.B) {
		n := 0
		for b.Loop() {
			next := fmt.Sprintf("%s/collections/blocks/items?limit=%d", base, pageSize)
			for next != "" {
				p := fetch(b, next)
				n += p.NumberReturned
				next = p.next()
			}
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "features/s")
	})
	b.Run("fullscan/offset", func(b *testing.B) {
		n := 0
		for b.Loop() {
			for off := 0; ; off += pageSize {
				p := fetch(b, fmt.Sprintf("%s/collections/blocks/items?limit=%d&offset=%d", base, pageSize, off))
				n += p.NumberReturned
				if p.NumberReturned < pageSize {
					break
				}
			}
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "features/s")
	})
	deep := benchFeatures * 9 / 10
	// The cursor a client following next links holds at that depth.
	cursorURL := fmt.Sprintf("%s/collections/blocks/items?limit=%d&cursor=%s", base, pageSize, api.EncodeCursor(int64(deep)))
	for _, tc := range []struct{ name, url string }{
		{"deep/keyset", cursorURL},
		{"deep/offset", fmt.Sprintf("%s/collections/blocks/items?limit=%d&offset=%d", base, pageSize, deep)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				p := fetch(b, tc.url)
				if p.NumberReturned != pageSize {
					b.Fatalf("%d features", p.NumberReturned)
				}
				n += p.NumberReturned
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "features/s")
		})
	}
}
