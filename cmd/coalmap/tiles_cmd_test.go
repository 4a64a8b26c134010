package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
	"github.com/coalmap/coalmap/tiles"
)

func TestTilesPrepareAndSeedPMTiles(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	pool, err := postgis.Connect(ctx, url, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pgtest.CreateCoalLayers(t, pool)

	var out, errb bytes.Buffer
	if code := run(ctx, []string{"tiles", "prepare", "--database-url", url, "--layers", "coal_blocks,transmission_lines"}, &out, &errb); code != 0 {
		t.Fatalf("prepare: exit %d: %s", code, errb.String())
	}
	// Building bands is not a change of the data: the data version stays,
	// and the bands record the version they were built from.
	var v, built int64
	pool.QueryRow(ctx, `SELECT l.data_version, b.data_version FROM catalog.layers l JOIN tilegen.bands b ON b.layer_id = l.id
	    WHERE l.id = 'coal_blocks'`).Scan(&v, &built)
	if !strings.Contains(out.String(), "coal_blocks: tile bands built") || v != 1 || built != 1 {
		t.Fatalf("prepare output %q, data_version %d, bands built from %d", out.String(), v, built)
	}

	archive := filepath.Join(t.TempDir(), "field.pmtiles")
	out.Reset()
	args := []string{"tiles", "seed", "--database-url", url, "--layers", "coal_blocks,transmission_lines",
		"--bbox", "81.9,23.7,82.9,24.3", "--zooms", "6-11", "--pmtiles", archive}
	if code := run(ctx, args, &out, &errb); code != 0 {
		t.Fatalf("seed: exit %d: %s", code, errb.String())
	}
	t.Log(strings.TrimSpace(out.String()))
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := tiles.OpenPMTiles(f)
	if err != nil {
		t.Fatal(err)
	}
	if p.MinZoom != 6 || p.MaxZoom != 11 || p.Entries == 0 {
		t.Fatalf("archive zooms %d–%d, %d entries", p.MinZoom, p.MaxZoom, p.Entries)
	}
	b, err := p.Tile(maptile.At(orb.Point{82.42, 24.05}, 10))
	if err != nil || b == nil {
		t.Fatalf("tile: %v %v", b, err)
	}
	ls, err := mvt.UnmarshalGzipped(b)
	if err != nil || len(ls) != 2 || ls[0].Name != "coal_blocks" || len(ls[0].Features) == 0 {
		t.Fatalf("decoded %v, %v", ls, err)
	}
	if vl, _ := p.Metadata["vector_layers"].([]any); len(vl) != 2 {
		t.Fatalf("metadata %v", p.Metadata)
	}
}

func TestTilesSeedWarmsAServer(t *testing.T) {
	var n, busy atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/tiles/coal_blocks/") || !strings.HasSuffix(r.URL.Path, ".mvt") {
			http.NotFound(w, r)
			return
		}
		if busy.Add(1) == 3 { // one refusal: retried
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		n.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer ts.Close()
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"tiles", "seed", "--url", ts.URL, "--layers", "coal_blocks",
		"--bbox", "82,23.7,82.8,24.3", "--zooms", "5-8"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	// z5: 1 tile, z6: 1, z7: 1×2, z8: 2×2.
	want := 0
	for z := maptile.Zoom(5); z <= 8; z++ {
		lo, hi := maptile.At(orb.Point{82, 24.3}, z), maptile.At(orb.Point{82.8, 23.7}, z)
		want += int((hi.X - lo.X + 1) * (hi.Y - lo.Y + 1))
	}
	if int(n.Load()) != want || !strings.Contains(out.String(), "seeded") {
		t.Fatalf("%d tiles requested, want %d; %s", n.Load(), want, out.String())
	}
}

func TestTilesUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"tiles"}, {"tiles", "frob"}, {"tiles", "seed", "--layers", "a", "--bbox", "1,2,3"},
		{"tiles", "seed", "--layers", "a", "--zooms", "9-3"}, {"tiles", "seed"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errb.String())
		}
	}
}
