package styles_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/coalmap/coalmap/styles"
)

// spriteSources are the names of the SVG symbols the sprite is built from.
func spriteSources() ([]string, error) {
	files, err := filepath.Glob("sprite/*.svg")
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(filepath.Base(f), ".svg"))
	}
	return out, err
}

// glyph encodes a glyph message the way fontnik does (id, bitmap, metrics).
func glyph(id uint32, mark byte) styles.Glyph {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(id))
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendBytes(b, []byte{mark, mark, mark})
	for f, v := range []uint64{3: 1, 4: 1, 7: 9} {
		if f > 0 && v > 0 {
			b = protowire.AppendTag(b, protowire.Number(f), protowire.VarintType)
			b = protowire.AppendVarint(b, v)
		}
	}
	return styles.Glyph{ID: id, Raw: b}
}

// fakeAssets are assets with two fonts: A covers 65–66, B covers 66–67 and
// U+0915, marked so that a test can tell which font a glyph came from.
func fakeAssets(t *testing.T) *styles.Assets {
	t.Helper()
	sprite := []byte(`{"mine":{"x":0,"y":0,"width":15,"height":15,"pixelRatio":1}}`)
	fsys := fstest.MapFS{
		"sprite.json":           {Data: sprite},
		"sprite.png":            {Data: []byte("png1")},
		"sprite@2x.json":        {Data: []byte(`{"mine":{"x":0,"y":0,"width":30,"height":30,"pixelRatio":2}}`)},
		"sprite@2x.png":         {Data: []byte("png2")},
		"fonts/A/0-255.pbf":     {Data: styles.EncodeGlyphs("A", "0-255", []styles.Glyph{glyph(65, 'a'), glyph(66, 'a')})},
		"fonts/B/0-255.pbf":     {Data: styles.EncodeGlyphs("B", "0-255", []styles.Glyph{glyph(67, 'b'), glyph(66, 'b')})},
		"fonts/B/2304-2559.pbf": {Data: styles.EncodeGlyphs("B", "2304-2559", []styles.Glyph{glyph(0x915, 'b')})},
		"fonts/B.ttf":           {Data: []byte("ttf")},
	}
	a, err := styles.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestGlyphsComposeAStack(t *testing.T) {
	a := fakeAssets(t)
	// from maps each codepoint to the font its bitmap marks.
	from := func(t *testing.T, pbf []byte) map[uint32]byte {
		t.Helper()
		gs, err := styles.DecodeGlyphs(pbf)
		if err != nil {
			t.Fatal(err)
		}
		m := map[uint32]byte{}
		for i, g := range gs {
			if i > 0 && gs[i-1].ID >= g.ID {
				t.Errorf("glyphs not in codepoint order: %d after %d", g.ID, gs[i-1].ID)
			}
			m[g.ID] = g.Raw[bytes.IndexByte(g.Raw, 3)+1] // the bitmap's first byte
		}
		return m
	}
	for _, tc := range []struct {
		stack, rng string
		want       map[uint32]byte
	}{
		{"A", "0-255", map[uint32]byte{65: 'a', 66: 'a'}},
		{"A,B", "0-255", map[uint32]byte{65: 'a', 66: 'a', 67: 'b'}},
		{"B,A", "0-255", map[uint32]byte{65: 'a', 66: 'b', 67: 'b'}},
		{"A, B", "2304-2559", map[uint32]byte{0x915: 'b'}},
		{"A", "2304-2559", map[uint32]byte{}},
		{"Unknown,A", "0-255", map[uint32]byte{65: 'a', 66: 'a'}},
	} {
		t.Run(tc.stack+"/"+tc.rng, func(t *testing.T) {
			b, err := a.Glyphs(tc.stack, tc.rng)
			if err != nil {
				t.Fatal(err)
			}
			if got := from(t, b); len(got) != len(tc.want) || !mapsEqual(got, tc.want) {
				t.Fatalf("glyphs %v, want %v", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		stack, rng string
		want       error
	}{
		{"Unknown", "0-255", styles.ErrNotFound},
		{"A", "0-256", styles.ErrInvalid},
		{"A", "1-256", styles.ErrInvalid},
		{"A", "65536-65791", styles.ErrInvalid},
		{"A", "-256-0", styles.ErrInvalid},
		{"A", "00-255", styles.ErrInvalid},
		{"A,,B", "0-255", styles.ErrInvalid},
		{strings.Repeat("A,", 9) + "A", "0-255", styles.ErrInvalid},
	} {
		t.Run("refused "+tc.stack+"/"+tc.rng, func(t *testing.T) {
			if _, err := a.Glyphs(tc.stack, tc.rng); !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func mapsEqual(a, b map[uint32]byte) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

func TestAssetsLookups(t *testing.T) {
	a := fakeAssets(t)
	if !a.Built() || !a.Icons()["mine"] || len(a.Icons()) != 1 {
		t.Fatalf("built %v icons %v", a.Built(), a.Icons())
	}
	if f := a.Fonts(); strings.Join(f, ",") != "A,B" {
		t.Fatalf("fonts %v", f)
	}
	if sp, err := a.Sprite(2); err != nil || string(sp.PNG) != "png2" || sp.PNGETag == "" {
		t.Fatalf("sprite@2x %q %v", sp.PNG, err)
	}
	if _, err := a.Sprite(3); !errors.Is(err, styles.ErrNotFound) {
		t.Fatalf("sprite@3x: %v", err)
	}
	if f, err := a.FontFile("B.ttf"); err != nil || string(f.Data) != "ttf" {
		t.Fatalf("font file %v", err)
	}
	if _, err := a.FontFile("../sprite.json"); !errors.Is(err, styles.ErrNotFound) {
		t.Fatalf("font file outside fonts/: %v", err)
	}
	none := styles.NotBuilt()
	if _, err := none.Glyphs("A", "0-255"); !errors.Is(err, styles.ErrNotBuilt) {
		t.Fatalf("glyphs of a binary without them: %v", err)
	}
	if _, err := none.Sprite(1); !errors.Is(err, styles.ErrNotBuilt) {
		t.Fatalf("sprite of a binary without it: %v", err)
	}
	if _, err := styles.Load(fstest.MapFS{"sprite.json": {Data: []byte("[")}}); err == nil {
		t.Fatal("a broken sprite index loads")
	}
}

// TestEmbeddedAssets checks what make build put into the binary: the sprite
// has every symbol of sprite/ at both ratios and within its image, and the
// glyphs hold Latin from Noto Sans and Devanagari from Noto Sans
// Devanagari. A tree where the assets were never built fails (run make
// build or scripts/build-web.sh), except with -short.
func TestEmbeddedAssets(t *testing.T) {
	a, err := styles.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if !a.Built() {
		if testing.Short() {
			t.Skip("-short: the sprite and glyphs were not built")
		}
		t.Fatal("the sprite and glyphs were not built into this tree: run make build (scripts/build-web.sh)")
	}
	want, err := spriteSources()
	if err != nil || len(want) == 0 {
		t.Fatalf("sprite sources: %v %v", want, err)
	}
	for _, ratio := range []int{1, 2} {
		sp, err := a.Sprite(ratio)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(sp.PNG))
		if err != nil {
			t.Fatalf("sprite@%dx.png: %v", ratio, err)
		}
		var idx map[string]struct{ X, Y, Width, Height, PixelRatio int }
		if err := json.Unmarshal(sp.JSON, &idx); err != nil {
			t.Fatal(err)
		}
		for _, name := range want {
			e, ok := idx[name]
			if !ok {
				t.Errorf("sprite@%dx lacks %s", ratio, name)
				continue
			}
			if e.PixelRatio != ratio || e.X < 0 || e.Y < 0 || e.X+e.Width > img.Bounds().Dx() || e.Y+e.Height > img.Bounds().Dy() {
				t.Errorf("sprite@%dx: %s at %+v outside the %v image", ratio, name, e, img.Bounds())
			}
			// Something is drawn in the symbol's cell.
			opaque := 0
			for y := e.Y; y < e.Y+e.Height; y++ {
				for x := e.X; x < e.X+e.Width; x++ {
					if _, _, _, al := img.At(x, y).RGBA(); al > 0x8000 {
						opaque++
					}
				}
			}
			if opaque < e.Width*e.Height/20 {
				t.Errorf("sprite@%dx: %s has %d opaque pixels of %d", ratio, name, opaque, e.Width*e.Height)
			}
		}
	}
	ids := func(stack, rng string) map[uint32]bool {
		b, err := a.Glyphs(stack, rng)
		if err != nil {
			t.Fatal(err)
		}
		gs, err := styles.DecodeGlyphs(b)
		if err != nil {
			t.Fatal(err)
		}
		m := map[uint32]bool{}
		for _, g := range gs {
			m[g.ID] = true
		}
		return m
	}
	if g := ids(styles.FontRegular, "0-255"); !g['A'] || !g['z'] || !g['0'] {
		t.Errorf("Noto Sans Regular 0-255 lacks A, z or 0 (%d glyphs)", len(g))
	}
	if g := ids(styles.FontRegular, "2304-2559"); len(g) != 0 {
		t.Errorf("Noto Sans Regular has %d Devanagari glyphs: the stack test below would prove nothing", len(g))
	}
	stack := styles.FontRegular + "," + styles.FontDevanagariRegular
	if g := ids(stack, "2304-2559"); !g[0x915] || !g[0x93F] || !g[0x94D] {
		t.Errorf("%s 2304-2559 lacks क, ि or ्", stack)
	}
	if _, err := a.FontFile(styles.DevanagariFontFile); err != nil {
		t.Errorf("the font-faces file: %v", err)
	}
	src := filepath.Join("/usr/share/fonts/truetype/noto", styles.DevanagariFontFile)
	if want, err := os.ReadFile(src); err == nil {
		if f, _ := a.FontFile(styles.DevanagariFontFile); !bytes.Equal(f.Data, want) {
			t.Errorf("the served %s differs from %s", styles.DevanagariFontFile, src)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"0-255", "65280-65535", "256-511", "1-256", "-0", "0-", "99999999999999999999-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, end, err := styles.ParseRange(s)
		if err != nil {
			if !errors.Is(err, styles.ErrInvalid) {
				t.Fatalf("%q: %v is not ErrInvalid", s, err)
			}
			return
		}
		if start%256 != 0 || end != start+255 || start < 0 || end > 0xFFFF {
			t.Fatalf("%q: accepted %d-%d", s, start, end)
		}
	})
}

func FuzzDecodeGlyphs(f *testing.F) {
	f.Add(styles.EncodeGlyphs("A", "0-255", []styles.Glyph{glyph(65, 'a'), glyph(66, 'a')}))
	f.Add([]byte{0x0a, 0x05, 0x1a, 0x03, 0x08, 0x41, 0x10})
	f.Add([]byte{0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		gs, err := styles.DecodeGlyphs(b)
		if err != nil {
			if !errors.Is(err, styles.ErrInvalid) {
				t.Fatalf("%v is not ErrInvalid", err)
			}
			return
		}
		back, err := styles.DecodeGlyphs(styles.EncodeGlyphs("x", "0-255", gs))
		if err != nil || len(back) != len(gs) {
			t.Fatalf("re-encoded: %d glyphs (%v), want %d", len(back), err, len(gs))
		}
	})
}
