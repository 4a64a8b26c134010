// Package tiles addresses vector tiles (z/x/y in WebMercatorQuad), describes
// tilesets as TileJSON and OGC API – Tiles metadata, and caches rendered tiles keyed
// by the data version of their layers. Rendering is delegated to a Renderer that
// package postgis implements.
package tiles
