package tiles_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

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
