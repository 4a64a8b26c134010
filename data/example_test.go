package data_test

import (
	"fmt"

	"github.com/coalmap/coalmap/data"
	"github.com/paulmach/orb/planar"
)

func ExampleDemo() {
	m := data.Demo()
	blocks, err := m.Layer("coal_blocks")
	if err != nil {
		panic(err)
	}
	fmt.Println(len(m.Layers) >= 100, blocks.Title, blocks.Access, blocks.GeometryType)
	// Output: true Coal blocks public MultiPolygon
}

func ExampleEntry_Features() {
	e, err := data.Demo().Layer("coal_blocks")
	if err != nil {
		panic(err)
	}
	for f, err := range e.Features(data.DefaultSeed) {
		if err != nil {
			panic(err)
		}
		if f.ID == "dhirauli" {
			c, _ := planar.CentroidArea(f.Geometry)
			fmt.Printf("%s (%s), %s district, %.2f°N %.2f°E\n", f.Properties["name"], f.Properties["name_hi"], f.Properties["district"], c[1], c[0])
			break
		}
	}
	// Output: Dhirauli (धिरौली), Singrauli district, 23.95°N 82.33°E
}
