package api

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/coalmap/coalmap/layers"
)

// OGC API – Records – Part 1 (OGC 20-004): the layer catalog as a
// searchable record collection, /collections/catalog. Each layer the caller
// may see is a record of type "dataset" carrying the IS 16439 / ISO 19115
// fields the catalog keeps; each process is a record of type "service".
// Search by q, bbox, datetime, type, ids, keywords and category, with facet
// counts over the records matched. Restricted layers are as invisible here
// as anywhere else.

// catalogID is the id of the record collection. A layer cannot use it: the
// record collection's routes come first.
const catalogID = "catalog"

// recordsConformance are the OGC API – Records classes of the catalog.
var recordsConformance = []string{
	"http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core",
	"http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-collection",
	"http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core-query-parameters",
	"http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/records-api",
	"http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/searchable-catalog",
	"http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/json",
	"http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/oas30",
}

// Record types.
const (
	recordDataset = "dataset"
	recordService = "service"
)

// Bounds of a records page.
const (
	defaultRecordLimit = 10
	maxRecordLimit     = 1000
	maxFacetValues     = 50
)

// mediaStyle is the media type of a MapLibre style document.
const mediaStyle = "application/vnd.mapbox.style+json"

// recordsMounted reports whether the record collection is served.
func (s *Server) recordsMounted() bool {
	return s.deps.Catalog != nil && s.deps.Store != nil && s.deps.Features != nil
}

func (s *Server) routesRecords(r chi.Router) {
	if !s.recordsMounted() {
		return
	}
	r.Get("/collections/"+catalogID, s.handleCatalog)
	r.Get("/collections/"+catalogID+"/items", s.handleRecords)
	r.Get("/collections/"+catalogID+"/items/{record}", s.handleRecord)
}

// record is one record of the catalog and what its search reads.
type record struct {
	id, typ    string
	doc        map[string]any
	text       []string // the fields q searches
	keywords   []string
	category   string
	extent     *layers.Extent
	time       *time.Time
	restricted bool
}

// records returns every record the caller may see, datasets then
// services, each in id order.
func (s *Server) records(r *http.Request) []record {
	base := s.baseURL(r)
	p := principal(r)
	var out []record
	for _, l := range s.deps.Catalog.Snapshot().Layers() {
		if p.CanRead(l) {
			out = append(out, s.layerRecord(base, l))
		}
	}
	if s.processesMounted() {
		var services []record
		for _, pr := range s.processes() {
			if _, ok := s.process(pr.id); ok {
				services = append(services, s.processRecord(base, pr))
			}
		}
		sort.Slice(services, func(i, j int) bool { return services[i].id < services[j].id })
		out = append(out, services...)
	}
	return out
}

