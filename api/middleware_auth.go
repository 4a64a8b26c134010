package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/coalmap/coalmap/layers"
)

type principalKey struct{}

// principal is who makes the request: set by authenticate, Anonymous when
// no token came.
func principal(r *http.Request) layers.Principal {
	if p, ok := r.Context().Value(principalKey{}).(layers.Principal); ok {
		return p
	}
	return layers.Anonymous
}

// authenticate reads "Authorization: Bearer <token>". No header means an
// anonymous caller; a malformed, unknown or revoked token is a 401 (never a
// silent downgrade to anonymous, which would hide a client's mistake).
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" || s.deps.Tokens == nil {
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			s.writeError(w, r, errorf(http.StatusUnauthorized, "Authorization: want \"Bearer <token>\""))
			return
		}
		p, err := s.deps.Tokens.Authenticate(r.Context(), layers.HashToken(token))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// requireWrite answers 401 to anonymous callers and 403 to tokens below
// editor; it reports whether the request may go on.
func (s *Server) requireWrite(w http.ResponseWriter, r *http.Request) bool {
	p := principal(r)
	switch {
	case p.Role == layers.None:
		s.writeError(w, r, layers.ErrUnauthorized)
		return false
	case !p.CanWrite():
		s.writeError(w, r, layers.ErrForbidden)
		return false
	}
	return true
}

// visibleLayer returns the layer called id if the caller may see it; an
// unknown layer and a restricted one the caller may not read get the same
// 404, so that a listing of names cannot be probed.
func (s *Server) visibleLayer(r *http.Request, id string) (*layers.Layer, error) {
	l, ok := s.deps.Catalog.Layer(id)
	if !ok || !principal(r).CanRead(l) {
		return nil, errorf(http.StatusNotFound, "no such collection: %s", id)
	}
	return l, nil
}
