package styles_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/coalmap/coalmap/data"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/styles"
)

var named = []layers.Attribute{{Name: "name", Type: layers.Text}, {Name: "name_hi", Type: layers.Text}}

func layer(id string, g layers.GeometryType, st layers.Style, attrs ...layers.Attribute) layers.Layer {
	return layers.Layer{ID: id, Title: strings.ToUpper(id), GeometryType: g, MinZoom: 5, MaxZoom: 18, Style: st,
		Attributes: attrs, Extent: &layers.Extent{82, 23.7, 82.8, 24.3}}
}

var opts = styles.Options{
	TileJSONURL: "http://h/tiles/x.json", SpriteURL: "http://h/styles/sprite", GlyphsURL: "http://h/fonts/{fontstack}/{range}.pbf",
	FontFileURL: func(f string) string { return "http://h/fonts/" + f },
	Icons:       map[string]bool{"mine": true, "siding": true},
}

// byID indexes a document's layers.
func byID(s *styles.Style) map[string]styles.Layer {
	m := map[string]styles.Layer{}
	for _, l := range s.Layers {
		m[l.ID] = l
	}
	return m
}

func TestNewLayersPerGeometry(t *testing.T) {
	for _, tc := range []struct {
		name  string
		layer layers.Layer
		want  []string // style layer ids, in order
		check func(t *testing.T, m map[string]styles.Layer)
	}{
		{"polygon with fill and a label", layer("blocks", layers.MultiPolygon,
			layers.Style{Color: "#000000", FillColor: "#2f2f2f", FillOpacity: 0.35, LineWidth: 1.2}, named...),
			[]string{"blocks-fill", "blocks-outline", "blocks-label"},
			func(t *testing.T, m map[string]styles.Layer) {
				if p := m["blocks-fill"].Paint; p["fill-color"] != "#2f2f2f" || p["fill-opacity"] != 0.35 {
					t.Errorf("fill paint %v", p)
				}
				if p := m["blocks-outline"].Paint; p["line-color"] != "#000000" || p["line-width"] != 1.2 {
					t.Errorf("outline paint %v", p)
				}
				if l := m["blocks-label"]; l.MinZoom != 8 || !reflect.DeepEqual(l.Layout["text-field"], []any{"get", "name"}) {
					t.Errorf("label %+v", l)
				}
			}},
		{"polygon without fill: outline only", layer("states", layers.MultiPolygon,
			layers.Style{Color: "#212121", LineWidth: 2, LineDash: []int{10, 4}}),
			[]string{"states-outline"},
			func(t *testing.T, m map[string]styles.Layer) {
				if d := m["states-outline"].Paint["line-dasharray"]; !reflect.DeepEqual(d, []int{10, 4}) {
					t.Errorf("dash %v", d)
				}
			}},
		{"line with a symbol along it", layer("sidings", layers.LineString,
			layers.Style{Color: "#37474f", LineWidth: 2, LineDash: []int{4, 2}, Icon: "siding"}, named...),
			[]string{"sidings-line", "sidings-icon", "sidings-label"},
			func(t *testing.T, m map[string]styles.Layer) {
				if l := m["sidings-icon"]; l.Layout["symbol-placement"] != "line" || l.Layout["icon-image"] != "siding" || l.MinZoom != 13 {
					t.Errorf("icon %+v", l)
				}
				if m["sidings-label"].Layout["symbol-placement"] != "line" {
					t.Errorf("label not along the line")
				}
			}},
		{"point with an icon", layer("mines", layers.Point,
			layers.Style{Color: "#e65100", FillColor: "#e65100", FillOpacity: 0.9, Radius: 5, Icon: "mine"}, named...),
			[]string{"mines-circle", "mines-icon", "mines-label"},
			func(t *testing.T, m map[string]styles.Layer) {
				r := m["mines-circle"].Paint["circle-radius"]
				if want := []any{"interpolate", []any{"linear"}, []any{"zoom"}, 10.0, 5.0, 11.0, 9.0}; !reflect.DeepEqual(r, want) {
					t.Errorf("radius %v, want %v", r, want)
				}
				if l := m["mines-icon"]; l.MinZoom != 11 || l.Layout["icon-image"] != "mine" {
					t.Errorf("icon %+v", l)
				}
			}},
		{"point whose icon the sprite lacks: the circle alone", layer("wells", layers.Point,
			layers.Style{Color: "#0288d1", Radius: 3, Icon: "well"}),
			[]string{"wells-circle"},
			func(t *testing.T, m map[string]styles.Layer) {
				if p := m["wells-circle"].Paint; p["circle-radius"] != 3.0 || p["circle-color"] != "#0288d1" || p["circle-stroke-color"] != "#ffffff" {
					t.Errorf("paint %v", p)
				}
			}},
		{"point with an outline colour", layer("subs", layers.Point,
			layers.Style{Color: "#b71c1c", FillColor: "#ffffff", FillOpacity: 1, Radius: 6, LineWidth: 2}),
			[]string{"subs-circle"},
			func(t *testing.T, m map[string]styles.Layer) {
				if p := m["subs-circle"].Paint; p["circle-color"] != "#ffffff" || p["circle-stroke-color"] != "#b71c1c" || p["circle-stroke-width"] != 2.0 {
					t.Errorf("paint %v", p)
				}
			}},
		{"values a map cannot draw become defaults", layer("odd", layers.Polygon,
			layers.Style{Color: "red-ish", FillColor: "#12", FillOpacity: 7, LineWidth: -3, LineDash: []int{3, -1}}),
			[]string{"odd-fill", "odd-outline"},
			func(t *testing.T, m map[string]styles.Layer) {
				f, o := m["odd-fill"].Paint, m["odd-outline"].Paint
				if f["fill-color"] != "#555555" || f["fill-opacity"] != 0.25 || o["line-width"] != 1.5 || o["line-dasharray"] != nil {
					t.Errorf("fill %v outline %v", f, o)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := styles.New([]layers.Layer{tc.layer}, opts)
			var ids []string
			for _, l := range s.Layers {
				ids = append(ids, l.ID)
				if l.Source != styles.SourceID || l.SourceLayer != tc.layer.ID {
					t.Errorf("%s: source %q/%q", l.ID, l.Source, l.SourceLayer)
				}
				if l.MinZoom < float64(tc.layer.MinZoom) {
					t.Errorf("%s: minzoom %v below the layer's %d", l.ID, l.MinZoom, tc.layer.MinZoom)
				}
			}
			if !reflect.DeepEqual(ids, tc.want) {
				t.Fatalf("layers %v, want %v", ids, tc.want)
			}
			tc.check(t, byID(s))
		})
	}
}

func TestNewDocument(t *testing.T) {
	ls := []layers.Layer{
		layer("mines", layers.Point, layers.Style{Color: "#e65100", Radius: 5, Icon: "mine"}, named...),
		layer("rail", layers.LineString, layers.Style{Color: "#212121", LineWidth: 2}, named...),
		layer("blocks", layers.MultiPolygon, layers.Style{Color: "#000000", FillColor: "#2f2f2f", FillOpacity: 0.35}, named...),
	}
	ls[2].Owner, ls[2].License = "Ministry of Coal", "GODL-India"
	s := styles.New(ls, opts)
	if s.Version != 8 || s.Sprite != opts.SpriteURL || s.Glyphs != opts.GlyphsURL {
		t.Fatalf("header %+v", s)
	}
	if src := s.Sources[styles.SourceID]; src.Type != "vector" || src.URL != opts.TileJSONURL || !strings.Contains(src.Attribution, "Ministry of Coal") {
		t.Fatalf("source %+v", src)
	}
	// Polygons, then lines, then points, then every label.
	var order []string
	for _, l := range s.Layers {
		order = append(order, l.ID)
	}
	want := []string{"blocks-fill", "blocks-outline", "rail-line", "mines-circle", "mines-icon", "mines-label", "rail-label", "blocks-label"}
	if !reflect.DeepEqual(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	ff := s.FontFaces[styles.FontDevanagariRegular]
	if len(ff) != 1 || ff[0].URL != "http://h/fonts/"+styles.DevanagariFontFile || ff[0].UnicodeRange[0] != "U+0900-097F" {
		t.Fatalf("font-faces %+v", s.FontFaces)
	}
	if len(s.Center) != 2 || s.Center[0] != 82.4 || s.Zoom <= 0 {
		t.Fatalf("center %v zoom %v", s.Center, s.Zoom)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"version":8`, `"font-faces"`, `"source-layer":"blocks"`, `"text-font":["Noto Sans Regular","Noto Sans Devanagari Regular"]`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("document lacks %s", key)
		}
	}

	t.Run("Hindi labels fall back to the English name", func(t *testing.T) {
		o := opts
		o.Lang = styles.LangHindi
		m := byID(styles.New(ls, o))
		want := []any{"coalesce", []any{"get", "name_hi"}, []any{"get", "name"}}
		if f := m["blocks-label"].Layout["text-field"]; !reflect.DeepEqual(f, want) {
			t.Fatalf("text-field %v", f)
		}
	})
	t.Run("no label without a name attribute", func(t *testing.T) {
		m := byID(styles.New([]layers.Layer{layer("wells", layers.Point, layers.Style{})}, opts))
		if _, ok := m["wells-label"]; ok {
			t.Fatal("a label for a layer without names")
		}
	})
	t.Run("no font-faces without a font file URL", func(t *testing.T) {
		o := opts
		o.FontFileURL = nil
		if s := styles.New(ls, o); s.FontFaces != nil {
			t.Fatalf("font-faces %v", s.FontFaces)
		}
	})
}

// Every symbol the demo catalog names is one the sprite sources have.
func TestDemoIconsAreInTheSprite(t *testing.T) {
	have := map[string]bool{}
	entries, err := spriteSources()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		have[e] = true
	}
	n := 0
	for _, e := range data.Demo().Layers {
		if ic := e.Layer.Style.Icon; ic != "" {
			n++
			if !have[ic] {
				t.Errorf("%s: icon %q is not among the sprite's symbols %v", e.Layer.ID, ic, entries)
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d demo layers name an icon", n)
	}
}
