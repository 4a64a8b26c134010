package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/coalmap/coalmap/layers"
)

func (s *Server) routesCollections(r chi.Router) {
	r.Get("/collections", s.handleCollections)
	r.Get("/collections/{layer}", s.handleCollection)
	r.Put("/collections/{layer}", s.handlePutCollection)
	r.Delete("/collections/{layer}", s.handleDeleteCollection)
	r.Get("/collections/{layer}/queryables", s.handleQueryables)
}

// collection is the OGC API collection document of l: the OGC members, then
// every metadata field of the catalog entry.
func (s *Server) collection(base string, l *layers.Layer) map[string]any {
	var m map[string]any
	b, _ := json.Marshal(l)
	_ = json.Unmarshal(b, &m)
	delete(m, "extent")
	self := base + "/collections/" + url.PathEscape(l.ID)
	m["itemType"] = "feature"
	m["crs"] = crsList()
	m["storageCrs"] = crs84URI
	if l.Extent != nil {
		m["extent"] = map[string]any{"spatial": map[string]any{"bbox": [][]float64{l.Extent[:]}, "crs": crs84URI}}
	}
	m["links"] = []link{
		{Href: self, Rel: "self", Type: mediaJSON, Title: l.Title},
		{Href: self + "/items", Rel: "items", Type: mediaGeoJSON, Title: "Features (GeoJSON)"},
		{Href: self + "/items?f=csv", Rel: "items", Type: "text/csv", Title: "Features (CSV)"},
		{Href: self + "/queryables", Rel: "http://www.opengis.net/def/rel/ogc/1.0/queryables", Type: mediaSchema, Title: "Queryable attributes"},
		// The draft's relation, which GDAL 3.6 follows to the queryables.
		{Href: self + "/queryables", Rel: "queryables", Type: mediaJSON, Title: "Queryable attributes"},
		{Href: self + "/sortables", Rel: "http://www.opengis.net/def/rel/ogc/1.0/sortables", Type: mediaSchema, Title: "Sortable attributes"},
		{Href: self + "/tiles", Rel: "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", Type: mediaJSON, Title: "Vector tiles"},
		{Href: base + "/tiles/" + url.PathEscape(l.ID) + ".json", Rel: "describedby", Type: "application/vnd.mapbox.tile+json", Title: "TileJSON"},
		{Href: base + "/tiles/" + url.PathEscape(l.ID) + "/{z}/{x}/{y}.mvt", Rel: "item", Type: "application/vnd.mapbox-vector-tile", Title: "Vector tiles (template)"},
	}
	return m
}

func (s *Server) handleCollections(w http.ResponseWriter, r *http.Request) {
	if _, err := checkF(r, "json"); err != nil {
		s.writeError(w, r, err)
		return
	}
	qs, err := parseQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for k := range qs {
		switch k {
		case "f", "q", "category":
		default:
			s.writeError(w, r, badParam(k, "unknown parameter (want q, category or f)"))
			return
		}
	}
	snap := s.deps.Catalog.Snapshot()
	list := snap.Layers()
	if q := strings.TrimSpace(qs.Get("q")); q != "" && s.deps.Search != nil {
		ids, err := s.deps.Search.SearchLayers(r.Context(), q)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		list = list[:0:0]
		for _, id := range ids {
			if l, ok := snap.Layer(id); ok {
				list = append(list, l)
			}
		}
	}
	cat := qs.Get("category")
	p := principal(r)
	base := s.baseURL(r)
	out := make([]map[string]any, 0, len(list))
	for _, l := range list {
		if !p.CanRead(l) || (cat != "" && string(l.Category) != cat) {
			continue
		}
		out = append(out, s.collection(base, l))
	}
	self := base + "/collections"
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"links": []link{
			{Href: self, Rel: "self", Type: mediaJSON, Title: "The collections"},
			{Href: base + "/", Rel: "root", Type: mediaJSON, Title: "Landing page"},
		},
		"numberMatched":  len(out),
		"numberReturned": len(out),
		"collections":    out,
	})
}

func (s *Server) handleCollection(w http.ResponseWriter, r *http.Request) {
	l, err := s.visibleLayer(r, chi.URLParam(r, "layer"))
	if err == nil {
		_, err = checkF(r, "json")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.collection(s.baseURL(r), l))
}

// jsonSchemaType is the JSON Schema of an attribute type.
func jsonSchemaType(t layers.AttrType) map[string]any {
	switch t {
	case layers.Integer:
		return map[string]any{"type": "integer"}
	case layers.Real:
		return map[string]any{"type": "number"}
	case layers.Boolean:
		return map[string]any{"type": "boolean"}
	case layers.Date:
		return map[string]any{"type": "string", "format": "date"}
	case layers.Timestamp:
		return map[string]any{"type": "string", "format": "date-time"}
	}
	return map[string]any{"type": "string"}
}

