// Package layers is the catalog domain: layers, their metadata and attribute
// dictionaries, access classes and roles, the change event, and the write
// path — the import service and single-feature edits. It declares the store interfaces it consumes;
// package postgis implements them.
//
// The pieces other packages use:
//
//   - Store, Searcher, TokenStore and FeatureStore: small interfaces
//     implemented by *postgis.Store.
//   - Change: the one event a commit that changes a layer writes (layer,
//     data version, metadata version, kind — data, features, metadata,
//     created, deleted —, the bounding box of what changed, feature ids,
//     LSN). ChangeFeed follows them in commit order; ChangeAcks lets a
//     writer wait until every server following the feed has its change.
//   - Catalog: the in-memory snapshot every request reads. Catalog.Snapshot()
//     returns an immutable *Snapshot; Snapshot.Version(id) is a layer's
//     data_version (bumped by every data change, not by metadata changes),
//     the key for caches of tiles and geometries. Catalog.Follow applies
//     each change of the feed by reloading that layer's entry only, then
//     calls the OnChange hooks (the tile cache, the overlap engine: before
//     the change is acknowledged) and the Subscribe channels (the tile
//     band keeper); a periodic full reload backs the feed up.
//   - Imports: the import service, the twin of overlaps.Runs — Start, Get,
//     Wait, List, Cancel, and Import (Start then Wait). It owns the job
//     queue and its bound, the row loop (validate, repair or reject, dedupe
//     ids, progress), the decisions (an unchanged file is a no-op; a new
//     layer is created by its import, with its table, attributes and data
//     in one commit) and publishing: an import reports success once the
//     servers following the change feed have acknowledged its change, or
//     says how long it waited (ImportResult.Visibility). It runs over a
//     narrow port, Stager (stage a table, copy rows in, check, swap with
//     the catalog update), and the job records, ImportJobs. PlanImport and
//     ImportPlan.Row hold the pure part (dictionary matching, safe column
//     names, typing, geometry fit).
//   - Edits: single-feature edits (OGC API – Features Part 4). PrepareEdit
//     reads a client's Feature or JSON merge patch through the import's
//     GeoJSON reader and ImportPlan (same checks, same words; an unknown
//     property is refused, not added); a FeatureEditor (postgis) applies
//     it in one transaction — the ETag (feature version) checked with the
//     row locked, the geometry reprojected, judged and repaired as an
//     import does, the tile bands patched, an EditRecord written — and
//     commits one ChangeFeatures event bounded by the old and new geometry;
//     Edits.Edit then waits for the servers following the feed, as an
//     import does. Errors: *ValidationError (400), *GeometryError (422),
//     ErrStale (412).
//   - Principal.CanRead / CanWrite: the access rule. Public layers are open
//     to all; any valid token (viewer and up) reads restricted layers; writes
//     need editor.
//
// # Errors
//
// Sentinels (ErrNotFound, ErrInvalid, ErrConflict, ErrBusy,
// ErrUnavailable…) and typed errors (ValidationError, OutsideError,
// StoreError). A StoreError's message is safe to show anyone; the store's
// own failure is its Cause, for the log only.
//
// # Geometry encoding: orb, not go-geom
//
// The design names github.com/twpayne/go-geom (and pgx-geom, its pgx codec).
// Per feature, an import converts the reader's orb geometry to the WKB the
// COPY sends (ImportPlan.Row); go-geom would do it as "convert orb to
// go-geom, then encode" (every reader of package formats yields orb, the
// vocabulary of the exported signatures), and pgx-geom's codec adds a copy
// of the encoding into pgx's buffer. Measured (bench/geom, `go test -bench
// . -benchmem`, a smooth 1,300-vertex block polygon, 2-core machine):
//
//	encode WKB                    ns/op     B/op  allocs/op
//	orb (what Row does)          37,600   21,850          6
//	go-geom from orb             71,800  131,096         28
//	go-geom EWKB from orb       103,500  131,096         29   (pgx-geom's path)
//	go-geom, native geometry     40,500   43,752         13
//
// (64 vertices: 1.8 µs / 1,242 B for orb, 4.7 µs / 6,680 B from orb.) Even
// with no conversion at all go-geom's encoder allocates twice orb's bytes,
// so orb stays; go-geom would pay only if the whole read side moved to it.
// pgx-geom is also not needed: a []byte of WKB in a binary COPY is what
// PostGIS's geometry_recv reads.
package layers
