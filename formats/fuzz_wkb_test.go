package formats

import (
	"bytes"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// FuzzWKB feeds arbitrary bytes to the WKB reader (the geometry column of a
// CSV, a GeoPackage blob's body). What it accepts must survive orb's
// encoder, an independent writer, and read back the same.
func FuzzWKB(f *testing.F) {
	for _, g := range []orb.Geometry{
		orb.Point{82.3, 23.9},
		orb.LineString{{82.3, 23.9}, {82.4, 24}},
		orb.Polygon{{{82.3, 23.9}, {82.4, 23.9}, {82.4, 24}, {82.3, 23.9}}},
		orb.MultiPoint{{1, 2}, {3, 4}},
		orb.MultiLineString{{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}}},
		orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}},
		orb.Collection{orb.Point{1, 2}, orb.LineString{{0, 0}, {1, 1}}},
	} {
		b, err := wkb.Marshal(g)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{1, 1, 0, 0, 0})                         // a truncated point
	f.Add([]byte{0, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff}) // a collection claiming 4 billion parts
	f.Fuzz(func(t *testing.T, b []byte) {
		g, _, err := parseWKB(b)
		if err != nil || g == nil {
			return
		}
		again, err := wkb.Marshal(g)
		if err != nil {
			return // orb cannot write it (an empty collection member, say)
		}
		h, _, err := parseWKB(again)
		if err != nil {
			t.Fatalf("%T read from %x, written by orb, does not read back: %v", g, b, err)
		}
		// Compared as written bytes: a NaN coordinate (which the stream
		// refuses later, naming the feature) is not equal to itself.
		if again2, err := wkb.Marshal(h); err != nil || !bytes.Equal(again, again2) {
			t.Fatalf("read %v, written and read again %v", g, h)
		}
	})
}
