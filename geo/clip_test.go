package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func box(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// block is a 0.02° square near Dhirauli, about 2.0 km by 2.2 km.
var block = orb.MultiPolygon{{box(82.30, 23.90, 82.32, 23.92)}}

func d(a, b orb.Point) float64 { return DistanceGeodesic(a, b) }

func mustLine(t testing.TB, g orb.Geometry) *PreparedLine {
	t.Helper()
	l, err := PrepareLine(g, 0)
	if err != nil {
		t.Fatalf("PrepareLine: %v", err)
	}
	return l
}

func TestClipPlanar(t *testing.T) {
	holed := orb.MultiPolygon{{box(82.30, 23.90, 82.32, 23.92), box(82.305, 23.905, 82.315, 23.915)}}
	two := orb.MultiPolygon{{box(82.30, 23.90, 82.32, 23.92)}, {box(82.34, 23.90, 82.36, 23.92)}}
	tests := []struct {
		name    string
		poly    orb.MultiPolygon
		line    orb.Geometry
		pieces  int
		length  float64
		touches bool
		entry   orb.Point // of the first piece, when pieces > 0
		exit    orb.Point // of the last piece
		chain   float64   // entry chainage of the first piece
	}{
		{"straight-through", block, orb.LineString{{82.29, 23.91}, {82.33, 23.91}}, 1,
			d(orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91}), true, orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91}, d(orb.Point{82.29, 23.91}, orb.Point{82.30, 23.91})},
		{"reversed", block, orb.LineString{{82.33, 23.91}, {82.29, 23.91}}, 1,
			d(orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91}), true, orb.Point{82.32, 23.91}, orb.Point{82.30, 23.91}, d(orb.Point{82.33, 23.91}, orb.Point{82.32, 23.91})},
		{"duplicate-vertices", block, orb.LineString{{82.29, 23.91}, {82.29, 23.91}, {82.31, 23.91}, {82.31, 23.91}, {82.33, 23.91}}, 1,
			d(orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91}), true, orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91}, d(orb.Point{82.29, 23.91}, orb.Point{82.30, 23.91})},
		{"along-boundary", block, orb.LineString{{82.29, 23.90}, {82.33, 23.90}}, 1,
			d(orb.Point{82.30, 23.90}, orb.Point{82.32, 23.90}), true, orb.Point{82.30, 23.90}, orb.Point{82.32, 23.90}, d(orb.Point{82.29, 23.90}, orb.Point{82.30, 23.90})},
		{"boundary-then-inside", block, orb.LineString{{82.29, 23.90}, {82.31, 23.90}, {82.31, 23.91}}, 1,
			d(orb.Point{82.30, 23.90}, orb.Point{82.31, 23.90}) + d(orb.Point{82.31, 23.90}, orb.Point{82.31, 23.91}), true, orb.Point{82.30, 23.90}, orb.Point{82.31, 23.91}, d(orb.Point{82.29, 23.90}, orb.Point{82.30, 23.90})},
		{"touch-vertex", block, orb.LineString{{82.31, 23.93}, {82.33, 23.91}}, 0, 0, true, orb.Point{}, orb.Point{}, 0},
		{"touch-edge-from-outside", block, orb.LineString{{82.31, 23.93}, {82.31, 23.92}, {82.315, 23.93}}, 0, 0, true, orb.Point{}, orb.Point{}, 0},
		{"miss", block, orb.LineString{{82.29, 23.95}, {82.33, 23.95}}, 0, 0, false, orb.Point{}, orb.Point{}, 0},
		{"wholly-inside", block, orb.LineString{{82.305, 23.905}, {82.315, 23.915}}, 1,
			d(orb.Point{82.305, 23.905}, orb.Point{82.315, 23.915}), true, orb.Point{82.305, 23.905}, orb.Point{82.315, 23.915}, 0},
		{"through-hole", holed, orb.LineString{{82.29, 23.91}, {82.33, 23.91}}, 2,
			d(orb.Point{82.30, 23.91}, orb.Point{82.305, 23.91}) + d(orb.Point{82.315, 23.91}, orb.Point{82.32, 23.91}), true, orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91}, d(orb.Point{82.29, 23.91}, orb.Point{82.30, 23.91})},
		{"inside-hole", holed, orb.LineString{{82.307, 23.91}, {82.313, 23.91}}, 0, 0, false, orb.Point{}, orb.Point{}, 0},
		{"multipolygon-parts", two, orb.LineString{{82.29, 23.91}, {82.37, 23.91}}, 2,
			d(orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91}) + d(orb.Point{82.34, 23.91}, orb.Point{82.36, 23.91}), true, orb.Point{82.30, 23.91}, orb.Point{82.36, 23.91}, d(orb.Point{82.29, 23.91}, orb.Point{82.30, 23.91})},
		{"closed-ring-wraps", block, orb.LineString{{82.31, 23.91}, {82.35, 23.91}, {82.35, 23.95}, {82.31, 23.95}, {82.31, 23.91}}, 1,
			d(orb.Point{82.31, 23.91}, orb.Point{82.32, 23.91}) + d(orb.Point{82.31, 23.92}, orb.Point{82.31, 23.91}), true, orb.Point{82.31, 23.92}, orb.Point{82.32, 23.91}, -1},
		{"parts-continue", block, orb.MultiLineString{{{82.29, 23.91}, {82.31, 23.91}}, {{82.31, 23.91}, {82.33, 23.91}}}, 1,
			d(orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91}), true, orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91}, d(orb.Point{82.29, 23.91}, orb.Point{82.30, 23.91})},
		{"leaves-and-returns", block, orb.LineString{{82.29, 23.905}, {82.31, 23.905}, {82.31, 23.93}, {82.315, 23.93}, {82.315, 23.91}}, 2,
			d(orb.Point{82.30, 23.905}, orb.Point{82.31, 23.905}) + d(orb.Point{82.31, 23.905}, orb.Point{82.31, 23.92}) + d(orb.Point{82.315, 23.92}, orb.Point{82.315, 23.91}), true, orb.Point{82.30, 23.905}, orb.Point{82.315, 23.91}, d(orb.Point{82.29, 23.905}, orb.Point{82.30, 23.905})},
		{"self-crossing-inside", block, orb.LineString{{82.29, 23.905}, {82.315, 23.915}, {82.315, 23.905}, {82.305, 23.915}, {82.305, 23.93}}, 1,
			d(orb.Point{82.30, 23.909}, orb.Point{82.315, 23.915}) + d(orb.Point{82.315, 23.915}, orb.Point{82.315, 23.905}) + d(orb.Point{82.315, 23.905}, orb.Point{82.305, 23.915}) + d(orb.Point{82.305, 23.915}, orb.Point{82.305, 23.92}), true, orb.Point{82.30, 23.909}, orb.Point{82.305, 23.92}, d(orb.Point{82.29, 23.905}, orb.Point{82.30, 23.909})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := mustLine(t, tt.line)
			c := ClipPlanar(l, PreparePolygon(tt.poly))
			if len(c.Pieces) != tt.pieces {
				t.Fatalf("pieces = %d, want %d: %+v", len(c.Pieces), tt.pieces, c.Pieces)
			}
			if c.Touches != tt.touches {
				t.Errorf("Touches = %v, want %v", c.Touches, tt.touches)
			}
			if math.Abs(c.LengthM-tt.length) > math.Max(1e-3, 2e-3*tt.length) {
				t.Errorf("LengthM = %.4f, want %.4f", c.LengthM, tt.length)
			}
			if tt.pieces == 0 {
				return
			}
			if !near(c.Pieces[0].Entry.Point, tt.entry, 1e-9) {
				t.Errorf("entry = %v, want %v", c.Pieces[0].Entry.Point, tt.entry)
			}
			if last := c.Pieces[len(c.Pieces)-1]; !near(last.Exit.Point, tt.exit, 1e-9) {
				t.Errorf("exit = %v, want %v", last.Exit.Point, tt.exit)
			}
			if tt.chain >= 0 && math.Abs(c.Pieces[0].Entry.ChainageM-tt.chain) > 1e-3 {
				t.Errorf("entry chainage = %.4f, want %.4f", c.Pieces[0].Entry.ChainageM, tt.chain)
			}
			for _, pc := range c.Pieces {
				if got := LengthGeodesic(pc.Line); math.Abs(got-pc.LengthM) > 1e-6 {
					t.Errorf("piece length %.4f, its line measures %.4f", pc.LengthM, got)
				}
			}
		})
	}
}

func near(a, b orb.Point, tol float64) bool {
	return math.Abs(a[0]-b[0]) <= tol && math.Abs(a[1]-b[1]) <= tol
}
