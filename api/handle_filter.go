package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/coalmap/coalmap/cql2"
	"github.com/coalmap/coalmap/layers"
)

// OGC API – Features Part 3 (filter, filter-lang, filter-crs, datetime)
// and Part 8 (sortby, sortables) on items, and filters on tiles.

// Filter languages of filter-lang. langLegacy is the draft's CQL text,
// which GDAL 3.6 sends (and finds in the OpenAPI document's enum).
const (
	langText   = "cql2-text"
	langJSON   = "cql2-json"
	langLegacy = "cql-text"
)

// filterError is the 400 of a filter that cannot be read or does not fit
// the layer: the parameter, and where in its value (a character offset
// into cql2-text, a JSON path into cql2-json).
func filterError(param string, err error) error {
	var ce *cql2.Error
	if !errors.As(err, &ce) {
		return err
	}
	d := map[string]any{"parameter": param}
	if ce.Pos.Path != "" {
		d["path"] = ce.Pos.Path
	} else {
		d["offset"] = ce.Pos.Offset
	}
	return &Error{Status: http.StatusBadRequest, Message: "parameter " + param + ": at " + ce.Pos.String() + ": " + ce.Reason, Detail: d}
}

// filterLang reads filter-lang (cql2-text when absent).
func filterLang(qs url.Values) (string, error) {
	switch l := qs.Get("filter-lang"); l {
	case "", langText:
		return langText, nil
	case langJSON, langLegacy:
		return l, nil
	default:
		return "", badParam("filter-lang", "unsupported language %q (want %s or %s)", l, langText, langJSON)
	}
}

// parseCQL reads one filter value in lang and checks it against l's
// queryables; param names the parameter in errors.
func parseCQL(param, value, lang string, l *layers.Layer) (cql2.Expr, error) {
	var e cql2.Expr
	var err error
	switch lang {
	case langJSON:
		e, err = cql2.ParseJSON([]byte(value))
	case langLegacy:
		if e, err = cql2.ParseLegacyText(value); err == nil {
			e = cql2.Loosen(e, layers.Queryables(l))
		}
	default:
		e, err = cql2.ParseText(value)
	}
	if err == nil {
		err = cql2.Check(e, layers.Queryables(l))
	}
	if err != nil {
		return nil, filterError(param, err)
	}
	return e, nil
}

// filterCRS reads filter-crs (CRS84 when absent) and checks that the
// geometry literals of e lie within its range when it is geographic.
func filterCRS(qs url.Values) (outputCRS, error) {
	c := outputCRS{URI: crs84URI, SRID: layers.StorageSRID}
	if v := qs.Get("filter-crs"); v != "" {
		return parseCRS("filter-crs", v)
	}
	return c, nil
}

func checkLiterals(param string, e cql2.Expr, c outputCRS) error {
	if c.SRID != layers.StorageSRID {
		return nil
	}
	var bad error
	cql2.Walk(e, func(x cql2.Expr) bool {
		g, ok := x.(*cql2.Geometry)
		if !ok || bad != nil {
			return bad == nil
		}
		b := g.Geom.Bound()
		lon0, lat0, lon1, lat1 := b.Min[0], b.Min[1], b.Max[0], b.Max[1]
		if c.LatLon {
			lon0, lat0, lon1, lat1 = b.Min[1], b.Min[0], b.Max[1], b.Max[0]
		}
		if lon0 < -180 || lon1 > 180 || lat0 < -90 || lat1 > 90 {
			bad = filterError(param, &cql2.Error{Pos: g.P, Reason: "coordinates outside longitude -180…180, latitude -90…90 (" +
				c.URI + "; another CRS is named with filter-crs)"})
		}
		return true
	})
	return bad
}

// itemsFilter reads filter, filter-lang, filter-crs and datetime for l:
// nil when none is given.
func itemsFilter(qs url.Values, l *layers.Layer) (*layers.CQLFilter, error) {
	lang, err := filterLang(qs)
	if err != nil {
		return nil, err
	}
	c, err := filterCRS(qs)
	if err != nil {
		return nil, err
	}
	var parts []cql2.Expr
	if qs.Has("filter") {
		e, err := parseCQL("filter", qs.Get("filter"), lang, l)
		if err != nil {
			return nil, err
		}
		if err := checkLiterals("filter", e, c); err != nil {
			return nil, err
		}
		parts = append(parts, e)
	}
	if qs.Has("datetime") {
		e, err := parseDatetime(qs.Get("datetime"), l)
		if err != nil {
			return nil, err
		}
		parts = append(parts, e)
	}
	switch len(parts) {
	case 0:
		return nil, nil
	case 1:
		return &layers.CQLFilter{Expr: parts[0], SRID: c.SRID, LatLon: c.LatLon}, nil
	}
	return &layers.CQLFilter{Expr: &cql2.And{Args: parts}, SRID: c.SRID, LatLon: c.LatLon}, nil
}

