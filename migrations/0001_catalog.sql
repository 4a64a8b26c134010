-- The catalog: layer metadata, tokens, imports and the audit trail live in
-- schema catalog; every layer's data is a real table in schema layers.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE SCHEMA IF NOT EXISTS catalog;
CREATE SCHEMA IF NOT EXISTS layers;

-- array_to_string is only STABLE in general but immutable for text[]: wrap it
-- so that the search vector can be a generated column.
CREATE FUNCTION catalog.search_vector(title text, keywords text[], description text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') ||
           setweight(to_tsvector('simple'::regconfig, coalesce(array_to_string(keywords, ' '), '')), 'B') ||
           setweight(to_tsvector('simple'::regconfig, coalesce(description, '')), 'C')
$$;

CREATE TABLE catalog.layers (
    id               text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]{0,62}$'),
    title            text NOT NULL,
    title_hi         text NOT NULL DEFAULT '',
    description      text NOT NULL DEFAULT '',
    category         text NOT NULL DEFAULT '',
    keywords         text[] NOT NULL DEFAULT '{}',
    owner            text NOT NULL DEFAULT '',
    custodian        jsonb NOT NULL DEFAULT '{}',
    geometry_type    text NOT NULL CHECK (geometry_type IN
                        ('Point','MultiPoint','LineString','MultiLineString','Polygon','MultiPolygon')),
    srid             integer NOT NULL DEFAULT 4326,
    source_crs       text NOT NULL DEFAULT '',
    scale            text NOT NULL DEFAULT '',
    accuracy         text NOT NULL DEFAULT '',
    lineage          jsonb NOT NULL DEFAULT '{}',
    feature_count    bigint NOT NULL DEFAULT 0,
    extent           double precision[] CHECK (extent IS NULL OR cardinality(extent) = 4),
    attributes       jsonb NOT NULL DEFAULT '[]',
    status           text NOT NULL DEFAULT '',
    update_frequency text NOT NULL DEFAULT '',
    revised_at       timestamptz,
    license          text NOT NULL DEFAULT '',
    access           text NOT NULL DEFAULT 'public' CHECK (access IN ('public','restricted')),
    min_zoom         integer NOT NULL DEFAULT 0 CHECK (min_zoom BETWEEN 0 AND 24),
    max_zoom         integer NOT NULL DEFAULT 22 CHECK (max_zoom BETWEEN 0 AND 24),
    style            jsonb NOT NULL DEFAULT '{}',
    data_version     bigint NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    search           tsvector GENERATED ALWAYS AS (catalog.search_vector(title, keywords, description)) STORED,
    CHECK (min_zoom <= max_zoom)
);
CREATE INDEX layers_search_idx ON catalog.layers USING gin (search);
CREATE INDEX layers_category_idx ON catalog.layers (category);

CREATE TABLE catalog.tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL DEFAULT '',
    role         text NOT NULL CHECK (role IN ('viewer','planner','editor','admin')),
    hash         bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE catalog.imports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    layer_id    text NOT NULL,
    status      text NOT NULL CHECK (status IN ('queued','running','succeeded','failed','unchanged','cancelled')),
    source      text NOT NULL DEFAULT '',
    checksum    text NOT NULL DEFAULT '',
    options     jsonb NOT NULL DEFAULT '{}',
    progress    jsonb NOT NULL DEFAULT '{}',
    report      jsonb NOT NULL DEFAULT '{}',
    error       text NOT NULL DEFAULT '',
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz
);
CREATE INDEX imports_layer_idx ON catalog.imports (layer_id, id DESC);

CREATE TABLE catalog.audit (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    actor  text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_target_idx ON catalog.audit (target, at DESC);
