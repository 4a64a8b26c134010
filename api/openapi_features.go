package api

// The OpenAPI description of the service routes, the capabilities, the
// features of OGC API – Features Parts 1–4 and the imports.

func (s *Server) openAPIHealth() obj {
	status := content(mediaJSON, object([]string{"status"}, obj{"status": sString(), "version": sString()}))
	return obj{
		"/healthz": obj{"get": operation("getHealth", "Service", "The process is up", "", nil, obj{"200": answer("Up.", status)})},
		"/readyz": obj{"get": operation("getReady", "Service", "The service can answer",
			"200 once the database answers, its migrations are applied and the first demo load is done.", nil,
			responses(obj{"200": answer("Ready.", status)}, 503))},
		"/metrics": obj{"get": operation("getMetrics", "Service", "Prometheus metrics",
			"Requests by route, method and status, latency, pool statistics, tiles and their cache, the Go runtime.", nil,
			obj{"200": answer("The Prometheus text format.", content("text/plain", sString()))})},
		"/map": obj{"get": operation("getMap", "Service", "The planner's web map", "", nil,
			obj{"200": answer("The page.", content("text/html", sString()), "ETag", "Cache-Control"), "304": answer("Not modified.", nil)})},
		"/map/": obj{"get": operation("getMapSlash", "Service", "The planner's web map", "", nil,
			obj{"200": answer("The page.", content("text/html", sString()), "ETag", "Cache-Control"), "304": answer("Not modified.", nil)})},
		"/map/assets/{asset}": obj{"get": operation("getMapAsset", "Service", "An asset of the web map (content-hashed, immutable)", "",
			[]obj{{"name": "asset", "in": "path", "required": true, "schema": sString()}},
			responses(obj{"200": answer("The asset.", obj{"*/*": obj{"schema": obj{"type": "string", "format": "binary"}}}, "Cache-Control")}, 404))},
	}
}

