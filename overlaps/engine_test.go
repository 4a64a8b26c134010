package overlaps_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/paulmach/orb"
)

func box(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// handLayer is a small coal_blocks layer near Dhirauli:
// A a 0.02° square, B a square with a hole, C two parts, D a square east of
// A that shares no edge with it.
func handLayer() map[string][]overlaps.Polygon {
	return map[string][]overlaps.Polygon{
		"coal_blocks": {
			{ID: "A", Props: map[string]any{"name": "Dhirauli", "allocatee": "Stratatech", "status": "allocated"}, Geom: orb.MultiPolygon{{box(82.30, 23.90, 82.32, 23.92)}}},
			{ID: "B", Props: map[string]any{"name": "Holed"}, Geom: orb.MultiPolygon{{box(82.40, 23.90, 82.42, 23.92), box(82.405, 23.905, 82.415, 23.915)}}},
			{ID: "C", Props: map[string]any{"block_name": "Twin", "status": 3}, Geom: orb.MultiPolygon{{box(82.50, 23.90, 82.52, 23.92)}, {box(82.54, 23.90, 82.56, 23.92)}}},
			{ID: "D", Geom: orb.MultiPolygon{{box(82.3205, 23.90, 82.33, 23.92)}}},
		},
		"forests": {
			{ID: "F1", Geom: orb.MultiPolygon{{box(82.29, 23.89, 82.35, 23.93)}}},
		},
	}
}

func newHandEngine(t testing.TB) (*overlaps.Engine, *memSource) {
	t.Helper()
	src := &memSource{layers: handLayer()}
	return overlaps.New(src, overlaps.Config{}), src
}

func dist(a, b orb.Point) float64 { return geo.DistanceGeodesic(a, b) }

func TestCheckHandMade(t *testing.T) {
	type want struct {
		id        string
		lengthM   float64
		crossings int
	}
	tests := []struct {
		name       string
		line       orb.Geometry
		clearance  float64
		crossed    []want
		nearMisses []string
	}{
		{"through-A", orb.LineString{{82.29, 23.91}, {82.3202, 23.91}}, 0,
			[]want{{"A", dist(orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91}), 1}}, nil},
		{"through-A-near-D", orb.LineString{{82.29, 23.91}, {82.3202, 23.91}}, 45,
			[]want{{"A", dist(orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91}), 1}}, []string{"D"}},
		{"along-A-boundary", orb.LineString{{82.305, 23.92}, {82.315, 23.92}}, 0,
			[]want{{"A", dist(orb.Point{82.305, 23.92}, orb.Point{82.315, 23.92}), 1}}, nil},
		{"touching-A-vertex", orb.LineString{{82.31, 23.93}, {82.3199, 23.9201}, {82.32, 23.92}, {82.32, 23.93}}, 0,
			nil, []string{"A"}},
		{"through-hole-of-B", orb.LineString{{82.39, 23.91}, {82.43, 23.91}}, 0,
			[]want{{"B", dist(orb.Point{82.40, 23.91}, orb.Point{82.405, 23.91}) + dist(orb.Point{82.415, 23.91}, orb.Point{82.42, 23.91}), 2}}, nil},
		{"both-parts-of-C", orb.LineString{{82.49, 23.91}, {82.57, 23.91}}, 0,
			[]want{{"C", dist(orb.Point{82.50, 23.91}, orb.Point{82.52, 23.91}) + dist(orb.Point{82.54, 23.91}, orb.Point{82.56, 23.91}), 2}}, nil},
		{"wholly-inside-A", orb.LineString{{82.305, 23.905}, {82.315, 23.915}}, 0,
			[]want{{"A", dist(orb.Point{82.305, 23.905}, orb.Point{82.315, 23.915}), 1}}, nil},
		{"closed-ring-round-A-start-inside", orb.LineString{{82.31, 23.91}, {82.335, 23.91}, {82.335, 23.95}, {82.31, 23.95}, {82.31, 23.91}}, 0,
			// A's stretch wraps round the start, so its entry comes last.
			[]want{
				{"D", dist(orb.Point{82.3205, 23.91}, orb.Point{82.33, 23.91}), 1},
				{"A", dist(orb.Point{82.31, 23.91}, orb.Point{82.32, 23.91}) + dist(orb.Point{82.31, 23.92}, orb.Point{82.31, 23.91}), 1},
			}, nil},
		{"duplicate-vertices", orb.LineString{{82.29, 23.91}, {82.29, 23.91}, {82.31, 23.91}, {82.31, 23.91}, {82.3202, 23.91}}, 0,
			[]want{{"A", dist(orb.Point{82.30, 23.91}, orb.Point{82.32, 23.91}), 1}}, nil},
		{"self-crossing", orb.LineString{{82.29, 23.905}, {82.315, 23.915}, {82.315, 23.905}, {82.305, 23.915}, {82.305, 23.93}}, 0,
			[]want{{"A", -1, 1}}, nil},
		{"multilinestring", orb.MultiLineString{{{82.29, 23.91}, {82.31, 23.91}}, {{82.41, 23.89}, {82.41, 23.93}}}, 0,
			[]want{
				{"A", dist(orb.Point{82.30, 23.91}, orb.Point{82.31, 23.91}), 1},
				{"B", dist(orb.Point{82.41, 23.90}, orb.Point{82.41, 23.905}) + dist(orb.Point{82.41, 23.915}, orb.Point{82.41, 23.92}), 2},
			}, nil},
		{"miss-everything", orb.LineString{{82.0, 23.0}, {82.1, 23.1}}, 45, nil, nil},
	}
	e, _ := newHandEngine(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.Check(context.Background(), []overlaps.Alignment{{ID: tt.name, Geom: tt.line}}, overlaps.Options{Corridor: overlaps.Corridor{RowWidthM: 46}, ClearanceM: tt.clearance})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Crossings) != len(tt.crossed) {
				t.Fatalf("crossings = %+v, want %+v", r.Crossings, tt.crossed)
			}
			for i, w := range tt.crossed {
				c := r.Crossings[i]
				if c.ID != w.id || c.Crossings != w.crossings {
					t.Errorf("crossing %d = %s ×%d, want %s ×%d", i, c.ID, c.Crossings, w.id, w.crossings)
				}
				if w.lengthM >= 0 && math.Abs(c.LengthM-w.lengthM) > 1e-3*w.lengthM {
					t.Errorf("%s length = %.3f, want %.3f", c.ID, c.LengthM, w.lengthM)
				}
				if len(c.Entries) != c.Crossings || len(c.Exits) != c.Crossings || len(c.Pieces.Coordinates) != c.Crossings {
					t.Errorf("%s: %d entries, %d exits, %d pieces for %d crossings", c.ID, len(c.Entries), len(c.Exits), len(c.Pieces.Coordinates), c.Crossings)
				}
				if c.CorridorAreaHa <= 0 || c.ShareOfPolygonPct <= 0 || c.ShareOfPolygonPct > 100 {
					t.Errorf("%s corridor %.3f ha, %.2f%% of polygon", c.ID, c.CorridorAreaHa, c.ShareOfPolygonPct)
				}
			}
			var nm []string
			for _, n := range r.NearMisses {
				nm = append(nm, n.ID)
				if n.MinDistanceM > tt.clearance {
					t.Errorf("near-miss %s at %.2f m beyond clearance", n.ID, n.MinDistanceM)
				}
			}
			if strings.Join(nm, ",") != strings.Join(tt.nearMisses, ",") {
				t.Errorf("near-misses = %v, want %v", nm, tt.nearMisses)
			}
		})
	}
}

