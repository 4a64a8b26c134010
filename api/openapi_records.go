package api

// The OpenAPI description of OGC API – Records: the layer catalog.

func (s *Server) openAPIRecords() obj {
	list := func(name, desc string) obj { return query(name, desc, sStrings()) }
	return obj{
		"/collections/" + catalogID: obj{"get": operation("getCatalog", "Records", "The layer catalog as a record collection",
			"itemType record; its extent covers the records' extents.", []obj{fParam("json")},
			responses(obj{"200": answer("The catalog.", content(mediaJSON, schema("Catalog")))}, 400))},
		"/collections/" + catalogID + "/items": obj{"get": operation("getRecords", "Records", "Search the catalog",
			"Dataset records (the layers the caller may see) and service records (the processes), datasets first, each in id order. "+
				"q searches titles (English and Hindi), description, keywords, category, owner, custodian and lineage: comma-separated "+
				"terms, any of which may match; the words of one term must appear in that order, separated by any white space; any case. "+
				"Facet counts of type, category and keywords are over every record matched.",
			[]obj{query("q", "Search terms.", sString()),
				query("bbox", "minx,miny,maxx,maxy (CRS84): records whose extent meets it.", obj{"type": "array", "minItems": 4, "maxItems": 6, "items": sNumber()}),
				query("datetime", "An instant or interval (a/b, .. for an open end; a date is the whole day) the record's revision date falls in.", sString()),
				list("type", "Record types: dataset, service."), list("ids", "Record ids."),
				list("externalIds", "External ids (no record carries one)."), list("keywords", "Records with any of these keywords (any case)."),
				list("category", "Records of any of these categories."),
				query("limit", "Records per page.", obj{"type": "integer", "minimum": 1, "default": defaultRecordLimit}),
				query("offset", "Records to skip (next and prev links set it).", obj{"type": "integer", "minimum": 0}), fParam("json")},
			responses(obj{"200": answer("A page of records.", content(mediaGeoJSON, schema("RecordCollection")))}, 400))},
		"/collections/" + catalogID + "/items/{recordId}": obj{"get": operation("getRecord", "Records", "One record", "",
			[]obj{ref("parameters", "recordId"), fParam("json")},
			responses(obj{"200": answer("The record.", content(mediaGeoJSON, schema("Record")))}, 400, 404))},
	}
}

func recordSchemas() obj {
	facet := arrayOf(object([]string{"value", "count"}, obj{"value": sString(), "count": sInteger()}))
	return obj{
		"Catalog": object([]string{"id", "type", "itemType", "links"}, obj{"id": sString(), "type": obj{"type": "string", "enum": []string{"Catalog"}},
			"itemType": obj{"type": "string", "enum": []string{"record"}}, "title": sString(), "description": sString(), "keywords": sStrings(),
			"language": sObject(), "crs": sStrings(), "extent": schema("Extent"), "links": sLinks()}),
		"Record": object([]string{"id", "type", "geometry", "properties", "links"}, obj{"id": sString(),
			"type": obj{"type": "string", "enum": []string{"Feature"}}, "geometry": nullable(sObject()), "time": nullable(sObject()),
			"conformsTo": sStrings(), "links": sLinks(),
			"properties": object([]string{"type", "title"}, obj{"type": obj{"type": "string", "enum": []string{"dataset", "service"}},
				"title": sString(), "title_hi": sString(), "description": sString(), "keywords": sStrings(), "language": sObject(),
				"themes": arrayOf(sObject()), "formats": arrayOf(sObject()), "contacts": arrayOf(sObject()), "license": sString(), "rights": sString(),
				"created": obj{"type": "string", "format": "date-time"}, "updated": obj{"type": "string", "format": "date-time"},
				"category": sString(), "scale": sString(), "accuracy": sString(), "update_frequency": sString(), "status": sString(),
				"lineage": sObject(), "crs": sObject(), "extent": schema("Extent"), "access": sString(), "revised_at": sString()})}),
		"RecordCollection": object([]string{"type", "features", "links"}, obj{"type": obj{"type": "string", "enum": []string{"FeatureCollection"}},
			"features": arrayOf(schema("Record")), "numberMatched": sInteger(), "numberReturned": sInteger(),
			"timeStamp": obj{"type": "string", "format": "date-time"}, "links": sLinks(),
			"facets": object(nil, obj{"type": facet, "category": facet, "keywords": facet})}),
	}
}
