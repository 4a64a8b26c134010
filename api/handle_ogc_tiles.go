package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// OGC API – Tiles (OGC 20-057): the tile matrix sets, tileset metadata and
// tiles of each collection and of the dataset (every layer the caller may
// see, or those the collections parameter names), in WebMercatorQuad and
// WorldCRS84Quad. The XYZ routes (/tiles/{layers}/{z}/{x}/{y}.mvt and
// TileJSON) are in handle_tiles.go; both serve the same cache.

// tilesConformance are the OGC API – Tiles classes the tile routes implement.
var tilesConformance = []string{
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/collections-selection",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
}

// Link relations of OGC API – Tiles.
const (
	relTilingScheme  = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
	relTilingSchemes = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
	relTilesetsVec   = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
	relGeodata       = "http://www.opengis.net/def/rel/ogc/1.0/geodata"
	relDataset       = "http://www.opengis.net/def/rel/ogc/1.0/dataset"
	mediaTileJSON    = "application/vnd.mapbox.tile+json"
)

func (s *Server) routesOGCTiles(r chi.Router) {
	r.Get("/tileMatrixSets", s.handleTileMatrixSets)
	r.Get("/tileMatrixSets/{tms}", s.handleTileMatrixSet)
	r.Get("/collections/{layer}/tiles", s.handleTileSets)
	r.Get("/collections/{layer}/tiles/{tms}", s.handleTileSet)
	r.Get("/collections/{layer}/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}", s.handleOGCTile)
	if s.deps.Catalog != nil {
		r.Get("/tiles", s.handleDatasetTileSets)
		r.Get("/tiles/{tms}", s.handleDatasetTileSet)
		r.Get("/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}", s.handleDatasetTile)
	}
}

func (s *Server) handleTileMatrixSets(w http.ResponseWriter, r *http.Request) {
	if _, err := checkF(r, "json"); err != nil {
		s.writeError(w, r, err)
		return
	}
	base := s.baseURL(r)
	var list []map[string]any
	for _, tms := range tiles.MatrixSets() {
		href := base + "/tileMatrixSets/" + tms.ID
		list = append(list, map[string]any{"id": tms.ID, "title": tms.Title, "uri": tms.URI, "crs": tms.CRS,
			"links": []tiles.Link{{Href: href, Rel: "self", Type: mediaJSON, Title: tms.Title},
				{Href: href, Rel: relTilingScheme, Type: mediaJSON, Title: tms.Title}}})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"tileMatrixSets": list,
		"links":          []tiles.Link{{Href: base + "/tileMatrixSets", Rel: "self", Type: mediaJSON, Title: "Tile matrix sets"}},
	})
}

// matrixSet returns the tile matrix set the path's {tms} names, or a 404.
func matrixSet(r *http.Request) (*tiles.TileMatrixSet, error) {
	id := chi.URLParam(r, "tms")
	tms, ok := tiles.MatrixSet(id)
	if !ok {
		return nil, errorf(http.StatusNotFound, "no tile matrix set %q (served: %s, %s)", id, tiles.WebMercatorQuad, tiles.WorldCRS84Quad)
	}
	return tms, nil
}