func TestCheckAttributesAndSummary(t *testing.T) {
	e, _ := newHandEngine(t)
	// Crosses A, D, B (along its hole's edge) and C's two parts, all in
	// forest F1 or not; a second alignment crosses A again.
	r, err := e.Check(context.Background(), []overlaps.Alignment{
		{ID: "one", Geom: orb.LineString{{82.29, 23.91}, {82.3202, 23.91}, {82.3202, 23.905}, {82.57, 23.905}}},
		{ID: "two", Geom: orb.LineString{{82.31, 23.89}, {82.31, 23.93}}},
	}, overlaps.Options{Corridor: overlaps.Corridor{VoltageKV: 400}, Layers: []string{"coal_blocks", "forests"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.RowWidthM != 46 {
		t.Errorf("RowWidthM = %v, want 46 for 400 kV", r.RowWidthM)
	}
	var a *overlaps.Crossing
	for i := range r.Crossings {
		if r.Crossings[i].ID == "A" && r.Crossings[i].Alignment == 0 {
			a = &r.Crossings[i]
		}
	}
	if a == nil || a.Name != "Dhirauli" || a.Allocatee != "Stratatech" || a.Status != "allocated" || a.Layer != "coal_blocks" || a.AlignmentID != "one" {
		t.Fatalf("crossing of A = %+v", a)
	}
	wantEntry := dist(orb.Point{82.29, 23.91}, orb.Point{82.30, 23.91}) / 1000
	if math.Abs(a.Entries[0].ChainageKm-wantEntry) > 1e-6 || a.Entries[0].Lon != 82.30 {
		t.Errorf("entry = %+v, want chainage %.6f km", a.Entries[0], wantEntry)
	}
	if math.Abs(a.ShareOfPolygonPct-100*a.CorridorAreaHa/a.PolygonAreaHa) > 1e-9 {
		t.Errorf("share of polygon inconsistent: %+v", a)
	}
	for _, c := range r.Crossings {
		if c.ID == "C" && c.Name != "Twin" || c.ID == "C" && c.Status != "3" {
			t.Errorf("C's attributes = %q %q", c.Name, c.Status)
		}
	}
	// Forest F1 holds all of alignment two and overlaps A: the union counts
	// the stretch once.
	if got, want := r.Alignments[1].LengthInsideM, dist(orb.Point{82.31, 23.89}, orb.Point{82.31, 23.93}); math.Abs(got-want) > 1e-3 {
		t.Errorf("alignment two inside = %.3f, want %.3f", got, want)
	}
	if r.Summary.Alignments != 2 || r.Summary.PolygonsCrossed != 5 {
		t.Errorf("summary = %+v", r.Summary)
	}
	if math.Abs(r.Summary.LengthInsideM-(r.Alignments[0].LengthInsideM+r.Alignments[1].LengthInsideM)) > 1e-6 {
		t.Errorf("summary length inside %.3f", r.Summary.LengthInsideM)
	}
	if len(r.Layers) != 2 || r.Layers[1].Layer != "forests" {
		t.Errorf("layers = %+v", r.Layers)
	}
}

func TestCheckErrors(t *testing.T) {
	e, _ := newHandEngine(t)
	line := orb.LineString{{82.29, 23.91}, {82.33, 23.91}}
	many := make(orb.LineString, 200_001)
	for i := range many {
		many[i] = orb.Point{82 + float64(i)*1e-6, 23}
	}
	tests := []struct {
		name  string
		al    []overlaps.Alignment
		opts  overlaps.Options
		is    error
		field string
	}{
		{"no-alignments", nil, overlaps.Options{}, overlaps.ErrNoAlignments, ""},
		{"not-a-line", []overlaps.Alignment{{Geom: orb.Polygon{box(82, 23, 83, 24)}}}, overlaps.Options{}, geo.ErrNotLine, ""},
		{"point", []overlaps.Alignment{{Geom: orb.Point{82, 23}}}, overlaps.Options{}, geo.ErrNotLine, ""},
		{"empty", []overlaps.Alignment{{Geom: orb.LineString{}}}, overlaps.Options{}, geo.ErrEmpty, ""},
		{"nil-geometry", []overlaps.Alignment{{Geom: nil}}, overlaps.Options{}, geo.ErrEmpty, ""},
		{"out-of-range", []overlaps.Alignment{{Geom: orb.LineString{{23.91, 82.29}, {23.91, 92.33}}}}, overlaps.Options{}, geo.ErrOutOfRange, ""},
		{"zero-length", []overlaps.Alignment{{Geom: orb.LineString{{82.3, 23.9}, {82.3, 23.9}}}}, overlaps.Options{}, geo.ErrZeroLength, ""},
		{"too-many-vertices", []overlaps.Alignment{{Geom: many}}, overlaps.Options{}, geo.ErrTooManyVertices, ""},
		{"negative-width", []overlaps.Alignment{{Geom: line}}, overlaps.Options{Corridor: overlaps.Corridor{RowWidthM: -1}}, overlaps.ErrInvalidOptions, "row_width_m"},
		{"nan-width", []overlaps.Alignment{{Geom: line}}, overlaps.Options{Corridor: overlaps.Corridor{RowWidthM: math.NaN()}}, overlaps.ErrInvalidOptions, "row_width_m"},
		{"unknown-voltage", []overlaps.Alignment{{Geom: line}}, overlaps.Options{Corridor: overlaps.Corridor{VoltageKV: 333}}, overlaps.ErrInvalidOptions, "voltage_kv"},
		{"negative-voltage", []overlaps.Alignment{{Geom: line}}, overlaps.Options{Corridor: overlaps.Corridor{VoltageKV: -400}}, overlaps.ErrInvalidOptions, "voltage_kv"},
		{"negative-clearance", []overlaps.Alignment{{Geom: line}}, overlaps.Options{ClearanceM: -45}, overlaps.ErrInvalidOptions, "clearance_m"},
		{"huge-clearance", []overlaps.Alignment{{Geom: line}}, overlaps.Options{ClearanceM: 1e7}, overlaps.ErrInvalidOptions, "clearance_m"},
		{"too-many-alignments", make([]overlaps.Alignment, 1001), overlaps.Options{}, overlaps.ErrTooManyAlignments, ""},
		{"unknown-layer", []overlaps.Alignment{{Geom: line}}, overlaps.Options{Layers: []string{"nope"}}, overlaps.ErrLayerLoad, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.Check(context.Background(), tt.al, tt.opts)
			if r != nil || !errors.Is(err, tt.is) {
				t.Fatalf("Check = %v, %v; want error %v", r, err, tt.is)
			}
			if !strings.HasPrefix(err.Error(), "overlaps: ") {
				t.Errorf("message %q does not name the package", err)
			}
			if tt.field != "" {
				var oe *overlaps.OptionError
				if !errors.As(err, &oe) || oe.Field != tt.field {
					t.Errorf("err = %v, want an OptionError on %s", err, tt.field)
				}
			}
			var ae *overlaps.AlignmentError
			var le *geo.LineError
			if errors.Is(tt.is, geo.ErrEmpty) || errors.Is(tt.is, geo.ErrOutOfRange) {
				if !errors.As(err, &ae) || !errors.As(err, &le) {
					t.Errorf("err = %v, want *AlignmentError wrapping *geo.LineError", err)
				}
			}
		})
	}
	if _, err := e.Check(context.Background(), []overlaps.Alignment{{Geom: line}}, overlaps.Options{Layers: []string{"nope"}}); !errors.Is(err, errNotFound) {
		t.Errorf("source error not wrapped: %v", err)
	}
}

// TestCheckRandomAgainstBruteForce runs random alignments over synthetic
// coal blocks through the engine and through a brute-force scan of every
// polygon with no index, and wants the same crossings and near-misses.
func TestCheckRandomAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 7))
	blocks := coalBlocks(rng, 600)
	src := &memSource{layers: map[string][]overlaps.Polygon{"coal_blocks": blocks}}
	e := overlaps.New(src, overlaps.Config{MaxCellEdges: 16})
	prepared := make([]*geo.PreparedPolygon, len(blocks))
	for i, b := range blocks {
		prepared[i] = geo.PreparePolygon(b.Geom)
	}
	const clearance = 200.0
	for iter := 0; iter < 30; iter++ {
		ls := alignment(rng, 20+130*rng.Float64(), 50+rng.IntN(1500))
		r, err := e.Check(context.Background(), []overlaps.Alignment{{Geom: ls}}, overlaps.Options{ClearanceM: clearance})
		if err != nil {
			t.Fatal(err)
		}
		l, _ := geo.PrepareLine(ls, 0)
		wantCross := map[string]int{}
		wantNear := map[string]float64{}
		for i, p := range prepared {
			c := geo.ClipPlanar(l, p)
			if len(c.Pieces) > 0 {
				wantCross[blocks[i].ID] = len(c.Pieces)
			} else if d, ok := geo.MinDistanceGeodesic(l, p, clearance); ok {
				wantNear[blocks[i].ID] = d
			}
		}
		if len(r.Crossings) != len(wantCross) {
			t.Errorf("iter %d: %d crossings, brute force %d", iter, len(r.Crossings), len(wantCross))
		}
		for _, c := range r.Crossings {
			if n, ok := wantCross[c.ID]; !ok || n != c.Crossings {
				t.Errorf("iter %d: crossing %s ×%d, brute force ×%d", iter, c.ID, c.Crossings, n)
			}
		}
		if len(r.NearMisses) != len(wantNear) {
			t.Errorf("iter %d: %d near-misses, brute force %d", iter, len(r.NearMisses), len(wantNear))
		}
		for _, n := range r.NearMisses {
			if d, ok := wantNear[n.ID]; !ok || math.Abs(d-n.MinDistanceM) > 1e-6 {
				t.Errorf("iter %d: near-miss %s at %.3f, brute force %.3f (%v)", iter, n.ID, n.MinDistanceM, d, ok)
			}
		}
	}
}

