// Package geo is pure geometry with no I/O, on orb types in EPSG:4326
// ([lon, lat] degrees): EPSG:4326 ⇄ EPSG:3857, geodesic lengths, distances
// and areas on WGS 84, a local tangent-plane projection for metric work,
// validation of alignments, clipping of lines by polygons, corridor areas,
// line–polygon distances and the R-tree index of polygons.
//
// Names state their assumption: ClipPlanar treats segments and edges as
// straight in degrees, as PostGIS's geometry functions do; LengthGeodesic,
// DistanceGeodesic and AreaGeodesic measure on the ellipsoid, as PostGIS's
// geography functions do; CorridorAreaLocal works in a polygon's local
// tangent plane.
//
// PreparedLine and PreparedPolygon hold the work done once per geometry and
// are immutable, so many goroutines can clip, measure and query them.
package geo
