package overlaps_test

import (
	"context"
	"fmt"

	"github.com/coalmap/coalmap/overlaps"
	"github.com/paulmach/orb"
)

// staticSource serves one fixed polygon layer.
type staticSource []overlaps.Polygon

func (s staticSource) Polygons(_ context.Context, layer string) (int64, []overlaps.Polygon, error) {
	if layer != "coal_blocks" {
		return 0, nil, fmt.Errorf("no layer %q", layer)
	}
	return 1, s, nil
}

func ExampleEngine_Check() {
	blocks := staticSource{{
		ID:    "CB-1",
		Props: map[string]any{"name": "Dhirauli", "status": "allocated"},
		Geom:  orb.MultiPolygon{{{{82.30, 23.90}, {82.32, 23.90}, {82.32, 23.92}, {82.30, 23.92}, {82.30, 23.90}}}},
	}}
	e := overlaps.New(blocks, overlaps.Config{})
	line := orb.LineString{{82.29, 23.91}, {82.33, 23.91}}
	r, err := e.Check(context.Background(), []overlaps.Alignment{{ID: "400kV-1", Geom: line}},
		overlaps.Options{Corridor: overlaps.Corridor{VoltageKV: 400}, ClearanceM: 45})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range r.Crossings {
		fmt.Printf("%s %s: %.0f m inside, %d crossing, enters at km %.3f, corridor %.2f ha\n",
			c.ID, c.Name, c.LengthM, c.Crossings, c.Entries[0].ChainageKm, c.CorridorAreaHa)
	}
	// Output:
	// CB-1 Dhirauli: 2036 m inside, 1 crossing, enters at km 1.018, corridor 9.37 ha
}
