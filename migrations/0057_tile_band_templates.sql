-- Tile bands in a new shape (postgis/bands.go): the full-resolution band
-- is a view of the layer table in EPSG:3857 rather than a copy, and the
-- index tables hold the boxes of the pieces rather than the pieces. The
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