func humanise(id string) string {
	s := strings.ReplaceAll(id, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// layerRecord is the record of layer l: the record core members, then the
// IS 16439 / ISO 19115 elements the catalog keeps, and links to the
// layer's features, tiles and style.
func (s *Server) layerRecord(base string, l *layers.Layer) record {
	rec := record{id: l.ID, typ: recordDataset, keywords: l.Keywords, category: string(l.Category), extent: l.Extent,
		restricted: l.Access != layers.Public, time: l.RevisedAt}
	rec.text = append([]string{l.Title, l.TitleHi, l.Description, string(l.Category), humanise(string(l.Category)), l.Owner,
		l.Custodian.Name, l.Custodian.Organisation, l.Lineage.Statement, l.Lineage.Source}, l.Keywords...)
	coll := base + "/collections/" + url.PathEscape(l.ID)
	var contacts []map[string]any
	if c := l.Custodian; c.Name != "" || c.Organisation != "" {
		m := map[string]any{"roles": []string{"custodian"}}
		if c.Name != "" {
			m["name"] = c.Name
		}
		if c.Organisation != "" {
			m["organization"] = c.Organisation
		}
		if c.Email != "" {
			m["emails"] = []map[string]string{{"value": c.Email}}
		}
		if c.Phone != "" {
			m["phones"] = []map[string]string{{"value": c.Phone}}
		}
		contacts = append(contacts, m)
	}
	if l.Owner != "" {
		contacts = append(contacts, map[string]any{"organization": l.Owner, "roles": []string{"owner"}})
	}
	props := map[string]any{
		"type":        recordDataset,
		"title":       l.Title,
		"description": l.Description,
		"keywords":    nonNil(l.Keywords),
		"language":    map[string]string{"code": "en"},
		"themes": []map[string]any{{"scheme": base + "/collections/" + catalogID + "/items?category",
			"concepts": []map[string]string{{"id": string(l.Category), "title": humanise(string(l.Category))}}}},
		"formats": []map[string]string{{"name": "GeoJSON", "mediaType": mediaGeoJSON}, {"name": "CSV", "mediaType": "text/csv"},
			{"name": "Mapbox Vector Tiles", "mediaType": "application/vnd.mapbox-vector-tile"}},
		"created": rfc3339(l.CreatedAt),
		"updated": rfc3339(l.UpdatedAt),
		// IS 16439 / ISO 19115 elements, as the catalog keeps them.
		"category":      string(l.Category),
		"geometry_type": string(l.GeometryType),
		"feature_count": l.FeatureCount,
		"data_version":  l.DataVersion,
		"access":        l.Access.String(),
		"lineage":       l.Lineage,
		"crs":           map[string]any{"storage": crs84URI, "source": l.SourceCRS},
	}
	if contacts != nil {
		props["contacts"] = contacts
	}
	for k, v := range map[string]string{"title_hi": l.TitleHi, "license": l.License, "scale": l.Scale, "accuracy": l.Accuracy,
		"update_frequency": l.UpdateFrequency, "status": l.Status} {
		if v != "" {
			props[k] = v
		}
	}
	if l.Access != layers.Public {
		props["rights"] = "restricted: visible only with a token"
	}
	if l.RevisedAt != nil {
		props["revised_at"] = rfc3339(*l.RevisedAt)
	}
	var geom any
	if e := l.Extent; e != nil {
		props["extent"] = map[string]any{"spatial": map[string]any{"bbox": [][]float64{e[:]}, "crs": crs84URI}}
		geom = map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{{e[0], e[1]}, {e[2], e[1]}, {e[2], e[3]}, {e[0], e[3]}, {e[0], e[1]}}}}
	}
	var tm any
	if l.RevisedAt != nil {
		tm = map[string]string{"timestamp": rfc3339(*l.RevisedAt)}
	}
	self := base + "/collections/" + catalogID + "/items/" + url.PathEscape(l.ID)
	rec.doc = map[string]any{
		"id": l.ID, "type": "Feature", "geometry": geom, "time": tm,
		"conformsTo": []string{"http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"},
		"properties": props,
		"links": []link{
			{Href: self, Rel: "self", Type: mediaGeoJSON, Title: l.Title},
			{Href: base + "/collections/" + catalogID, Rel: "collection", Type: mediaJSON, Title: "The layer catalog"},
			{Href: coll, Rel: "describedby", Type: mediaJSON, Title: "The layer as an OGC API – Features collection"},
			{Href: coll + "/items", Rel: "items", Type: mediaGeoJSON, Title: "Features (GeoJSON)"},
			{Href: coll + "/items?f=csv", Rel: "items", Type: "text/csv", Title: "Features (CSV)"},
			{Href: coll + "/queryables", Rel: "http://www.opengis.net/def/rel/ogc/1.0/queryables", Type: mediaSchema, Title: "Attributes"},
			{Href: coll + "/tiles", Rel: relTilesetsVec, Type: mediaJSON, Title: "Vector tilesets"},
			{Href: base + "/tiles/" + url.PathEscape(l.ID) + ".json", Rel: "alternate", Type: mediaTileJSON, Title: "TileJSON"},
			{Href: base + "/styles/" + url.PathEscape(l.ID), Rel: "stylesheet", Type: mediaStyle, Title: "MapLibre style"},
		},
	}
	return rec
}

