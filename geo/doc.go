// Package geo is pure geometry with no I/O, on orb types in EPSG:4326
// ([lon, lat] degrees): EPSG:4326 ⇄ EPSG:3857, geodesic lengths, distances
// and areas on WGS 84, a local tangent-plane projection for metric work,
// validation of alignments, clipping of lines by polygons, corridor areas,
// line–polygon distances, the R-tree index of polygons, and the exact
// route planner over margin-widened polygons (RouteSpace).
//
// Names state their assumption: ClipPlanar treats segments and edges as
// straight in degrees, as PostGIS's geometry functions do; LengthGeodesic,
// DistanceGeodesic and AreaGeodesic measure on the ellipsoid, as PostGIS's
// geography functions do; CorridorAreaLocal works in a polygon's local
// tangent plane.
//
// # Routes
//
// RouteSpace and Plan find routes that keep a geodesic margin (half the
// right of way plus a clearance) from hard polygons. The work is done in a
// gnomonic plane centred on the route's terminals (Gnomonic): great-circle
// arcs — the edges PostGIS's geography joins vertices by — are straight
// lines there, and the planar margin is the geodesic one divided by the
// projection's largest shrink over the area, plus a centimetre, so a planar
// clearance proves the geodesic one. Polygon edges over a kilometre long are
// followed straight in degrees (as PostGIS's geometry and the check read
// them) and the margin takes in their great-circle bow too.
//
// The graph. Nodes are the terminals (ends and waypoints) and the corners
// of the outside approximation of each widened polygon: at every convex
// vertex, the margin arc is replaced by tangent segments with corners at
// radius m/cos(δ/2), δ ≤ 22.5°, so the widened shape contains the true
// offset and a route round it is at most 1.3 % of the arc's length longer
// than round the arc. Corners within the margin of another polygon are
// dropped (the union of the widened polygons). Polygons whose widened
// shapes touch form a component; a component whose convex hull holds no
// terminal and comes within the margin of no other polygon is replaced by
// its hull — exact, since a shortest path cannot gain by entering a pocket
// with one mouth. Edges join node pairs whose segment is tangent to the
// widened boundary at both ends (the reduced visibility graph) and keeps
// the margin from every obstacle (tested on an R-tree of the rings and one
// of runs of each big ring's edges). Nodes are limited to the ellipse of
// routes no longer than a budget; the budget grows until the best route's
// cost bound fits in it, so the answer is the optimum of the whole plane's
// graph.
//
// Costs. An edge weighs its geodesic length plus, per soft polygon set, its
// length inside times the cost; per line set, crossings times the penalty
// less the length within the distance times the bonus; a route pays the
// angle cost at every corner it bends at. The bonuses together stay under
// 1, so a metre costs at least 1 − Σ bonus. With length alone the best
// route is the shortest margin-keeping route up to the arc approximation;
// with soft costs it is the optimum of the cost model on this graph.
//
// The search. A* runs over (node, leg) states, so the waypoints are visited
// in order, with the geodesic distance still to go times the least a metre
// costs as its heuristic (a consistent lower bound). The graph is built as
// the search goes: a node's candidate edges are listed when the search
// first settles it, and an edge is tested for visibility and measured for
// the soft costs only when the search pops it, queued until then with its
// length times the least a metre costs (lazy A*). The answer is the
// optimum of the whole graph, of which the search builds a small part.
//
// What the graph can miss: bends away from hard polygons. A cheaper route
// that would turn in open country to skirt a forest or to run along an
// existing line is not found unless a hard corner lies there; soft costs
// choose among routes that bend only round hard obstacles. Alternatives
// (ESX, see Plan) are searched among routes costing up to 10 % more than
// the best, then, if fewer than asked were found there, up to 30 % more.
// Straightening merges angle points closer than the minimum
// section where the merged route keeps the margin and the merges together
// add at most 0.25 % to the route's length; sections it cannot merge are
// reported as short. So the straightened route is at most 0.25 % longer
// than the graph's shortest path, itself longer than the exact shortest
// route by at most 1.3 % of the length it runs round margin arcs (on the
// demo's real cases and random alignments: under 0.03 % in all, against
// the pgRouting oracle of the overlaps tests).
//
// PreparedLine and PreparedPolygon hold the work done once per geometry and
// are immutable, so many goroutines can clip, measure and query them.
package geo
