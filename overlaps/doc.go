// Package overlaps finds where alignments (transmission lines, rail) cross
// constraint polygons such as coal blocks: ad-hoc checks, layer-against-layer
// runs and, later, alternative alignments that avoid the polygons.
//
// An Engine holds polygon layers in memory, each an R-tree of prepared
// polygons (package geo) loaded lazily from a PolygonSource, which package
// postgis implements. A layer is built aside and published atomically; a
// published layer is never changed, Invalidate makes the next check reload
// it, and a byte bound evicts the least recently used layers.
//
// Engine.Check answers one request: for every polygon an alignment crosses,
// the geodesic length inside, the number of crossings with entry and exit
// points and their chainage, the corridor (the alignment buffered by half the
// right-of-way width) area inside and the shares of the alignment and of the
// polygon; near-misses within a clearance; and summaries. Engine.Run does the
// same for many lines on a bounded worker pool and emits one Row per
// line–polygon pair.
//
// The answers match PostGIS (ST_Intersection in degrees, ST_Length and
// ST_Area on geography, ST_Buffer(geography)): a line along a block's
// boundary is inside it, a single point of contact is a near-miss at 0 m.
// The differential test in oracle_test.go checks this against a real
// PostGIS.
//
// Jobs runs checks and reroutes in the background for OGC API – Processes:
// a JobStore (package postgis) keeps each job's state, inputs and result,
// so that any server answers for a job another one runs; a job whose
// server stopped reads as failed once its lease has passed. Like Runs, it
// records the end of every job it started, cancelled ones included.
package overlaps
