package api

import "github.com/coalmap/coalmap/overlaps"

// The OpenAPI description of the overlap routes: checks, reroutes, the
// corridor table and routes, and layer-against-layer runs.

func (s *Server) openAPIOverlaps() obj {
	corridor := []obj{
		query("row_width_m", "The right-of-way width in metres; the corridor is the alignment buffered by half of it.", obj{"type": "number", "minimum": 0}),
		query("voltage_kv", "A transmission voltage whose right of way the corridor table holds (GET /overlaps/corridors).", obj{"type": "integer", "minimum": 1}),
		query("circuit", "The circuit configuration, for voltages with several widths (765 kV: sc-delta, dc, sc-horizontal; sc-delta by default).", sString()),
		query("rail", "The railway planning width (46 m).", sBool()),
		query("clearance_m", "Polygons not crossed but within this distance are near-misses; a reroute keeps it.", obj{"type": "number", "minimum": 0}),
	}
	against := query("against", "The polygon layers to check against (default coal_blocks).", sStrings())
	alignment := obj{}
	for _, m := range []string{mediaGeoJSON, mediaJSON} {
		alignment[m] = obj{"schema": obj{"type": "object", "description": "A GeoJSON LineString or MultiLineString, Feature or FeatureCollection (CRS84)."}}
	}
	for _, m := range []string{"application/vnd.google-earth.kml+xml", "application/vnd.google-earth.kmz", "application/octet-stream"} {
		alignment[m] = obj{"schema": obj{"type": "string", "format": "binary"}}
	}
	return obj{
		"/overlaps/check": obj{"post": withBody(operation("checkOverlaps", "Overlaps", "Every polygon the posted alignments cross",
			"For each alignment and polygon crossed: the length inside (geodesic), the number of crossings, entry and exit points with chainage, "+
				"the corridor area inside (ha), the shares of the alignment and of the polygon; near-misses within the clearance; totals.",
			append([]obj{against, fParam("json", "geojson", "csv")}, corridor...),
			responses(obj{"200": answer("The report; f=geojson the crossing pieces as features; f=csv one row per crossing.",
				obj{mediaJSON: obj{"schema": schema("CheckReport")}, mediaGeoJSON: obj{"schema": schema("FeatureCollection")}, "text/csv": obj{"schema": sString()}})},
				400, 404, 413, 422)), alignment)},
		"/overlaps/reroute": obj{"post": withBody(operation("rerouteAlignment", "Overlaps", "An alternative that avoids the polygons",
			"One alignment: an alternative that keeps its corridor (half the right of way plus the clearance) out of every polygon of the layers, "+
				"its added length, and its check.",
			append([]obj{against, fParam("json", "geojson")}, corridor...),
			responses(obj{"200": answer("The original check, the alternatives and the polygons no route can avoid.",
				obj{mediaJSON: obj{"schema": schema("RerouteResult")}, mediaGeoJSON: obj{"schema": schema("FeatureCollection")}})},
				400, 404, 413, 422)), alignment)},
		"/overlaps/corridors": obj{"get": operation("getCorridors", "Overlaps", "The right-of-way table and the default soft costs of routes",
			"Rows of width by voltage and circuit configuration, and rail, with the shortest straight section between angle points. "+
				"Choose a row with row_width_m, voltage_kv (+ circuit) or rail=true on the check, the reroute, and in the corridor of /routes. "+
				"765 kV without a circuit is S/C delta (64 m); the default corridor is rail (46 m).",
			nil, obj{"200": answer("The table.", content(mediaJSON, schema("Corridors")))})},
		"/routes": obj{"post": withBody(operation("planRoutes", "Overlaps", "Alternative alignments, ranked by cost",
			"Routes between the ends of an alignment (or from/to), through waypoints in order, that keep half the corridor plus the clearance from "+
				"every polygon of the hard layers. Costs in km-equivalents: length_km + Σ km inside soft polygons × cost_per_km + Σ crossings × penalty_km "+
				"− Σ km beside parallel layers × bonus_per_km + angle points × angle_point_km (defaults in GET /overlaps/corridors). k alternatives (1–5), "+
				"any two sharing at most max_shared of their length; mode keep replaces only the conflicting stretches. The original alignment is row 0. "+
				"An unknown layer and a restricted one the caller may not see are the same 400.",
			[]obj{fParam("json", "geojson", "csv")},
			responses(obj{"200": answer("The routes; f=geojson one feature per route; f=csv one row per route.",
				obj{mediaJSON: obj{"schema": schema("RoutesResult")}, mediaGeoJSON: obj{"schema": schema("FeatureCollection")}, "text/csv": obj{"schema": sString()}})},
				400, 413, 422)), content(mediaJSON, schema("RoutesRequest")))},
	}
}