func (s *Server) handleQueryables(w http.ResponseWriter, r *http.Request) {
	l, err := s.visibleLayer(r, chi.URLParam(r, "layer"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	props := map[string]any{}
	for _, a := range l.Attributes {
		p := jsonSchemaType(a.Type)
		if a.Alias != "" {
			p["title"] = a.Alias
		}
		if a.Description != "" {
			p["description"] = a.Description
		}
		if a.Unit != "" {
			p["x-unit"] = a.Unit
		}
		if a.LabelHi != "" {
			p["x-label-hi"] = a.LabelHi
		}
		if t, ok := l.TemporalAttribute(); ok && t.Name == a.Name {
			p["x-ogc-role"] = "primary-instant" // what datetime selects on
		}
		props[a.Name] = p
	}
	props["geom"] = map[string]any{"format": "geometry-" + strings.ToLower(string(l.GeometryType)), "x-ogc-role": "primary-geometry"}
	// The draft's list of queryables ({"queryables":[{"id":…}]}) beside the
	// JSON Schema, for clients of the draft (GDAL 3.6).
	legacy := []map[string]string{}
	for _, a := range l.Attributes {
		legacy = append(legacy, map[string]string{"id": a.Name, "type": jsonSchemaType(a.Type)["type"].(string)})
	}
	base := s.baseURL(r)
	w.Header().Set("Content-Type", schemaMediaType(r))
	w.Header().Add("Vary", "Accept")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"$schema":              "https://json-schema.org/draft/2019-09/schema",
		"$id":                  base + "/collections/" + url.PathEscape(l.ID) + "/queryables",
		"type":                 "object",
		"title":                l.Title,
		"properties":           props,
		"additionalProperties": false,
		"queryables":           legacy,
	})
}

// editable are the members a PUT may change; readOnly are members of the
// collection document it may carry back unchanged (and that are ignored).
var (
	editable = map[string]bool{"title": true, "title_hi": true, "description": true, "category": true, "keywords": true,
		"owner": true, "custodian": true, "source_crs": true, "scale": true, "accuracy": true, "attributes": true,
		"status": true, "update_frequency": true, "revised_at": true, "license": true, "access": true,
		"min_zoom": true, "max_zoom": true, "style": true}
	readOnly = map[string]bool{"id": true, "geometry_type": true, "srid": true, "lineage": true, "feature_count": true,
		"extent": true, "data_version": true, "created_at": true, "updated_at": true, "links": true, "itemType": true,
		"crs": true, "storageCrs": true}
)

// maxMetadataBody caps a metadata document.
const maxMetadataBody = 1 << 20

func (s *Server) handlePutCollection(w http.ResponseWriter, r *http.Request) {
	if !s.requireWrite(w, r) {
		return
	}
	l, err := s.visibleLayer(r, chi.URLParam(r, "layer"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxMetadataBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.writeError(w, r, errorf(http.StatusRequestEntityTooLarge, "metadata larger than %d bytes", maxMetadataBody))
		return
	}
	if err != nil {
		s.writeError(w, r, errorf(http.StatusBadRequest, "reading the body: %v", err))
		return
	}
	var patch map[string]json.RawMessage
	if err := json.Unmarshal(body, &patch); err != nil {
		s.writeError(w, r, &Error{Status: http.StatusBadRequest, Message: "body: not a JSON object: " + err.Error(), Detail: map[string]string{"field": "body"}})
		return
	}
	if raw, ok := patch["id"]; ok {
		var id string
		if json.Unmarshal(raw, &id) != nil || id != l.ID {
			s.writeError(w, r, &Error{Status: http.StatusBadRequest, Message: "id: the body's id differs from the URL's", Detail: map[string]string{"field": "id"}})
			return
		}
	}
	var unknown []string
	for k := range patch {
		if !editable[k] && !readOnly[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		s.writeError(w, r, &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("unknown metadata field %q", unknown[0]),
			Detail: map[string]any{"field": unknown[0]}})
		return
	}
	// Merge the editable members over the current entry.
	var merged map[string]json.RawMessage
	cur, _ := json.Marshal(l)
	_ = json.Unmarshal(cur, &merged)
	for k, v := range patch {
		if editable[k] {
			merged[k] = v
		}
	}
	mb, _ := json.Marshal(merged)
	var next layers.Layer
	if err := json.Unmarshal(mb, &next); err != nil {
		field := ""
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field = te.Field
		}
		s.writeError(w, r, &Error{Status: http.StatusBadRequest, Message: "metadata: " + err.Error(), Detail: map[string]string{"field": field}})
		return
	}
	if _, err := s.deps.Store.PutLayer(r.Context(), &next, principal(r).Actor()); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.deps.Catalog.Refresh(r.Context()); err != nil {
		s.writeError(w, r, err)
		return
	}
	nl, _ := s.deps.Catalog.Layer(next.ID)
	if nl == nil {
		nl = &next
	}
	writeJSON(w, http.StatusOK, s.collection(s.baseURL(r), nl))
}

func (s *Server) handleDeleteCollection(w http.ResponseWriter, r *http.Request) {
	if !s.requireWrite(w, r) {
		return
	}
	l, err := s.visibleLayer(r, chi.URLParam(r, "layer"))
	if err == nil {
		err = s.deps.Store.DeleteLayer(r.Context(), l.ID, principal(r).Actor())
	}
	if err == nil {
		err = s.deps.Catalog.Refresh(r.Context())
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
