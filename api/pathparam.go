package api

import (
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"
)

// pathParam returns the URL path parameter name, unescaped exactly once.
//
// chi routes on r.URL.RawPath when the request's path holds escapes that
// the decoded path cannot show (%2F, %3D, …), and its parameters are then
// still escaped; when RawPath is empty it routes on the decoded r.URL.Path.
// A feature id such as "x/y" sent as x%2Fy (encodeURIComponent's spelling)
// thus comes back as "x/y" either way, and an id holding a literal "%" is
// not decoded twice.
func pathParam(r *http.Request, name string) (string, error) {
	v := chi.URLParam(r, name)
	if r.URL.RawPath == "" {
		return v, nil
	}
	u, err := url.PathUnescape(v)
	if err != nil {
		return "", badParam(name, "not a well-escaped path segment: %q", v)
	}
	return u, nil
}
