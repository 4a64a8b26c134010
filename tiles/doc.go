// Package tiles serves vector tiles without speaking HTTP or SQL: it addresses
// tiles (z/x/y in WebMercatorQuad, through orb/maptile, and level/row/column
// in WorldCRS84Quad), describes tilesets as TileJSON 3.0 and as OGC API –
// Tiles documents (the tile matrix sets of 17-083r4, tileset metadata with
// limits per level from the layers' extents), and composes multi-layer tiles
// from per-layer MVT blobs that a Renderer (package postgis) produces, behind a
// byte-bounded cache keyed by the data version of every layer in the tile.
//
// The cache is never stale: a key names each layer's data version, so an import
// that bumps the version makes the next request miss, on every replica that
// follows the catalog. Service.Apply subscribes the cache to the change event
// (layers.Catalog.OnChange): a new version of a layer's data drops its tiles;
// an edit of single features drops only the tiles whose area meets the edit's
// bounding box, at every zoom, and keeps the others under the new version; a
// metadata change touches nothing. Concurrent misses for one key run one
// render; renders are bounded by a concurrency limit that refuses
// (ErrOverloaded) rather than queueing without end.
//
// Zoom bands (Bands: generalised copies tiles are cut from) are a derived
// artefact with their own state, "built from data version N". An import
// builds its layer's bands before its swap and the swap puts them in
// place, so tiles are drawn from them from the first request after it;
// Generalise is their generalisation, one pass over each feature, band
// after band. An edit patches them. BandKeeper, another subscriber of the
// change event, rebuilds in the background the bands of a layer whose data
// changed without them (and any found stale); building them is not a
// change of the data.
//
// A WorldCRS84Quad tile is drawn by a MatrixRenderer (package postgis cuts
// it from the zoom band of the WebMercatorQuad zoom of the same tile size)
// and cached under a key that names its tile matrix set, so that it never
// meets the WebMercatorQuad tile of the same numbers.
//
// The package consumes small interfaces (Catalog, Renderer, MatrixRenderer,
// BandBuilder, ChangeSource) and writes PMTiles v3 archives for offline use.
package tiles
