// Package overlaps finds where alignments (transmission lines, rail) cross
// constraint polygons such as coal blocks: ad-hoc checks, layer-against-layer
// runs, and alternative alignments that avoid the polygons (Engine.Routes,
// and Engine.Reroute, its one-alternative, hard-constraints-only form).
//
// The right-of-way table (DefaultCorridors: width by voltage and circuit
// configuration, and rail, with the minimum straight section of each) is
// the one table every corridor is chosen from: check, reroute and routes
// take row_width_m, voltage_kv with an optional circuit, or rail.
//
// Engine.Routes plans with geo.RouteSpace (see package geo for the graph,
// what it guarantees and what it can miss) in free mode (between the ends,
// through waypoints in order) or keep mode (the drawn alignment kept where
// it clears the margin, each conflicting stretch replaced by the shortest
// route between the clear vertices around it). k alternatives come from
// the ESX method of Chondrogiannis et al. (k shortest paths with limited
// overlap): any two share at most max_shared of the shorter one's length.
// Every route, and the original alignment as row 0, is scored the same way:
// the check against the hard layers, the check's corridor areas for soft
// polygon layers, and the cost model's terms measured as the planner
// measures its edges.
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
