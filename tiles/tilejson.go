package tiles

import (
	"math"
	"strings"

	"github.com/coalmap/coalmap/layers"
)

// TileJSON is a TileJSON 3.0.0 document.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name,omitempty"`
	Description  string        `json:"description,omitempty"`
	Version      string        `json:"version,omitempty"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       []float64     `json:"bounds,omitempty"`
	Center       []float64     `json:"center,omitempty"`
	VectorLayers []VectorLayer `json:"vector_layers"`
}

// VectorLayer describes one MVT layer of a TileJSON tileset.
type VectorLayer struct {
	ID          string            `json:"id"`
	Fields      map[string]string `json:"fields"`
	Description string            `json:"description,omitempty"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
}

// NewTileJSON describes the tileset of ls served at tileURL, a URL template
// with {z}, {x} and {y}. Fields come from each layer's attribute dictionary
// (typed "String", "Number" or "Boolean", as MVT values are); zooms and
// bounds are the union of the layers'.
func NewTileJSON(ls []layers.Layer, tileURL string) *TileJSON {
	tj := &TileJSON{TileJSON: "3.0.0", Scheme: "xyz", Tiles: []string{tileURL},
		MinZoom: MaxZoom, Version: "1.0.0"}
	var titles, descs, attrib []string
	var bounds *layers.Extent
	for _, l := range ls {
		vl := VectorLayer{ID: l.ID, Description: l.Title, MinZoom: l.MinZoom, MaxZoom: l.MaxZoom,
			Fields: make(map[string]string, len(l.Attributes))}
		for _, a := range l.Attributes {
			vl.Fields[a.Name] = FieldType(a.Type)
		}
		tj.VectorLayers = append(tj.VectorLayers, vl)
		tj.MinZoom = min(tj.MinZoom, l.MinZoom)
		tj.MaxZoom = max(tj.MaxZoom, l.MaxZoom)
		titles = append(titles, l.Title)
		if l.Description != "" {
			descs = append(descs, l.Description)
		}
		if a := Attribution(l); a != "" && !contains(attrib, a) {
			attrib = append(attrib, a)
		}
		if l.Extent != nil {
			if bounds == nil {
				e := *l.Extent
				bounds = &e
			} else {
				bounds[0], bounds[1] = math.Min(bounds[0], l.Extent[0]), math.Min(bounds[1], l.Extent[1])
				bounds[2], bounds[3] = math.Max(bounds[2], l.Extent[2]), math.Max(bounds[3], l.Extent[3])
			}
		}
	}
	if len(ls) == 0 {
		tj.MinZoom = 0
	}
	tj.Name = strings.Join(titles, ", ")
	tj.Description = strings.Join(descs, "\n\n")
	tj.Attribution = strings.Join(attrib, "; ")
	if bounds != nil {
		tj.Bounds = []float64{bounds[0], bounds[1], bounds[2], bounds[3]}
		cz := max(tj.MinZoom, min(tj.MaxZoom, fitZoom(*bounds)))
		tj.Center = []float64{(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, float64(cz)}
	}
	return tj
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// fitZoom is the zoom at which the extent spans about one 256-pixel tile.
func fitZoom(e layers.Extent) int {
	span := math.Max(e[2]-e[0], e[3]-e[1])
	if span <= 0 {
		return 12
	}
	return max(0, min(MaxZoom, int(math.Floor(math.Log2(360/span)))))
}

// Attribution is the credit line of a layer: its owner and custodian
// organisation, and its licence.
func Attribution(l layers.Layer) string {
	var parts []string
	if l.Owner != "" {
		parts = append(parts, "© "+l.Owner)
	}
	if o := l.Custodian.Organisation; o != "" && o != l.Owner {
		parts = append(parts, o)
	}
	if l.License != "" {
		parts = append(parts, l.License)
	}
	return strings.Join(parts, ", ")
}

// FieldType is the MVT value type an attribute is encoded as.
func FieldType(t layers.AttrType) string {
	switch t {
	case layers.Integer, layers.Real:
		return "Number"
	case layers.Boolean:
		return "Boolean"
	}
	return "String"
}
