// Package layerstest provides feature sources and layers for tests: a
// deterministic grid of features over the Singrauli coalfield, and sources
// built from slices.
package layerstest

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
)

// Slice is a FeatureSource over features held in memory.
type Slice struct {
	Feats  []formats.Feature
	Schema []formats.Field
	SRID   int
	// FailAt, when > 0, makes Next fail at that feature index (to test that
	// a failed import leaves the previous data).
	FailAt int
	i      int
}

var _ layers.FeatureSource = (*Slice)(nil)

// Next returns the next feature.
func (s *Slice) Next() (*formats.Feature, error) {
	if s.FailAt > 0 && s.i == s.FailAt {
		return nil, &formats.Error{Format: "test", Index: s.i, Offset: -1, Reason: "broken input"}
	}
	if s.i >= len(s.Feats) {
		return nil, io.EOF
	}
	f := &s.Feats[s.i]
	s.i++
	return f, nil
}

// Fields returns the schema.
func (s *Slice) Fields() []formats.Field { return s.Schema }

// CRS returns the source CRS.
func (s *Slice) CRS() formats.CRS {
	if s.SRID == 0 {
		return formats.CRS{SRID: geo.SRIDWGS84, From: "test"}
	}
	return formats.CRS{SRID: s.SRID, From: "test"}
}

// GridFields is the schema of Grid's features.
var GridFields = []formats.Field{
	{Name: "name", Original: "name", Type: formats.Text},
	{Name: "state", Original: "state", Type: formats.Text},
	{Name: "area_km2", Original: "area_km2", Type: formats.Real},
	{Name: "seam_count", Original: "seam_count", Type: formats.Integer},
	{Name: "operational", Original: "operational", Type: formats.Boolean},
	{Name: "allotted_on", Original: "allotted_on", Type: formats.Date},
}

// GridAttributes is the attribute dictionary matching GridFields.
var GridAttributes = []layers.Attribute{
	{Name: "name", Alias: "Name", Type: layers.Text, LabelHi: "नाम"},
	{Name: "state", Alias: "State", Type: layers.Text, LabelHi: "राज्य"},
	{Name: "area_km2", Alias: "Area", Type: layers.Real, Unit: "km²"},
	{Name: "seam_count", Alias: "Seams", Type: layers.Integer},
	{Name: "operational", Alias: "Operational", Type: layers.Boolean},
	{Name: "allotted_on", Alias: "Allotted on", Type: layers.Date},
}

// Origin is the south-west corner of Grid (near Dhirauli, Singrauli).
var Origin = orb.Point{82.0, 23.8}

// Grid returns n features on a grid of cells 0.001° wide, starting at
// Origin, in source order: squares when polygons is set, else cell centres.
// Feature i has id "blk-<i>", state "Odisha" for every third, else "Madhya
// Pradesh".
func Grid(n int, polygons bool) *Slice {
	s := &Slice{Schema: GridFields}
	per := 200
	for i := range n {
		x := Origin[0] + float64(i%per)*0.001
		y := Origin[1] + float64(i/per)*0.001
		var g orb.Geometry = orb.Point{x + 0.0005, y + 0.0005}
		if polygons {
			g = orb.Polygon{{{x, y}, {x + 0.0008, y}, {x + 0.0008, y + 0.0008}, {x, y + 0.0008}, {x, y}}}
		}
		state := "Madhya Pradesh"
		if i%3 == 0 {
			state = "Odisha"
		}
		s.Feats = append(s.Feats, formats.Feature{
			Index:    i,
			ID:       fmt.Sprintf("blk-%d", i),
			Geometry: g,
			Properties: map[string]any{
				"name":        fmt.Sprintf("Block %d", i),
				"state":       state,
				"area_km2":    float64(i%50) + 0.5,
				"seam_count":  int64(i % 7),
				"operational": i%2 == 0,
				"allotted_on": time.Date(2015+i%10, 1, 1, 0, 0, 0, 0, time.UTC),
			},
		})
	}
	return s
}

// Layer returns catalog metadata for a test layer over Grid's features.
func Layer(id string, access layers.Access, polygons bool) *layers.Layer {
	gt := layers.Point
	if polygons {
		gt = layers.MultiPolygon
	}
	return &layers.Layer{
		ID: id, Title: "Test " + id, TitleHi: "परीक्षण", Description: "Synthetic test blocks near Dhirauli",
		Category: layers.CoalResources, Keywords: []string{"coal", "test"}, Owner: "Ministry of Coal",
		Custodian:    layers.Contact{Name: "GIS cell", Organisation: "CMPDI", Email: "gis@example.org"},
		GeometryType: gt, SRID: layers.StorageSRID, Attributes: GridAttributes, Access: access,
		MinZoom: 0, MaxZoom: 16, Style: layers.Style{Color: "#333333"}, License: "GODL-India",
		Status: "completed", UpdateFrequency: "annually",
	}
}

// Importer is an import service over store for tests: two imports at a
// time, none waiting for listeners (there is no change feed to wait on).
func Importer(store layers.ImportStore) *layers.Imports {
	return layers.NewImports(context.Background(), store, nil, layers.ImportsConfig{}, nil)
}