func (s *Server) openAPIRuns() obj {
	run := ref("parameters", "runId")
	return obj{
		"/overlaps/runs": obj{
			"post": withBody(secured(operation("startRun", "Overlaps", "Check every feature of line layers against polygon layers (editor token)",
				"Runs in the background; its rows are kept. Unknown layers and layers of the wrong kind are refused at once.", nil,
				responses(obj{"202": answer("Accepted: the run.", content(mediaJSON, schema("Run")), "Location")}, 400, 401, 403, 404))),
				content(mediaJSON, schema("RunSpec"))),
			"get": operation("listRuns", "Overlaps", "The runs, newest first", "With their status, progress, the layers' data versions read, "+
				"and stale once a layer has changed since. Runs over a layer the caller may not see are left out.", nil,
				obj{"200": answer("The runs.", content(mediaJSON, object([]string{"runs"}, obj{"runs": arrayOf(schema("Run"))})))}),
		},
		"/overlaps/runs/{runId}": obj{
			"get": operation("getRun", "Overlaps", "A run", "", []obj{run}, responses(obj{"200": answer("The run.", content(mediaJSON, schema("Run")))}, 404)),
			"delete": secured(operation("deleteRun", "Overlaps", "Cancel and remove a run (editor token)", "", []obj{run},
				responses(obj{"204": answer("Removed.", nil)}, 401, 403, 404))),
		},
		"/overlaps/runs/{runId}/results": obj{"get": operation("getRunResults", "Overlaps", "A run's rows: one per line–polygon pair",
			"A Warning header says when a layer of the run has changed since it ran.", []obj{run, fParam("json", "csv", "geojson")},
			responses(obj{"200": answer("The rows.", obj{mediaJSON: obj{"schema": object([]string{"rows"}, obj{"rows": arrayOf(schema("RunRow"))})},
				"text/csv": obj{"schema": sString()}, mediaGeoJSON: obj{"schema": schema("FeatureCollection")}}, "Warning")}, 400, 404, 409))},
	}
}

