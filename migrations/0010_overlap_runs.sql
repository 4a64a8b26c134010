-- Layer-against-layer overlap runs and their results: one row per
-- line–polygon pair (crossing or near-miss), with the crossing pieces.
CREATE TABLE catalog.overlap_runs (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status         text NOT NULL CHECK (status IN ('queued','running','succeeded','failed','cancelled')),
    params         jsonb NOT NULL,
    layer_versions jsonb NOT NULL DEFAULT '{}',
    lines_total    integer NOT NULL DEFAULT 0,
    lines_done     integer NOT NULL DEFAULT 0,
    result_rows    integer NOT NULL DEFAULT 0,
    error          text NOT NULL DEFAULT '',
    created_by     text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    finished_at    timestamptz
);

CREATE TABLE catalog.overlap_results (
    run_id               bigint NOT NULL REFERENCES catalog.overlap_runs (id) ON DELETE CASCADE,
    seq                  integer NOT NULL,
    kind                 text NOT NULL,
    line_layer           text NOT NULL,
    line_id              text NOT NULL,
    polygon_layer        text NOT NULL DEFAULT '',
    polygon_id           text NOT NULL DEFAULT '',
    name                 text NOT NULL DEFAULT '',
    allocatee            text NOT NULL DEFAULT '',
    status               text NOT NULL DEFAULT '',
    row_width_m          double precision NOT NULL DEFAULT 0,
    line_length_m        double precision NOT NULL DEFAULT 0,
    length_m             double precision NOT NULL DEFAULT 0,
    crossings            integer NOT NULL DEFAULT 0,
    corridor_area_ha     double precision NOT NULL DEFAULT 0,
    share_of_line_pct    double precision NOT NULL DEFAULT 0,
    share_of_polygon_pct double precision NOT NULL DEFAULT 0,
    min_distance_m       double precision NOT NULL DEFAULT 0,
    error                text NOT NULL DEFAULT '',
    geom                 geometry(MultiLineString, 4326),
    PRIMARY KEY (run_id, seq)
);
