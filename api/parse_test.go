package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/layers/layerstest"
)

// FuzzParseItems feeds arbitrary query strings to the /items parser: it must
// answer a parsed request or a 400 naming a parameter, never panic.
func FuzzParseItems(f *testing.F) {
	for _, s := range []string{"bbox=1,2,3,4", "limit=-1", "crs=EPSG:3857", "bbox=1,2,3,4&bbox-crs=EPSG:4326",
		"cursor=azEw", "state=Odisha&seam_count=x", "properties=name,,state", "f=csv&offset=5", "a=%zz", "x;y=1"} {
		f.Add(s)
	}
	l := layerstest.Layer("blocks", layers.Public, true)
	f.Fuzz(func(t *testing.T, q string) {
		r := httptest.NewRequest("GET", "/collections/blocks/items", nil)
		r.URL.RawQuery = q
		req, err := parseItems(r, l)
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.Status != 400 {
				t.Fatalf("%q: %v", q, err)
			}
			return
		}
		if req.limit < 1 || req.limit > MaxLimit {
			t.Fatalf("%q: limit %d", q, req.limit)
		}
	})
}

func FuzzCursor(f *testing.F) {
	f.Add(int64(0))
	f.Add(int64(1 << 40))
	f.Fuzz(func(t *testing.T, fid int64) {
		if fid < 0 {
			return
		}
		got, err := decodeCursor(EncodeCursor(fid))
		if err != nil || got != fid {
			t.Fatalf("%d → %d, %v", fid, got, err)
		}
	})
}

// FuzzDecodeCursor feeds arbitrary strings as ?cursor=: each is refused
// with a 400 naming the parameter, or names a feature whose cursor reads
// back the same.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{EncodeCursor(0), EncodeCursor(1 << 40), "azEw", "", "k", "a-_", "aw", "a0stMQ", "%%", "a1-9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fid, err := decodeCursor(s)
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.Status != 400 || !strings.Contains(e.Message, "cursor") {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if fid < 0 {
			t.Fatalf("%q: fid %d", s, fid)
		}
		if back, err := decodeCursor(EncodeCursor(fid)); err != nil || back != fid {
			t.Fatalf("%q: %d reads back as %d, %v", s, fid, back, err)
		}
	})
}
