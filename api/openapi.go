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
		"parameters": []obj{
			collectionID,
			param("limit", "query", "Features per page; larger values are served as the maximum.", obj{"type": "integer", "minimum": 1, "maximum": MaxLimit, "default": DefaultLimit}, false),
			param("bbox", "query", "minx,miny,maxx,maxy in bbox-crs (CRS84 by default).", obj{"type": "array", "minItems": 4, "maxItems": 6, "items": obj{"type": "number"}}, false),
			param("bbox-crs", "query", "CRS of bbox.", obj{"type": "string", "format": "uri", "enum": crsList(), "default": crs84URI}, false),
			crsParam,
			param("properties", "query", "Comma-separated attributes to return.", obj{"type": "array", "items": str}, false),
			param("cursor", "query", "Opaque paging cursor from a next link.", str, false),
			param("offset", "query", "Features to skip (slower than following next links).", obj{"type": "integer", "minimum": 0}, false),
			param("f", "query", "Output format.", obj{"type": "string", "enum": []string{"json", "csv"}, "default": "json"}, false),
		},
		"responses": obj{
			"200": obj{"description": "A page of features.", "headers": obj{"Content-Crs": obj{"schema": str}},
				"content": obj{mediaGeoJSON: obj{"schema": obj{"type": "object"}}, "text/csv": obj{"schema": str}}},
			"400": errResp, "404": errResp,
		},
	}
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
			"/collections/{collectionId}/items": obj{"get": items},
			"/collections/{collectionId}/items/{featureId}": obj{"get": obj{"summary": "One feature", "operationId": "getFeature", "tags": []string{"Data"},
				"parameters": []obj{collectionID, featureID, crsParam},
				"responses":  obj{"200": obj{"description": "A GeoJSON feature.", "content": obj{mediaGeoJSON: obj{}}}, "400": errResp, "404": errResp}}},
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
