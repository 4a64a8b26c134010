package tiles_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// sizedRenderer renders n features of 100 incompressible bytes a layer,
// as many as Options.MaxBytes allows, and says how many it left out.
type sizedRenderer struct {
	n       int
	renders atomic.Int32
}

func (r *sizedRenderer) Render(_ context.Context, l layers.Layer, t maptile.Tile, opt tiles.Options) (tiles.Blob, error) {
	r.renders.Add(1)
	rng := rand.New(rand.NewPCG(uint64(len(l.ID)), uint64(t.Z)))
	kept := r.n
	if opt.MaxBytes > 0 {
		kept = min(r.n, opt.MaxBytes/100)
	}
	b := tiles.Blob{MVT: make([]byte, 100*kept), Features: kept, Omitted: r.n - kept}
	for i := range b.MVT {
		b.MVT[i] = byte(rng.Uint32())
	}
	return b, nil
}

func TestServiceBoundsTileSize(t *testing.T) {
	ctx := context.Background()
	req := tiles.Request{Layers: []string{"blocks", "lines"}, Tile: maptile.New(5, 6, 7)}

	r := &sizedRenderer{n: 200}
	s := tiles.NewService(catalog(), r, tiles.Config{MaxTileBytes: 5000})
	res, err := s.Tile(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	gz := len(res.Gzip())
	t.Logf("%d renders: %d bytes, %d gzip-compressed, size cap %v", r.renders.Load(), len(res.MVT), gz, res.SizeCapped)
	if gz > 5000 || res.Features == 0 || len(res.SizeCapped) != 2 {
		t.Fatalf("tile of %d bytes gzip-compressed (bound 5000), %d features, size cap %v", gz, res.Features, res.SizeCapped)
	}
	left := 0
	for _, c := range res.SizeCapped {
		_, num, _ := strings.Cut(c, "=")
		n, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("size cap entry %q: %v", c, err)
		}
		left += n
	}
	if res.Features+left != 400 {
		t.Fatalf("%d features kept and %d left out, of 400", res.Features, left)
	}

	// Under the bound: drawn once, nothing left out.
	r = &sizedRenderer{n: 10}
	s = tiles.NewService(catalog(), r, tiles.Config{MaxTileBytes: 5000})
	res, err = s.Tile(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if r.renders.Load() != 2 || len(res.SizeCapped) != 0 || res.Features != 20 {
		t.Fatalf("small tile: %d renders, size cap %v, %d features", r.renders.Load(), res.SizeCapped, res.Features)
	}
}

// mvtRenderer renders n random lines a layer as a real MVT layer, largest
// first, as many as Options.MaxBytes allows (about three bytes a vertex,
// as the PostGIS renderer estimates), and says how many it left out.
type mvtRenderer struct {
	n       int
	renders atomic.Int32
}

func (r *mvtRenderer) Render(_ context.Context, l layers.Layer, t maptile.Tile, opt tiles.Options) (tiles.Blob, error) {
	r.renders.Add(1)
	rng := rand.New(rand.NewPCG(uint64(len(l.ID)), uint64(t.Z)))
	fc := geojson.NewFeatureCollection()
	cost := 0
	for i := range r.n {
		ls := make(orb.LineString, 2+(r.n-i)*60/r.n)
		for j := range ls {
			ls[j] = orb.Point{rng.Float64() * 4096, rng.Float64() * 4096}
		}
		cost += 3*len(ls) + 12
		if opt.MaxBytes > 0 && cost > opt.MaxBytes {
			break
		}
		f := geojson.NewFeature(ls)
		f.ID = float64(i + 1)
		fc.Append(f)
	}
	b, err := mvt.Marshal(mvt.Layers{{Name: l.ID, Version: 2, Extent: 4096, Features: fc.Features}})
	return tiles.Blob{MVT: b, Features: len(fc.Features), Omitted: r.n - len(fc.Features)}, err
}

// TestServiceCutsTileWithoutRedrawing: a tile of real MVT layers over the
// bound is cut to fit from its one render per layer, not drawn again.
func TestServiceCutsTileWithoutRedrawing(t *testing.T) {
	req := tiles.Request{Layers: []string{"blocks", "lines"}, Tile: maptile.New(5, 6, 7)}
	r := &mvtRenderer{n: 2000}
	const bound = 20000
	s := tiles.NewService(catalog(), r, tiles.Config{MaxTileBytes: bound})
	res, err := s.Tile(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	gz := len(res.Gzip())
	t.Logf("%d renders: %d bytes, %d gzip-compressed, %d features, size cap %v", r.renders.Load(), len(res.MVT), gz, res.Features, res.SizeCapped)
	if r.renders.Load() != 2 {
		t.Fatalf("%d renders of a two-layer tile, want 2 (cut, not drawn again)", r.renders.Load())
	}
	if gz > bound || res.Features == 0 || len(res.SizeCapped) != 2 {
		t.Fatalf("tile of %d bytes gzip-compressed (bound %d), %d features, size cap %v", gz, bound, res.Features, res.SizeCapped)
	}
	got, err := mvt.Unmarshal(res.MVT)
	if err != nil || len(got) != 2 || len(got[0].Features)+len(got[1].Features) != res.Features {
		t.Fatalf("cut tile: %v, %d layers", err, len(got))
	}
}
