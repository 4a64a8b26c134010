package tiles

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"

	"github.com/coalmap/coalmap/layers"
)

// randomLayer encodes n random lines, largest first (as the renderer
// orders them), with a property each, as one MVT layer.
func randomLayer(t *testing.T, rng *rand.Rand, name string, n int) ([]byte, []int) {
	t.Helper()
	fc := geojson.NewFeatureCollection()
	verts := make([]int, n)
	for i := range n {
		verts[i] = 2 + (n-i)*40/n + rng.IntN(3) // decreasing, roughly
	}
	for i := range n {
		ls := make(orb.LineString, verts[i])
		for j := range ls {
			ls[j] = orb.Point{rng.Float64() * 4096, rng.Float64() * 4096}
		}
		f := geojson.NewFeature(ls)
		f.ID = float64(i + 1)
		f.Properties["owner"] = "owner " + strconv.Itoa(rng.IntN(20))
		fc.Append(f)
	}
	l := &mvt.Layer{Name: name, Version: 2, Extent: 4096, Features: fc.Features}
	b, err := mvt.Marshal(mvt.Layers{l})
	if err != nil {
		t.Fatal(err)
	}
	return b, verts
}

// TestTrimBlobs checks the cut of an oversized tile against its layers
// decoded whole: the tile fits the bound; each layer keeps a prefix of its
// features, whole, with their properties; what was left out is counted;
// and the prefix is not a token one.
func TestTrimBlobs(t *testing.T) {
	seed := rand.Uint64()
	if s, err := strconv.ParseUint(os.Getenv("TILES_TEST_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (TILES_TEST_SEED to repeat)", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	ls := []layers.Layer{{ID: "lines"}, {ID: "rail"}}
	opts := make([]Options, len(ls))
	var s Service
	compose := func(bs []Blob) *Entry { return s.compose(ls, opts, bs) }
	var blobs []Blob
	for _, l := range ls {
		n := 200 + rng.IntN(800)
		b, _ := randomLayer(t, rng, l.ID, n)
		blobs = append(blobs, Blob{MVT: b, Features: n, Omitted: 3})
	}
	whole := len(compose(blobs).Gzip())
	for _, max := range []int{whole / 2, whole / 5, whole - 1} {
		e, ok := trimBlobs(blobs, max, compose)
		if !ok {
			t.Fatalf("bound %d of a %d-byte tile: not cut", max, whole)
		}
		if gz := len(e.Gzip()); gz > max {
			t.Fatalf("bound %d: cut tile of %d bytes gzip-compressed", max, gz)
		}
		got, err := mvt.Unmarshal(e.MVT)
		if err != nil {
			t.Fatalf("bound %d: cut tile does not decode: %v", max, err)
		}
		if len(got) != len(ls) {
			t.Fatalf("bound %d: %d layers, want %d", max, len(got), len(ls))
		}
		kept := 0
		for i, gl := range got {
			orig, err := mvt.Unmarshal(blobs[i].MVT)
			if err != nil {
				t.Fatal(err)
			}
			if gl.Name != ls[i].ID || len(gl.Features) == 0 || len(gl.Features) >= len(orig[0].Features) {
				t.Fatalf("bound %d: layer %q kept %d of %d features", max, gl.Name, len(gl.Features), len(orig[0].Features))
			}
			for j, f := range gl.Features {
				o := orig[0].Features[j]
				if f.ID != o.ID || !orb.Equal(f.Geometry, o.Geometry) || f.Properties["owner"] != o.Properties["owner"] {
					t.Fatalf("bound %d: layer %s feature %d is %v %v, want %v %v", max, gl.Name, j, f.ID, f.Properties, o.ID, o.Properties)
				}
			}
			kept += len(gl.Features)
		}
		if e.Features != kept {
			t.Fatalf("bound %d: entry counts %d features, the tile holds %d", max, e.Features, kept)
		}
		omitted := 0
		for _, b := range blobs {
			omitted += b.Features + b.Omitted
		}
		if left := leftOut(t, e); left != omitted-kept {
			t.Fatalf("bound %d: %d features reported left out, want %d", max, left, omitted-kept)
		}
		// Not a token prefix: the bound holds at least a tenth of what
		// its share of the whole would suggest.
		if total := blobs[0].Features + blobs[1].Features; kept < total*max/whole/10 {
			t.Fatalf("bound %d: only %d features kept", max, kept)
		}
		t.Logf("bound %d of %d: %d bytes gzip-compressed, %d features kept", max, whole, len(e.Gzip()), kept)
	}

	// Blobs that are not MVT layers (or whose count disagrees) are left
	// to a new render.
	if _, ok := trimBlobs([]Blob{{MVT: []byte{1, 2, 3}, Features: 1}}, 1, compose); ok {
		t.Fatal("garbage cut")
	}
	if _, ok := trimBlobs([]Blob{{MVT: blobs[0].MVT, Features: blobs[0].Features + 1}, blobs[1]}, whole/2, compose); ok {
		t.Fatal("a blob whose feature count disagrees was cut")
	}
	// A bound nothing fits: not cut.
	if _, ok := trimBlobs(blobs, 10, compose); ok {
		t.Fatal("cut to 10 bytes")
	}
}

func leftOut(t *testing.T, e *Entry) int {
	t.Helper()
	n := 0
	for _, c := range e.SizeCapped {
		for i := len(c) - 1; i >= 0; i-- {
			if c[i] == '=' {
				v, err := strconv.Atoi(c[i+1:])
				if err != nil {
					t.Fatal(err)
				}
				n += v
				break
			}
		}
	}
	return n
}