func TestEngineLoadsLazilyAndRefreshes(t *testing.T) {
	e, src := newHandEngine(t)
	ctx := context.Background()
	if src.loads.Load() != 0 {
		t.Fatal("loaded before use")
	}
	al := []overlaps.Alignment{{Geom: orb.LineString{{82.29, 23.91}, {82.33, 23.91}}}}
	for i := 0; i < 3; i++ {
		if _, err := e.Check(ctx, al, overlaps.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := src.loads.Load(); n != 1 {
		t.Errorf("%d loads for three checks, want 1", n)
	}
	src.version.Store(7)
	src.layers["coal_blocks"] = src.layers["coal_blocks"][1:] // A is gone
	e.Invalidate("coal_blocks")
	r, err := e.Check(ctx, al, overlaps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if src.loads.Load() != 2 || r.Layers[0].Version != 7 {
		t.Errorf("after Invalidate: %d loads, version %d", src.loads.Load(), r.Layers[0].Version)
	}
	for _, c := range r.Crossings {
		if c.ID == "A" {
			t.Error("deleted polygon still reported")
		}
	}
	if got := e.Loaded(); got["coal_blocks"] != 7 {
		t.Errorf("Loaded = %v", got)
	}
}

func TestEngineEvictsLeastRecentlyUsed(t *testing.T) {
	src := &memSource{layers: handLayer()}
	e := overlaps.New(src, overlaps.Config{MaxBytes: 1}) // room for one layer only
	ctx := context.Background()
	al := []overlaps.Alignment{{Geom: orb.LineString{{82.29, 23.91}, {82.33, 23.91}}}}
	for _, layer := range []string{"coal_blocks", "forests", "coal_blocks"} {
		if _, err := e.Check(ctx, al, overlaps.Options{Layers: []string{layer}}); err != nil {
			t.Fatal(err)
		}
		if got := e.Loaded(); len(got) != 1 {
			t.Fatalf("after %s: loaded %v, want one layer", layer, got)
		}
	}
	if n := src.loads.Load(); n != 3 {
		t.Errorf("%d loads, want 3", n)
	}
	// Both layers in one check: both stay usable for that check.
	r, err := e.Check(ctx, al, overlaps.Options{Layers: []string{"coal_blocks", "forests"}})
	if err != nil || len(r.Crossings) < 2 {
		t.Fatalf("two-layer check under a tight bound: %v, %+v", err, r)
	}
}

func TestEngineConcurrentChecks(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 9))
	src := &memSource{layers: map[string][]overlaps.Polygon{"coal_blocks": coalBlocks(rng, 200)}}
	e := overlaps.New(src, overlaps.Config{})
	lines := make([]orb.LineString, 8)
	for i := range lines {
		lines[i] = alignment(rng, 100, 400)
	}
	errc := make(chan error, 16)
	for g := 0; g < 16; g++ {
		go func() {
			for i := 0; i < 5; i++ {
				if g%4 == 0 {
					e.Invalidate("coal_blocks")
				}
				_, err := e.Check(context.Background(), []overlaps.Alignment{{Geom: lines[(g+i)%len(lines)]}}, overlaps.Options{ClearanceM: 45})
				if err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	for g := 0; g < 16; g++ {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckCancelled(t *testing.T) {
	e, _ := newHandEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.Check(ctx, []overlaps.Alignment{{Geom: orb.LineString{{82.29, 23.91}, {82.33, 23.91}}}}, overlaps.Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestReportJSON(t *testing.T) {
	e, _ := newHandEngine(t)
	r, err := e.Check(context.Background(), []overlaps.Alignment{{ID: "x", Geom: orb.LineString{{82.29, 23.91}, {82.3202, 23.91}}}}, overlaps.Options{ClearanceM: 45})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, key := range []string{`"crossings":[{`, `"length_m":`, `"chainage_km":`, `"corridor_area_ha":`, `"share_of_alignment_pct":`,
		`"share_of_polygon_pct":`, `"pieces":{"type":"MultiLineString","coordinates":[[[82.3,23.91]`, `"near_misses":[{`, `"min_distance_m":`,
		`"summary":{`, `"polygons_crossed":1`, `"allocatee":"Stratatech"`, `"row_width_m":46`} {
		if !strings.Contains(s, key) {
			t.Errorf("JSON lacks %s:\n%s", key, s)
		}
	}
}
