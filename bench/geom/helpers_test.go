package geom

import (
	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/geo"
)

func formatsCRS() formats.CRS { return formats.CRS{SRID: geo.SRIDWGS84} }

func feature(g orb.Geometry) *formats.Feature {
	return &formats.Feature{Index: 0, ID: "b1", Geometry: g, Properties: map[string]any{}}
}
