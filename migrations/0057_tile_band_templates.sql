-- Tile bands in a new shape (postgis/bands.go): the full-resolution band
-- is the layer table itself rather than a copy (tiles read it directly;
-- tilegen."<layer>__z14" is a view of it in EPSG:3857, through full_band,
-- so that the layer table keeps no dependent object and can be dropped or
-- swapped as before), and the index tables hold the boxes of the pieces
-- rather than the pieces. The
-- bands of the old shape are dropped; bands are derived data, rebuilt by
-- the band keeper of `coalmap serve` (or `coalmap tiles prepare`) and by
-- the next import of each layer.
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'tilegen' AND tablename ~ '__z[0-9]+(_i)?$' LOOP
        EXECUTE format('DROP TABLE IF EXISTS tilegen.%I', t);
    END LOOP;
END $$;
DELETE FROM tilegen.bands;

-- The shape of a layer's tile-band and index tables, copied with CREATE
-- TABLE … (LIKE … INCLUDING STORAGE): geometries stored inline, so that a
-- new table needs no TOAST table — creating one (its index built and
-- synced to disk) cost more than the rest of a small layer's bands. A band
-- that receives a geometry too large to be stored inline is altered to
-- EXTERNAL storage (out of line, uncompressed), which creates its TOAST
-- table then.
CREATE TABLE tilegen.band_template (
    fid  bigint NOT NULL,
    geom geometry(Geometry, 3857) NOT NULL
);
ALTER TABLE tilegen.band_template ALTER COLUMN geom SET STORAGE PLAIN;

-- The full band of a layer: its table in EPSG:3857, read by name when the
-- view is read.
CREATE FUNCTION tilegen.full_band(layer text) RETURNS TABLE (fid bigint, geom geometry)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT fid, ST_Transform(geom, 3857) FROM layers.%I WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom)', layer);
END
$$;
