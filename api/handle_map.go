package api

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// webDist holds the planner's web map as built by `npm run build` in web/
// (make build and make test run it). In a tree where it was never built the
// directory holds only .gitkeep and /map answers with a page that says so.
//
//go:embed all:web/dist
var webDist embed.FS

// mapCSP lets the page load nothing but its own scripts, styles, tiles and
// API answers: no CDN, no external font or basemap. MapLibre draws labels
// with the browser's fonts (no glyph server), decodes tiles in module workers
// from /map/assets, and hands downloads over as blob: URLs.
const mapCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self'; connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// mapPlaceholder is served at /map when the assets were not built.
const mapPlaceholder = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>coalmap — web map not built</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto">
<h1>The web map was not built into this binary</h1>
<p>This coalmap binary was compiled without the web map's assets. Build them and the binary
again from the repository's root with <code>make build</code> (it runs
<code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>, then <code>go build</code>),
or simply <code>make run</code>.</p>
<p>The API itself works: see <a href="/collections">/collections</a>.</p>
</body></html>
`

func (s *Server) routesMap(r chi.Router) {
	dist, err := fs.Sub(webDist, "web/dist")
	if err != nil { // cannot happen: the directory is embedded
		panic(err)
	}
	h := newMapHandler(dist)
	r.Get("/map", h.index)
	r.Get("/map/", h.index)
	r.Get("/map/assets/*", h.asset)
}

// mapHandler serves the web map from a file tree with index.html at its root
// and the bundled assets under assets/.
type mapHandler struct {
	files   fs.FS
	page    []byte // index.html, or the placeholder
	etag    string
	modTime time.Time
}

func newMapHandler(files fs.FS) *mapHandler {
	h := &mapHandler{files: files, modTime: time.Now()}
	b, err := fs.ReadFile(files, "index.html")
	if err != nil {
		b = []byte(mapPlaceholder)
	}
	h.page = b
	sum := sha256.Sum256(b)
	h.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	return h
}

func setMapSecurityHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", mapCSP)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
}

// index serves the page itself, also as the printable clearance report
// (/map?report=1#…: the page reads the query and the fragment). It must be
// revalidated on every load so that a new build's asset names are picked up;
// the assets it names never change.
func (h *mapHandler) index(w http.ResponseWriter, r *http.Request) {
	setMapSecurityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", h.etag)
	http.ServeContent(w, r, "index.html", h.modTime, bytes.NewReader(h.page))
}

// assetTypes pins the content types of what the build produces, whatever the
// host's mime tables say (.mjs is unknown to many).
var assetTypes = map[string]string{
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".map":   "application/json",
	".json":  "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
	".txt":   "text/plain; charset=utf-8",
}

// asset serves a file under assets/. Their names carry a content hash, so they
// are cached for a year.
func (h *mapHandler) asset(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "*")
	if name == "" || strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	p := path.Join("assets", name)
	if fi, err := fs.Stat(h.files, p); errors.Is(err, fs.ErrNotExist) || (err == nil && fi.IsDir()) {
		writeJSON(w, http.StatusNotFound, errorBody{Error: "no such asset: " + name})
		return
	}
	b, err := fs.ReadFile(h.files, p)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal error"})
		return
	}
	ct, ok := assetTypes[path.Ext(p)]
	if !ok {
		ct = mime.TypeByExtension(path.Ext(p))
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	setMapSecurityHeaders(w)
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, p, h.modTime, bytes.NewReader(b))
}
