package api

import "strings"

// MaxLimit is the largest page /items returns; a larger limit is served as
// MaxLimit (OGC API – Features: never an error).
const MaxLimit = 10000

// DefaultLimit is the page size when the request names none.
const DefaultLimit = 10

type obj = map[string]any

// openAPI is the OpenAPI 3.0 document of the service at base.
func (s *Server) openAPI(base string) obj {
	str := obj{"type": "string"}
	param := func(name, in, desc string, schema obj, required bool) obj {
		return obj{"name": name, "in": in, "description": desc, "required": required, "schema": schema, "style": "form", "explode": false}
	}
	collectionID := param("collectionId", "path", "A layer id.", str, true)
	featureID := param("featureId", "path", "A feature's own id (feature_id).", str, true)
	fJSON := param("f", "query", "Output format.", obj{"type": "string", "enum": []string{"json"}}, false)
	crsParam := param("crs", "query", "CRS of the output geometries.", obj{"type": "string", "format": "uri", "enum": crsList(), "default": crs84URI}, false)
	errResp := obj{"description": "An error: {\"error\": message, \"detail\": {\"parameter\": name}}.",
		"content": obj{mediaJSON: obj{"schema": obj{"type": "object", "properties": obj{"error": str, "detail": obj{"type": "object"}}}}}}
	jsonResp := func(desc string) obj {
		return obj{"200": obj{"description": desc, "content": obj{mediaJSON: obj{"schema": obj{"type": "object"}}}}, "400": errResp, "404": errResp}
	}
	items := obj{
		"summary": "The features of a layer", "operationId": "getFeatures", "tags": []string{"Data"},
		"description": "Pages by keyset: follow the `next` link, whose opaque `cursor` stays correct while the data changes. " +
			"Any attribute of the layer's dictionary (see queryables) can be given as an equality filter, e.g. `?state=Odisha`.",
		"parameters": append([]obj{
			collectionID,
			param("limit", "query", "Features per page; larger values are served as the maximum.", obj{"type": "integer", "minimum": 1, "maximum": MaxLimit, "default": DefaultLimit}, false),
			param("bbox", "query", "minx,miny,maxx,maxy in bbox-crs (CRS84 by default).", obj{"type": "array", "minItems": 4, "maxItems": 6, "items": obj{"type": "number"}}, false),
			param("bbox-crs", "query", "CRS of bbox.", obj{"type": "string", "format": "uri", "enum": crsList(), "default": crs84URI}, false),
			crsParam,
			param("properties", "query", "Comma-separated attributes to return.", obj{"type": "array", "items": str}, false),
			param("cursor", "query", "Opaque paging cursor from a next link.", str, false),
			param("offset", "query", "Features to skip (slower than following next links).", obj{"type": "integer", "minimum": 0}, false),
			param("f", "query", "Output format.", obj{"type": "string", "enum": []string{"json", "csv"}, "default": "json"}, false),
		}, filterParams()...),
		"responses": obj{
			"200": obj{"description": "A page of features.", "headers": obj{"Content-Crs": obj{"schema": str}},
				"content": obj{mediaGeoJSON: obj{"schema": obj{"type": "object"}}, "text/csv": obj{"schema": str}}},
			"400": errResp, "404": errResp,
		},
	}
	edits := s.openAPIEdits(collectionID, featureID, errResp)
	paths := obj{}
	if s.deps.Overlaps != nil && s.deps.Catalog != nil {
		paths = routesOpenAPI(errResp)
	}
	doc := obj{
		"openapi": "3.0.3",
		"info": obj{"title": s.cfg.Title, "description": s.cfg.Description, "version": orDefault(s.cfg.Version, "dev"),
			"license": obj{"name": "Government Open Data License – India"}},
		"servers": []obj{{"url": base}},
		"tags":    []obj{{"name": "Capabilities"}, {"name": "Data"}},
		"paths": obj{
			"/": obj{"get": obj{"summary": "Landing page", "operationId": "getLandingPage", "tags": []string{"Capabilities"},
				"parameters": []obj{fJSON}, "responses": jsonResp("Links to the API, conformance and collections.")}},
			"/conformance": obj{"get": obj{"summary": "Conformance classes", "operationId": "getConformanceDeclaration", "tags": []string{"Capabilities"},
				"parameters": []obj{fJSON}, "responses": jsonResp("The conformance classes.")}},
			"/api": obj{"get": obj{"summary": "This document", "operationId": "getAPI", "tags": []string{"Capabilities"},
				"responses": obj{"200": obj{"description": "OpenAPI 3.0", "content": obj{strings.Split(mediaOpenAPI, ";")[0]: obj{}}}}}},
			"/collections": obj{"get": obj{"summary": "The layers the caller may see", "operationId": "getCollections", "tags": []string{"Capabilities"},
				"parameters": []obj{param("q", "query", "Full-text search over title, keywords and description.", str, false),
					param("category", "query", "Only layers of this category.", str, false), fJSON},
				"responses": jsonResp("The collections.")}},
			"/collections/{collectionId}": obj{
				"get": obj{"summary": "A layer's metadata", "operationId": "describeCollection", "tags": []string{"Capabilities"},
					"parameters": []obj{collectionID, fJSON}, "responses": jsonResp("The collection, its extent and attribute dictionary.")},
				"put": obj{"summary": "Update a layer's metadata (editor token)", "operationId": "putCollection", "tags": []string{"Capabilities"},
					"parameters":  []obj{collectionID},
					"requestBody": obj{"content": obj{mediaJSON: obj{"schema": obj{"type": "object"}}}},
					"security":    []obj{{"bearer": []string{}}},
					"responses":   obj{"200": obj{"description": "Updated."}, "400": errResp, "401": errResp, "403": errResp, "404": errResp}},
				"delete": obj{"summary": "Delete a layer (editor token)", "operationId": "deleteCollection", "tags": []string{"Capabilities"},
					"parameters": []obj{collectionID}, "security": []obj{{"bearer": []string{}}},
					"responses": obj{"204": obj{"description": "Deleted."}, "401": errResp, "403": errResp, "404": errResp}},
			},
			"/collections/{collectionId}/queryables": obj{"get": obj{"summary": "The attributes that can filter items", "operationId": "getQueryables",
				"tags": []string{"Data"}, "parameters": []obj{collectionID},
				"responses": obj{"200": obj{"description": "JSON Schema", "content": obj{mediaSchema: obj{}}}, "404": errResp}}},
			"/collections/{collectionId}/sortables": sortablesPath(collectionID, errResp),
			"/collections/{collectionId}/items":     obj{"get": items, "post": edits["post"]},
			"/collections/{collectionId}/items/{featureId}": obj{
				"get": obj{"summary": "One feature", "operationId": "getFeature", "tags": []string{"Data"},
					"parameters": []obj{collectionID, featureID, crsParam},
					"responses": obj{"200": obj{"description": "A GeoJSON feature; its ETag is what an edit sends back in If-Match.",
						"headers": obj{"ETag": obj{"schema": str}, "Content-Crs": obj{"schema": str}},
						"content": obj{mediaGeoJSON: obj{}}}, "400": errResp, "404": errResp}},
				"put": edits["put"], "patch": edits["patch"], "delete": edits["delete"],
			},
			"/collections/{collectionId}/edits": edits["history"],
		},
		"components": obj{"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer",
			"description": "A token from `coalmap token create --role viewer|planner|editor|admin`. Any token reads restricted layers; writes need editor."}}},
	}
	for k, v := range paths {
		doc["paths"].(obj)[k] = v
	}
	return doc
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// openAPIEdits describes the routes of OGC API – Features Part 4.
func (s *Server) openAPIEdits(collectionID, featureID, errResp obj) map[string]obj {
	str := obj{"type": "string"}
	header := func(name, desc string, required bool) obj {
		return obj{"name": name, "in": "header", "description": desc, "required": required, "schema": str}
	}
	query := func(name, desc string, schema obj) obj {
		return obj{"name": name, "in": "query", "description": desc, "required": false, "schema": schema}
	}
	ifMatch := header("If-Match", "The ETag of the feature as last read (GET). Required: 428 without it; 412 when the feature has changed since.", true)
	contentCrs := header("Content-Crs", "CRS of the body's coordinates, as a URI (CRS84 by default; EPSG:4326 is latitude first).", false)
	opts := []obj{
		query("invalid", "An invalid geometry is repaired (ST_MakeValid, as an import does; the answer's Coalmap-Repaired header says why) or, with reject, refused with 422.", obj{"type": "string", "enum": []string{"repair", "reject"}, "default": "repair"}),
		query("allow_outside", "Accept a geometry outside India's bounds (refused by default: it almost always means a wrong CRS).", obj{"type": "boolean", "default": false}),
	}
	feature := obj{"content": obj{mediaGeoJSON: obj{"schema": obj{"type": "object"}}}}
	written := func(desc string) obj {
		return obj{"description": desc, "headers": obj{"ETag": obj{"schema": str}, "Coalmap-Change": obj{"schema": str}, "Coalmap-Repaired": obj{"schema": str}},
			"content": obj{mediaGeoJSON: obj{"schema": obj{"type": "object"}}}}
	}
	fails := obj{"400": errResp, "401": errResp, "403": errResp, "404": errResp, "413": errResp, "415": errResp,
		"422": obj{"description": "A geometry or CRS refused: what and where ({\"error\": …, \"detail\": {\"field\": \"geometry\", \"location\": [lon, lat]}})."}}
	with := func(extra obj) obj { return merge(fails, extra) }
	locked := obj{"412": errResp, "428": errResp}
	sec := []obj{{"bearer": []string{}}}
	return map[string]obj{
		"post": {"summary": "Create a feature (editor token)", "operationId": "createFeature", "tags": []string{"Data"},
			"description": "The body is a GeoJSON Feature; its properties must be attributes of the layer (see queryables), typed as the dictionary says. " +
				"It is checked and repaired as an import would check and repair it. The feature's id is the body's `id`, else one the service chooses.",
			"parameters": append([]obj{collectionID, contentCrs}, opts...), "requestBody": feature, "security": sec,
			"responses": with(obj{"201": obj{"description": "Created; Location names the new feature.",
				"headers": obj{"Location": obj{"schema": str}, "ETag": obj{"schema": str}}, "content": obj{mediaGeoJSON: obj{}}}, "409": errResp})},
		"put": {"summary": "Replace a feature (editor token, If-Match)", "operationId": "replaceFeature", "tags": []string{"Data"},
			"parameters": append([]obj{collectionID, featureID, ifMatch, contentCrs}, opts...), "requestBody": feature, "security": sec,
			"responses": with(merge(locked, obj{"200": written("Replaced: the feature as stored, its new ETag.")}))},
		"patch": {"summary": "Update a feature with a JSON merge patch (editor token, If-Match)", "operationId": "updateFeature", "tags": []string{"Data"},
			"description": "RFC 7396: `{\"properties\": {\"status\": \"Allotted\", \"grade\": null}}` sets status and clears grade; a `geometry` member replaces the geometry.",
			"parameters":  append([]obj{collectionID, featureID, ifMatch, contentCrs}, opts...),
			"requestBody": obj{"content": obj{mediaMergePatch: obj{"schema": obj{"type": "object"}}}}, "security": sec,
			"responses": with(merge(locked, obj{"200": written("Updated: the feature as stored, its new ETag.")}))},
		"delete": {"summary": "Delete a feature (editor token, If-Match)", "operationId": "deleteFeature", "tags": []string{"Data"},
			"parameters": []obj{collectionID, featureID, ifMatch}, "security": sec,
			"responses": with(merge(locked, obj{"204": obj{"description": "Deleted."}}))},
		"history": {"get": obj{"summary": "The audit trail of a layer's edits (admin token)", "operationId": "getEdits", "tags": []string{"Data"},
			"description": "Newest first: who (the token), when, which feature, the operation, and the feature before and after as GeoJSON.",
			"parameters": []obj{collectionID, query("feature", "Only this feature's edits.", str),
				query("limit", "Edits per page.", obj{"type": "integer", "minimum": 1, "maximum": maxEditHistory, "default": 100}),
				query("before", "Only edits older than this edit id (the next link sets it).", obj{"type": "integer"})},
			"security": sec,
			"responses": obj{"200": obj{"description": "The edits.", "content": obj{mediaJSON: obj{"schema": obj{"type": "object"}}}},
				"401": errResp, "403": errResp, "404": errResp}}},
	}
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
