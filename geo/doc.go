// Package geo is pure geometry with no I/O: conversions between orb and go-geom
// and WKB, EPSG:4326 ⇄ EPSG:3857, geodesic lengths and areas on WGS 84, clipping,
// corridors, validity and the R-tree index.
package geo
