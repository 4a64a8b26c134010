package api

// The OpenAPI description of the styles (MapLibre style documents, OGC API
// – Styles' list), their sprite and their glyphs.

func (s *Server) openAPIStyles() obj {
	binary := func(media string) obj { return obj{media: obj{"schema": obj{"type": "string", "format": "binary"}}} }
	asset := func(id, summary, media string, params []obj) obj {
		return obj{"get": operation(id, "Styles", summary, "", params,
			responses(obj{"200": answer("The file.", binary(media), "ETag", "Cache-Control"), "304": answer("Not modified.", nil, "ETag")}, 404))}
	}
	layers := ref("parameters", "layers")
	return obj{
		"/styles": obj{"get": operation("getStyles", "Styles", "The styles: one per layer the caller may see (OGC API – Styles)", "", nil,
			obj{"200": answer("The list.", content(mediaJSON, object([]string{"styles", "links"}, obj{
				"styles":  arrayOf(object([]string{"id", "links"}, obj{"id": sString(), "title": sString(), "links": sLinks()})),
				"default": nullable(sString()), "links": sLinks()})))})},
		"/styles/{layers}": obj{"get": operation("getStyle", "Styles", "A MapLibre style document of one layer or a comma list",
			"The layers' own symbology from their metadata, over the service's TileJSON, sprite and glyphs. Restricted layers need a token.",
			[]obj{layers, query("lang", "Labels from name (en) or name_hi, else name (hi).", obj{"type": "string", "enum": []string{"en", "hi"}, "default": "en"}),
				query("f", "mapbox (OGC API – Styles' name), maplibre or json: the same document.", obj{"type": "string", "enum": []string{"mapbox", "maplibre", "json"}})},
			responses(obj{"200": answer("A style document (version 8).", content(MediaTypeMapboxStyle, object([]string{"version", "sources", "layers"},
				obj{"version": sInteger(), "name": sString(), "sources": sObject(), "layers": arrayOf(sObject()), "sprite": sString(), "glyphs": sString()})),
				"ETag", "Cache-Control"), "304": answer("Not modified.", nil, "ETag")}, 400, 404))},
		"/styles/sprite.json":    asset("getSpriteIndex", "The sprite's index", mediaJSON, nil),
		"/styles/sprite.png":     asset("getSpriteImage", "The sprite's image", "image/png", nil),
		"/styles/sprite@2x.json": asset("getSpriteIndex2x", "The sprite's index, for high-density screens", mediaJSON, nil),
		"/styles/sprite@2x.png":  asset("getSpriteImage2x", "The sprite's image, for high-density screens", "image/png", nil),
		"/fonts": obj{"get": operation("getFonts", "Styles", "The fonts glyphs are served for, and the font files", "", nil,
			obj{"200": answer("The fonts.", content(mediaJSON, object([]string{"fonts"}, obj{"fonts": sStrings(), "files": sObject(),
				"glyphs": sString(), "license": sString(), "built": sBool()})))})},
		"/fonts/{file}.ttf": asset("getFontFile", "A font file the styles name in font-faces", "font/ttf",
			[]obj{{"name": "file", "in": "path", "required": true, "schema": sString()}}),
		"/fonts/{fontstack}/{range}.pbf": asset("getGlyphs", "SDF glyphs of a font stack (each codepoint from the first font that has it)", "application/x-protobuf",
			[]obj{{"name": "fontstack", "in": "path", "required": true, "schema": sString(), "description": "A font, or a comma list of them."},
				{"name": "range", "in": "path", "required": true, "schema": obj{"type": "string", "pattern": `^[0-9]+-[0-9]+$`}, "description": "0-255, 256-511, … 65280-65535."}}),
	}
}
