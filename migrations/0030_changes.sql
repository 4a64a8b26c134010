-- One change event per commit. Every transaction that changes a layer (an
-- import's swap, a metadata update, a feature edit, a delete) writes one row
-- here and one NOTIFY coalmap_changes; listeners follow the log by id, so a
-- listener that reconnects catches up from the last id it saw.
CREATE TABLE catalog.changes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at               timestamptz NOT NULL DEFAULT now(),
    layer_id         text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('data','features','metadata','created','deleted')),
    data_version     bigint NOT NULL,
    metadata_version bigint NOT NULL DEFAULT 0,
    -- What changed, in EPSG:4326: [west, south, east, north], NULL for nothing located.
    bbox             double precision[] CHECK (bbox IS NULL OR cardinality(bbox) = 4),
    feature_ids      text[] NOT NULL DEFAULT '{}',
    lsn              pg_lsn NOT NULL
);

-- Metadata changes have a counter of their own: data_version counts changes
-- of the data alone.
ALTER TABLE catalog.layers ADD COLUMN metadata_version bigint NOT NULL DEFAULT 0;

-- The servers following the change log, one row per listening connection
-- (its backend pid), with the last change each has applied: a writer waits
-- until the live ones have its change before it reports success.
CREATE TABLE catalog.listeners (
    pid           integer PRIMARY KEY,
    backend_start timestamptz,
    name          text NOT NULL DEFAULT '',
    last_change   bigint NOT NULL DEFAULT 0,
    acked_at      timestamptz NOT NULL DEFAULT now()
);

-- The tile bands' own state: the data version a layer's zoom bands were
-- built from. Building bands is not a change of the data.
CREATE TABLE tilegen.bands (
    layer_id     text PRIMARY KEY,
    data_version bigint NOT NULL,
    built_at     timestamptz NOT NULL DEFAULT now()
);
