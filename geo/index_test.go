package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func TestIndexSubdivision(t *testing.T) {
	// A ring-shaped polygon with 2,000 vertices: its hole must not be
	// covered by index cells.
	var outer, inner orb.Ring
	for i := 0; i <= 1000; i++ {
		a := 2 * math.Pi * float64(i%1000) / 1000
		outer = append(outer, orb.Point{83 + 0.5*math.Cos(a), 23 + 0.5*math.Sin(a)})
		inner = append(inner, orb.Point{83 + 0.4*math.Cos(-a), 23 + 0.4*math.Sin(-a)})
	}
	big := PreparePolygon(orb.MultiPolygon{{outer, inner}})
	small := PreparePolygon(block)
	ix := NewIndex([]*PreparedPolygon{big, small}, 64)
	if ix.Cells() <= 2 {
		t.Fatalf("big polygon not subdivided: %d cells", ix.Cells())
	}
	tests := []struct {
		name string
		b    orb.Bound
		want []int
	}{
		{"hole-centre", orb.Bound{Min: orb.Point{82.95, 22.95}, Max: orb.Point{83.05, 23.05}}, nil},
		{"ring-body", orb.Bound{Min: orb.Point{83.44, 22.99}, Max: orb.Point{83.46, 23.01}}, []int{0}},
		{"block", orb.Bound{Min: orb.Point{82.31, 23.91}, Max: orb.Point{82.31, 23.91}}, []int{1}},
		{"nowhere", orb.Bound{Min: orb.Point{70, 10}, Max: orb.Point{71, 11}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ix.Candidates(nil, tt.b)
			if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
				t.Errorf("Candidates = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestIndexRandom checks the index against brute force: every polygon that
// holds a random point is a candidate for that point.
func TestIndexRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed(t), 2))
	var polys []*PreparedPolygon
	for i := 0; i < 200; i++ {
		c := orb.Point{82 + 2*rng.Float64(), 22 + 2*rng.Float64()}
		polys = append(polys, PreparePolygon(orb.MultiPolygon{randomPolygon(rng, c, 0.02+0.2*rng.Float64(), 10+rng.IntN(400), rng.IntN(2) == 0)}))
	}
	ix := NewIndex(polys, 32)
	var cand []int
	for i := 0; i < 5000; i++ {
		pt := orb.Point{82 + 2*rng.Float64(), 22 + 2*rng.Float64()}
		cand = ix.Candidates(cand[:0], pt.Bound())
		for id, p := range polys {
			if p.LocatePlanar(pt) == Outside {
				continue
			}
			found := false
			for _, c := range cand {
				found = found || c == id
			}
			if !found {
				t.Fatalf("point %v in polygon %d not among candidates %v", pt, id, cand)
			}
		}
	}
}
