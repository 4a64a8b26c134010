package api

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/layers"
)

func (s *Server) routesItems(r chi.Router) {
	r.Get("/collections/{layer}/items", s.handleItems)
	r.Get("/collections/{layer}/items/{feature}", s.handleItem)
	r.Get("/collections/{layer}/sortables", s.handleSortables)
}

// maxCounted bounds the count behind numberMatched: a layer with more
// matches than this gets no numberMatched (counting it is not cheap).
const maxCounted = 100000

// itemsRequest is a parsed /items query.
type itemsRequest struct {
	q      layers.FeatureQuery
	crs    outputCRS
	format string
	limit  int
	// last is the sort values of the page's last row (sorted reads).
	last []*string
}

// EncodeCursor returns the opaque cursor of a next link that continues after
// fid (keyset paging: the next page holds the features with fid > fid).
func EncodeCursor(fid int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("k" + strconv.FormatInt(fid, 10)))
}

func decodeCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'k' {
		return 0, badParam("cursor", "not a cursor from a next link")
	}
	n, err := strconv.ParseInt(string(b[1:]), 10, 64)
	if err != nil || n < 0 {
		return 0, badParam("cursor", "not a cursor from a next link")
	}
	return n, nil
}

// parseItems reads and checks every parameter of an /items request; a bad
// one is a 400 that names it.
func parseItems(r *http.Request, l *layers.Layer) (*itemsRequest, error) {
	qs, err := parseQuery(r)
	if err != nil {
		return nil, err
	}
	req := &itemsRequest{q: layers.FeatureQuery{Layer: l}, crs: outputCRS{URI: crs84URI, SRID: layers.StorageSRID}, format: "json", limit: DefaultLimit}
	for key, vals := range qs {
		v := vals[0]
		switch key {
		case "f":
			switch v {
			case "json", "geojson", "":
				req.format = "json"
			case "csv":
				req.format = "csv"
			default:
				return nil, badParam("f", "unsupported format %q (want json or csv)", v)
			}
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, badParam("limit", "%q is not a whole number from 1 to %d", v, MaxLimit)
			}
			req.limit = min(n, MaxLimit)
		case "offset":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, badParam("offset", "%q is not a whole number ≥ 0", v)
			}
			req.q.Offset = n
		case "cursor", "filter", "filter-lang", "filter-crs", "datetime", "sortby":
			// read together below
		case "crs":
			c, err := parseCRS("crs", v)
			if err != nil {
				return nil, err
			}
			req.crs = c
			req.q.SRID, req.q.LatLon = c.SRID, c.LatLon
		case "bbox", "bbox-crs":
			// read together below
		case "properties":
			req.q.Properties = []string{}
			for _, p := range strings.Split(v, ",") {
				p = strings.TrimSpace(p)
				if p == "" {
					continue
				}
				if _, ok := l.AttributeByName(p); !ok {
					return nil, badParam("properties", "%q is not an attribute of %s (see its queryables)", p, l.ID)
				}
				req.q.Properties = append(req.q.Properties, p)
			}
		default:
			a, ok := l.AttributeByName(key)
			if !ok {
				return nil, badParam(key, "unknown parameter: not an attribute of %s (see its queryables)", l.ID)
			}
			val, err := layers.ParseValue(a, v)
			if err != nil {
				return nil, badParam(key, "%v", err)
			}
			req.q.Filters = append(req.q.Filters, layers.Filter{Attribute: a.Name, Value: val})
		}
	}
	if qs.Has("sortby") {
		keys, err := parseSortBy(qs.Get("sortby"), l)
		if err != nil {
			return nil, err
		}
		req.q.SortBy = keys
	}
	if v := qs.Get("cursor"); qs.Has("cursor") {
		if req.q.SortBy != nil {
			vals, fid, err := decodeSortCursor(v, req.q.SortBy)
			if err != nil {
				return nil, err
			}
			req.q.AfterKey, req.q.After = vals, fid
		} else {
			n, err := decodeCursor(v)
			if err != nil {
				return nil, err
			}
			req.q.After = n
		}
	}
	if req.q.After != 0 && req.q.Offset > 0 {
		return nil, badParam("offset", "cannot be combined with cursor")
	}
	f, err := itemsFilter(qs, l)
	if err != nil {
		return nil, err
	}
	req.q.CQL = f
	if v := qs.Get("bbox"); v != "" || qs.Has("bbox") {
		bc := outputCRS{URI: crs84URI, SRID: layers.StorageSRID}
		if c := qs.Get("bbox-crs"); c != "" {
			var err error
			if bc, err = parseCRS("bbox-crs", c); err != nil {
				return nil, err
			}
		}
		b, err := parseBBox(v, bc)
		if err != nil {
			return nil, err
		}
		req.q.BBox = b
	} else if qs.Has("bbox-crs") {
		if _, err := parseCRS("bbox-crs", qs.Get("bbox-crs")); err != nil {
			return nil, err
		}
	}
	if req.format == "csv" {
		req.q.Format = layers.Tabular
	}
	return req, nil
}

