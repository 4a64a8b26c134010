package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/coalmap/coalmap/layers"
)

// OGC API – Features Part 4: create, replace, update (JSON merge patch) and
// delete single features, with optimistic locking by ETag. Every item GET
// carries the feature's ETag; PUT, PATCH and DELETE require it back in
// If-Match (428 without it, 412 when the feature has changed since), so
// that two planners never silently overwrite each other's edit.

// mediaMergePatch is the media type of a JSON merge patch (RFC 7396).
const mediaMergePatch = "application/merge-patch+json"

// Headers of an edit's answer beside ETag and Location.
const (
	// headerChange carries the id of the change event the edit committed.
	headerChange = "Coalmap-Change"
	// headerRepaired says why the stored geometry differs from the one
	// sent (an invalid geometry repaired, as an import repairs it).
	headerRepaired = "Coalmap-Repaired"
)

func (s *Server) routesEdits(r chi.Router) {
	if s.deps.Edits == nil {
		fe, ok := s.deps.Store.(layers.FeatureEditor)
		if !ok {
			return
		}
		acks, _ := s.deps.Store.(layers.ChangeAcks)
		s.deps.Edits = layers.NewEdits(fe, acks, 0)
	}
	r.Post("/collections/{layer}/items", s.handleCreateItem)
	r.Put("/collections/{layer}/items/{feature}", s.handleReplaceItem)
	r.Patch("/collections/{layer}/items/{feature}", s.handleUpdateItem)
	r.Delete("/collections/{layer}/items/{feature}", s.handleDeleteItem)
	r.Options("/collections/{layer}/items", s.handleItemsOptions)
	r.Options("/collections/{layer}/items/{feature}", s.handleItemOptions)
	r.Get("/collections/{layer}/edits", s.handleEditHistory)
}

// editableLayer returns the layer a write names: 404 when the caller may
// not see it (a restricted layer is as invisible to edits as to reads),
// then 401 without a token and 403 below editor.
func (s *Server) editableLayer(w http.ResponseWriter, r *http.Request) (*layers.Layer, bool) {
	l, err := s.visibleLayer(r, chi.URLParam(r, "layer"))
	if err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	if !s.requireWrite(w, r) {
		return nil, false
	}
	return l, true
}

// featureETag is the strong ETag of a feature version in the representation
// of crs: the version itself for CRS84, the version and the CRS for the
// others (each representation has its own ETag, RFC 9110).
func featureETag(version string, c outputCRS) string {
	if version == "" {
		return ""
	}
	if c.URI == crs84URI || c.URI == "" {
		return `"` + version + `"`
	}
	return `"` + version + "-" + strconv.Itoa(c.SRID) + `"`
}

// ifMatch reads If-Match: the feature versions its entity tags name. It is
// required (428) and must name versions: "*" would let an edit overwrite
// whatever is there, which is what the header is for preventing. A weak tag
// never matches (RFC 9110 compares If-Match strongly): it gives a version
// no feature has, hence 412.
func ifMatch(r *http.Request) ([]string, error) {
	vals := r.Header.Values("If-Match")
	if len(vals) == 0 {
		return nil, errorf(http.StatusPreconditionRequired,
			"If-Match is required: GET the feature, then send its ETag in If-Match (an edit made against an older version is refused with 412)")
	}
	var out []string
	for _, v := range vals {
		for _, tag := range strings.Split(v, ",") {
			tag = strings.TrimSpace(tag)
			switch {
			case tag == "":
				continue
			case tag == "*":
				return nil, errorf(http.StatusPreconditionRequired,
					"If-Match: * is not accepted: send the ETag of the version you edited (GET the feature for it)")
			case strings.HasPrefix(tag, "W/"):
				out = append(out, "weak:"+tag)
				continue
			}
			if len(tag) < 2 || tag[0] != '"' || tag[len(tag)-1] != '"' {
				return nil, &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("If-Match: %q is not an entity tag (want the quoted ETag of a GET)", tag),
					Detail: map[string]string{"header": "If-Match"}}
			}
			version, _, _ := strings.Cut(tag[1:len(tag)-1], "-")
			out = append(out, version)
		}
	}
	if len(out) == 0 {
		return nil, errorf(http.StatusPreconditionRequired, "If-Match is empty: send the ETag of the feature")
	}
	return out, nil
}

