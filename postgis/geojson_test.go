package postgis

import (
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func TestAppendGeoJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		g    orb.Geometry
	}{
		{"point", orb.Point{82.3312345678, -23.95}},
		{"negative zero", orb.Point{-0.00000001, 0}},
		{"multipoint", orb.MultiPoint{{1, 2}, {3, 4}}},
		{"line", orb.LineString{{82, 23}, {82.5, 23.25}}},
		{"multiline", orb.MultiLineString{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}},
		{"polygon with hole", orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 0}}, {{1, 1}, {2, 1}, {2, 2}, {1, 1}}}},
		{"multipolygon", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, {{{5, 5}, {6, 5}, {6, 6}, {5, 5}}}}},
		{"empty multipolygon", orb.MultiPolygon{}},
		{"collection", orb.Collection{orb.Point{1, 2}, orb.LineString{{1, 2}, {3, 4}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := appendGeoJSON(nil, tc.g, 7)
			var v any
			if err := json.Unmarshal(got, &v); err != nil {
				t.Fatalf("not JSON: %s", got)
			}
			g, err := geojson.UnmarshalGeometry(got)
			if err != nil {
				t.Fatalf("%s: %v", got, err)
			}
			want := orb.Round(orb.Clone(tc.g), 1e7)
			if !orb.Equal(g.Geometry(), want) {
				t.Fatalf("round trip: %s, want %v", got, want)
			}
		})
	}
	if got := string(appendGeoJSON(nil, nil, 7)); got != "null" {
		t.Fatalf("nil geometry: %s", got)
	}
	if got := string(appendGeoJSON(nil, orb.Point{82.5, 24}, 3)); got != `{"type":"Point","coordinates":[82.5,24]}` {
		t.Fatalf("trailing zeros: %s", got)
	}
}
