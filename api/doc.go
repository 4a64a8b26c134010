// Package api is the HTTP surface of coalmap: the chi router, one file per route
// group, middleware, the single table that maps domain errors to HTTP statuses, the
// OpenAPI document and the embedded web map. It is the only package that imports
// net/http; it never speaks SQL.
package api