func (s *Server) handleTileMatrixSet(w http.ResponseWriter, r *http.Request) {
	tms, err := matrixSet(r)
	if err == nil {
		_, err = checkF(r, "json")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tms.Links = []tiles.Link{{Href: s.baseURL(r) + "/tileMatrixSets/" + tms.ID, Rel: "self", Type: mediaJSON, Title: tms.Title}}
	writeJSON(w, http.StatusOK, tms)
}

// collectionLayer returns the one visible layer a /collections/{layer} path names.
func (s *Server) collectionLayer(r *http.Request) (layers.Layer, error) {
	id := chi.URLParam(r, "layer")
	if !layers.ValidID(id) {
		return layers.Layer{}, errorf(http.StatusNotFound, "no such collection: %s", id)
	}
	ls, err := s.deps.Tiles.Layers([]string{id}, s.mayRead(r))
	if err != nil {
		return layers.Layer{}, err
	}
	return ls[0], nil
}

// tileSet is the tileset of layer l in tile matrix set tms.
func (s *Server) tileSet(r *http.Request, l layers.Layer, tms string) *tiles.TileSet {
	base := s.baseURL(r)
	coll := base + "/collections/" + url.PathEscape(l.ID)
	self := coll + "/tiles/" + tms
	spec := tiles.TileSetSpec{TMS: tms, Layers: []layers.Layer{l}, Self: self, TMSURL: base + "/tileMatrixSets/" + tms,
		TileURL:  self + "/{tileMatrix}/{tileRow}/{tileCol}?v=" + tiles.Versions([]layers.Layer{l}),
		LayerURL: func(string) string { return coll },
		Links:    []tiles.Link{{Href: coll, Rel: relGeodata, Type: mediaJSON, Title: l.Title}}}
	if tms == tiles.WebMercatorQuad {
		spec.Links = append(spec.Links, tiles.Link{Href: base + "/tiles/" + url.PathEscape(l.ID) + ".json", Rel: "alternate", Type: mediaTileJSON, Title: "TileJSON"})
	}
	return tiles.NewTileSet(spec)
}

// tileSetItems lists tilesets as a tilesets-list answer does: the summary
// members and links of each.
func tileSetItems(sets []*tiles.TileSet) []map[string]any {
	out := make([]map[string]any, 0, len(sets))
	for _, ts := range sets {
		out = append(out, map[string]any{"title": ts.Title, "dataType": ts.DataType, "crs": ts.CRS,
			"tileMatrixSetURI": ts.TileMatrixSetURI, "links": ts.Links})
	}
	return out
}

func (s *Server) handleTileSets(w http.ResponseWriter, r *http.Request) {
	l, err := s.collectionLayer(r)
	if err == nil {
		_, err = checkF(r, "json")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var sets []*tiles.TileSet
	for _, tms := range tiles.MatrixSets() {
		sets = append(sets, s.tileSet(r, l, tms.ID))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"links":    []tiles.Link{{Href: s.baseURL(r) + "/collections/" + url.PathEscape(l.ID) + "/tiles", Rel: "self", Type: mediaJSON, Title: "Tilesets of " + l.Title}},
		"tilesets": tileSetItems(sets),
	})
}

func (s *Server) handleTileSet(w http.ResponseWriter, r *http.Request) {
	tms, err := matrixSet(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.collectionLayer(r)
	if err == nil {
		_, err = checkF(r, "json")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.tileSet(r, l, tms.ID))
}

// handleOGCTile serves a collection's tile: OGC API – Tiles orders the
// path tileMatrix/tileRow/tileCol (z/y/x). A tile outside the matrix set or
// outside the collection's tileset limits is a 404.
func (s *Server) handleOGCTile(w http.ResponseWriter, r *http.Request) {
	tms := chi.URLParam(r, "tms")
	t, err := tiles.ParseMatrixTile(tms, chi.URLParam(r, "tileMatrix"), chi.URLParam(r, "tileRow"), chi.URLParam(r, "tileCol"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.collectionLayer(r)
	if err == nil {
		err = tiles.OutsideLimits(tms, t, tiles.Limits(tms, []layers.Layer{l}))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.serveTileIn(w, r, tms, []string{l.ID}, t)
}

// datasetLayers are the layers of the dataset's tiles: those the
// collections parameter names (ids, or URLs of collections), each visible
// to the caller, else every layer the caller may see.
func (s *Server) datasetLayers(r *http.Request) ([]layers.Layer, string, error) {
	q := r.URL.Query()
	if !q.Has("collections") {
		p := principal(r)
		var ls []layers.Layer
		for _, l := range s.deps.Catalog.Snapshot().Layers() {
			if p.CanRead(l) {
				ls = append(ls, *l)
			}
		}
		return ls, "", nil
	}
	var ids []string
	for _, c := range strings.Split(q.Get("collections"), ",") {
		c = strings.TrimSpace(c)
		if i := strings.LastIndex(c, "/collections/"); i >= 0 {
			c = strings.Trim(c[i+len("/collections/"):], "/")
		}
		if c != "" {
			ids = append(ids, c)
		}
	}
	if len(ids) == 0 {
		return nil, "", badParam("collections", "name at least one collection (a comma-separated list of ids)")
	}
	if _, err := tiles.ParseLayerList(strings.Join(ids, ",")); err != nil {
		return nil, "", badParam("collections", "%s", strings.TrimPrefix(err.Error(), "layers: layers: "))
	}
	ls, err := s.deps.Tiles.Layers(ids, s.mayRead(r))
	if err != nil {
		return nil, "", err
	}
	return ls, strings.Join(ids, ","), nil
}

// datasetTileSet is the dataset's tileset in tile matrix set tms, of
// layers ls (named by the collections parameter list, or "" for all).
func (s *Server) datasetTileSet(r *http.Request, tms string, ls []layers.Layer, list string) *tiles.TileSet {
	base := s.baseURL(r)
	self := base + "/tiles/" + tms
	query := "?v=" + tiles.Versions(ls)
	if list != "" {
		self += "?collections=" + url.QueryEscape(list)
		query = "?collections=" + url.QueryEscape(list) + "&v=" + tiles.Versions(ls)
	}
	return tiles.NewTileSet(tiles.TileSetSpec{TMS: tms, Layers: ls, Title: s.cfg.Title, Description: s.cfg.Description,
		Self: self, TMSURL: base + "/tileMatrixSets/" + tms,
		TileURL:  base + "/tiles/" + tms + "/{tileMatrix}/{tileRow}/{tileCol}" + query,
		LayerURL: func(id string) string { return base + "/collections/" + url.PathEscape(id) },
		Links:    []tiles.Link{{Href: base + "/", Rel: relDataset, Type: mediaJSON, Title: s.cfg.Title}}})
}

func (s *Server) handleDatasetTileSets(w http.ResponseWriter, r *http.Request) {
	if _, err := checkF(r, "json"); err != nil {
		s.writeError(w, r, err)
		return
	}
	ls, list, err := s.datasetLayers(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var sets []*tiles.TileSet
	for _, tms := range tiles.MatrixSets() {
		sets = append(sets, s.datasetTileSet(r, tms.ID, ls, list))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"links":    []tiles.Link{{Href: s.baseURL(r) + "/tiles", Rel: "self", Type: mediaJSON, Title: "The dataset's tilesets"}},
		"tilesets": tileSetItems(sets),
	})
}

func (s *Server) handleDatasetTileSet(w http.ResponseWriter, r *http.Request) {
	tms, err := matrixSet(r)
	if err == nil {
		_, err = checkF(r, "json")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ls, list, err := s.datasetLayers(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.datasetTileSet(r, tms.ID, ls, list))
}

func (s *Server) handleDatasetTile(w http.ResponseWriter, r *http.Request) {
	tms := chi.URLParam(r, "tms")
	t, err := tiles.ParseMatrixTile(tms, chi.URLParam(r, "tileMatrix"), chi.URLParam(r, "tileRow"), chi.URLParam(r, "tileCol"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ls, _, err := s.datasetLayers(r)
	if err == nil && len(ls) == 0 {
		err = errorf(http.StatusNotFound, "the dataset has no layer the caller may see")
	}
	if err == nil {
		err = tiles.OutsideLimits(tms, t, tiles.Limits(tms, ls))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	s.serveTileIn(w, r, tms, ids, t)
}
