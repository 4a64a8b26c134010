package api

// The OpenAPI description of the tile routes: XYZ tiles and TileJSON, and
// OGC API – Tiles.

func (s *Server) openAPITiles() obj {
	mvt := obj{"application/vnd.mapbox-vector-tile": obj{"schema": obj{"type": "string", "format": "binary"}}}
	tileHeaders := []string{"ETag", "Cache-Control", "X-Cache", "X-Feature-Cap", "Content-Encoding", "Vary"}
	tileAnswers := func() obj {
		return responses(obj{
			"200": answer("A Mapbox Vector Tile: one MVT layer per layer, features' ids their fid, attributes from the dictionary. "+
				"gzip when accepted; X-Cache says whether it came from the cache, X-Feature-Cap which layers hit their feature cap.", mvt, tileHeaders...),
			"204": answer("The tile is empty.", nil, "ETag", "Cache-Control", "X-Cache"),
			"304": answer("Not modified (If-None-Match).", nil, "ETag"),
		}, 400, 404, 503)
	}
	props := query("properties", "The attributes the tile carries, each in the dictionary of one of its layers (none: properties=).", sStrings())
	version := query("v", "The layers' data versions (as TileJSON and tileset links write them): a versioned URL is cached for long.", sString())
	ifNoneMatch := obj{"name": "If-None-Match", "in": "header", "required": false, "schema": sString()}
	tms := ref("parameters", "tileMatrixSetId")
	ogcTile := append([]obj{tms, ref("parameters", "tileMatrix"), ref("parameters", "tileRow"), ref("parameters", "tileCol"), props, version, ifNoneMatch},
		tileFilterParams()...)
	collections := query("collections", "The layers of the dataset's tiles: ids (or URLs of collections), in tile order; all the caller may see by default.", sStrings())
	f := fParam("json")
	paths := obj{
		"/tiles/{layers}/{z}/{x}/{y}.mvt": obj{"get": operation("getTileXYZ", "Tiles", "A vector tile (XYZ, WebMercatorQuad)",
			"A restricted layer is a 404 without a token, also inside a comma list; tiles below a layer's min_zoom are empty.",
			append([]obj{ref("parameters", "layers"),
				{"name": "z", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0, "maximum": 24}},
				{"name": "x", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0}},
				{"name": "y", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0}},
				props, version, ifNoneMatch}, tileFilterParams()...),
			tileAnswers())},
		"/tiles/{layers}.json": obj{"get": operation("getTileJSON", "Tiles", "TileJSON 3.0 of one or more layers",
			"vector_layers with fields from the attribute dictionary, zooms, bounds, attribution; the tile URL carries the data versions.",
			append([]obj{ref("parameters", "layers"), props}, tileFilterParams()...),
			responses(obj{"200": answer("TileJSON.", content(mediaJSON, schema("TileJSON")), "Cache-Control")}, 400, 404))},
		"/tileMatrixSets": obj{"get": operation("getTileMatrixSetsList", "Tiles", "The tile matrix sets served", "", []obj{f},
			responses(obj{"200": answer("WebMercatorQuad and WorldCRS84Quad.", content(mediaJSON, schema("TileMatrixSets")))}, 400))},
		"/tileMatrixSets/{tileMatrixSetId}": obj{"get": operation("getTileMatrixSet", "Tiles", "A tile matrix set's definition (OGC 17-083r4)", "",
			[]obj{tms, f}, responses(obj{"200": answer("The definition.", content(mediaJSON, schema("TileMatrixSet")))}, 400, 404))},
		"/collections/{collectionId}/tiles": obj{"get": operation("getCollectionTileSets", "Tiles", "A layer's tilesets", "",
			[]obj{ref("parameters", "collectionId"), f},
			responses(obj{"200": answer("One tileset per tile matrix set.", content(mediaJSON, schema("TileSets")))}, 400, 404))},
		"/collections/{collectionId}/tiles/{tileMatrixSetId}": obj{"get": operation("getCollectionTileSet", "Tiles", "A layer's tileset",
			"Its limits per tile matrix (from the layer's extent and zooms), bounding box, layer schema and the tile URL template.",
			[]obj{ref("parameters", "collectionId"), tms, f},
			responses(obj{"200": answer("The tileset metadata.", content(mediaJSON, schema("TileSet")))}, 400, 404))},
		"/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": obj{"get": operation("getCollectionTile", "Tiles",
			"A layer's tile", "A tile outside the tile matrix set or the tileset's limits is a 404.",
			append([]obj{ref("parameters", "collectionId")}, ogcTile...), tileAnswers())},
	}
	if s.deps.Catalog != nil {
		paths["/tiles"] = obj{"get": operation("getDatasetTileSets", "Tiles", "The dataset's tilesets", "", []obj{collections, f},
			responses(obj{"200": answer("One tileset per tile matrix set.", content(mediaJSON, schema("TileSets")))}, 400, 404))}
		paths["/tiles/{tileMatrixSetId}"] = obj{"get": operation("getDatasetTileSet", "Tiles", "The dataset's tileset",
			"Every layer the caller may see, or those the collections parameter names.", []obj{tms, collections, f},
			responses(obj{"200": answer("The tileset metadata.", content(mediaJSON, schema("TileSet")))}, 400, 404))}
		paths["/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"] = obj{"get": operation("getDatasetTile", "Tiles", "A tile of the dataset",
			"One MVT layer per layer drawn at this level, in catalog order or the collections parameter's.", append(ogcTile, collections), tileAnswers())}
	}
	return paths
}

