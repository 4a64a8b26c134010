package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb/maptile"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// Defaults of the tile responses' Cache-Control.
const (
	// DefaultTileCacheControl is for tile URLs without a version (or with a
	// stale one): clients may reuse a tile briefly, then revalidate (ETag).
	DefaultTileCacheControl = "public, max-age=60"
	// DefaultVersionedTileCacheControl is for URLs carrying the current data
	// versions (?v=, as TileJSON writes them): the bytes behind such a URL never
	// change, so they may be kept.
	DefaultVersionedTileCacheControl = "public, max-age=604800, immutable"
)

func (s *Server) routesTiles(r chi.Router) {
	if s.deps.Tiles == nil {
		return
	}
	r.Get("/tiles/{layers}/{z}/{x}/{y}.mvt", s.handleTile)
	r.Get("/tiles/{layers}.json", s.handleTileJSON)
	s.routesOGCTiles(r)
}

// mayRead is the tile service's access check for this request: the
// catalog's rule for the request's principal.
func (s *Server) mayRead(r *http.Request) func(layers.Layer) bool {
	p := principal(r)
	return func(l layers.Layer) bool { return p.CanRead(&l) }
}

func (s *Server) handleTile(w http.ResponseWriter, r *http.Request) {
	ids, err := tiles.ParseLayerList(chi.URLParam(r, "layers"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := tiles.ParseTile(chi.URLParam(r, "z"), chi.URLParam(r, "x"), chi.URLParam(r, "y"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.serveTileIn(w, r, "", ids, t)
}

// serveTileIn answers with tile t of layers ids in tile matrix set tms (""
// for WebMercatorQuad).
func (s *Server) serveTileIn(w http.ResponseWriter, r *http.Request, tms string, ids []string, t maptile.Tile) {
	req := tiles.Request{Layers: ids, TMS: tms, Tile: t, MayRead: s.mayRead(r)}
	q := r.URL.Query()
	if q.Has("properties") {
		req.Properties = []string{}
		for _, p := range strings.Split(q.Get("properties"), ",") {
			if p = strings.TrimSpace(p); p != "" {
				req.Properties = append(req.Properties, p)
			}
		}
	}
	if hasFilter(q) {
		ls, err := s.deps.Tiles.Layers(ids, req.MayRead)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if req.Filters, err = tileFilters(q, ls); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	res, err := s.deps.Tiles.Tile(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.tileMetrics.observe(res, t)

	h := w.Header()
	cc := s.cfg.TileCacheControl
	if v := q.Get("v"); v != "" && v == tiles.Versions(res.Layers) {
		cc = s.cfg.VersionedTileCacheControl
	}
	for _, l := range res.Layers {
		if l.Access != layers.Public {
			cc = strings.Replace(cc, "public", "private", 1)
			h.Add("Vary", "Authorization")
			break
		}
	}
	h.Set("Cache-Control", cc)
	h.Add("Vary", "Accept-Encoding")
	if res.Hit {
		h.Set("X-Cache", "hit")
	} else {
		h.Set("X-Cache", "miss")
	}
	if len(res.Capped) > 0 {
		h.Set("X-Feature-Cap", strings.Join(res.Capped, ", "))
	}
	if len(res.SizeCapped) > 0 {
		h.Set("X-Tile-Size-Cap", strings.Join(res.SizeCapped, ", "))
	}
	body, etag := res.MVT, res.ETag
	gz := len(res.MVT) > 0 && acceptsGzip(r)
	if gz {
		etag = res.GzipETag()
	}
	h.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if len(res.MVT) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if gz {
		body = res.Gzip()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Type", tiles.MediaTypeMVT)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		n, _ := w.Write(body)
		s.tileMetrics.bytes.Add(float64(n))
	}
}

// acceptsGzip reports whether Accept-Encoding allows gzip (q > 0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(name) != "*" {
			continue
		}
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				return false
			}
		}
		return true
	}
	return false
}

// etagMatch applies If-None-Match's weak comparison (RFC 9110 13.1.2).
func etagMatch(header, etag string) bool {
	if strings.TrimSpace(header) == "*" {
		return true
	}
	for _, c := range strings.Split(header, ",") {
		c = strings.TrimPrefix(strings.TrimSpace(c), "W/")
		if c == etag {
			return true
		}
	}
	return false
}

func (s *Server) handleTileJSON(w http.ResponseWriter, r *http.Request) {
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
	list := strings.Join(ids, ",")
	u := s.baseURL(r) + "/tiles/" + list + "/{z}/{x}/{y}.mvt?v=" + tiles.Versions(ls)
	if p := r.URL.Query().Get("properties"); r.URL.Query().Has("properties") {
		u += "&properties=" + url.QueryEscape(p)
	}
	if q := r.URL.Query(); hasFilter(q) {
		fq, err := tileFilterQuery(q, ls)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		u += "&" + fq
	}
	tj := tiles.NewTileJSON(ls, u)
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, tj)
}

