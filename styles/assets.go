package styles

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// embedded holds what web/build-styles.mjs builds (make build runs it): in a
// tree where it never ran, only .gitkeep.
//
//go:embed all:assets
var embedded embed.FS

// Errors of the package.
var (
	ErrNotFound = errors.New("styles: not found")
	ErrInvalid  = errors.New("styles: invalid")
	// ErrNotBuilt means the binary was built without the sprite and glyphs
	// (go build without make build).
	ErrNotBuilt = errors.New("styles: sprite and glyphs were not built into this binary (run make build)")
)

// Limits of a glyph request.
const (
	maxFontsInStack = 8
	maxFontName     = 100
	maxCodepoint    = 0xFFFF
)

// Assets are the sprite, glyphs and font files a style document points at.
// They are read once and never change: safe for concurrent use.
type Assets struct {
	fsys  fs.FS
	built bool
	// sprites by pixel ratio (1, 2): the index and the image.
	sprites map[int]Sprite
	icons   map[string]bool
	// fonts by name: the ranges each holds (start codepoint → file).
	fonts map[string]map[int]string
	files map[string]File
}

// Sprite is one pixel ratio of the sprite: its index (name → position) and
// image, with their ETags.
type Sprite struct {
	JSON, PNG         []byte
	JSONETag, PNGETag string
}

// File is a font file `font-faces` names.
type File struct {
	Name, ETag string
	Data       []byte
}

// Embedded returns the assets built into the binary.
func Embedded() (*Assets, error) {
	sub, err := fs.Sub(embedded, "assets")
	if err != nil {
		return nil, err
	}
	return Load(sub)
}

// NotBuilt returns assets without sprite, glyphs or font files, as a binary
// built without them has.
func NotBuilt() *Assets {
	return &Assets{sprites: map[int]Sprite{}, icons: map[string]bool{}, fonts: map[string]map[int]string{}, files: map[string]File{}}
}

// Load reads assets laid out as web/build-styles.mjs writes them:
// sprite.json, sprite.png, sprite@2x.json, sprite@2x.png,
// fonts/<font name>/<start>-<end>.pbf and fonts/<file>.ttf. An fsys
// without sprite.json is "not built" (Built reports false); one with a
// sprite that does not parse is an error.
func Load(fsys fs.FS) (*Assets, error) {
	a := NotBuilt()
	a.fsys = fsys
	if _, err := fs.Stat(fsys, "sprite.json"); errors.Is(err, fs.ErrNotExist) {
		return a, nil
	}
	a.built = true
	for ratio, suffix := range map[int]string{1: "", 2: "@2x"} {
		idx, err := fs.ReadFile(fsys, "sprite"+suffix+".json")
		if err != nil {
			return nil, fmt.Errorf("styles: sprite%s.json: %w", suffix, err)
		}
		img, err := fs.ReadFile(fsys, "sprite"+suffix+".png")
		if err != nil {
			return nil, fmt.Errorf("styles: sprite%s.png: %w", suffix, err)
		}
		var entries map[string]struct {
			Width, Height int
		}
		if err := json.Unmarshal(idx, &entries); err != nil || len(entries) == 0 {
			return nil, fmt.Errorf("styles: sprite%s.json: not a sprite index (%v)", suffix, err)
		}
		for name := range entries {
			if ratio == 1 {
				a.icons[name] = true
			}
		}
		a.sprites[ratio] = Sprite{JSON: idx, PNG: img, JSONETag: etag(idx), PNGETag: etag(img)}
	}
	entries, err := fs.ReadDir(fsys, "fonts")
	if err != nil {
		return nil, fmt.Errorf("styles: fonts: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() {
			if strings.HasSuffix(name, ".ttf") || strings.HasSuffix(name, ".otf") {
				b, err := fs.ReadFile(fsys, "fonts/"+name)
				if err != nil {
					return nil, err
				}
				a.files[name] = File{Name: name, Data: b, ETag: etag(b)}
			}
			continue
		}
		ranges := map[int]string{}
		pbfs, err := fs.ReadDir(fsys, "fonts/"+name)
		if err != nil {
			return nil, err
		}
		for _, p := range pbfs {
			start, _, err := ParseRange(strings.TrimSuffix(p.Name(), ".pbf"))
			if err != nil || !strings.HasSuffix(p.Name(), ".pbf") {
				return nil, fmt.Errorf("styles: fonts/%s/%s: not a glyph range file", name, p.Name())
			}
			ranges[start] = path.Join("fonts", name, p.Name())
		}
		a.fonts[name] = ranges
	}
	if len(a.fonts) == 0 {
		return nil, fmt.Errorf("styles: no fonts under fonts/")
	}
	return a, nil
}

