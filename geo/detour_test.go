package geo

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestDetourPlanar(t *testing.T) {
	const lat = 23.95
	pl := newPlane(orb.Point{82.3, lat})
	// km → lon/lat around the plane's centre.
	at := func(x, y float64) orb.Point { return pl.inv(orb.Point{x * 1000, y * 1000}) }
	square := func(cx, cy, half float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{at(cx-half, cy-half), at(cx+half, cy-half), at(cx+half, cy+half), at(cx-half, cy+half), at(cx-half, cy-half)}}}
	}
	planarLen := func(ls orb.LineString) float64 {
		var s float64
		for i := 1; i < len(ls); i++ {
			s += dist(pl.fwd(ls[i-1]), pl.fwd(ls[i]))
		}
		return s
	}
	for _, tc := range []struct {
		name      string
		line      orb.LineString
		obstacles []orb.MultiPolygon
		margin    float64
		added     float64 // metres, hand-computed
		avoided   int
	}{
		// Around a 2 km square on a straight line through its middle: up 1
		// km, across 2, down 1: 2 km more.
		{"square on the line", orb.LineString{at(-5, 0), at(5, 0)}, []orb.MultiPolygon{square(0, 0, 1)}, 0, 2000, 1},
		// Off-centre: the line 0.5 km below the middle goes round the near
		// (lower) side: down 0.5 km and back up.
		{"shorter side", orb.LineString{at(-5, 0.5), at(5, 0.5)}, []orb.MultiPolygon{square(0, 0, 1)}, 0, 1000, 1},
		// Nothing crossed: unchanged.
		{"clear", orb.LineString{at(-5, 3), at(5, 3)}, []orb.MultiPolygon{square(0, 0, 1)}, 0, 0, 0},
		// Two squares 0.5 km apart, whose hulls widened by 300 m overlap,
		// are passed as one: in at x = −1.3 km, up 1 km, a quarter circle
		// of 0.3 km round the corner, 4.5 km across, the same down, out at
		// 3.8 km: 2·1 + 2·(π/2)·0.3 + 4.5 − 5.1 km more.
		{"merged neighbours", orb.LineString{at(-5, 0), at(8, 0)}, []orb.MultiPolygon{square(0, 0, 1), square(2.5, 0, 1)}, 300,
			2000 + math.Pi*300 + 4500 - 5100, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := DetourPlanar(tc.line, tc.obstacles, tc.margin)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Avoided) != tc.avoided {
				t.Fatalf("avoided %v, want %d obstacles", d.Avoided, tc.avoided)
			}
			added := planarLen(d.Line) - planarLen(tc.line)
			if math.Abs(added-tc.added) > 0.01*tc.added+1 {
				t.Fatalf("added %.1f m, want %.1f m", added, tc.added)
			}
			if d.Line[0] != tc.line[0] || d.Line[len(d.Line)-1] != tc.line[len(tc.line)-1] {
				t.Fatal("the ends moved")
			}
			// Brute force: no point of the detour, sampled every metre, is
			// inside an obstacle or nearer than the margin to its vertices.
			for i := 1; i < len(d.Line); i++ {
				a, b := pl.fwd(d.Line[i-1]), pl.fwd(d.Line[i])
				n := int(dist(a, b)) + 1
				for k := 0; k <= n; k++ {
					p := orb.Point{a[0] + (b[0]-a[0])*float64(k)/float64(n), a[1] + (b[1]-a[1])*float64(k)/float64(n)}
					for _, ob := range tc.obstacles {
						for _, v := range ob[0][0] {
							if dist(p, pl.fwd(v)) < tc.margin-1 {
								t.Fatalf("detour passes %.1f m from a vertex, margin %.0f", dist(p, pl.fwd(v)), tc.margin)
							}
						}
						q := pl.fwd(ob[0][0][0])
						r := pl.fwd(ob[0][0][2])
						if p[0] > q[0]+1e-6 && p[0] < r[0]-1e-6 && p[1] > q[1]+1e-6 && p[1] < r[1]-1e-6 {
							t.Fatalf("detour point %v inside an obstacle", p)
						}
					}
				}
			}
		})
	}
}

func TestDetourEndpointInside(t *testing.T) {
	pl := newPlane(orb.Point{82.3, 23.95})
	at := func(x, y float64) orb.Point { return pl.inv(orb.Point{x * 1000, y * 1000}) }
	sq := orb.MultiPolygon{{{at(-1, -1), at(1, -1), at(1, 1), at(-1, 1), at(-1, -1)}}}
	for name, line := range map[string]orb.LineString{
		"start": {at(0, 0), at(5, 0)},
		"end":   {at(-5, 0), at(0.5, 0)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DetourPlanar(line, []orb.MultiPolygon{sq}, 0)
			var ee *EndpointError
			if !errors.Is(err, ErrEndpointInside) || !errors.As(err, &ee) || ee.End != (name == "end") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
