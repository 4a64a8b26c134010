// Package tiles serves vector tiles without speaking HTTP or SQL: it addresses
// tiles (z/x/y in WebMercatorQuad, through orb/maptile), describes tilesets as
// TileJSON 3.0 and OGC API – Tiles documents, and composes multi-layer tiles
// from per-layer MVT blobs that a Renderer (package postgis) produces, behind a
// byte-bounded cache keyed by the data version of every layer in the tile.
//
// The cache is never stale: a key names each layer's data version, so an import
// that bumps the version makes the next request miss, on every replica that
// follows the catalog. Concurrent misses for one key run one render; renders
// are bounded by a concurrency limit that refuses (ErrOverloaded) rather than
// queueing without end.
//
// The package consumes two small interfaces, Catalog and Renderer, and writes
// PMTiles v3 archives for offline use.
package tiles
