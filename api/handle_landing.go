package api

import (
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5"
)

// Media types of the OGC API responses.
const (
	mediaJSON    = "application/json"
	mediaGeoJSON = "application/geo+json"
	mediaOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	mediaSchema  = "application/schema+json"
	mediaCSV     = "text/csv; charset=utf-8"
)

// conformance are the OGC API – Features classes the service implements;
// conformsTo adds those of the other parts mounted.
var conformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
	// CQL2 (OGC 21-065r2): both encodings; comparisons, LIKE/BETWEEN/IN,
	// CASEI, every spatial function over every geometry type, operands on
	// either side (see package cql2).
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
	"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
	"http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
	"http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/property-property",
	// Part 8 (sorting): sortby on items, /sortables.
	"http://www.opengis.net/spec/ogcapi-features-8/1.0/conf/sortables",
	"http://www.opengis.net/spec/ogcapi-features-8/1.0/conf/sorting",
	"http://www.opengis.net/spec/ogcapi-features-8/1.0/conf/features-sorting",
	// Part 4: POST/PUT/DELETE and PATCH (JSON merge patch) on items, with
	// ETag / If-Match optimistic locking, GeoJSON features.
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
}

// link is an OGC API / RFC 8288 link.
type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

func (s *Server) routesLanding(r chi.Router) {
	r.Get("/", s.handleLanding)
	r.Get("/conformance", s.handleConformance)
	r.Get("/api", s.handleAPI)
}

// checkF accepts f=json (or no f) and answers 400 naming f otherwise.
func checkF(r *http.Request, allowed ...string) (string, error) {
	f := r.URL.Query().Get("f")
	if f == "" {
		return allowed[0], nil
	}
	for _, a := range allowed {
		if f == a {
			return f, nil
		}
	}
	return "", badParam("f", "unsupported format %q (want %v)", f, allowed)
}

func (s *Server) handleLanding(w http.ResponseWriter, r *http.Request) {
	if _, err := checkF(r, "json"); err != nil {
		s.writeError(w, r, err)
		return
	}
	base := s.baseURL(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"title":       s.cfg.Title,
		"description": s.cfg.Description,
		"version":     s.cfg.Version,
		"links": append([]link{
			{Href: base + "/", Rel: "self", Type: mediaJSON, Title: "This document"},
			{Href: base + "/api", Rel: "service-desc", Type: mediaOpenAPI, Title: "The API definition (OpenAPI 3.0)"},
			{Href: base + "/conformance", Rel: "conformance", Type: mediaJSON, Title: "Conformance classes"},
			{Href: base + "/collections", Rel: "data", Type: mediaJSON, Title: "The layers"},
		}, s.landingLinks(base)...),
	})
}

// conformsTo lists the conformance classes of every part mounted.
func (s *Server) conformsTo() []string {
	out := append([]string(nil), conformance...)
	if s.deps.Tiles != nil {
		out = append(out, tilesConformance...)
	}
	if s.processesMounted() {
		out = append(out, processesConformance...)
	}
	if s.recordsMounted() {
		out = append(out, recordsConformance...)
	}
	return out
}

// landingLinks are the landing page's links to the parts mounted beside
// the features.
func (s *Server) landingLinks(base string) []link {
	var out []link
	if s.deps.Tiles != nil {
		out = append(out,
			link{Href: base + "/tiles", Rel: relTilesetsVec, Type: mediaJSON, Title: "Vector tilesets of the dataset"},
			link{Href: base + "/tileMatrixSets", Rel: relTilingSchemes, Type: mediaJSON, Title: "Tile matrix sets"})
	}
	if s.processesMounted() {
		out = append(out,
			link{Href: base + "/processes", Rel: relProcesses, Type: mediaJSON, Title: "Processes"},
			link{Href: base + "/jobs", Rel: relJobList, Type: mediaJSON, Title: "Jobs"})
	}
	if s.recordsMounted() {
		// A searchable catalog's access endpoint is its items (Records
		// autodiscovery).
		out = append(out, link{Href: base + "/collections/" + catalogID + "/items", Rel: "http://www.opengis.net/def/rel/ogc/1.0/ogc-catalog",
			Type: mediaGeoJSON, Title: "The layer catalog as OGC API – Records"})
	}
	return out
}

func (s *Server) handleConformance(w http.ResponseWriter, r *http.Request) {
	if _, err := checkF(r, "json"); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"conformsTo": s.conformsTo()})
}

func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	if _, err := checkF(r, "json"); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", mediaOpenAPI)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s.openAPI(s.baseURL(r)))
}
