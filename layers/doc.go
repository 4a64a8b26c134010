// Package layers is the catalog domain: layers, their metadata and attribute
// dictionaries, access classes, and the import pipeline. It declares the store
// interfaces it consumes; package postgis implements them.
package layers
