-- Single-feature edits (OGC API – Features Part 4) and their history: who
-- changed which feature of which layer, when, how, and the feature before
-- and after as GeoJSON. Written in the transaction of the edit itself; kept
-- when the layer is re-imported or deleted (the trail outlives the data).
CREATE TABLE catalog.feature_edits (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    layer_id     text NOT NULL,
    feature_id   text NOT NULL,
    operation    text NOT NULL CHECK (operation IN ('create','replace','update','delete')),
    actor        text NOT NULL,
    token_id     bigint,
    at           timestamptz NOT NULL DEFAULT now(),
    data_version bigint NOT NULL,
    repaired     text NOT NULL DEFAULT '',
    before       jsonb,
    after        jsonb,
    CHECK (before IS NOT NULL OR after IS NOT NULL)
);
CREATE INDEX feature_edits_layer_idx ON catalog.feature_edits (layer_id, id DESC);
CREATE INDEX feature_edits_feature_idx ON catalog.feature_edits (layer_id, feature_id, id DESC);