// parseDatetime reads datetime (OGC API – Features Part 1): an instant
// ("2024-03-31", "2024-03-31T10:00:00Z") or an interval ("a/b", "../b",
// "a/..", "a/"), selecting the features whose temporal attribute (the
// first date or timestamp of the dictionary) falls in it.
func parseDatetime(v string, l *layers.Layer) (cql2.Expr, error) {
	a, ok := l.TemporalAttribute()
	if !ok {
		return nil, badParam("datetime", "%s has no date or timestamp attribute to select on", l.ID)
	}
	prop := &cql2.Property{Name: a.Name}
	instant := func(s string) (cql2.Expr, error) {
		s = strings.TrimSpace(s)
		if s == ".." || s == "" {
			return &cql2.Unbounded{}, nil
		}
		if len(s) == len(time.DateOnly) {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return nil, badParam("datetime", "%q is not a date (YYYY-MM-DD)", s)
			}
			return &cql2.Date{Value: t}, nil
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, badParam("datetime", "%q is not an RFC 3339 date-time (2024-03-31T10:00:00Z) or a date", s)
		}
		return &cql2.Timestamp{Value: t.UTC()}, nil
	}
	start, end, isInterval := strings.Cut(v, "/")
	if !isInterval {
		if strings.TrimSpace(v) == ".." || strings.TrimSpace(v) == "" {
			return nil, badParam("datetime", "an instant or an interval (start/end, with .. for an open end)")
		}
		x, err := instant(v)
		if err != nil {
			return nil, err
		}
		return &cql2.Temporal{Op: "t_intersects", Left: prop, Right: x}, nil
	}
	s, err := instant(start)
	if err != nil {
		return nil, err
	}
	e, err := instant(end)
	if err != nil {
		return nil, err
	}
	_, so := s.(*cql2.Unbounded)
	_, eo := e.(*cql2.Unbounded)
	if so && eo {
		return nil, badParam("datetime", "an interval needs at least one end")
	}
	if !so && !eo && instantTime(s).After(instantTime(e)) {
		return nil, badParam("datetime", "the interval ends before it starts")
	}
	return &cql2.Temporal{Op: "t_intersects", Left: prop, Right: &cql2.Interval{Start: s, End: e}}, nil
}

func instantTime(e cql2.Expr) time.Time {
	switch e := e.(type) {
	case *cql2.Date:
		return e.Value
	case *cql2.Timestamp:
		return e.Value
	}
	return time.Time{}
}

// parseSortBy reads sortby: attributes, each with an optional + (up) or -
// (down), separated by commas.
func parseSortBy(v string, l *layers.Layer) ([]layers.SortKey, error) {
	var keys []layers.SortKey
	seen := map[string]bool{}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		k := layers.SortKey{}
		switch {
		case strings.HasPrefix(part, "-"):
			k.Desc, part = true, part[1:]
		case strings.HasPrefix(part, "+"):
			part = part[1:]
		}
		if part == "" {
			return nil, badParam("sortby", "an empty sort key (want name or -name, separated by commas)")
		}
		if _, ok := sortable(l, part); !ok {
			return nil, badParam("sortby", "%q is not a sortable of %s (see its sortables)", part, l.ID)
		}
		if seen[part] {
			return nil, badParam("sortby", "%q is listed twice", part)
		}
		seen[part] = true
		k.Attribute = part
		keys = append(keys, k)
	}
	return keys, nil
}

// sortable returns the attribute name names when features can be sorted
// by it: every attribute of the dictionary.
func sortable(l *layers.Layer, name string) (layers.Attribute, bool) {
	a, ok := l.AttributeByName(name)
	if !ok || !layers.ValidColumn(a.Name) {
		return layers.Attribute{}, false
	}
	_, typed := layers.CQLType(a.Type)
	return a, typed
}

// sortCursor is the content of a cursor of a sorted read: the sortby it
// belongs to, the last row's sort values (nil for NULL) and its fid.
type sortCursor struct {
	Sort   string    `json:"s"`
	Values []*string `json:"v"`
	FID    int64     `json:"f"`
}

func encodeSortCursor(keys []layers.SortKey, vals []*string, fid int64) string {
	b, _ := json.Marshal(sortCursor{Sort: layers.SortSpec(keys), Values: vals, FID: fid})
	return base64.RawURLEncoding.EncodeToString(append([]byte{'s'}, b...))
}

// decodeSortCursor reads a cursor of a sorted read made for keys.
func decodeSortCursor(s string, keys []layers.SortKey) ([]*string, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c sortCursor
	if err != nil || len(b) < 2 || b[0] != 's' || json.Unmarshal(b[1:], &c) != nil || c.FID < 0 {
		return nil, 0, badParam("cursor", "not a cursor from a next link of this sortby")
	}
	if c.Sort != layers.SortSpec(keys) || len(c.Values) != len(keys) {
		return nil, 0, badParam("cursor", "made for sortby=%s, not for this sortby", c.Sort)
	}
	return c.Values, c.FID, nil
}

