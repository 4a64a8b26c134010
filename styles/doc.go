// Package styles turns the layers' cartography (layers.Style, in each
// layer's metadata) into MapLibre style documents (style specification v8)
// and serves what those documents point at: the service's own sprite and
// glyphs. It speaks neither HTTP nor SQL.
//
// # Style documents
//
// New builds one document for any set of layers: one vector source (the
// service's TileJSON for the whole set, so that one tile request brings every
// layer), and for each layer a fill and an outline (polygons), a line (lines),
// a circle (points), an icon where the style names a symbol of the sprite,
// and a label where the layer has a name attribute. Geometry layers are drawn
// polygons first, then lines, then points, in the order asked within each;
// labels come last, above everything. Values the metadata holds that a map
// cannot draw (a colour that is not hex, an opacity out of range) are
// replaced by defaults rather than producing an invalid document; the
// catalog refuses them on input (layers.Layer.Validate).
//
// Labels read the feature's "name" (Options.Lang "en") or its "name_hi"
// falling back to "name" ("hi"). Their fonts are the service's own
// ("Noto Sans Regular" then "Noto Sans Devanagari Regular"); the document's
// `font-faces` points Devanagari (U+0900–097F and its extensions) at a font
// file the service serves, because the glyphs PBF format holds one bitmap per
// codepoint and cannot shape Devanagari: a renderer that implements
// `font-faces` (MapLibre GL JS 6, MapLibre Native Android 11.13 and iOS
// 6.18) shapes the Hindi names with it; one that does not draws each
// codepoint of the PBF glyphs in sequence, vowel signs and conjuncts
// unjoined. QGIS draws labels with the system's fonts and shapes them.
//
// # Sprite and glyphs
//
// Assets reads what `make build` (web/build-styles.mjs) puts in assets/ and
// the binary embeds: the sprite at pixel ratios 1 and 2, rasterised from the
// SVG symbols in sprite/, the glyph ranges of each font (SDF glyphs in the
// Mapbox glyphs PBF format, built with fontnik from Debian's fonts-noto-core)
// and the font files `font-faces` names. Assets.Glyphs composes a fontstack
// (a comma list of fonts) range by range, the first font that has a
// codepoint winning, as MapLibre asks for "Noto Sans Regular,Noto Sans
// Devanagari Regular". A binary built without the assets (go build alone)
// still serves style documents; Assets.Built reports false and the sprite
// and glyphs answer ErrNotBuilt.
//
// # Errors
//
// ErrNotFound (no such font, font file or sprite), ErrInvalid (a malformed
// fontstack or range) and ErrNotBuilt, all matched with errors.Is.
package styles