// tileMetrics are the tile routes' Prometheus metrics.
type tileMetrics struct {
	served *prometheus.CounterVec
	render prometheus.Histogram
	size   *prometheus.HistogramVec
	bytes  prometheus.Counter
}

func newTileMetrics(reg prometheus.Registerer) *tileMetrics {
	m := &tileMetrics{
		served: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coalmap_tiles_served_total", Help: "Layer tiles served, by layer, zoom and cache result (hit or miss).",
		}, []string{"layer", "zoom", "cache"}),
		render: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "coalmap_tile_render_seconds", Help: "Time to render a tile on a cache miss (all its layers).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		size: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "coalmap_tile_size_bytes", Help: "Uncompressed size of tiles served, by zoom.",
			Buckets: prometheus.ExponentialBuckets(256, 4, 8),
		}, []string{"zoom"}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "coalmap_tile_bytes_total", Help: "Tile body bytes sent (after compression).",
		}),
	}
	reg.MustRegister(m.served, m.render, m.size, m.bytes)
	return m
}

func (m *tileMetrics) observe(res *tiles.Result, t maptile.Tile) {
	z := strconv.Itoa(int(t.Z))
	cache := "miss"
	if res.Hit {
		cache = "hit"
	} else {
		m.render.Observe(res.RenderTime.Seconds())
	}
	for _, l := range res.Layers {
		m.served.WithLabelValues(l.ID, z, cache).Inc()
	}
	m.size.WithLabelValues(z).Observe(float64(len(res.MVT)))
}

// cacheCollector exports the tile cache's counters.
type cacheCollector struct {
	cache                                    *tiles.Cache
	hits, misses, evictions, entries, bytes_ *prometheus.Desc
	max                                      *prometheus.Desc
}

func newCacheCollector(c *tiles.Cache) *cacheCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("coalmap_tile_cache_"+name, help, nil, nil)
	}
	return &cacheCollector{cache: c,
		hits: d("hits_total", "Tile cache lookups that hit."), misses: d("misses_total", "Tile cache lookups that missed."),
		evictions: d("evictions_total", "Tiles evicted to stay within the byte bound."),
		entries:   d("entries", "Tiles in the cache."), bytes_: d("bytes", "Bytes held by the cache."),
		max: d("max_bytes", "The cache's byte bound.")}
}

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.hits, c.misses, c.evictions, c.entries, c.bytes_, c.max} {
		ch <- d
	}
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.cache.Stats()
	ch <- prometheus.MustNewConstMetric(c.hits, prometheus.CounterValue, float64(st.Hits))
	ch <- prometheus.MustNewConstMetric(c.misses, prometheus.CounterValue, float64(st.Misses))
	ch <- prometheus.MustNewConstMetric(c.evictions, prometheus.CounterValue, float64(st.Evictions))
	ch <- prometheus.MustNewConstMetric(c.entries, prometheus.GaugeValue, float64(st.Entries))
	ch <- prometheus.MustNewConstMetric(c.bytes_, prometheus.GaugeValue, float64(st.Bytes))
	ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(st.MaxBytes))
}