func (s *Server) openAPIFeatures() obj {
	coll, feat := ref("parameters", "collectionId"), ref("parameters", "featureId")
	crsParam := query("crs", "CRS of the output geometries, as a URI.", obj{"type": "string", "format": "uri", "enum": crsList(), "default": crs84URI})
	items := operation("getFeatures", "Data", "The features of a layer",
		"Pages by keyset: follow the `next` link, whose opaque `cursor` stays correct while the data changes. "+
			"Any attribute of the layer's dictionary (see its queryables) can be given as an equality filter, e.g. `?state=Odisha`; "+
			"an unknown parameter is a 400 naming it.",
		append([]obj{coll,
			query("limit", "Features per page; larger values are served as the maximum.", obj{"type": "integer", "minimum": 1, "default": DefaultLimit}),
			query("bbox", "minx,miny,maxx,maxy (or the 6-number form) in bbox-crs (CRS84 by default).", obj{"type": "array", "minItems": 4, "maxItems": 6, "items": sNumber()}),
			query("bbox-crs", "CRS of bbox.", obj{"type": "string", "format": "uri", "enum": crsList(), "default": crs84URI}),
			crsParam,
			query("properties", "The attributes to return (none: properties=).", sStrings()),
			query("cursor", "Opaque paging cursor, from a next link.", sString()),
			query("offset", "Features to skip (slower than following next links).", obj{"type": "integer", "minimum": 0}),
			fParam("json", "csv"),
		}, filterParams()...),
		responses(obj{"200": answer("A page of features (GeoJSON, streamed), or CSV whose Link header names the next page.",
			obj{mediaGeoJSON: obj{"schema": schema("FeatureCollection")}, "text/csv": obj{"schema": sString()}}, "Content-Crs", "Link")}, 400, 404))
	paths := obj{
		"/": obj{"get": operation("getLandingPage", "Capabilities", "Landing page", "Links to this document, the conformance classes, the layers, "+
			"the tilesets, the processes and the record catalog.", []obj{fParam("json")},
			responses(obj{"200": answer("The landing page.", content(mediaJSON, schema("LandingPage")))}, 400))},
		"/conformance": obj{"get": operation("getConformanceDeclaration", "Capabilities", "Conformance classes", "", []obj{fParam("json")},
			responses(obj{"200": answer("The classes implemented.", content(mediaJSON, schema("ConfClasses")))}, 400))},
		"/api": obj{"get": operation("getAPI", "Capabilities", "This document", "", []obj{fParam("json")},
			responses(obj{"200": answer("OpenAPI 3.0.", content("application/vnd.oai.openapi+json", sObject()))}, 400))},
		"/collections": obj{"get": operation("getCollections", "Capabilities", "The layers the caller may see",
			"With their complete metadata. Restricted layers are listed only with a token.",
			[]obj{query("q", "Full-text search over title, keywords and description.", sString()),
				query("category", "Only layers of this category.", sString()), fParam("json")},
			responses(obj{"200": answer("The collections.", content(mediaJSON, schema("Collections")))}, 400))},
		"/collections/{collectionId}": obj{
			"get": operation("describeCollection", "Capabilities", "A layer's metadata", "Metadata, extent, attribute dictionary, lineage, links.",
				[]obj{coll, fParam("json")}, responses(obj{"200": answer("The collection.", content(mediaJSON, schema("Collection")))}, 400, 404)),
			"put": withBody(secured(operation("putCollection", "Capabilities", "Update a layer's descriptive metadata (editor token)",
				"Any of title, title_hi, description, category, keywords, owner, custodian, source_crs, scale, accuracy, attributes "+
					"(aliases, units, labels, descriptions), status, update_frequency, revised_at, license, access, min_zoom, max_zoom, style. "+
					"Members of the collection document that are not editable may be sent back unchanged; unknown members are a 400.",
				[]obj{coll}, responses(obj{"200": answer("Updated: the collection.", content(mediaJSON, schema("Collection")))}, 400, 401, 403, 404, 413))),
				content(mediaJSON, sObject())),
			"delete": secured(operation("deleteCollection", "Capabilities", "Delete a layer and its table (editor token)", "", []obj{coll},
				responses(obj{"204": answer("Deleted.", nil)}, 401, 403, 404))),
		},
		"/collections/{collectionId}/queryables": obj{"get": operation("getQueryables", "Data", "The attributes that filter items",
			"A JSON Schema of the dictionary's attributes, with titles, units and Hindi labels.", []obj{coll},
			responses(obj{"200": answer("JSON Schema.", content(mediaSchema, schema("Queryables")))}, 404))},
		"/collections/{collectionId}/sortables": sortablesPath(coll, ref("responses", "E404")),
		"/collections/{collectionId}/items": obj{"get": items, "post": s.openAPIEdits()["post"],
			"options": operation("optionsFeatures", "Data", "The methods the caller may use on items", "What QGIS reads to offer editing.", []obj{coll},
				responses(obj{"204": answer("Allow lists the methods.", nil, "Allow")}, 404))},
		"/collections/{collectionId}/items/{featureId}": obj{
			"get": operation("getFeature", "Data", "One feature", "", []obj{coll, feat, crsParam},
				responses(obj{"200": answer("A GeoJSON feature; its ETag is what an edit sends back in If-Match.",
					content(mediaGeoJSON, schema("Feature")), "ETag", "Content-Crs")}, 400, 404)),
			"put": s.openAPIEdits()["put"], "patch": s.openAPIEdits()["patch"], "delete": s.openAPIEdits()["delete"],
			"options": operation("optionsFeature", "Data", "The methods the caller may use on a feature", "", []obj{coll, feat},
				responses(obj{"204": answer("Allow lists the methods; Accept-Patch the patch format.", nil, "Allow", "Accept-Patch")}, 404)),
		},
		"/collections/{collectionId}/edits": s.openAPIEdits()["history"],
	}
	return paths
}

