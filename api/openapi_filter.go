package api

// The OpenAPI entries of filtering (OGC API – Features Part 3) and sorting
// (Part 8).

func queryParam(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "query", "description": desc, "required": false, "schema": schema, "style": "form", "explode": false}
}

// filterParams are the filter, filter-lang, filter-crs, datetime and
// sortby parameters of /items.
func filterParams() []obj {
	str := obj{"type": "string"}
	return []obj{
		queryParam("filter", "A CQL2 filter over the layer's queryables (see /queryables), in filter-lang: "+
			"comparisons, LIKE, BETWEEN, IN, IS NULL, AND/OR/NOT, CASEI, S_INTERSECTS, S_WITHIN and the other spatial functions, "+
			"S_DWITHIN(geom, geometry, metres), T_INTERSECTS/T_BEFORE/T_AFTER/T_DISJOINT/T_EQUALS/T_DURING. "+
			"Example: `state = 'Odisha' AND S_INTERSECTS(geom, BBOX(82.2,23.9,82.5,24.1))`. "+
			"A bad filter is a 400 whose detail gives the character offset (cql2-text) or the JSON path (cql2-json).", str),
		queryParam("filter-lang", "The language of filter. `cql-text` is the draft's name, read as cql2-text with ILIKE, "+
			"0/1 for booleans and strings for dates: what GDAL 3.6 sends when it finds it here.",
			obj{"type": "string", "enum": []string{langText, langJSON, langLegacy}, "default": langText}),
		queryParam("filter-crs", "The CRS of the filter's geometry literals.", obj{"type": "string", "format": "uri", "enum": crsList(), "default": crs84URI}),
		queryParam("datetime", "Features whose temporal attribute (the first date or timestamp of the dictionary) falls at an instant "+
			"(`2024-03-31`, `2024-03-31T10:00:00Z`) or in an interval (`start/end`, `../end`, `start/..`).", str),
		queryParam("sortby", "Comma-separated sortables (see /sortables), each ascending or with `-` descending: `state,-area_km2`. "+
			"Next links keep the order.", obj{"type": "array", "items": str}),
	}
}

// tileFilterParams are the filter parameters of a tile and of TileJSON:
// filter applies to every layer of the tile, filter[<layer id>] to one.
func tileFilterParams() []obj {
	str := obj{"type": "string"}
	return []obj{
		queryParam("filter", "A CQL2 filter applied to every layer of the tile (each must have the properties it names).", str),
		{"name": "filter[layer]", "in": "query", "required": false, "schema": obj{"type": "object", "additionalProperties": str},
			"style": "deepObject", "explode": true,
			"description": "A CQL2 filter for one layer of a composite tile: `filter[coal_blocks]=status = 'Allotted'`."},
		queryParam("filter-lang", "The language of the filters.", obj{"type": "string", "enum": []string{langText, langJSON}, "default": langText}),
		queryParam("filter-crs", "The CRS of the filters' geometry literals.", obj{"type": "string", "format": "uri", "enum": crsList(), "default": crs84URI}),
	}
}

// sortablesPath is the /collections/{collectionId}/sortables path.
func sortablesPath(collectionID, errResp obj) obj {
	return obj{"get": obj{"summary": "The attributes items can be sorted by", "operationId": "getSortables",
		"tags": []string{"Data"}, "parameters": []obj{collectionID},
		"responses": obj{"200": obj{"description": "JSON Schema", "content": obj{mediaSchema: obj{}}}, "404": errResp}}}
}
