-- A synthetic coal dataset of the issue's shape, deterministic (setseed):
-- 2,000 transmission lines of 200–5,000 vertices, 600 coal blocks, 400 rail
-- lines, around ten Indian coalfields; then a list of tiles over them.
SELECT setseed(0.42);

CREATE TEMP TABLE coalfields (n int, name text, lon float8, lat float8);
INSERT INTO coalfields VALUES
  (0, 'Singrauli', 82.3, 24.0), (1, 'Korba', 82.7, 22.4), (2, 'Talcher', 85.2, 20.9), (3, 'Ib Valley', 83.9, 21.9),
  (4, 'Jharia', 86.4, 23.75), (5, 'Raniganj', 87.1, 23.6), (6, 'Mand-Raigarh', 83.3, 22.1), (7, 'Wardha', 79.0, 20.0),
  (8, 'North Karanpura', 85.0, 23.7), (9, 'Rajmahal', 87.5, 24.8);

-- Layer tables follow the convention: fid, feature_id, geom(…, 4326) with a GiST index.
CREATE TABLE layers.transmission_lines (fid bigint PRIMARY KEY, feature_id text NOT NULL UNIQUE,
  geom geometry(MultiLineString, 4326), name text, voltage_kv integer, owner text);
CREATE TABLE layers.coal_blocks (fid bigint PRIMARY KEY, feature_id text NOT NULL UNIQUE,
  geom geometry(MultiPolygon, 4326), name text, coalfield text, state text, area_km2 double precision, grade text);
CREATE TABLE layers.rail_lines (fid bigint PRIMARY KEY, feature_id text NOT NULL UNIQUE,
  geom geometry(MultiLineString, 4326), name text, gauge text, status text);

-- Random walks with a persistent, slowly turning heading.
CREATE TEMP TABLE walks AS
SELECT i, 1 + floor(random() * 10)::int AS cf, (random() - 0.5) * 2.4 AS dx, (random() - 0.5) * 1.6 AS dy,
       random() * 2 * pi() AS h0, 200 + floor(random() * 4801)::int AS n
FROM generate_series(1, 2000) i;

INSERT INTO layers.transmission_lines
SELECT w.i, 'TL-' || w.i, ST_Multi(ST_SetSRID(ST_MakeLine(p.pts), 4326)),
       'Line ' || w.i, (ARRAY[132, 220, 400, 765])[1 + w.i % 4], (ARRAY['PGCIL', 'NTPC', 'State Transco'])[1 + w.i % 3]
FROM walks w
JOIN coalfields c ON c.n = w.cf - 1
CROSS JOIN LATERAL (
  SELECT array_agg(ST_MakePoint(c.lon + w.dx + sx, c.lat + w.dy + sy) ORDER BY k) AS pts FROM (
    SELECT k, sum(0.0006 * cos(h)) OVER (ORDER BY k) AS sx, sum(0.0006 * sin(h)) OVER (ORDER BY k) AS sy FROM (
      SELECT k, w.h0 + 0.7 * sin(k / 300.0 + w.i) + 0.25 * sin(k / 41.0 + 2 * w.i) AS h
      FROM generate_series(0, w.n - 1) k) hk) s) p;

INSERT INTO layers.coal_blocks
SELECT b, 'CB-' || b, ST_Multi(ST_MakeValid(ST_MakePolygon(ST_AddPoint(l, ST_StartPoint(l))))),
       'Block ' || b, c.name, (ARRAY['Madhya Pradesh', 'Chhattisgarh', 'Odisha', 'Jharkhand', 'West Bengal', 'Maharashtra'])[1 + b % 6],
       round((2 + random() * 40)::numeric, 2)::float8, (ARRAY['G5', 'G9', 'G11', 'G13'])[1 + b % 4]
FROM (SELECT b, 1 + floor(random() * 10)::int AS cf, (random() - 0.5) * 1.4 AS dx, (random() - 0.5) * 1.0 AS dy,
             0.01 + random() * 0.04 AS r, 24 + floor(random() * 176)::int AS nv
      FROM generate_series(1, 600) b) g
JOIN coalfields c ON c.n = g.cf - 1
CROSS JOIN LATERAL (
  SELECT ST_SetSRID(ST_MakeLine(ARRAY(
    SELECT ST_MakePoint(c.lon + g.dx + g.r * (1 + 0.25 * sin(3 * a + g.b)) * cos(a),
                        c.lat + g.dy + g.r * 0.8 * (1 + 0.25 * sin(3 * a + g.b)) * sin(a))
    FROM (SELECT 2 * pi() * k / g.nv AS a FROM generate_series(0, g.nv - 1) k) ak)), 4326) AS l) ring;

CREATE TEMP TABLE rails AS
SELECT i, 1 + floor(random() * 10)::int AS cf, (random() - 0.5) * 2.0 AS dx, (random() - 0.5) * 1.4 AS dy,
       random() * 2 * pi() AS h0, 100 + floor(random() * 1901)::int AS n
FROM generate_series(1, 400) i;

INSERT INTO layers.rail_lines
SELECT w.i, 'RL-' || w.i, ST_Multi(ST_SetSRID(ST_MakeLine(p.pts), 4326)),
       'Rail ' || w.i, CASE WHEN w.i % 7 = 0 THEN 'metre' ELSE 'broad' END, (ARRAY['operational', 'under construction', 'proposed'])[1 + w.i % 3]
