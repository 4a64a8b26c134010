// Package formats reads the files analysts have (GeoJSON, Shapefile, GeoPackage,
// KML/KMZ, CSV) as streams of features: orb geometries with their properties and
// the source CRS. It touches no database.
package formats
