package postgis_test

import (
	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/formats"
)

func formatsFeature(i int, g orb.Geometry) formats.Feature {
	return formats.Feature{Index: i, Geometry: g, Properties: map[string]any{"name": "x"}}
}

func formatsField(name string) formats.Field {
	return formats.Field{Name: name, Original: name, Type: formats.Real}
}