FROM rails w
JOIN coalfields c ON c.n = w.cf - 1
CROSS JOIN LATERAL (
  SELECT array_agg(ST_MakePoint(c.lon + w.dx + sx, c.lat + w.dy + sy) ORDER BY k) AS pts FROM (
    SELECT k, sum(0.001 * cos(h)) OVER (ORDER BY k) AS sx, sum(0.001 * sin(h)) OVER (ORDER BY k) AS sy FROM (
      SELECT k, w.h0 + 0.5 * sin(k / 150.0 + w.i) AS h FROM generate_series(0, w.n - 1) k) hk) s) p;

CREATE INDEX ON layers.transmission_lines USING gist (geom);
CREATE INDEX ON layers.coal_blocks USING gist (geom);
CREATE INDEX ON layers.rail_lines USING gist (geom);
ANALYZE layers.transmission_lines;
ANALYZE layers.coal_blocks;
ANALYZE layers.rail_lines;

INSERT INTO catalog.layers (id, title, owner, geometry_type, min_zoom, max_zoom, attributes, feature_count, extent, data_version)
SELECT id, title, owner, gt, 0, 16, attrs::jsonb, 0, NULL, 1 FROM (VALUES
  ('transmission_lines', 'Transmission lines', 'CEA', 'MultiLineString',
   '[{"name":"name","type":"text"},{"name":"voltage_kv","type":"integer"},{"name":"owner","type":"text"}]'),
  ('coal_blocks', 'Coal blocks', 'Ministry of Coal', 'MultiPolygon',
   '[{"name":"name","type":"text"},{"name":"coalfield","type":"text"},{"name":"state","type":"text"},{"name":"area_km2","type":"real"},{"name":"grade","type":"text"}]'),
  ('rail_lines', 'Railway lines', 'Indian Railways', 'MultiLineString',
   '[{"name":"name","type":"text"},{"name":"gauge","type":"text"},{"name":"status","type":"text"}]')
) v(id, title, owner, gt, attrs);
UPDATE catalog.layers l SET feature_count = s.n, extent = s.e FROM (
  SELECT 'transmission_lines' id, count(*) n, (SELECT ARRAY[ST_XMin(x), ST_YMin(x), ST_XMax(x), ST_YMax(x)] FROM (SELECT ST_Extent(geom)::geometry x FROM layers.transmission_lines) q) e FROM layers.transmission_lines
  UNION ALL SELECT 'coal_blocks', count(*), (SELECT ARRAY[ST_XMin(x), ST_YMin(x), ST_XMax(x), ST_YMax(x)] FROM (SELECT ST_Extent(geom)::geometry x FROM layers.coal_blocks) q) FROM layers.coal_blocks
  UNION ALL SELECT 'rail_lines', count(*), (SELECT ARRAY[ST_XMin(x), ST_YMin(x), ST_XMax(x), ST_YMax(x)] FROM (SELECT ST_Extent(geom)::geometry x FROM layers.rail_lines) q) FROM layers.rail_lines
) s WHERE l.id = s.id;

-- The tile list: 2,400 single-layer tiles, half transmission lines, a quarter
-- each blocks and rail; zooms 6–14 weighted to 10–13; 85% centred on a point
-- of a feature, 15% anywhere over the coalfields.
CREATE TABLE public.bench_tiles (i int PRIMARY KEY, layer text, k int, z int, x int, y int);
WITH picks AS (
  SELECT i, random() AS rl, random() AS rz, random() AS rf, random() AS rp, random() AS ra, random() AS rb, 1 + floor(random() * 10)::int AS cf
  FROM generate_series(1, 2400) i
), layered AS (
  SELECT *, CASE WHEN rl < 0.5 THEN 'transmission_lines' WHEN rl < 0.75 THEN 'coal_blocks' ELSE 'rail_lines' END AS layer,
         CASE WHEN rz < 0.03 THEN 6 WHEN rz < 0.07 THEN 7 WHEN rz < 0.13 THEN 8 WHEN rz < 0.22 THEN 9 WHEN rz < 0.40 THEN 10
              WHEN rz < 0.60 THEN 11 WHEN rz < 0.78 THEN 12 WHEN rz < 0.93 THEN 13 ELSE 14 END AS z
  FROM picks
), located AS (
  SELECT l.i, l.layer, l.z, CASE
    WHEN l.rf >= 0.85 THEN (SELECT ST_MakePoint(c.lon + (l.ra - 0.5) * 2.4, c.lat + (l.rb - 0.5) * 1.6) FROM coalfields c WHERE c.n = l.cf - 1)
    WHEN l.layer = 'transmission_lines' THEN (SELECT ST_LineInterpolatePoint(ST_GeometryN(geom, 1), l.rp) FROM layers.transmission_lines WHERE fid = 1 + floor(l.ra * 2000)::int)
    WHEN l.layer = 'rail_lines' THEN (SELECT ST_LineInterpolatePoint(ST_GeometryN(geom, 1), l.rp) FROM layers.rail_lines WHERE fid = 1 + floor(l.ra * 400)::int)
    ELSE (SELECT ST_PointOnSurface(geom) FROM layers.coal_blocks WHERE fid = 1 + floor(l.ra * 600)::int) END AS p
  FROM layered l
)
INSERT INTO public.bench_tiles
SELECT i, layer, row_number() OVER (PARTITION BY layer ORDER BY i), z,
       floor((ST_X(p) + 180) / 360 * 2 ^ z)::int,
       floor((1 - ln(tan(radians(ST_Y(p))) + 1 / cos(radians(ST_Y(p)))) / pi()) / 2 * 2 ^ z)::int
FROM located;
