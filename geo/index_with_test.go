package geo

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// TestIndexWith applies random replacements, removals and additions with
// With and checks each copy against an index built afresh from the same
// polygons (same candidates for random boxes, same number of cells), and
// the index it was copied from against its answers before the copy.
func TestIndexWith(t *testing.T) {
	rng := rand.New(rand.NewPCG(seed(t), 7))
	poly := func() *PreparedPolygon {
		c := orb.Point{82 + 2*rng.Float64(), 22 + 2*rng.Float64()}
		return PreparePolygon(orb.MultiPolygon{randomPolygon(rng, c, 0.02+0.2*rng.Float64(), 10+rng.IntN(300), rng.IntN(2) == 0)})
	}
	var polys []*PreparedPolygon
	for range 120 {
		polys = append(polys, poly())
	}
	ix := NewIndex(polys, 32)
	boxes := make([]orb.Bound, 400)
	for i := range boxes {
		p := orb.Point{82 + 2*rng.Float64(), 22 + 2*rng.Float64()}
		d := 0.2 * rng.Float64() * rng.Float64()
		boxes[i] = orb.Bound{Min: p, Max: orb.Point{p[0] + d, p[1] + d}}
	}
	answers := func(ix *Index) [][]int {
		out := make([][]int, len(boxes))
		for i, b := range boxes {
			out[i] = ix.Candidates(nil, b)
		}
		return out
	}
	for round := range 20 {
		before := answers(ix)
		changed := map[int]*PreparedPolygon{}
		for range 1 + rng.IntN(6) {
			id := rng.IntN(len(polys))
			if rng.IntN(3) == 0 {
				changed[id] = nil
			} else {
				changed[id] = poly()
			}
		}
		var added []*PreparedPolygon
		for range rng.IntN(3) {
			added = append(added, poly())
		}
		next := ix.With(changed, added)
		for id, p := range changed {
			polys[id] = p
		}
		polys = append(polys, added...)
		want := NewIndex(slices.Clone(polys), 32)
		if next.Cells() != want.Cells() || next.Len() != want.Len() {
			t.Fatalf("round %d: %d cells, %d polygons; built afresh: %d, %d", round, next.Cells(), next.Len(), want.Cells(), want.Len())
		}
		got, exp := answers(next), answers(want)
		for i := range boxes {
			if !slices.Equal(got[i], exp[i]) {
				t.Fatalf("round %d box %v: candidates %v, built afresh %v", round, boxes[i], got[i], exp[i])
			}
			for _, id := range got[i] {
				if polys[id] == nil {
					t.Fatalf("round %d: removed polygon %d is a candidate", round, id)
				}
			}
		}
		if after := answers(ix); !slices.EqualFunc(after, before, slices.Equal) {
			t.Fatalf("round %d: With changed the index it copied", round)
		}
		ix = next
	}
}

// The cost of following an edit of one polygon in a layer of 20,000:
// a copy with just that change (With) against an index built afresh.
//
//	go test ./geo -run '^$' -bench 'IndexEdit' -benchtime 5x
func benchmarkPolys(n int) []*PreparedPolygon {
	rng := rand.New(rand.NewPCG(1, 2))
	polys := make([]*PreparedPolygon, n)
	for i := range polys {
		c := orb.Point{70 + 25*rng.Float64(), 8 + 25*rng.Float64()}
		polys[i] = PreparePolygon(orb.MultiPolygon{randomPolygon(rng, c, 0.02+0.05*rng.Float64(), 10+rng.IntN(600), false)})
	}
	return polys
}

func BenchmarkIndexEditRebuild(b *testing.B) {
	polys := benchmarkPolys(20000)
	for b.Loop() {
		NewIndex(polys, 0)
	}
}

func BenchmarkIndexEditWith(b *testing.B) {
	polys := benchmarkPolys(20000)
	ix := NewIndex(polys, 0)
	p := benchmarkPolys(1)[0]
	for b.Loop() {
		ix.With(map[int]*PreparedPolygon{17: p}, nil)
	}
}