func tileSchemas() obj {
	bbox := object([]string{"lowerLeft", "upperRight"}, obj{"lowerLeft": nums2(), "upperRight": nums2(), "crs": sString()})
	limits := object([]string{"tileMatrix", "minTileRow", "maxTileRow", "minTileCol", "maxTileCol"}, obj{"tileMatrix": sString(),
		"minTileRow": sInteger(), "maxTileRow": sInteger(), "minTileCol": sInteger(), "maxTileCol": sInteger()})
	return obj{
		"TileJSON": object([]string{"tilejson", "tiles", "vector_layers"}, obj{"tilejson": sString(), "tiles": sStrings(),
			"name": sString(), "description": sString(), "version": sString(), "attribution": sString(), "scheme": sString(),
			"minzoom": sInteger(), "maxzoom": sInteger(), "bounds": obj{"type": "array", "items": sNumber(), "minItems": 4, "maxItems": 4},
			"vector_layers": arrayOf(object([]string{"id", "fields"}, obj{"id": sString(), "description": sString(),
				"minzoom": sInteger(), "maxzoom": sInteger(), "fields": obj{"type": "object", "additionalProperties": sString()}}))}),
		"TileMatrixSets": object([]string{"tileMatrixSets"}, obj{"tileMatrixSets": arrayOf(object([]string{"id", "links"},
			obj{"id": sString(), "title": sString(), "uri": sString(), "crs": sString(), "links": sLinks()})), "links": sLinks()}),
		"TileMatrixSet": object([]string{"crs", "tileMatrices"}, obj{"id": sString(), "title": sString(), "uri": sString(), "crs": sString(),
			"orderedAxes": sStrings(), "wellKnownScaleSet": sString(), "links": sLinks(),
			"tileMatrices": arrayOf(object([]string{"id", "scaleDenominator", "cellSize", "pointOfOrigin", "tileWidth", "tileHeight",
				"matrixWidth", "matrixHeight"}, obj{"id": sString(), "scaleDenominator": sNumber(), "cellSize": sNumber(),
				"cornerOfOrigin": obj{"type": "string", "enum": []string{"topLeft", "bottomLeft"}}, "pointOfOrigin": nums2(),
				"tileWidth": sInteger(), "tileHeight": sInteger(), "matrixWidth": sInteger(), "matrixHeight": sInteger()}))}),
		"TileSets": object([]string{"tilesets"}, obj{"links": sLinks(), "tilesets": arrayOf(object([]string{"dataType", "crs", "links"},
			obj{"title": sString(), "dataType": obj{"type": "string", "enum": []string{"vector", "map", "coverage"}}, "crs": sString(),
				"tileMatrixSetURI": sString(), "links": sLinks()}))}),
		"TileSet": object([]string{"dataType", "crs", "links"}, obj{"title": sString(), "description": sString(), "keywords": sStrings(),
			"version": sString(), "license": sString(), "accessConstraints": sString(), "attribution": sString(),
			"dataType": obj{"type": "string", "enum": []string{"vector", "map", "coverage"}}, "crs": sString(), "tileMatrixSetURI": sString(),
			"mediaTypes": sStrings(), "boundingBox": bbox, "tileMatrixSetLimits": arrayOf(limits), "links": sLinks(),
			"layers": arrayOf(object([]string{"id", "dataType"}, obj{"id": sString(), "title": sString(), "description": sString(),
				"dataType": sString(), "geometryDimension": obj{"type": "integer", "minimum": 0, "maximum": 3}, "featureType": sString(),
				"minTileMatrix": sString(), "maxTileMatrix": sString(), "boundingBox": bbox, "propertiesSchema": sObject(), "links": sLinks()}))}),
	}
}

func nums2() obj { return obj{"type": "array", "items": sNumber(), "minItems": 2, "maxItems": 2} }