// openAPIEdits describes the routes of OGC API – Features Part 4.
func (s *Server) openAPIEdits() map[string]obj {
	coll, feat := ref("parameters", "collectionId"), ref("parameters", "featureId")
	header := func(name, desc string, required bool) obj {
		return obj{"name": name, "in": "header", "description": desc, "required": required, "schema": sString()}
	}
	ifMatch := header("If-Match", "The ETag of the feature as last read (GET). Required: 428 without it; 412 when the feature has changed since.", true)
	contentCrs := header("Content-Crs", "CRS of the body's coordinates, as a URI in angle brackets (CRS84 by default; EPSG:4326 is latitude first).", false)
	opts := []obj{
		query("invalid", "An invalid geometry is repaired (ST_MakeValid, as an import does; the answer's Coalmap-Repaired header says why) or, with reject, refused with 422.",
			obj{"type": "string", "enum": []string{"repair", "reject"}, "default": "repair"}),
		query("allow_outside", "Accept a geometry outside India's bounds (refused by default: it almost always means a wrong CRS).", obj{"type": "boolean", "default": false}),
	}
	feature := content(mediaGeoJSON, schema("Feature"))
	written := func(desc string) obj {
		return answer(desc, content(mediaGeoJSON, schema("Feature")), "ETag", "Coalmap-Change", "Coalmap-Repaired")
	}
	fails := []int{400, 401, 403, 404, 413, 415, 422}
	return map[string]obj{
		"post": withBody(secured(operation("createFeature", "Data", "Create a feature (editor token)",
			"The body is a GeoJSON Feature; its properties must be attributes of the layer (see queryables), typed as the dictionary says. "+
				"It is checked and repaired as an import would check and repair it. The feature's id is the body's `id`, else one the service chooses.",
			append([]obj{coll, contentCrs}, opts...),
			responses(obj{"201": answer("Created; Location names the new feature.", feature, "Location", "ETag", "Coalmap-Change", "Coalmap-Repaired")},
				append(fails, 409)...))), feature),
		"put": withBody(secured(operation("replaceFeature", "Data", "Replace a feature (editor token, If-Match)", "",
			append([]obj{coll, feat, ifMatch, contentCrs}, opts...),
			responses(obj{"200": written("Replaced: the feature as stored, its new ETag.")}, append(fails, 412, 428)...))), feature),
		"patch": withBody(secured(operation("updateFeature", "Data", "Update a feature with a JSON merge patch (editor token, If-Match)",
			"RFC 7396: `{\"properties\": {\"status\": \"Allotted\", \"grade\": null}}` sets status and clears grade; a `geometry` member replaces the geometry.",
			append([]obj{coll, feat, ifMatch, contentCrs}, opts...),
			responses(obj{"200": written("Updated: the feature as stored, its new ETag.")}, append(fails, 412, 428)...))),
			content(mediaMergePatch, sObject())),
		"delete": secured(operation("deleteFeature", "Data", "Delete a feature (editor token, If-Match)", "",
			[]obj{coll, feat, ifMatch}, responses(obj{"204": answer("Deleted.", nil, "Coalmap-Change")}, 400, 401, 403, 404, 412, 428))),
		"history": obj{"get": secured(operation("getEdits", "Data", "The audit trail of a layer's edits (admin token)",
			"Newest first: who (the token), when, which feature, the operation, and the feature before and after as GeoJSON.",
			[]obj{coll, query("feature", "Only this feature's edits.", sString()),
				query("limit", "Edits per page.", obj{"type": "integer", "minimum": 1, "default": 100}),
				query("before", "Only edits older than this edit id (the next link sets it).", obj{"type": "integer", "minimum": 1})},
			responses(obj{"200": answer("The edits.", content(mediaJSON, schema("EditHistory")))}, 400, 401, 403, 404)))},
	}
}

func (s *Server) openAPIImports() obj {
	layer := obj{"name": "collectionId", "in": "path", "required": true, "description": "The layer to create or replace.",
		"schema": obj{"type": "string", "pattern": `^[a-z][a-z0-9_]{0,62}$`}}
	upload := obj{"multipart/form-data": obj{"schema": object(nil, obj{"file": obj{"type": "string", "format": "binary"}})}}
	for _, m := range []string{mediaGeoJSON, mediaJSON} {
		upload[m] = obj{"schema": obj{"description": "A GeoJSON document (FeatureCollection, or one feature per line)."}}
	}
	for _, m := range []string{"application/geo+json-seq", "application/x-ndjson", "application/vnd.google-earth.kml+xml",
		"application/vnd.google-earth.kmz", "application/zip", "application/geopackage+sqlite3", "text/csv", "application/octet-stream"} {
		upload[m] = obj{"schema": obj{"type": "string", "format": "binary"}}
	}
	return obj{
		"/layers/{collectionId}/imports": obj{"post": withBody(secured(operation("importLayer", "Imports", "Import a file into a layer (editor token)",
			"A multipart form (the first file part) or the raw body; the format from the file name (?filename=, Content-Disposition) or the media type. "+
				"The upload is streamed to a temporary file; beyond --max-upload it is a 413. The import runs in the background: follow Location.",
			[]obj{layer,
				query("filename", "The file's name, whose extension chooses the reader.", sString()),
				query("srid", "The EPSG code of the source when the file does not say.", obj{"type": "integer"}),
				query("id_field", "The attribute holding each feature's id.", sString()),
				query("title", "The layer's title (a new layer).", sString()),
				query("invalid", "Repair invalid geometries, or reject them (named in the report).", obj{"type": "string", "enum": []string{"repair", "reject"}}),
				query("allow_outside", "Accept data outside India's bounds.", sBool()),
				query("encoding", "A shapefile's .dbf encoding.", sString()),
				query("source_layer", "The layer of a GeoPackage, or the shapefile of a zip.", sString()),
				query("format", "Force a reader.", sString())},
			responses(obj{"202": answer("Accepted: the job, and where to follow it.", content(mediaJSON, schema("ImportAccepted")), "Location")},
				400, 401, 403, 413, 415, 503))), upload)},
		"/imports/{importId}": obj{"get": operation("getImport", "Imports", "An import job",
			"Status (queued, running, succeeded, unchanged, failed, cancelled), progress, and the report: source and checksum, CRS and its origin, "+
				"encoding, features read, loaded, repaired and rejected (with index, id and reason), extent, time.",
			[]obj{ref("parameters", "importId")}, responses(obj{"200": answer("The job.", content(mediaJSON, schema("ImportJob")))}, 404))},
		"/collections/{collectionId}/imports": obj{"get": operation("getLayerImports", "Imports", "A layer's import history, newest first", "",
			[]obj{ref("parameters", "collectionId"), query("limit", "Imports to list.", obj{"type": "integer", "minimum": 1, "maximum": 1000, "default": 50})},
			responses(obj{"200": answer("The imports.", content(mediaJSON, object([]string{"layer", "imports"},
				obj{"layer": sString(), "imports": arrayOf(schema("ImportJob"))})))}, 400, 404))},
	}
}

