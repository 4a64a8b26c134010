package pgtest

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/layers"
)

// Fixture layers around the Singrauli coalfield (82.0–82.8°E, 23.7–24.3°N),
// deterministic, shaped like the coal catalog: blocks (small polygons and one
// large many-vertex coalfield outline), long many-vertex transmission lines,
// railway siding points, and a restricted layer.
var (
	CoalBlocks = layers.Layer{ID: "coal_blocks", Title: "Coal blocks", Description: "Allotted and unallotted coal blocks",
		Owner: "Ministry of Coal", Custodian: layers.Contact{Organisation: "CMPDI"}, License: "GODL-India",
		GeometryType: layers.MultiPolygon, MinZoom: 4, MaxZoom: 16,
		Attributes: []layers.Attribute{
			{Name: "name", Type: layers.Text}, {Name: "area_km2", Type: layers.Real, Unit: "km²"},
			{Name: "grade", Type: layers.Text}, {Name: "producing", Type: layers.Boolean},
			{Name: "allotted_on", Type: layers.Date},
		}}
	TransmissionLines = layers.Layer{ID: "transmission_lines", Title: "Transmission lines", Owner: "CEA",
		GeometryType: layers.MultiLineString, MinZoom: 0, MaxZoom: 16,
		Attributes: []layers.Attribute{{Name: "name", Type: layers.Text}, {Name: "voltage_kv", Type: layers.Integer}}}
	Sidings = layers.Layer{ID: "sidings", Title: "Railway sidings", GeometryType: layers.Point, MinZoom: 8, MaxZoom: 18,
		Attributes: []layers.Attribute{{Name: "name", Type: layers.Text}, {Name: "capacity_mtpa", Type: layers.Real}}}
	DefenceLand = layers.Layer{ID: "defence_land", Title: "Defence land", GeometryType: layers.MultiPolygon,
		Access: layers.Restricted, MaxZoom: 16, Attributes: []layers.Attribute{{Name: "name", Type: layers.Text}}}
)

// CreateCoalLayers creates the fixture layers.
func CreateCoalLayers(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	CreateLayer(t, pool, CoalBlocks, `
SELECT 'CB-' || i, ST_Multi(ST_MakeEnvelope(82.0 + (i % 8) * 0.1, 23.7 + (i / 8) * 0.1,
                                            82.0 + (i % 8) * 0.1 + 0.02 + (i % 3) * 0.01, 23.7 + (i / 8) * 0.1 + 0.015, 4326)),
       'Block ' || i, round((4 + (i % 7) * 1.5)::numeric, 2)::float8, (ARRAY['G9','G11','G13'])[1 + i % 3], i % 2 = 0,
       date '2015-03-01' + i
FROM generate_series(0, 39) i
UNION ALL
SELECT 'CF-1', ST_Multi(ST_Buffer(ST_SetSRID(ST_MakeLine(ARRAY[ST_MakePoint(82.05, 23.75), ST_MakePoint(82.4, 24.1), ST_MakePoint(82.75, 23.8)]), 4326), 0.04, 64)),
       'Singrauli coalfield', 2202.0, 'G11', true, date '1960-01-01'
UNION ALL
SELECT 'CB-TINY', ST_Multi(ST_MakeEnvelope(82.5, 24.25, 82.5001, 24.2501, 4326)), 'Tiny block', 0.0001, 'G9', false, date '2020-01-01'`)
	CreateLayer(t, pool, TransmissionLines, `
SELECT 'TL-' || i, ST_Multi(ST_SetSRID(ST_MakeLine(ARRAY(
         SELECT ST_MakePoint(81.9 + k * 0.002, 23.8 + i * 0.05 + 0.03 * sin(k / 15.0 + i))
         FROM generate_series(0, 499) k)), 4326)),
       'Line ' || i, (ARRAY[132, 220, 400, 765])[1 + i % 4]
FROM generate_series(0, 9) i
UNION ALL
SELECT 'TL-TINY', ST_Multi(ST_SetSRID(ST_MakeLine(ST_MakePoint(82.3, 24.2), ST_MakePoint(82.3001, 24.2)), 4326)), 'Stub', 66`)
	CreateLayer(t, pool, Sidings, `
SELECT 'SD-' || i, ST_SetSRID(ST_MakePoint(82.0 + (i % 20) * 0.04 + 0.001 * (i % 7), 23.7 + (i / 20) * 0.06), 4326),
       'Siding ' || i, (i % 9) * 0.5
FROM generate_series(0, 199) i`)
	CreateLayer(t, pool, DefenceLand, `
SELECT 'DL-' || i, ST_Multi(ST_MakeEnvelope(82.2 + i * 0.1, 23.9, 82.25 + i * 0.1, 23.95, 4326)), 'Range ' || i
FROM generate_series(0, 2) i`)
}