// editOptions reads the query of an edit: the import's invalid and
// allow_outside, nothing else.
func editOptions(r *http.Request, req *layers.EditRequest) error {
	qs, err := parseQuery(r)
	if err != nil {
		return err
	}
	for key, vals := range qs {
		v := vals[0]
		switch key {
		case "invalid":
			m, err := layers.ParseInvalidMode(v)
			if err != nil {
				return badParam("invalid", "want repair or reject")
			}
			req.Invalid = m
		case "allow_outside":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return badParam("allow_outside", "want true or false")
			}
			req.AllowOutside = b
		default:
			return badParam(key, "unknown parameter (want invalid or allow_outside)")
		}
	}
	return nil
}

// editBody reads the request's body, of one of the media types allowed,
// and its Content-Crs.
func editBody(w http.ResponseWriter, r *http.Request, req *layers.EditRequest, allowed ...string) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		ok := err == nil && (mt == "application/json" || mt == mediaGeoJSON)
		for _, a := range allowed {
			ok = ok || mt == a
		}
		if !ok {
			return errorf(http.StatusUnsupportedMediaType, "Content-Type %q: want %s", ct, strings.Join(append([]string{mediaGeoJSON}, allowed...), " or "))
		}
	}
	if v := r.Header.Get("Content-Crs"); v != "" {
		// OGC API – Features Part 2 writes the URI in angle brackets;
		// QGIS sends it bare.
		c, err := parseCRS("Content-Crs", strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "<"), ">"))
		if err != nil {
			return &layers.GeometryError{Field: "crs", Reason: fmt.Sprintf("Content-Crs %q is not a CRS this service reads; use one of %s", v, strings.Join(crsList(), ", "))}
		}
		req.SRID, req.LatLon = c.SRID, c.LatLon
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, layers.MaxEditBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errorf(http.StatusRequestEntityTooLarge, "the body is larger than %d MiB", layers.MaxEditBytes>>20)
	}
	if err != nil {
		return errorf(http.StatusBadRequest, "the body could not be read")
	}
	req.Body = body
	return nil
}