func overlapSchemas() obj {
	waypoint := object([]string{"lon", "lat", "chainage_km"}, obj{"lon": sNumber(), "lat": sNumber(), "chainage_km": sNumber()})
	polygonRef := object([]string{"layer", "id"}, obj{"layer": sString(), "id": sString(), "name": sString()})
	line := object([]string{"type", "coordinates"}, obj{"type": sString(), "coordinates": arrayOf(sNumbers())})
	lonLat := obj{"type": "array", "items": sNumber(), "minItems": 2, "maxItems": 2}
	soft := object(nil, obj{
		"polygons":       arrayOf(object([]string{"layer", "cost_per_km"}, obj{"layer": sString(), "cost_per_km": sNumber()})),
		"crossings":      arrayOf(object([]string{"layer", "penalty_km"}, obj{"layer": sString(), "penalty_km": sNumber()})),
		"parallel":       arrayOf(object([]string{"layer", "bonus_per_km"}, obj{"layer": sString(), "bonus_per_km": sNumber(), "within_m": sNumber()})),
		"angle_point_km": sNumber(),
	})
	corridorRow := object([]string{"id", "kind", "row_width_m"}, obj{"id": sString(), "kind": sString(), "voltage_kv": sInteger(),
		"circuit": sString(), "row_width_m": sNumber(), "label": sString(), "min_section_m": sNumber(), "default_for_voltage": sBool()})
	return obj{
		"CheckReport": object([]string{"layers", "row_width_m", "clearance_m", "crossings", "near_misses", "alignments", "summary"}, obj{
			"layers":      arrayOf(object([]string{"layer", "version"}, obj{"layer": sString(), "version": sInteger()})),
			"row_width_m": sNumber(), "clearance_m": sNumber(),
			"crossings": nullable(arrayOf(object([]string{"alignment", "layer", "id", "length_m", "crossings"}, obj{
				"alignment": sInteger(), "alignment_id": sString(), "layer": sString(), "id": sString(), "name": sString(),
				"allocatee": sString(), "status": sString(), "length_m": sNumber(), "crossings": sInteger(),
				"entries": arrayOf(waypoint), "exits": arrayOf(waypoint), "corridor_area_ha": sNumber(), "polygon_area_ha": sNumber(),
				"share_of_alignment_pct": sNumber(), "share_of_polygon_pct": sNumber(),
				"pieces": object([]string{"type", "coordinates"}, obj{"type": sString(), "coordinates": arrayOf(arrayOf(sNumbers()))})}))),
			"near_misses": nullable(arrayOf(object([]string{"alignment", "layer", "id", "min_distance_m"}, obj{
				"alignment": sInteger(), "alignment_id": sString(), "layer": sString(), "id": sString(), "name": sString(),
				"allocatee": sString(), "status": sString(), "min_distance_m": sNumber(), "corridor_area_ha": sNumber()}))),
			"alignments": nullable(arrayOf(object([]string{"alignment", "length_m"}, obj{"alignment": sInteger(), "alignment_id": sString(),
				"length_m": sNumber(), "length_inside_m": sNumber(), "share_inside_pct": sNumber(), "polygons_crossed": sInteger(),
				"crossings": sInteger(), "corridor_area_ha": sNumber(), "near_misses": sInteger()}))),
			"summary": object([]string{"alignments"}, obj{"alignments": sInteger(), "length_m": sNumber(), "polygons_crossed": sInteger(),
				"crossings": sInteger(), "length_inside_m": sNumber(), "share_inside_pct": sNumber(), "corridor_area_ha": sNumber(), "near_misses": sInteger()}),
		}),
		"RerouteResult": object([]string{"original", "alternatives"}, obj{
			"original": schema("CheckReport"),
			"alternatives": nullable(arrayOf(object([]string{"geometry", "length_m", "added_length_m"}, obj{
				"geometry": line, "length_m": sNumber(), "added_length_m": sNumber(), "added_pct": sNumber(),
				"avoided": nullable(arrayOf(polygonRef)), "unavoidable": nullable(arrayOf(polygonRef)), "check": schema("CheckReport")}))),
			"unavoidable": nullable(arrayOf(polygonRef)),
		}),
		"Corridors": object([]string{"corridors", "default"}, obj{"corridors": arrayOf(corridorRow), "default": sString(), "notes": sString(),
			"soft_defaults": soft}),
		"RoutesRequest": object(nil, obj{
			"alignment": obj{"type": "object", "description": "A GeoJSON LineString, Feature or FeatureCollection of one line (optional with from and to)."},
			"from":      lonLat, "to": lonLat, "waypoints": arrayOf(lonLat),
			"mode":        obj{"type": "string", "enum": []string{"free", "keep"}, "default": "free"},
			"k":           obj{"type": "integer", "minimum": 1, "maximum": overlaps.MaxK, "default": overlaps.DefaultK},
			"max_shared":  obj{"type": "number", "minimum": 0, "maximum": 1, "default": overlaps.DefaultMaxShared},
			"corridor":    object(nil, obj{"row_width_m": sNumber(), "voltage_kv": sInteger(), "circuit": sString(), "rail": sBool()}),
			"clearance_m": obj{"type": "number", "minimum": 0}, "min_section_m": nullable(sNumber()),
			"hard": obj{"type": "array", "items": sString(), "default": []string{"coal_blocks"}},
			"soft": soft,
		}),
		"RoutesResult": object([]string{"parameters", "routes"}, obj{
			"parameters":    sObject(),
			"data_versions": obj{"type": "object", "additionalProperties": sInteger()},
			"unavoidable":   nullable(arrayOf(polygonRef)),
			"routes": arrayOf(object([]string{"rank", "kind", "geometry", "length_m", "cost"}, obj{
				"rank": sInteger(), "kind": obj{"type": "string", "enum": []string{"original", "alternative"}}, "geometry": line,
				"length_m": sNumber(), "added_length_m": sNumber(), "added_pct": sNumber(), "angle_points": sInteger(),
				"crossings": obj{"type": "object", "additionalProperties": sInteger()}, "hard_crossed": nullable(arrayOf(sObject())),
				"soft_ha": obj{"type": "object", "additionalProperties": sNumber()}, "min_clearance_m": nullable(sNumber()),
				"colocated_km": sNumber(), "shared_m": nullable(sNumbers()), "cost": sNumber(), "cost_breakdown": sObject(),
				"replaced": nullable(arrayOf(sObject())), "short_sections": sInteger(), "angle_coordinates": nullable(arrayOf(sNumbers()))})),
		}),
		"RunSpec": merge(object([]string{"lines"}, obj{"lines": obj{"type": "array", "minItems": 1, "items": sString()}, "polygons": sStrings(),
			"row_width_m": obj{"type": "number", "minimum": 0}, "clearance_m": obj{"type": "number", "minimum": 0}}), obj{"additionalProperties": false}),
		"Run": object([]string{"id", "status", "spec", "links"}, obj{"id": sInteger(),
			"status": obj{"type": "string", "enum": []string{"queued", "running", "succeeded", "failed", "cancelled"}},
			"spec":   schema("RunSpec"), "layer_versions": obj{"type": "object", "additionalProperties": sInteger()},
			"lines_total": sInteger(), "lines_done": sInteger(), "result_rows": sInteger(), "error": sString(), "created_by": sString(),
			"created_at": obj{"type": "string", "format": "date-time"}, "started_at": obj{"type": "string", "format": "date-time"},
			"finished_at": obj{"type": "string", "format": "date-time"}, "stale": sBool(), "links": sLinks()}),
		"RunRow": object([]string{"line_layer", "line_id", "kind"}, obj{"line_layer": sString(), "line_id": sString(),
			"kind": obj{"type": "string", "enum": []string{"crossing", "near_miss", "invalid_line"}}, "layer": sString(), "polygon_id": sString(),
			"name": sString(), "allocatee": sString(), "status": sString(), "row_width_m": sNumber(), "line_length_m": sNumber(),
			"length_m": sNumber(), "crossings": sInteger(), "corridor_area_ha": sNumber(), "share_of_line_pct": sNumber(),
			"share_of_polygon_pct": sNumber(), "min_distance_m": sNumber(), "error": sString()}),
	}
}
