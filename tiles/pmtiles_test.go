package tiles

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

func TestPMTilesID(t *testing.T) {
	for _, c := range []struct {
		z    maptile.Zoom
		x, y uint32
		want uint64
	}{
		{0, 0, 0, 0}, {1, 0, 0, 1}, {1, 0, 1, 2}, {1, 1, 1, 3}, {1, 1, 0, 4}, {2, 0, 0, 5},
	} {
		if got := PMTilesID(maptile.New(c.x, c.y, c.z)); got != c.want {
			t.Errorf("%d/%d/%d: id %d, want %d", c.z, c.x, c.y, got, c.want)
		}
	}
	// Ids are distinct and dense within a zoom.
	seen := map[uint64]bool{}
	for x := uint32(0); x < 8; x++ {
		for y := uint32(0); y < 8; y++ {
			id := PMTilesID(maptile.New(x, y, 3))
			if id < 21 || id >= 85 || seen[id] {
				t.Fatalf("3/%d/%d: id %d", x, y, id)
			}
			seen[id] = true
		}
	}
}

var gzw = gzip.NewWriter(nil)

func gz(s string) []byte {
	var b bytes.Buffer
	gzw.Reset(&b)
	gzw.Write([]byte(s))
	gzw.Close()
	return b.Bytes()
}

// TestPMTilesRoundTrip writes archives small (root only) and large (leaf
// directories), reads every tile back, and checks dedup and runs.
func TestPMTilesRoundTrip(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, n := range []int{0, 50, 20000} {
		t.Run(fmt.Sprint(n, " tiles"), func(t *testing.T) {
			w, err := NewPMTilesWriter(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			want := map[maptile.Tile]string{}
			for len(want) < n {
				z := maptile.Zoom(4 + rng.IntN(10))
				tl := maptile.New(rng.Uint32N(1<<z), rng.Uint32N(1<<z), z)
				if _, dup := want[tl]; dup {
					continue
				}
				body := fmt.Sprintf("tile %v", tl)
				if rng.IntN(4) == 0 {
					body = "ocean" // repeated content, stored once
				}
				want[tl] = body
				if err := w.Add(tl, gz(body)); err != nil {
					t.Fatal(err)
				}
			}
			w.Add(maptile.New(0, 0, 1), nil) // empty: not stored
			var out bytes.Buffer
			meta := PMTilesMeta{Name: "test", Bounds: orb.Bound{Min: orb.Point{82, 23.7}, Max: orb.Point{82.8, 24.3}},
				VectorLayers: []VectorLayer{{ID: "coal_blocks"}}}
			if err := w.Finish(&out, meta); err != nil {
				t.Fatal(err)
			}
			p, err := OpenPMTiles(bytes.NewReader(out.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if p.Metadata["name"] != "test" || p.Bounds.Min[0] != 82 || p.Bounds.Max[1] != 24.3 {
				t.Fatalf("header %+v metadata %v", p.Bounds, p.Metadata)
			}
			if n > 0 && p.Contents >= uint64(n) {
				t.Errorf("%d contents for %d tiles: no dedup", p.Contents, n)
			}
			if n > 10000 && p.leafOff == p.dataOff {
				t.Error("no leaf directories for a root that cannot fit 16 KiB")
			}
			checked := 0
			for tl, body := range want {
				if checked++; checked > 500 {
					break // map order: a random sample
				}
				b, err := p.Tile(tl)
				if err != nil || b == nil {
					t.Fatalf("%v: %v, %v", tl, b, err)
				}
				zr, _ := gzip.NewReader(bytes.NewReader(b))
				got, _ := io.ReadAll(zr)
				if string(got) != body {
					t.Fatalf("%v: %q, want %q", tl, got, body)
				}
			}
			if b, err := p.Tile(maptile.New(0, 0, 1)); b != nil || err != nil {
				t.Fatalf("absent tile: %v, %v", b, err)
			}
			t.Logf("%d tiles: %d bytes, %d entries, %d contents", n, out.Len(), p.Entries, p.Contents)
		})
	}
}
