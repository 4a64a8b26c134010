// Package data is the demo catalog: the manifest of the coal-sector layers and the
// deterministic generator that places synthetic features over the real coalfields.
package data