// edit runs one edit of the layer the URL names and answers it.
func (s *Server) edit(w http.ResponseWriter, r *http.Request, op layers.EditOp) {
	l, ok := s.editableLayer(w, r)
	if !ok {
		return
	}
	id, err := pathParam(r, "feature")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req := layers.EditRequest{Op: op, ID: id, Actor: principal(r)}
	if op != layers.EditCreate {
		if req.IfMatch, err = ifMatch(r); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if err := editOptions(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	switch op {
	case layers.EditCreate, layers.EditReplace:
		err = editBody(w, r, &req)
	case layers.EditUpdate:
		err = editBody(w, r, &req, mediaMergePatch)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.deps.Edits.Edit(r.Context(), l, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if v := res.Visibility; !v.Visible() {
		s.log.WarnContext(r.Context(), "edit committed; not every server had it when the answer went",
			"layer", l.ID, "feature", res.ID, "change", res.Change, "listeners", v.Listeners, "lagging", v.Lagging,
			"waited", v.Waited, "request_id", requestID(r))
	}
	h := w.Header()
	if res.Change != 0 {
		h.Set(headerChange, strconv.FormatInt(res.Change, 10))
	}
	if res.Repaired != "" {
		h.Set(headerRepaired, strings.Join(strings.Fields(res.Repaired), " "))
	}
	if op == layers.EditDelete {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	col := s.baseURL(r) + "/collections/" + url.PathEscape(l.ID)
	self := col + "/items/" + url.PathEscape(res.ID)
	h.Set("ETag", featureETag(res.ETag, outputCRS{URI: crs84URI}))
	h.Set("Content-Crs", outputCRS{URI: crs84URI}.String())
	status := http.StatusOK
	if op == layers.EditCreate {
		h.Set("Location", self)
		status = http.StatusCreated
	}
	links, _ := json.Marshal([]link{
		{Href: self, Rel: "self", Type: mediaGeoJSON},
		{Href: col, Rel: "collection", Type: mediaJSON, Title: l.Title},
	})
	h.Set("Content-Type", mediaGeoJSON)
	w.WriteHeader(status)
	f := res.Feature
	if len(f) < 2 {
		f = []byte("{}")
	}
	// The feature is a JSON object: add its links.
	w.Write(f[:len(f)-1])
	if len(f) > 2 {
		w.Write([]byte(","))
	}
	w.Write([]byte(`"links":`))
	w.Write(links)
	w.Write([]byte("}\n"))
}

func (s *Server) handleCreateItem(w http.ResponseWriter, r *http.Request) {
	s.edit(w, r, layers.EditCreate)
}

func (s *Server) handleReplaceItem(w http.ResponseWriter, r *http.Request) {
	s.edit(w, r, layers.EditReplace)
}

func (s *Server) handleUpdateItem(w http.ResponseWriter, r *http.Request) {
	s.edit(w, r, layers.EditUpdate)
}

func (s *Server) handleDeleteItem(w http.ResponseWriter, r *http.Request) {
	s.edit(w, r, layers.EditDelete)
}

// allow answers OPTIONS with the methods the caller may use (QGIS reads
// them to offer editing): reads for everyone who sees the layer, writes
// for editors.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, writes string) {
	if _, err := s.visibleLayer(r, chi.URLParam(r, "layer")); err != nil {
		s.writeError(w, r, err)
		return
	}
	methods := "GET, OPTIONS"
	if principal(r).CanWrite() {
		methods = "GET, " + writes + ", OPTIONS"
	}
	w.Header().Set("Allow", methods)
	if strings.Contains(writes, "PATCH") {
		w.Header().Set("Accept-Patch", mediaMergePatch)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleItemsOptions(w http.ResponseWriter, r *http.Request) {
	s.allow(w, r, "POST")
}

func (s *Server) handleItemOptions(w http.ResponseWriter, r *http.Request) {
	s.allow(w, r, "PUT, PATCH, DELETE")
}

// maxEditHistory bounds a page of the edit history.
const maxEditHistory = 1000

// handleEditHistory answers the audit trail of a layer's edits, newest
// first, to admins: who, when, which feature, how, and the feature before
// and after. ?feature= keeps one feature's; pages follow the next link.
func (s *Server) handleEditHistory(w http.ResponseWriter, r *http.Request) {
	l, err := s.visibleLayer(r, chi.URLParam(r, "layer"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch p := principal(r); {
	case p.Role == layers.None:
		s.writeError(w, r, layers.ErrUnauthorized)
		return
	case !p.CanAdmin():
		s.writeError(w, r, layers.ErrForbidden)
		return
	}
	qs, err := parseQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := layers.EditQuery{Layer: l.ID, Limit: 100}
	for key, vals := range qs {
		v := vals[0]
		switch key {
		case "feature":
			q.FeatureID = v
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				s.writeError(w, r, badParam("limit", "%q is not a whole number from 1 to %d", v, maxEditHistory))
				return
			}
			q.Limit = min(n, maxEditHistory)
		case "before":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				s.writeError(w, r, badParam("before", "%q is not an edit id", v))
				return
			}
			q.Before = n
		default:
			s.writeError(w, r, badParam(key, "unknown parameter (want feature, limit or before)"))
			return
		}
	}
	recs, err := s.deps.Edits.History(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if recs == nil {
		recs = []layers.EditRecord{}
	}
	base := s.baseURL(r)
	links := []link{{Href: pageURL(base, r, "json", nil), Rel: "self", Type: mediaJSON},
		{Href: base + "/collections/" + url.PathEscape(l.ID), Rel: "collection", Type: mediaJSON, Title: l.Title}}
	if len(recs) == q.Limit {
		links = append(links, link{Href: pageURL(base, r, "json", map[string]string{"before": strconv.FormatInt(recs[len(recs)-1].ID, 10)}),
			Rel: "next", Type: mediaJSON, Title: "Older edits"})
	}
	writeJSON(w, http.StatusOK, map[string]any{"layer": l.ID, "edits": recs, "links": links})
}
