// Package layers is the catalog domain: layers, their metadata and attribute
// dictionaries, access classes and roles, and the import pipeline's core. It
// declares the store interfaces it consumes; package postgis implements them.
//
// The pieces other packages use:
//
//   - Store, Searcher, TokenStore, FeatureStore and Importer: small
//     interfaces implemented by *postgis.Store.
//   - Catalog: the in-memory snapshot every request reads. Catalog.Snapshot()
//     returns an immutable *Snapshot; Snapshot.Version(id) is a layer's
//     data_version (bumped by every data change), the key for caches of
//     tiles and geometries. Catalog.Follow keeps it current from
//     NOTIFY coalmap_layers ("<id>:<version>") with a periodic reload as
//     fallback; Catalog.Subscribe delivers each Change.
//   - Importer.Import(ctx, ImportRequest{Layer, Source, …}): replaces a
//     layer's data from a FeatureSource (a formats.Source, or any stream of
//     formats.Features) atomically; PlanImport and ImportPlan.Row hold the
//     pure part (dictionary matching, safe column names, typing, geometry fit).
//   - Principal.CanRead / CanWrite: the access rule. Public layers are open
//     to all; any valid token (viewer and up) reads restricted layers; writes
//     need editor.
package layers