// Built reports whether the sprite and glyphs are there.
func (a *Assets) Built() bool { return a.built }

// Icons returns the names of the sprite's symbols (a copy).
func (a *Assets) Icons() map[string]bool {
	m := make(map[string]bool, len(a.icons))
	for k := range a.icons {
		m[k] = true
	}
	return m
}

// Fonts returns the names of the fonts glyphs are served for, sorted.
func (a *Assets) Fonts() []string {
	out := make([]string, 0, len(a.fonts))
	for n := range a.fonts {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// FontFiles returns the names of the font files served for `font-faces`,
// sorted.
func (a *Assets) FontFiles() []string {
	out := make([]string, 0, len(a.files))
	for n := range a.files {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Sprite returns the sprite at a pixel ratio of 1 or 2.
func (a *Assets) Sprite(ratio int) (Sprite, error) {
	if !a.built {
		return Sprite{}, ErrNotBuilt
	}
	s, ok := a.sprites[ratio]
	if !ok {
		return Sprite{}, fmt.Errorf("styles: no sprite at pixel ratio %d (1 or 2): %w", ratio, ErrNotFound)
	}
	return s, nil
}

// FontFile returns the font file called name.
func (a *Assets) FontFile(name string) (File, error) {
	if !a.built {
		return File{}, ErrNotBuilt
	}
	f, ok := a.files[name]
	if !ok {
		return File{}, fmt.Errorf("styles: no font file %q (have %s): %w", name, strings.Join(a.FontFiles(), ", "), ErrNotFound)
	}
	return f, nil
}

// ParseRange reads a glyph range "start-end": 256 codepoints from a multiple
// of 256, at most up to U+FFFF.
func ParseRange(s string) (start, end int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if ok {
		_, err = fmt.Sscanf(a+" "+b, "%d %d", &start, &end)
	}
	if !ok || err != nil || fmt.Sprintf("%d-%d", start, end) != s || start%256 != 0 || end != start+255 || end > maxCodepoint {
		return 0, 0, fmt.Errorf("styles: glyph range %q: want start-end, 256 codepoints from a multiple of 256 up to 65535 (0-255, 256-511…): %w", s, ErrInvalid)
	}
	return start, end, nil
}

// Glyphs returns the glyphs PBF of a fontstack, a comma-separated list of
// font names, for the range "start-end": each codepoint's glyph from the
// first font of the stack that has it. Names the service lacks are passed
// over; a stack of none it has is ErrNotFound.
func (a *Assets) Glyphs(fontstack, rng string) ([]byte, error) {
	start, end, err := ParseRange(rng)
	if err != nil {
		return nil, err
	}
	names := strings.Split(fontstack, ",")
	if len(names) > maxFontsInStack {
		return nil, fmt.Errorf("styles: fontstack: %d fonts, at most %d: %w", len(names), maxFontsInStack, ErrInvalid)
	}
	if !a.built {
		return nil, ErrNotBuilt
	}
	var files []string
	known := 0
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || len(n) > maxFontName {
			return nil, fmt.Errorf("styles: fontstack %q: an empty or over-long font name: %w", fontstack, ErrInvalid)
		}
		ranges, ok := a.fonts[n]
		if !ok {
			continue
		}
		known++
		if f, ok := ranges[start]; ok {
			files = append(files, f)
		}
	}
	if known == 0 {
		return nil, fmt.Errorf("styles: no font of %q (have %s): %w", fontstack, strings.Join(a.Fonts(), ", "), ErrNotFound)
	}
	pbfs := make([][]byte, 0, len(files))
	for _, f := range files {
		b, err := fs.ReadFile(a.fsys, f)
		if err != nil {
			return nil, fmt.Errorf("styles: %s: %w", f, err)
		}
		pbfs = append(pbfs, b)
	}
	return composeGlyphs(strings.Join(trimmed(names), ","), fmt.Sprintf("%d-%d", start, end), pbfs)
}

func trimmed(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

func etag(b []byte) string {
	h := sha256.Sum256(b)
	return `"` + hex.EncodeToString(h[:12]) + `"`
}

// ETag returns a strong entity tag of b, for responses built from assets.
func ETag(b []byte) string { return etag(b) }
