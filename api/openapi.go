package api

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
)

// MaxLimit is the largest page /items returns; a larger limit is served as
// MaxLimit (OGC API – Features: never an error).
const MaxLimit = 10000

// DefaultLimit is the page size when the request names none.
const DefaultLimit = 10

type obj = map[string]any

// The OpenAPI 3.0 document of the service (GET /api) is built here, in one
// place: this file holds the document's frame and its shared components
// (parameters, answers, schemas); openapi_*.go describe the route groups,
// each beside the others and in the words of the routes' own handlers.
// Routes a server does not mount (no tile service, no overlap engine) are
// left out of its document. api/openapi_test.go validates the document with
// kin-openapi and checks real requests and answers against it.

// openAPI is the OpenAPI 3.0 document of the service at base.
func (s *Server) openAPI(base string) obj {
	paths := obj{}
	add := func(group obj) {
		for k, v := range group {
			paths[k] = v
		}
	}
	add(s.openAPIHealth())
	if s.deps.Catalog != nil && s.deps.Store != nil && s.deps.Features != nil {
		add(s.openAPIFeatures())
		add(s.openAPIImports())
	}
	if s.recordsMounted() {
		add(s.openAPIRecords())
	}
	if s.deps.Tiles != nil {
		add(s.openAPITiles())
	}
	add(s.openAPIStyles())
	if s.deps.Overlaps != nil && s.deps.Catalog != nil {
		add(s.openAPIOverlaps())
	}
	if s.deps.Runs != nil && s.deps.Catalog != nil {
		add(s.openAPIRuns())
	}
	if s.processesMounted() {
		add(s.openAPIProcesses())
	}
	s.keepMounted(paths)
	tags := []obj{
		{"name": "Capabilities", "description": "Landing page, conformance, this document, the layers."},
		{"name": "Data", "description": "Features of the layers (OGC API – Features Parts 1–4)."},
		{"name": "Imports", "description": "Layer uploads and their reports."},
		{"name": "Tiles", "description": "Vector tiles: XYZ and TileJSON, and OGC API – Tiles."},
		{"name": "Styles", "description": "MapLibre style documents of the layers, their sprite and glyphs."},
		{"name": "Overlaps", "description": "Overlap checks, alternative alignments, routes and layer-against-layer runs."},
		{"name": "Processes", "description": "OGC API – Processes: the overlap computations as processes and jobs."},
		{"name": "Records", "description": "OGC API – Records: the layer catalog as metadata records."},
		{"name": "Service", "description": "Health, readiness, metrics and the web map."},
	}
	return obj{
		"openapi": "3.0.3",
		"info": obj{"title": s.cfg.Title, "description": s.cfg.Description, "version": orDefault(s.cfg.Version, "dev"),
			"license": obj{"name": "Government Open Data License – India"}},
		"servers":    []obj{{"url": base}},
		"tags":       tags,
		"paths":      paths,
		"components": components(),
	}
}

// templateVar matches a path template's variables, and chi's wildcard.
var templateVar = regexp.MustCompile(`\{[^}]*\}|\*$`)

// routeKey is a path with its variables unnamed, so that chi's patterns
// and the document's templates compare.
func routeKey(path string) string { return templateVar.ReplaceAllString(path, "{}") }

