package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/styles"
	"github.com/coalmap/coalmap/tiles"
)

// Media types of the style routes.
const (
	// MediaTypeMapboxStyle is OGC API – Styles' name for a Mapbox/MapLibre
	// style document.
	MediaTypeMapboxStyle = "application/vnd.mapbox.style+json"
	mediaTypeProtobuf    = "application/x-protobuf"
)

// assetCacheControl is for what is built into the binary (sprite, glyphs,
// font files): it changes only with the binary, and its ETag says when.
const assetCacheControl = "public, max-age=86400"

// routesStyles mounts the MapLibre styles (GET /styles/{layers}, and OGC API –
// Styles' /styles list), their sprite and their glyphs.
func (s *Server) routesStyles(r chi.Router) {
	r.Get("/styles/sprite.json", s.handleSprite(1, false))
	r.Get("/styles/sprite.png", s.handleSprite(1, true))
	r.Get("/styles/sprite@2x.json", s.handleSprite(2, false))
	r.Get("/styles/sprite@2x.png", s.handleSprite(2, true))
	r.Get("/fonts", s.handleFonts)
	r.Get("/fonts/{file}.ttf", s.handleFontFile)
	r.Get("/fonts/{fontstack}/{range}.pbf", s.handleGlyphs)
	if s.deps.Tiles == nil {
		return
	}
	r.Get("/styles", s.handleStyles)
	r.Get("/styles/{layers}", s.handleStyle)
}

// styleOptions are the URLs and symbols a style document of list points at.
func (s *Server) styleOptions(r *http.Request, list, lang string) styles.Options {
	base := s.baseURL(r)
	o := styles.Options{
		TileJSONURL: base + "/tiles/" + list + ".json",
		GlyphsURL:   base + "/fonts/{fontstack}/{range}.pbf",
		Icons:       s.styles.Icons(),
		Lang:        lang,
	}
	if s.styles.Built() {
		o.SpriteURL = base + "/styles/sprite"
		o.FontFileURL = func(f string) string { return base + "/fonts/" + url.PathEscape(f) }
	}
	return o
}

func (s *Server) handleStyle(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch q.Get("f") {
	case "", "mapbox", "maplibre", "json":
	default:
		s.writeError(w, r, badParam("f", "%q: want mapbox (a MapLibre/Mapbox style document; json is the same)", q.Get("f")))
		return
	}
	lang := q.Get("lang")
	switch lang {
	case "", styles.LangEnglish, styles.LangHindi:
	default:
		s.writeError(w, r, badParam("lang", "%q: want en (labels from name) or hi (from name_hi, else name)", lang))
		return
	}
	ids, err := tiles.ParseLayerList(chi.URLParam(r, "layers"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ls, err := s.deps.Tiles.Layers(ids, s.mayRead(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	doc := styles.New(ls, s.styleOptions(r, strings.Join(ids, ","), lang))
	body, err := json.Marshal(doc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	// The document changes with the metadata (not with the data: its tiles
	// come through TileJSON, which carries the data versions).
	h.Set("Cache-Control", "no-cache")
	for _, l := range ls {
		if l.Access != layers.Public {
			h.Set("Cache-Control", "private, no-cache")
			h.Add("Vary", "Authorization")
			break
		}
	}
	s.writeBytes(w, r, MediaTypeMapboxStyle, body, styles.ETag(body))
}

// handleStyles lists the styles in the manner of OGC API – Styles: one per
// layer the caller may see; any comma list of layers is a style too.
func (s *Server) handleStyles(w http.ResponseWriter, r *http.Request) {
	base := s.baseURL(r)
	p := principal(r)
	type link struct {
		Href  string `json:"href"`
		Rel   string `json:"rel"`
		Type  string `json:"type,omitempty"`
		Title string `json:"title,omitempty"`
	}
	type entry struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Links []link `json:"links"`
	}
	list := []entry{}
	if s.deps.Catalog != nil {
		for _, l := range s.deps.Catalog.Snapshot().Layers() {
			if !p.CanRead(l) {
				continue
			}
			list = append(list, entry{ID: l.ID, Title: l.Title, Links: []link{
				{Href: base + "/styles/" + l.ID + "?f=mapbox", Rel: "stylesheet", Type: MediaTypeMapboxStyle, Title: "MapLibre style"},
				{Href: base + "/tiles/" + l.ID + ".json", Rel: "describedby", Type: "application/json", Title: "TileJSON"},
			}})
		}
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Authorization")
	writeJSON(w, http.StatusOK, map[string]any{
		"styles":  list,
		"default": nil,
		"links": []link{
			{Href: base + "/styles", Rel: "self", Type: "application/json"},
			{Href: base + "/styles/sprite", Rel: "sprite", Title: "the sprite's base URL (add .json, .png, @2x.json, @2x.png)"},
			{Href: base + "/fonts/{fontstack}/{range}.pbf", Rel: "glyphs", Type: mediaTypeProtobuf},
		},
	})
}

func (s *Server) handleSprite(ratio int, png bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sp, err := s.styles.Sprite(ratio)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", assetCacheControl)
		if png {
			s.writeBytes(w, r, "image/png", sp.PNG, sp.PNGETag)
		} else {
			s.writeBytes(w, r, "application/json", sp.JSON, sp.JSONETag)
		}
	}
}

// handleFonts lists the fonts glyphs are served for and the font files.
func (s *Server) handleFonts(w http.ResponseWriter, r *http.Request) {
	base := s.baseURL(r)
	files := map[string]string{}
	for _, f := range s.styles.FontFiles() {
		files[f] = base + "/fonts/" + url.PathEscape(f)
	}
	w.Header().Set("Cache-Control", assetCacheControl)
	writeJSON(w, http.StatusOK, map[string]any{
		"fonts":   s.styles.Fonts(),
		"files":   files,
		"glyphs":  base + "/fonts/{fontstack}/{range}.pbf",
		"license": "SIL Open Font License 1.1 (Noto fonts, from Debian's fonts-noto-core)",
		"built":   s.styles.Built(),
	})
}

func (s *Server) handleFontFile(w http.ResponseWriter, r *http.Request) {
	f, err := s.styles.FontFile(chi.URLParam(r, "file") + ".ttf")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", assetCacheControl)
	s.writeBytes(w, r, "font/ttf", f.Data, f.ETag)
}

func (s *Server) handleGlyphs(w http.ResponseWriter, r *http.Request) {
	stack := chi.URLParam(r, "fontstack")
	if u, err := url.PathUnescape(stack); err == nil {
		stack = u
	}
	b, err := s.styles.Glyphs(stack, chi.URLParam(r, "range"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", assetCacheControl)
	s.writeBytes(w, r, mediaTypeProtobuf, b, styles.ETag(b))
}

// writeBytes answers body with its ETag, or 304 to a request that has it.
func (s *Server) writeBytes(w http.ResponseWriter, r *http.Request, contentType string, body []byte, etag string) {
	h := w.Header()
	h.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
