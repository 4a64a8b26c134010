package overlaps_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/coalmap/coalmap/overlaps"
	"github.com/paulmach/orb"
)

func TestRunMatchesCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 11))
	src := &memSource{layers: map[string][]overlaps.Polygon{"coal_blocks": coalBlocks(rng, 300)}}
	e := overlaps.New(src, overlaps.Config{})
	var lines []overlaps.Line
	for i := 0; i < 60; i++ {
		ln := overlaps.Line{ID: fmt.Sprintf("L%02d", i), Geom: alignment(rng, 30+70*rng.Float64(), 100+rng.IntN(300))}
		if i%3 == 0 {
			ln.Corridor = overlaps.Corridor{VoltageKV: 765}
		}
		lines = append(lines, ln)
	}
	lines[5].Geom = orb.LineString{{82.5, 23.5}, {82.5, 23.5}} // zero length
	lines[6].Geom = orb.Point{82.5, 23.5}                      // not a line

	var rows []overlaps.Row
	err := e.Run(context.Background(), lines, overlaps.RunOptions{ClearanceM: 45, Corridor: overlaps.Corridor{Rail: true}, Workers: 4}, func(r overlaps.Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Rows come in line order.
	pos := map[string]int{}
	for i, ln := range lines {
		pos[ln.ID] = i
	}
	for i := 1; i < len(rows); i++ {
		if pos[rows[i].LineID] < pos[rows[i-1].LineID] {
			t.Fatalf("row %d of %s after a row of %s", i, rows[i].LineID, rows[i-1].LineID)
		}
	}
	byLine := map[string][]overlaps.Row{}
	for _, r := range rows {
		byLine[r.LineID] = append(byLine[r.LineID], r)
	}
	for i, ln := range lines {
		got := byLine[ln.ID]
		opts := overlaps.Options{ClearanceM: 45, Corridor: overlaps.Corridor{Rail: true}}
		if i%3 == 0 {
			opts.Corridor = overlaps.Corridor{VoltageKV: 765}
		}
		rep, err := e.Check(context.Background(), []overlaps.Alignment{{Geom: ln.Geom}}, opts)
		if err != nil {
			if len(got) != 1 || got[0].Kind != overlaps.RowInvalidLine || got[0].Error == "" {
				t.Errorf("%s: Check says %v, Run gave %+v", ln.ID, err, got)
			}
			continue
		}
		if len(got) != len(rep.Crossings)+len(rep.NearMisses) {
			t.Fatalf("%s: %d rows, Check has %d crossings and %d near-misses", ln.ID, len(got), len(rep.Crossings), len(rep.NearMisses))
		}
		for j, c := range rep.Crossings {
			r := got[j]
			if r.Kind != overlaps.RowCrossing || r.PolygonID != c.ID || r.LengthM != c.LengthM || r.Crossings != c.Crossings || r.CorridorAreaHa != c.CorridorAreaHa || r.RowWidthM != rep.RowWidthM {
				t.Errorf("%s row %d = %+v, crossing %+v", ln.ID, j, r, c)
			}
		}
		for j, n := range rep.NearMisses {
			r := got[len(rep.Crossings)+j]
			if r.Kind != overlaps.RowNearMiss || r.PolygonID != n.ID || r.MinDistanceM != n.MinDistanceM {
				t.Errorf("%s near-miss row = %+v, want %+v", ln.ID, r, n)
			}
		}
	}
}

func TestRunStops(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 12))
	src := &memSource{layers: map[string][]overlaps.Polygon{"coal_blocks": coalBlocks(rng, 100)}}
	e := overlaps.New(src, overlaps.Config{})
	var lines []overlaps.Line
	for i := 0; i < 200; i++ {
		lines = append(lines, overlaps.Line{ID: fmt.Sprint(i), Geom: alignment(rng, 150, 300)})
	}
	stop := errors.New("enough")
	n := 0
	err := e.Run(context.Background(), lines, overlaps.RunOptions{Workers: 2}, func(overlaps.Row) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("Run = %v after %d rows, want the emit error after 3", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = e.Run(ctx, lines, overlaps.RunOptions{Workers: 2}, func(overlaps.Row) error {
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel = %v", err)
	}
	if err := e.Run(context.Background(), lines[:1], overlaps.RunOptions{Corridor: overlaps.Corridor{RowWidthM: -3}}, func(overlaps.Row) error { return nil }); !errors.Is(err, overlaps.ErrInvalidOptions) {
		t.Errorf("negative width: %v", err)
	}
	bad := []overlaps.Line{{ID: "x", Geom: lines[0].Geom, Corridor: overlaps.Corridor{VoltageKV: 1}}}
	if err := e.Run(context.Background(), bad, overlaps.RunOptions{}, func(overlaps.Row) error { return nil }); !errors.Is(err, overlaps.ErrInvalidOptions) {
		t.Errorf("unknown voltage on a line: %v", err)
	}
}
