package tiles_test

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// A tile's cache key names each layer's data version: after an import bumps
// coal_blocks to version 8, the same tile has a new key, so the cache cannot
// serve the old one.
func ExampleKey() {
	t := maptile.At(orb.Point{82.33, 23.95}, 12) // Dhirauli, Singrauli
	ls := []layers.Layer{{ID: "coal_blocks", DataVersion: 7}, {ID: "transmission_lines", DataVersion: 3}}
	opts := []tiles.Options{{}, {Properties: []string{"voltage_kv"}}}
	fmt.Println(tiles.Key(ls, t, opts))
	ls[0].DataVersion = 8
	fmt.Println(tiles.Key(ls, t, opts))
	fmt.Println(tiles.Versions(ls))
	// Output:
	// 12/2984/1767|coal_blocks@7|transmission_lines@3?p=voltage_kv
	// 12/2984/1767|coal_blocks@8|transmission_lines@3?p=voltage_kv
	// 8.3
}
