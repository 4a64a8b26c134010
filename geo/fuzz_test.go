package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// FuzzClipPlanar feeds arbitrary three-vertex lines to PrepareLine and the
// clipping, corridor and distance functions over the test block: no panic,
// a typed error or a result within bounds.
func FuzzClipPlanar(f *testing.F) {
	f.Add(82.29, 23.91, 82.31, 23.91, 82.33, 23.91, 23.0)
	f.Add(82.30, 23.90, 82.32, 23.90, 82.32, 23.92, 0.0)        // along the boundary
	f.Add(82.31, 23.93, 82.32, 23.92, 82.33, 23.93, 45.0)       // touching a corner
	f.Add(82.31, 23.91, 82.31, 23.91, 82.31, 23.91, 10.0)       // zero length
	f.Add(182.0, 23.91, 82.31, 91.0, 82.33, 23.91, -1.0)        // out of range
	f.Add(82.305, 23.905, 82.315, 23.915, 82.305, 23.905, 32.0) // doubles back
	p := PreparePolygon(block)
	f.Fuzz(func(t *testing.T, x0, y0, x1, y1, x2, y2, r float64) {
		l, err := PrepareLine(orb.LineString{{x0, y0}, {x1, y1}, {x2, y2}}, 0)
		if err != nil {
			if _, ok := err.(*LineError); !ok {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		c := ClipPlanar(l, p)
		if c.LengthM < 0 || c.LengthM > l.LengthGeodesic()*(1+1e-9)+1e-6 {
			t.Fatalf("length inside %v of a %v m line", c.LengthM, l.LengthGeodesic())
		}
		for _, pc := range c.Pieces {
			if pc.Entry.ChainageM < 0 || pc.Exit.ChainageM > l.LengthGeodesic()+1e-6 {
				t.Fatalf("piece %+v outside the line's chainage", pc)
			}
		}
		if r > 0 && r < 1000 && l.LengthGeodesic() < 1e6 {
			a := CorridorAreaLocal(l, p, r)
			limit := 2*r*l.LengthGeodesic() + math.Pi*r*r
			if a < 0 || a > math.Min(limit, p.AreaGeodesic())*1.01+1 {
				t.Fatalf("corridor area %v, bound %v", a, limit)
			}
		}
		if d, ok := MinDistanceGeodesic(l, p, 1000); ok && (d < 0 || (len(c.Pieces) > 0 && d != 0)) {
			t.Fatalf("distance %v with %d pieces inside", d, len(c.Pieces))
		}
	})
}
