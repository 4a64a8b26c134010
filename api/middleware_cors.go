package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rs/cors"
)

// CORS: which web pages on other origins may call the service from a
// browser (MapLibre, OpenLayers or Leaflet apps reading tiles, TileJSON,
// styles and features).
//
// Tokens travel in the Authorization header, never in cookies, so the
// service never answers Access-Control-Allow-Credentials: a page sends its
// token itself, and "*" can stay "*". Preflights are answered for every
// path (OPTIONS used to be a 405). Every answer carries Vary: Origin, so
// that a cache never hands one origin's answer to another. Writes (any
// method but GET, HEAD and OPTIONS) from an origin that is not allowed are
// refused with a 403 before they run: a browser would hide the answer from
// the page, but the write would have happened.
var (
	corsMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete}
	// corsRequestHeaders are the headers a page may send: its token,
	// bodies' types and CRS, conditional requests, OGC API – Processes'
	// Prefer.
	corsRequestHeaders = []string{"Authorization", "Content-Type", "Content-Crs", "Accept", "Accept-Language",
		"If-Match", "If-None-Match", "Prefer"}
	// corsExposedHeaders are the answer's headers a page may read.
	corsExposedHeaders = []string{"ETag", "Location", "Link", "Content-Crs", "Content-Disposition", "Retry-After",
		"Preference-Applied", "X-Cache", "X-Feature-Cap", "OGC-NumberMatched", "OGC-NumberReturned"}
)

// corsMaxAge is how long, in seconds, a browser may keep a preflight's answer.
const corsMaxAge = 600

// ParseCORSOrigins reads the --cors-origins flag: "*" (any origin), "none"
// (no cross-origin use) or a comma-separated list of origins, each
// scheme://host[:port] with at most one "*" in the host
// (https://*.example.gov.in).
func ParseCORSOrigins(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "*", "":
		return []string{"*"}, nil
	case "none":
		return []string{}, nil
	}
	var out []string
	for _, o := range strings.Split(s, ",") {
		o = strings.TrimSpace(o)
		if o == "*" {
			return nil, fmt.Errorf("%q: \"*\" stands alone, not in a list", s)
		}
		u, err := url.Parse(strings.Replace(o, "*", "wildcard", 1))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.Count(o, "*") > 1 {
			return nil, fmt.Errorf("%q is not an origin (want scheme://host[:port], as https://maps.example.gov.in)", o)
		}
		out = append(out, strings.ToLower(o))
	}
	return out, nil
}

// corsPolicy is the middleware built from Config.CORSOrigins.
type corsPolicy struct {
	c        *cors.Cors
	any      bool
	none     bool
	sameHost func(r *http.Request) string
}

func newCORSPolicy(origins []string, self func(r *http.Request) string) *corsPolicy {
	p := &corsPolicy{sameHost: self}
	switch {
	case origins == nil:
		origins = []string{"*"}
		p.any = true
	case len(origins) == 1 && origins[0] == "*":
		p.any = true
	case len(origins) == 0:
		p.none = true
	}
	opts := cors.Options{
		AllowedMethods: corsMethods, AllowedHeaders: corsRequestHeaders, ExposedHeaders: corsExposedHeaders,
		MaxAge: corsMaxAge, OptionsSuccessStatus: http.StatusNoContent,
	}
	if p.none {
		opts.AllowOriginFunc = func(string) bool { return false }
	} else {
		opts.AllowedOrigins = origins
	}
	p.c = cors.New(opts)
	return p
}

// handler answers preflights, adds the CORS headers to other answers and
// refuses writes from origins that are not allowed.
func (p *corsPolicy) handler(s *Server) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		guarded := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !safeMethod(r.Method) && !p.mayWrite(r) {
				s.writeError(w, r, &Error{Status: http.StatusForbidden,
					Message: fmt.Sprintf("origin %s may not write to this service (see --cors-origins)", r.Header.Get("Origin")),
					Detail:  map[string]string{"header": "Origin"}})
				return
			}
			next.ServeHTTP(w, r)
		})
		return p.c.Handler(guarded)
	}
}

// mayWrite: no Origin (not a browser, or a same-origin GET), the service's
// own origin (the web map), or an allowed one.
func (p *corsPolicy) mayWrite(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || p.any || strings.EqualFold(origin, p.sameHost(r)) {
		return true
	}
	if u, err := url.Parse(origin); err == nil && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return !p.none && p.c.OriginAllowed(r)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