func featureSchemas() obj {
	geometry := nullable(object([]string{"type"}, obj{"type": obj{"type": "string", "enum": []string{"Point", "MultiPoint", "LineString",
		"MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}}}))
	return obj{
		"LandingPage": object([]string{"links"}, obj{"title": sString(), "description": sString(), "version": sString(), "links": sLinks()}),
		"ConfClasses": object([]string{"conformsTo"}, obj{"conformsTo": sStrings()}),
		"Extent": object(nil, obj{"spatial": object([]string{"bbox"}, obj{"bbox": arrayOf(obj{"type": "array", "minItems": 4, "maxItems": 6, "items": sNumber()}),
			"crs": sString()})}),
		"Collection": merge(object([]string{"id", "links"}, obj{
			"id": sString(), "title": sString(), "title_hi": sString(), "description": sString(), "itemType": sString(),
			"category": sString(), "keywords": sStrings(), "geometry_type": sString(), "access": obj{"type": "string", "enum": []string{"public", "restricted"}},
			"crs": sStrings(), "storageCrs": sString(), "extent": schema("Extent"), "feature_count": sInteger(), "data_version": sInteger(),
			"attributes": arrayOf(object([]string{"name", "type"}, obj{"name": sString(), "type": sString(), "alias": sString(),
				"unit": sString(), "label_hi": sString(), "description": sString()})),
			"links": sLinks(),
		}), obj{"description": "An OGC API collection, then every metadata member of the catalog entry (IS 16439 / ISO 19115)."}),
		"Collections": object([]string{"collections", "links"}, obj{"collections": arrayOf(schema("Collection")), "links": sLinks(),
			"numberMatched": sInteger(), "numberReturned": sInteger()}),
		"Feature": object([]string{"type", "geometry", "properties"}, obj{
			"type": obj{"type": "string", "enum": []string{"Feature"}}, "id": obj{"description": "The feature's own id (string or number)."},
			"geometry": geometry, "properties": nullable(sObject()), "links": sLinks()}),
		"FeatureCollection": object([]string{"type", "features"}, obj{
			"type": obj{"type": "string", "enum": []string{"FeatureCollection"}}, "features": arrayOf(schema("Feature")),
			"links": sLinks(), "numberMatched": sInteger(), "numberReturned": sInteger(), "timeStamp": obj{"type": "string", "format": "date-time"}}),
		"Queryables": object([]string{"type", "properties"}, obj{"$schema": sString(), "$id": sString(), "type": sString(), "title": sString(),
			"properties": sObject(), "additionalProperties": sBool()}),
		"EditHistory": object([]string{"layer", "edits", "links"}, obj{"layer": sString(), "links": sLinks(),
			"edits": arrayOf(object([]string{"id", "feature_id", "operation"}, obj{"id": sInteger(), "feature_id": sString(),
				"operation": obj{"type": "string", "enum": []string{"create", "replace", "update", "delete"}}, "actor": sString(),
				"at": obj{"type": "string", "format": "date-time"}, "data_version": sInteger(), "repaired": sString(),
				"before": nullable(sObject()), "after": nullable(sObject())}))}),
		"ImportJob": object([]string{"id", "layer", "status"}, obj{"id": sInteger(), "layer": sString(),
			"status": obj{"type": "string", "enum": []string{"queued", "running", "succeeded", "unchanged", "failed", "cancelled"}},
			"source": sString(), "checksum": sString(), "options": sObject(),
			"progress": object(nil, obj{"phase": sString(), "features": sInteger(), "bytes": sInteger(), "total_bytes": sInteger()}),
			"report":   sObject(), "error": sString(), "created_by": sString(), "created_at": obj{"type": "string", "format": "date-time"},
			"started_at": obj{"type": "string", "format": "date-time"}, "finished_at": obj{"type": "string", "format": "date-time"}}),
		"ImportAccepted": object([]string{"job", "links"}, obj{"job": schema("ImportJob"), "links": sLinks()}),
	}
}