// parseBBox reads "minx,miny,maxx,maxy" (or the 6-number 3D form) in crs.
func parseBBox(v string, c outputCRS) (*layers.BBox, error) {
	parts := strings.Split(v, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, badParam("bbox", "want 4 (or 6) comma-separated numbers, got %d", len(parts))
	}
	n := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, badParam("bbox", "%q is not a number", p)
		}
		n[i] = f
	}
	if len(n) == 6 {
		n = []float64{n[0], n[1], n[3], n[4]}
	}
	if c.LatLon { // EPSG:4326 is latitude first
		n = []float64{n[1], n[0], n[3], n[2]}
	}
	if n[0] > n[2] || n[1] > n[3] {
		return nil, badParam("bbox", "the lower corner must come first (crossing the antimeridian is not supported)")
	}
	if c.SRID == layers.StorageSRID && (n[0] < -180 || n[2] > 180 || n[1] < -90 || n[3] > 90) {
		return nil, badParam("bbox", "outside -180…180, -90…90")
	}
	return &layers.BBox{Bound: orb.Bound{Min: orb.Point{n[0], n[1]}, Max: orb.Point{n[2], n[3]}}, SRID: c.SRID}, nil
}

// pageURL is the /items URL of the same query with cursor (or offset)
// replaced and f set.
func pageURL(base string, r *http.Request, f string, set map[string]string) string {
	q := r.URL.Query()
	for k, v := range set {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	if f == "json" {
		q.Del("f")
	} else {
		q.Set("f", f)
	}
	u := base + r.URL.EscapedPath()
	if e := q.Encode(); e != "" {
		u += "?" + e
	}
	return u
}

func (s *Server) handleItems(w http.ResponseWriter, r *http.Request) {
	l, err := s.visibleLayer(r, chi.URLParam(r, "layer"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := parseItems(r, l)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	req.q.Limit = req.limit + 1
	base := s.baseURL(r)
	if req.format == "csv" {
		s.writeCSV(w, r, req, base)
		return
	}

	bw := bufio.NewWriterSize(w, 64<<10)
	started := false
	returned := 0
	var last int64
	more := false
	err = s.deps.Features.Features(ctx, &req.q, func(row *layers.FeatureRow) error {
		if returned == req.limit {
			more = true
			return nil
		}
		if !started {
			started = true
			w.Header().Set("Content-Type", mediaGeoJSON)
			w.Header().Set("Content-Crs", req.crs.String())
			w.WriteHeader(http.StatusOK)
			bw.WriteString(`{"type":"FeatureCollection","features":[`)
		} else {
			bw.WriteByte(',')
		}
		bw.Write(row.Feature)
		returned++
		last = row.FID
		req.last = row.SortValues
		return nil
	})
	if err != nil {
		if !started {
			s.writeError(w, r, err)
			return
		}
		s.log.ErrorContext(ctx, "items: stream broken", "layer", l.ID, "err", err, "request_id", requestID(r))
		panic(http.ErrAbortHandler) // the client sees a cut response, never a false end
	}
	if !started {
		w.Header().Set("Content-Type", mediaGeoJSON)
		w.Header().Set("Content-Crs", req.crs.String())
		w.WriteHeader(http.StatusOK)
		bw.WriteString(`{"type":"FeatureCollection","features":[`)
	}
	links := []link{
		{Href: pageURL(base, r, "json", nil), Rel: "self", Type: mediaGeoJSON, Title: "This page"},
		{Href: pageURL(base, r, "csv", nil), Rel: "alternate", Type: "text/csv", Title: "This page as CSV"},
		{Href: base + "/collections/" + url.PathEscape(l.ID), Rel: "collection", Type: mediaJSON, Title: l.Title},
	}
	if more {
		links = append(links, link{Href: s.nextURL(base, r, req, last), Rel: "next", Type: mediaGeoJSON, Title: "Next page"})
	}
	// numberMatched where it is cheap: on the first page only (a client
	// learns the total once; later pages would pay a count each), without
	// a count when the page holds every match, and only up to maxCounted.
	matched := int64(-1)
	if req.q.After == 0 && req.q.Offset == 0 {
		if !more {
			matched = int64(returned)
		} else {
			cq := req.q
			cq.Limit = maxCounted + 1
			if n, err := s.deps.Features.CountFeatures(ctx, &cq); err != nil {
				s.log.ErrorContext(ctx, "items: count", "layer", l.ID, "err", err, "request_id", requestID(r))
			} else if n <= maxCounted {
				matched = n
			}
		}
	}
	tail := map[string]any{"numberReturned": returned, "timeStamp": time.Now().UTC().Format(time.RFC3339), "links": links}
	if matched >= 0 {
		tail["numberMatched"] = matched
	}
	tb, _ := json.Marshal(tail)
	bw.WriteString("],")
	bw.Write(tb[1:])
	bw.WriteByte('\n')
	_ = bw.Flush()
}

// nextURL continues after fid: by cursor, or by offset when the request
// paged by offset.
func (s *Server) nextURL(base string, r *http.Request, req *itemsRequest, fid int64) string {
	f := req.format
	if req.q.Offset > 0 {
		return pageURL(base, r, f, map[string]string{"offset": strconv.FormatInt(req.q.Offset+int64(req.limit), 10)})
	}
	if req.q.SortBy != nil {
		return pageURL(base, r, f, map[string]string{"cursor": encodeSortCursor(req.q.SortBy, req.last, fid), "offset": ""})
	}
	return pageURL(base, r, f, map[string]string{"cursor": EncodeCursor(fid), "offset": ""})
}

// writeCSV answers one page as CSV: id, the attributes, the geometry as WKT.
// A page (at most MaxLimit rows) is built in memory so that the next page
// can be announced in a Link header before the body.
func (s *Server) writeCSV(w http.ResponseWriter, r *http.Request, req *itemsRequest, base string) {
	l := req.q.Layer
	names := req.q.Properties
	if names == nil {
		for _, a := range l.Attributes {
			names = append(names, a.Name)
		}
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write(append(append([]string{"id"}, names...), "wkt"))
	returned, more := 0, false
	var last int64
	rec := make([]string, len(names)+2)
	err := s.deps.Features.Features(r.Context(), &req.q, func(row *layers.FeatureRow) error {
		if returned == req.limit {
			more = true
			return nil
		}
		rec[0] = row.ID
		for i, v := range row.Values {
			rec[i+1] = ""
			if v != nil {
				rec[i+1] = *v
			}
		}
		rec[len(rec)-1] = ""
		if row.WKT != nil {
			rec[len(rec)-1] = *row.WKT
		}
		returned++
		last = row.FID
		req.last = row.SortValues
		return cw.Write(rec)
	})
	cw.Flush()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", mediaCSV)
	w.Header().Set("Content-Crs", req.crs.String())
	w.Header().Set("Content-Disposition", `inline; filename="`+l.ID+`.csv"`)
	w.Header().Set("OGC-NumberReturned", strconv.Itoa(returned))
	if more {
		w.Header().Set("Link", "<"+s.nextURL(base, r, req, last)+`>; rel="next"; type="text/csv"`)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) handleItem(w http.ResponseWriter, r *http.Request) {
	l, err := s.visibleLayer(r, chi.URLParam(r, "layer"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	fid, err := pathParam(r, "feature")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := layers.FeatureQuery{Layer: l, FeatureID: fid, Limit: 1, ETag: true}
	c := outputCRS{URI: crs84URI, SRID: layers.StorageSRID}
	qs, err := parseQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for key, vals := range qs {
		switch key {
		case "f":
			if vals[0] != "json" && vals[0] != "geojson" {
				s.writeError(w, r, badParam("f", "unsupported format %q (want json)", vals[0]))
				return
			}
		case "crs":
			if c, err = parseCRS("crs", vals[0]); err != nil {
				s.writeError(w, r, err)
				return
			}
			q.SRID, q.LatLon = c.SRID, c.LatLon
		default:
			s.writeError(w, r, badParam(key, "unknown parameter (want crs or f)"))
			return
		}
	}
	var feature []byte
	var version string
	err = s.deps.Features.Features(r.Context(), &q, func(row *layers.FeatureRow) error {
		feature = append([]byte(nil), row.Feature...)
		version = row.ETag
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if feature == nil {
		s.writeError(w, r, errorf(http.StatusNotFound, "no feature %q in collection %s", fid, l.ID))
		return
	}
	base := s.baseURL(r)
	col := base + "/collections/" + url.PathEscape(l.ID)
	links, _ := json.Marshal([]link{
		{Href: col + "/items/" + url.PathEscape(fid), Rel: "self", Type: mediaGeoJSON},
		{Href: col, Rel: "collection", Type: mediaJSON, Title: l.Title},
	})
	w.Header().Set("Content-Type", mediaGeoJSON)
	w.Header().Set("Content-Crs", c.String())
	if version != "" {
		w.Header().Set("ETag", featureETag(version, c)) // what an edit sends back in If-Match
	}
	w.WriteHeader(http.StatusOK)
	// The feature is a JSON object built by the database: add its links.
	w.Write(feature[:len(feature)-1])
	w.Write([]byte(`,"links":`))
	w.Write(links)
	w.Write([]byte("}\n"))
}

// parseQuery parses the query string strictly: a pair Go's parser refuses
// (a ';' separator, a bad %-escape) is a 400 naming its parameter rather
// than a pair silently dropped.
func parseQuery(r *http.Request) (url.Values, error) {
	qs, err := url.ParseQuery(r.URL.RawQuery)
	if err == nil {
		return qs, nil
	}
	for _, pair := range strings.Split(r.URL.RawQuery, "&") {
		if _, perr := url.ParseQuery(pair); perr != nil {
			key, _, _ := strings.Cut(pair, "=")
			if k, uerr := url.QueryUnescape(key); uerr == nil {
				key = k
			}
			return nil, badParam(key, "malformed value (a ';' or a bad %%-escape)")
		}
	}
	return nil, badParam("query", "malformed query string")
}
