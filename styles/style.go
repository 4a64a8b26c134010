package styles

import (
	"regexp"
	"strings"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// Style is a MapLibre style document (style specification version 8).
type Style struct {
	Version   int                   `json:"version"`
	Name      string                `json:"name"`
	Metadata  map[string]any        `json:"metadata,omitempty"`
	Center    []float64             `json:"center,omitempty"`
	Zoom      float64               `json:"zoom,omitempty"`
	Sprite    string                `json:"sprite,omitempty"`
	Glyphs    string                `json:"glyphs"`
	FontFaces map[string][]FontFace `json:"font-faces,omitempty"`
	Sources   map[string]Source     `json:"sources"`
	Layers    []Layer               `json:"layers"`
}

// FontFace is one font file of a `font-faces` entry.
type FontFace struct {
	URL          string   `json:"url"`
	UnicodeRange []string `json:"unicode-range,omitempty"`
}

// Source is a vector source described by a TileJSON document.
type Source struct {
	Type        string `json:"type"`
	URL         string `json:"url"`
	Attribution string `json:"attribution,omitempty"`
}

// Layer is one style layer.
type Layer struct {
	ID          string         `json:"id"`
	Type        string         `json:"type"`
	Source      string         `json:"source,omitempty"`
	SourceLayer string         `json:"source-layer,omitempty"`
	MinZoom     float64        `json:"minzoom,omitempty"`
	MaxZoom     float64        `json:"maxzoom,omitempty"`
	Layout      map[string]any `json:"layout,omitempty"`
	Paint       map[string]any `json:"paint,omitempty"`
	Metadata    map[string]any `json:"metadata,omitempty"`
}

// Label languages of Options.Lang.
const (
	LangEnglish = "en"
	LangHindi   = "hi"
)

// SourceID is the name of the one vector source of every document.
const SourceID = "coalmap"

// Fonts of the labels: the Latin font first, the Devanagari one behind it
// (for a glyphs server that composes the stack, and for `font-faces`).
const (
	FontRegular           = "Noto Sans Regular"
	FontDevanagariRegular = "Noto Sans Devanagari Regular"
	// DevanagariFontFile is the font file `font-faces` names for Devanagari.
	DevanagariFontFile = "NotoSansDevanagari-Regular.ttf"
)

// DevanagariRanges are the codepoints `font-faces` sends to the Devanagari
// font file: the Devanagari block, Vedic Extensions, Devanagari Extended,
// and the Indic rupee and danda punctuation MapLibre would else look up in
// the Latin font.
var DevanagariRanges = []string{"U+0900-097F", "U+1CD0-1CFF", "U+A8E0-A8FF", "U+20B9"}

// Zooms from which symbols and labels show.
const (
	iconMinZoom       = 11 // a point's symbol over its circle
	labelMinZoom      = 10 // names of points and lines
	areaLabelMinZoom  = 8  // names of polygons
	sidingIconMinZoom = 13 // a line's symbol repeated along it
)

// Options are what a document needs besides its layers.
type Options struct {
	// TileJSONURL is the TileJSON of the set of layers (one multi-layer
	// source).
	TileJSONURL string
	// SpriteURL is the sprite's base URL (the client adds .json, .png, @2x).
	SpriteURL string
	// GlyphsURL is the glyphs template with {fontstack} and {range}.
	GlyphsURL string
	// FontFileURL is the URL of a font file by name, for `font-faces`; nil
	// leaves `font-faces` out.
	FontFileURL func(file string) string
	// Icons are the symbols the sprite has; a style's icon outside it is not
	// drawn.
	Icons map[string]bool
	// Lang is the label language: LangEnglish (default) or LangHindi.
	Lang string
}

// New returns the style document of ls, in that order within each kind of
// geometry.
func New(ls []layers.Layer, o Options) *Style {
	s := &Style{
		Version: 8,
		Sprite:  o.SpriteURL,
		Glyphs:  o.GlyphsURL,
		Sources: map[string]Source{},
		Layers:  []Layer{},
	}
	ids := make([]string, len(ls))
	titles := make([]string, len(ls))
	for i, l := range ls {
		ids[i], titles[i] = l.ID, l.Title
	}
	s.Name = strings.Join(titles, ", ")
	lang := o.Lang
	if lang != LangHindi {
		lang = LangEnglish
	}
	s.Metadata = map[string]any{"coalmap:layers": ids, "coalmap:lang": lang}
	if o.FontFileURL != nil {
		s.FontFaces = map[string][]FontFace{
			FontDevanagariRegular: {{URL: o.FontFileURL(DevanagariFontFile), UnicodeRange: DevanagariRanges}},
		}
	}
	if len(ls) == 0 {
		return s
	}
	tj := tiles.NewTileJSON(ls, "")
	s.Sources[SourceID] = Source{Type: "vector", URL: o.TileJSONURL, Attribution: tj.Attribution}
	if len(tj.Center) == 3 {
		s.Center, s.Zoom = tj.Center[:2], tj.Center[2]
	}

	var polygons, lines, points, labels []Layer
	for _, l := range ls {
		st := clean(l.Style)
		switch kindOf(l.GeometryType) {
		case kindPolygon:
			polygons = append(polygons, polygonLayers(l, st)...)
		case kindLine:
			lines = append(lines, lineLayers(l, st, o.Icons)...)
		default:
			points = append(points, pointLayers(l, st, o.Icons)...)
		}
		if lb, ok := labelLayer(l, lang); ok {
			labels = append(labels, lb)
		}
	}
	for _, group := range [][]Layer{polygons, lines, points, labels} {
		s.Layers = append(s.Layers, group...)
	}
	return s
}

type kind int

const (
	kindPoint kind = iota
	kindLine
	kindPolygon
)

func kindOf(g layers.GeometryType) kind {
	switch g {
	case layers.Polygon, layers.MultiPolygon:
		return kindPolygon
	case layers.LineString, layers.MultiLineString:
		return kindLine
	}
	return kindPoint
}

// base is what every style layer of l shares.
func base(l layers.Layer, suffix, typ string) Layer {
	return Layer{
		ID: l.ID + "-" + suffix, Type: typ, Source: SourceID, SourceLayer: l.ID,
		MinZoom:  float64(l.MinZoom),
		Metadata: map[string]any{"coalmap:layer": l.ID, "coalmap:title": l.Title},
	}
}

func polygonLayers(l layers.Layer, st drawn) []Layer {
	line := base(l, "outline", "line")
	line.Layout = map[string]any{"line-join": "round"}
	line.Paint = linePaint(st)
	if st.outlineOnly {
		return []Layer{line}
	}
	fill := base(l, "fill", "fill")
	fill.Paint = map[string]any{"fill-color": st.FillColor, "fill-opacity": st.FillOpacity}
	return []Layer{fill, line}
}

func lineLayers(l layers.Layer, st drawn, icons map[string]bool) []Layer {
	line := base(l, "line", "line")
	line.Layout = map[string]any{"line-cap": "round", "line-join": "round"}
	line.Paint = linePaint(st)
	out := []Layer{line}
	if st.Icon != "" && icons[st.Icon] {
		sym := base(l, "icon", "symbol")
		sym.MinZoom = float64(max(l.MinZoom, sidingIconMinZoom))
		sym.Layout = map[string]any{
			"symbol-placement": "line", "symbol-spacing": 120,
			"icon-image": st.Icon, "icon-rotation-alignment": "map", "icon-allow-overlap": true,
		}
		out = append(out, sym)
	}
	return out
}

func linePaint(st drawn) map[string]any {
	w := st.LineWidth
	if w == 0 {
		w = defaultLineWidth
	}
	p := map[string]any{"line-color": st.Color, "line-width": w}
	if len(st.LineDash) > 0 {
		p["line-dasharray"] = st.LineDash
	}
	return p
}

// pointLayers draws a point as the style's circle; where the style names a
// symbol of the sprite the circle grows, from iconMinZoom, to hold it.
func pointLayers(l layers.Layer, st drawn, icons map[string]bool) []Layer {
	circle := base(l, "circle", "circle")
	stroke, strokeWidth := "#ffffff", 1.0
	if st.LineWidth > 0 {
		stroke, strokeWidth = st.Color, st.LineWidth
	}
	var radius any = st.Radius
	opacity := pointOpacity
	if l.Style.FillOpacity > 0 && l.Style.FillOpacity <= 1 {
		opacity = l.Style.FillOpacity
	}
	icon := st.Icon != "" && icons[st.Icon]
	iz := float64(max(l.MinZoom, iconMinZoom))
	if icon {
		radius = []any{"interpolate", []any{"linear"}, []any{"zoom"}, iz - 1, st.Radius, iz, max(st.Radius, 9)}
	}
	circle.Paint = map[string]any{
		"circle-color": st.FillColor, "circle-opacity": opacity, "circle-radius": radius,
		"circle-stroke-color": stroke, "circle-stroke-width": strokeWidth,
	}
	if !icon {
		return []Layer{circle}
	}
	sym := base(l, "icon", "symbol")
	sym.MinZoom = iz
	sym.Layout = map[string]any{"icon-image": st.Icon, "icon-allow-overlap": true, "icon-ignore-placement": true}
	return []Layer{circle, sym}
}

// labelLayer names a layer's features when its dictionary has a name.
func labelLayer(l layers.Layer, lang string) (Layer, bool) {
	var hasName, hasHi bool
	for _, a := range l.Attributes {
		hasName = hasName || a.Name == "name"
		hasHi = hasHi || a.Name == "name_hi"
	}
	if !hasName {
		return Layer{}, false
	}
	var field any = []any{"get", "name"}
	if lang == LangHindi && hasHi {
		field = []any{"coalesce", []any{"get", "name_hi"}, []any{"get", "name"}}
	}
	lb := base(l, "label", "symbol")
	layout := map[string]any{
		"text-field": field, "text-font": []string{FontRegular, FontDevanagariRegular},
		"text-size": 11, "text-max-width": 9,
	}
	switch kindOf(l.GeometryType) {
	case kindPolygon:
		lb.MinZoom = float64(max(l.MinZoom, areaLabelMinZoom))
		layout["text-size"] = 12
	case kindLine:
		lb.MinZoom = float64(max(l.MinZoom, labelMinZoom))
		layout["symbol-placement"] = "line"
	default:
		lb.MinZoom = float64(max(l.MinZoom, labelMinZoom))
		layout["text-anchor"] = "top"
		layout["text-offset"] = []float64{0, 0.9}
		if l.Style.Icon != "" {
			layout["text-offset"] = []float64{0, 1.2}
		}
	}
	lb.Layout = layout
	lb.Paint = map[string]any{"text-color": "#333333", "text-halo-color": "#ffffff", "text-halo-width": 1.4}
	return lb, true
}

// Defaults of a style that says nothing, or something a map cannot draw
// (the web map's too).
const (
	defaultColor       = "#555555"
	defaultFillOpacity = 0.25
	defaultLineWidth   = 1.5
	defaultRadius      = 4
	pointOpacity       = 0.9
)

var hexColor = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$`)

// drawn is a layers.Style with every value a map can draw.
type drawn struct {
	layers.Style
	// outlineOnly: a polygon style with a colour but neither fill colour
	// nor opacity (boundaries).
	outlineOnly bool
}

func clean(st layers.Style) drawn {
	d := drawn{outlineOnly: st.Color != "" && st.FillColor == "" && st.FillOpacity == 0}
	if !hexColor.MatchString(st.Color) {
		st.Color = defaultColor
	}
	if !hexColor.MatchString(st.FillColor) {
		st.FillColor = st.Color
	}
	if st.FillOpacity <= 0 || st.FillOpacity > 1 {
		st.FillOpacity = defaultFillOpacity
	}
	if st.LineWidth < 0 || st.LineWidth > 50 {
		st.LineWidth = 0
	}
	if st.Radius <= 0 || st.Radius > 50 {
		st.Radius = defaultRadius
	}
	dash := []int(nil)
	for _, v := range st.LineDash {
		if v < 0 || v > 100 {
			dash = nil
			break
		}
		dash = append(dash, v)
	}
	st.LineDash = dash
	d.Style = st
	return d
}