// handleSortables answers /collections/{id}/sortables: a JSON Schema of
// the attributes items can be sorted by (OGC API – Features Part 8).
func (s *Server) handleSortables(w http.ResponseWriter, r *http.Request) {
	l, err := s.visibleLayer(r, chi.URLParam(r, "layer"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := checkF(r, "json"); err != nil {
		s.writeError(w, r, err)
		return
	}
	props := map[string]any{}
	for _, a := range l.Attributes {
		if _, ok := sortable(l, a.Name); !ok {
			continue
		}
		p := jsonSchemaType(a.Type)
		if a.Alias != "" {
			p["title"] = a.Alias
		}
		if a.Description != "" {
			p["description"] = a.Description
		}
		props[a.Name] = p
	}
	base := s.baseURL(r)
	w.Header().Set("Content-Type", schemaMediaType(r))
	w.Header().Add("Vary", "Accept")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"$schema":    "https://json-schema.org/draft/2020-12/schema",
		"$id":        base + "/collections/" + url.PathEscape(l.ID) + "/sortables",
		"type":       "object",
		"title":      l.Title,
		"properties": props,
	})
}

// tileFilters reads the filters of a tile request for its layers ls:
// filter (with filter-lang and filter-crs) applies to every layer and must
// fit each; filter[<layer id>] to that layer alone; both are ANDed. The
// result has one entry per layer, nil where none applies.
func tileFilters(qs url.Values, ls []layers.Layer) ([]*layers.CQLFilter, error) {
	lang, err := filterLang(qs)
	if err != nil {
		return nil, err
	}
	c, err := filterCRS(qs)
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	for i, l := range ls {
		index[l.ID] = i
	}
	for key := range qs {
		if id, ok := strings.CutPrefix(key, "filter["); ok {
			id = strings.TrimSuffix(id, "]")
			if _, ok := index[id]; !ok || !strings.HasSuffix(key, "]") {
				return nil, badParam(key, "names no layer of this tile (want filter[<layer id>] for one of %s)", layerIDs(ls))
			}
		}
	}
	out := make([]*layers.CQLFilter, len(ls))
	for i := range ls {
		l := &ls[i]
		var parts []cql2.Expr
		for _, param := range []string{"filter", "filter[" + l.ID + "]"} {
			if !qs.Has(param) {
				continue
			}
			e, err := parseCQL(param, qs.Get(param), lang, l)
			if err != nil {
				if param == "filter" && len(ls) > 1 {
					var ae *Error
					if errors.As(err, &ae) {
						ae.Message += " (in layer " + l.ID + ")"
					}
				}
				return nil, err
			}
			if err := checkLiterals(param, e, c); err != nil {
				return nil, err
			}
			parts = append(parts, e)
		}
		switch len(parts) {
		case 0:
		case 1:
			out[i] = &layers.CQLFilter{Expr: parts[0], SRID: c.SRID, LatLon: c.LatLon}
		default:
			out[i] = &layers.CQLFilter{Expr: &cql2.And{Args: parts}, SRID: c.SRID, LatLon: c.LatLon}
		}
	}
	return out, nil
}

func layerIDs(ls []layers.Layer) string {
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	return strings.Join(ids, ", ")
}

// tileFilterQuery is the query string a TileJSON's tile URLs carry for the
// filters of a request: each filter in canonical cql2-text (whatever
// language it was given in), with filter-crs when given.
func tileFilterQuery(qs url.Values, ls []layers.Layer) (string, error) {
	if _, err := tileFilters(qs, ls); err != nil {
		return "", err
	}
	lang, _ := filterLang(qs)
	v := url.Values{}
	for key, vals := range qs {
		if key != "filter" && !strings.HasPrefix(key, "filter[") {
			continue
		}
		var e cql2.Expr
		var err error
		switch lang {
		case langJSON:
			e, err = cql2.ParseJSON([]byte(vals[0]))
		case langLegacy:
			if e, err = cql2.ParseLegacyText(vals[0]); err == nil && len(ls) > 0 {
				e = cql2.Loosen(e, layers.Queryables(&ls[0]))
			}
		default:
			e, err = cql2.ParseText(vals[0])
		}
		if err != nil { // read by tileFilters already
			return "", filterError(key, err)
		}
		v.Set(key, e.String())
	}
	if len(v) > 0 && qs.Get("filter-crs") != "" {
		v.Set("filter-crs", qs.Get("filter-crs"))
	}
	return v.Encode(), nil
}

// hasFilter reports whether a tile request names a filter.
func hasFilter(qs url.Values) bool {
	for key := range qs {
		if key == "filter" || key == "filter-lang" || key == "filter-crs" || strings.HasPrefix(key, "filter[") {
			return true
		}
	}
	return false
}

// schemaMediaType is the media type of a JSON Schema answer
// (queryables, sortables): application/schema+json, unless the request
// accepts application/json and not it (GDAL 3.6 refuses any other type).
func schemaMediaType(r *http.Request) string {
	a := r.Header.Get("Accept")
	if strings.Contains(a, mediaJSON) && !strings.Contains(a, mediaSchema) && !strings.Contains(a, "*/*") {
		return mediaJSON
	}
	return mediaSchema
}
