// Package overlaps finds where alignments (transmission lines, rail) cross
// constraint polygons such as coal blocks: ad-hoc checks, layer-against-layer runs
// and alternative alignments that avoid the polygons.
package overlaps
