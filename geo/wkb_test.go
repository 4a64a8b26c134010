package geo

import (
	"bytes"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// TestAppendWKB checks AppendWKB and MarshalWKB against orb's wkb.Marshal,
// byte for byte, and MarshalWKB's buffer against its size.
func TestAppendWKB(t *testing.T) {
	ring := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 0}}
	line := orb.LineString{{1, 2}, {3, 4.5}, {-1e300, math.Pi}}
	for _, g := range []orb.Geometry{
		line, orb.LineString{}, orb.MultiLineString{line, line[:2]}, orb.MultiLineString{},
		orb.Polygon{ring, ring}, orb.Polygon{}, orb.MultiPolygon{{ring}, {ring, ring}}, orb.MultiPolygon{},
		orb.Point{1, 2}, orb.MultiPoint{{1, 2}}, orb.Collection{line, orb.Point{1, 2}},
	} {
		want, err := wkb.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		got, err := AppendWKB([]byte{9}, g)
		if err != nil || !bytes.Equal(got[1:], want) || got[0] != 9 {
			t.Errorf("AppendWKB(%T): %x, %v; want %x", g, got[1:], err, want)
		}
		got, err = MarshalWKB(g)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("MarshalWKB(%T): %x, %v; want %x", g, got, err, want)
		}
		if n := wkbSize(g); n != 0 && (n != len(want) || cap(got) != n) {
			t.Errorf("%T: size %d, cap %d; WKB of %d bytes", g, n, cap(got), len(want))
		}
	}
}