// processRecord is the record of a process: a service.
func (s *Server) processRecord(base string, p *process) record {
	self := base + "/processes/" + p.id
	rec := record{id: "process-" + p.id, typ: recordService, keywords: p.keywords,
		text: append([]string{p.title, p.description}, p.keywords...)}
	rec.doc = map[string]any{
		"id": rec.id, "type": "Feature", "geometry": nil, "time": nil,
		"conformsTo": []string{"http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"},
		"properties": map[string]any{"type": recordService, "title": p.title, "description": p.description,
			"keywords": nonNil(p.keywords), "language": map[string]string{"code": "en"},
			"formats": []map[string]string{{"name": "JSON", "mediaType": mediaJSON}}},
		"links": []link{
			{Href: base + "/collections/" + catalogID + "/items/" + rec.id, Rel: "self", Type: mediaGeoJSON, Title: p.title},
			{Href: base + "/collections/" + catalogID, Rel: "collection", Type: mediaJSON, Title: "The layer catalog"},
			{Href: self, Rel: "describedby", Type: mediaJSON, Title: "The process description (OGC API – Processes)"},
			{Href: self + "/execution", Rel: relExecute, Type: mediaJSON, Title: "Execute " + p.title},
		},
	}
	return rec
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

func (s *Server) handleCatalog(w http.ResponseWriter, r *http.Request) {
	if _, err := checkF(r, "json"); err != nil {
		s.writeError(w, r, err)
		return
	}
	base := s.baseURL(r)
	self := base + "/collections/" + catalogID
	recs := s.records(r)
	var ext *layers.Extent
	for _, rec := range recs {
		if e := rec.extent; e != nil {
			if ext == nil {
				c := *e
				ext = &c
			} else {
				ext = &layers.Extent{min(ext[0], e[0]), min(ext[1], e[1]), max(ext[2], e[2]), max(ext[3], e[3])}
			}
		}
	}
	doc := map[string]any{
		"id": catalogID, "type": "Catalog", "itemType": "record",
		"title":       s.cfg.Title + ": the layer catalog",
		"description": "Every layer of the catalog as a metadata record (IS 16439 / ISO 19115 elements: titles in English and Hindi, abstract, custodian, lineage, scale, accuracy, update frequency, licence, extent, CRS), and the processes as service records.",
		"keywords":    []string{"catalog", "metadata", "IS 16439", "ISO 19115", "coal"},
		"language":    map[string]string{"code": "en"},
		"crs":         []string{crs84URI},
		"links": []link{
			{Href: self, Rel: "self", Type: mediaJSON, Title: "The layer catalog"},
			{Href: self + "/items", Rel: "items", Type: mediaGeoJSON, Title: "The records"},
			{Href: base + "/", Rel: "root", Type: mediaJSON, Title: "Landing page"},
		},
	}
	if ext != nil {
		doc["extent"] = map[string]any{"spatial": map[string]any{"bbox": [][]float64{ext[:]}, "crs": crs84URI}}
	}
	writeJSON(w, http.StatusOK, doc)
}

// recordQuery is a search of the catalog.
type recordQuery struct {
	terms      []*regexp.Regexp // q: any of them
	bbox       *layers.Extent
	from, to   *time.Time // datetime; nil ends are open
	datetime   bool
	types      []string
	ids        []string
	externalID bool
	keywords   []string
	categories []string
}

// listParam splits a comma-separated parameter (repeated ones add up).
func listParam(qs url.Values, name string) []string {
	var out []string
	for _, v := range qs[name] {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

// qTerms reads q: comma-separated terms, any of which may match; the words
// of one term must appear in order, separated by any white space.
func qTerms(v string) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, term := range strings.Split(v, ",") {
		words := strings.Fields(term)
		if len(words) == 0 {
			continue
		}
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		out = append(out, regexp.MustCompile(`(?i)`+strings.Join(words, `\s+`)))
	}
	return out
}

// parseInstant reads a datetime end: RFC 3339, or a date (its start).
func parseInstant(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}

func parseRecordQuery(qs url.Values) (*recordQuery, int, int, error) {
	for k := range qs {
		switch k {
		case "f", "q", "bbox", "datetime", "type", "ids", "externalIds", "keywords", "category", "limit", "offset":
		default:
			return nil, 0, 0, badParam(k, "unknown parameter (want q, bbox, datetime, type, ids, externalIds, keywords, category, limit, offset or f)")
		}
	}
	q := &recordQuery{terms: qTerms(qs.Get("q")), types: listParam(qs, "type"), ids: listParam(qs, "ids"),
		keywords: listParam(qs, "keywords"), categories: listParam(qs, "category"), externalID: qs.Has("externalIds")}
	if qs.Has("q") && len(q.terms) == 0 {
		return nil, 0, 0, badParam("q", "give at least one search term")
	}
	if qs.Has("bbox") {
		b, err := parseBBox(qs.Get("bbox"), outputCRS{URI: crs84URI, SRID: layers.StorageSRID})
		if err != nil {
			return nil, 0, 0, err
		}
		e := layers.ExtentOf(b.Bound)
		q.bbox = &e
	}
	if v := qs.Get("datetime"); qs.Has("datetime") {
		q.datetime = true
		a, b, interval := strings.Cut(v, "/")
		if !interval {
			b = a
		}
		for i, end := range []string{a, b} {
			if end == ".." || end == "" && interval {
				continue
			}
			t, err := parseInstant(end)
			if err != nil {
				return nil, 0, 0, badParam("datetime", "want an RFC 3339 instant or date, or an interval a/b with .. for an open end, got %q", v)
			}
			if i == 0 {
				q.from = &t
			} else {
				if len(end) == len("2006-01-02") {
					t = t.Add(24*time.Hour - time.Nanosecond) // a date is the whole day
				}
				q.to = &t
			}
		}
		if q.from != nil && q.to != nil && q.to.Before(*q.from) {
			return nil, 0, 0, badParam("datetime", "the interval ends before it starts: %q", v)
		}
	}
	limit, offset := defaultRecordLimit, 0
	if v := qs.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, 0, 0, badParam("limit", "want a whole number from 1, got %q", v)
		}
		limit = min(n, maxRecordLimit)
	}
	if v := qs.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, 0, 0, badParam("offset", "want a whole number from 0, got %q", v)
		}
		offset = n
	}
	return q, limit, offset, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// match reports whether rec answers q.