// keepMounted removes from paths the operations this server's router does
// not serve (a part without its dependencies, a route of another version),
// so that the document describes exactly what answers.
func (s *Server) keepMounted(paths obj) {
	if s.router == nil {
		return
	}
	mounted := map[string]map[string]bool{}
	_ = chi.Walk(s.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		k := routeKey(route)
		if mounted[k] == nil {
			mounted[k] = map[string]bool{}
		}
		mounted[k][strings.ToLower(method)] = true
		return nil
	})
	for path, item := range paths {
		ops := item.(obj)
		for method := range ops {
			if !mounted[routeKey(path)][method] {
				delete(ops, method)
			}
		}
		if len(ops) == 0 {
			delete(paths, path)
		}
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func merge(a, b obj) obj {
	out := obj{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// Schema shorthands (functions, so that no part of the document is shared
// and mutable).
func sString() obj  { return obj{"type": "string"} }
func sNumber() obj  { return obj{"type": "number"} }
func sInteger() obj { return obj{"type": "integer"} }
func sBool() obj    { return obj{"type": "boolean"} }
func sObject() obj  { return obj{"type": "object"} }
func sStrings() obj { return arrayOf(sString()) }
func sNumbers() obj { return arrayOf(sNumber()) }
func sLinks() obj   { return arrayOf(schema("Link")) }

func ref(kind, name string) obj { return obj{"$ref": "#/components/" + kind + "/" + name} }

func schema(name string) obj { return ref("schemas", name) }

func arrayOf(items obj) obj { return obj{"type": "array", "items": items} }

func nullable(s obj) obj { return merge(s, obj{"nullable": true}) }

// object is a schema of an object with required members and properties.
func object(required []string, props obj) obj {
	o := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// content is a response or request body content of one media type.
func content(media string, sch obj) obj { return obj{media: obj{"schema": sch}} }

// answer is a response: description, content and headers.
func answer(desc string, cont obj, headers ...string) obj {
	a := obj{"description": desc}
	if cont != nil {
		a["content"] = cont
	}
	if len(headers) > 0 {
		h := obj{}
		for _, name := range headers {
			h[name] = obj{"schema": sString()}
		}
		a["headers"] = h
	}
	return a
}

// failures are the error answers of codes, from the shared responses.
func failures(codes ...int) obj {
	out := obj{}
	for _, c := range codes {
		out[strconv.Itoa(c)] = ref("responses", "E"+strconv.Itoa(c))
	}
	return out
}

// responses are the answers of an operation: ok, then the failures.
func responses(ok obj, codes ...int) obj { return merge(ok, failures(codes...)) }

// param is a query or header parameter; path parameters come from the
// shared components (style simple, required).
func param(name, in, desc string, sch obj) obj {
	p := obj{"name": name, "in": in, "description": desc, "required": false, "schema": sch}
	if in == "query" && sch["type"] == "array" {
		p["style"], p["explode"] = "form", false
	}
	return p
}

// query is an optional query parameter.
func query(name, desc string, sch obj) obj { return param(name, "query", desc, sch) }

// fParam is the f parameter offering formats, the first the default.
func fParam(formats ...string) obj {
	return query("f", "Output format.", obj{"type": "string", "enum": formats, "default": formats[0]})
}

// operation is an operation object.
func operation(id, tag, summary, desc string, params []obj, resp obj) obj {
	o := obj{"operationId": id, "tags": []string{tag}, "summary": summary, "responses": resp}
	if desc != "" {
		o["description"] = desc
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	return o
}

// withBody adds a required request body to an operation.
func withBody(op obj, cont obj) obj {
	return merge(op, obj{"requestBody": obj{"required": true, "content": cont}})
}

// secured marks an operation as needing a token.
func secured(op obj) obj { return merge(op, obj{"security": []obj{{"bearer": []string{}}}}) }

// components are the shared parameters, answers and schemas.
func components() obj {
	pathParam := func(name, desc string, sch obj) obj {
		return obj{"name": name, "in": "path", "required": true, "description": desc, "schema": sch}
	}
	layerID := obj{"type": "string", "pattern": `^[a-z][a-z0-9_]{0,62}$`}
	params := obj{
		"collectionId": pathParam("collectionId", "A layer id.", layerID),
		"featureId":    pathParam("featureId", "A feature's own id (feature_id: the source's id, else its row number).", sString()),
		"layers": pathParam("layers", "A layer id, or a comma-separated list of them (one MVT layer each, in order).",
			obj{"type": "string", "pattern": `^[a-z][a-z0-9_]{0,62}(,[a-z][a-z0-9_]{0,62})*$`}),
		"tileMatrixSetId": pathParam("tileMatrixSetId", "A tile matrix set served.",
			obj{"type": "string", "enum": []string{"WebMercatorQuad", "WorldCRS84Quad"}}),
		"tileMatrix": pathParam("tileMatrix", "The tile matrix (zoom level) of the tile matrix set.", sString()),
		"tileRow":    pathParam("tileRow", "The row of the tile, from the top (0 first).", obj{"type": "integer", "minimum": 0}),
		"tileCol":    pathParam("tileCol", "The column of the tile, from the left (0 first).", obj{"type": "integer", "minimum": 0}),
		"processId":  pathParam("processId", "A process id (see /processes).", sString()),
		"jobId":      pathParam("jobId", "A job id: a UUID, or run-<id> for an overlap run.", sString()),
		"runId":      pathParam("runId", "An overlap run id.", obj{"type": "integer", "minimum": 1}),
		"recordId":   pathParam("recordId", "A record id: a layer id, or process-<id> for a process.", sString()),
		"importId":   pathParam("importId", "An import job id.", obj{"type": "integer", "minimum": 1}),
	}
	errSchema := content(mediaJSON, schema("Error"))
	resp := obj{}
	for code, desc := range map[int]string{
		400: "Bad input: the message says what and where (detail.parameter, detail.field, detail.feature, detail.input).",
		401: "A valid token is needed (Authorization: Bearer …); a malformed, unknown or revoked token is a 401 too.",
		403: "The token does not allow this (writes need the editor role, the edit history admin).",
		404: "Not found — also what a restricted layer, or anything over one, is to a caller who may not see it.",
		405: "The method is not allowed on this resource.",
		409: "In conflict with the current state (an id taken, results not ready).",
		412: "The feature has changed since its ETag was read: GET it again and redo the edit.",
		413: "Too large: the upload, the document or its vertices exceed the limit.",
		415: "The body's media type is not one this route reads.",
		422: "Unprocessable: a geometry or alignment that cannot be used (zero length, an end inside a polygon, an invalid geometry refused).",
		428: "If-Match is required (the feature's ETag as last read).",
		503: "Overloaded or not ready: retry after Retry-After seconds.",
	} {
		r := answer(desc, errSchema)
		if code == 503 {
			r["headers"] = obj{"Retry-After": obj{"schema": sInteger()}}
		}
		if code == 401 {
			r["headers"] = obj{"WWW-Authenticate": obj{"schema": sString()}}
		}
		resp["E"+strconv.Itoa(code)] = r
	}
	resp["E404Process"] = answer("No such process, job, or results not ready: an OGC API – Processes exception.", content(mediaJSON, schema("Exception")))
	return obj{
		"parameters": params,
		"responses":  resp,
		"schemas":    schemas(),
		"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer",
			"description": "A token from `coalmap token create --role viewer|planner|editor|admin`. Any token reads restricted layers; writes need editor."}},
	}
}

// schemas are the shared schemas of the document, from every group.
func schemas() obj {
	out := obj{
		"Error": object([]string{"error"}, obj{
			"error":  obj{"type": "string", "description": "What went wrong and where, in the user's words."},
			"detail": obj{"description": "Where: parameter, field, feature, input, … (an object), or a note."},
		}),
		"Exception": object([]string{"type", "error"}, obj{
			"type": sString(), "title": sString(), "status": sInteger(),
			"error":  obj{"type": "string", "description": "The message, as in every error of the service."},
			"detail": obj{"description": "Where, as in every error of the service."},
		}),
		"Link": object([]string{"href", "rel"}, obj{"href": sString(), "rel": sString(), "type": sString(), "title": sString(), "templated": sBool()}),
	}
	for _, group := range []obj{featureSchemas(), tileSchemas(), overlapSchemas(), processSchemas(), recordSchemas()} {
		for k, v := range group {
			out[k] = v
		}
	}
	return out
}