func (q *recordQuery) match(rec *record) bool {
	if q.externalID { // no record carries an external id
		return false
	}
	if len(q.ids) > 0 && !containsFold(q.ids, rec.id) {
		return false
	}
	if len(q.types) > 0 && !containsFold(q.types, rec.typ) {
		return false
	}
	if len(q.categories) > 0 && !containsFold(q.categories, rec.category) {
		return false
	}
	if len(q.keywords) > 0 {
		found := false
		for _, k := range rec.keywords {
			found = found || containsFold(q.keywords, k)
		}
		if !found {
			return false
		}
	}
	if q.bbox != nil {
		e, b := rec.extent, q.bbox
		if e == nil || e[0] > b[2] || e[2] < b[0] || e[1] > b[3] || e[3] < b[1] {
			return false
		}
	}
	if q.datetime {
		if rec.time == nil || q.from != nil && rec.time.Before(*q.from) || q.to != nil && rec.time.After(*q.to) {
			return false
		}
	}
	if len(q.terms) > 0 {
		found := false
		for _, re := range q.terms {
			for _, t := range rec.text {
				if re.MatchString(t) {
					found = true
					break
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// facet counts the records of each value.
type facetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

func facet(counts map[string]int) []facetCount {
	out := make([]facetCount, 0, len(counts))
	for v, n := range counts {
		out = append(out, facetCount{v, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	if len(out) > maxFacetValues {
		out = out[:maxFacetValues]
	}
	return out
}

func (s *Server) handleRecords(w http.ResponseWriter, r *http.Request) {
	qs, err := parseQuery(r)
	if err == nil {
		_, err = checkF(r, "json")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q, limit, offset, err := parseRecordQuery(qs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var matched []record
	types, cats, kws := map[string]int{}, map[string]int{}, map[string]int{}
	for _, rec := range s.records(r) {
		if !q.match(&rec) {
			continue
		}
		matched = append(matched, rec)
		types[rec.typ]++
		if rec.category != "" {
			cats[rec.category]++
		}
		seen := map[string]bool{}
		for _, k := range rec.keywords {
			if lk := strings.ToLower(k); !seen[lk] {
				seen[lk] = true
				kws[lk]++
			}
		}
	}
	page := []map[string]any{}
	for i := offset; i < len(matched) && i < offset+limit; i++ {
		page = append(page, matched[i].doc)
	}
	base := s.baseURL(r) + "/collections/" + catalogID + "/items"
	pageLink := func(off int) string {
		v := r.URL.Query()
		v.Del("offset")
		if off > 0 {
			v.Set("offset", strconv.Itoa(off))
		}
		if e := v.Encode(); e != "" {
			return base + "?" + e
		}
		return base
	}
	links := []link{
		{Href: pageLink(offset), Rel: "self", Type: mediaGeoJSON, Title: "This page"},
		{Href: s.baseURL(r) + "/collections/" + catalogID, Rel: "collection", Type: mediaJSON, Title: "The layer catalog"},
	}
	if offset+limit < len(matched) {
		links = append(links, link{Href: pageLink(offset + limit), Rel: "next", Type: mediaGeoJSON, Title: "Next page"})
	}
	if offset > 0 {
		links = append(links, link{Href: pageLink(max(0, offset-limit)), Rel: "prev", Type: mediaGeoJSON, Title: "Previous page"})
	}
	w.Header().Set("Content-Type", mediaGeoJSON)
	writeJSONBody(w, http.StatusOK, map[string]any{
		"type":           "FeatureCollection",
		"features":       page,
		"numberMatched":  len(matched),
		"numberReturned": len(page),
		"timeStamp":      rfc3339(time.Now()),
		"facets":         map[string]any{"type": facet(types), "category": facet(cats), "keywords": facet(kws)},
		"links":          links,
	})
}

func (s *Server) handleRecord(w http.ResponseWriter, r *http.Request) {
	if _, err := checkF(r, "json"); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := chi.URLParam(r, "record")
	for _, rec := range s.records(r) {
		if rec.id == id {
			w.Header().Set("Content-Type", mediaGeoJSON)
			writeJSONBody(w, http.StatusOK, rec.doc)
			return
		}
	}
	s.writeError(w, r, errorf(http.StatusNotFound, "no record %q in the catalog", id))
}
