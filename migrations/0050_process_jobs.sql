-- Jobs of OGC API – Processes executed asynchronously (overlap checks,
-- reroutes, routes): their state, inputs and result, kept in the database
-- so that any server answers for a job another one runs. A job's lease is
-- the time by which its server will have ended it; a job still accepted or
-- running after its lease belonged to a server that stopped, and reads as
-- failed. Layer-against-layer runs keep their own table (overlap_runs).
CREATE TABLE catalog.process_jobs (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    process     text NOT NULL,
    status      text NOT NULL CHECK (status IN ('accepted','running','successful','failed','dismissed')),
    message     text NOT NULL DEFAULT '',
    inputs      jsonb NOT NULL DEFAULT '{}',
    layers      text[] NOT NULL DEFAULT '{}',
    result      jsonb,
    failure     jsonb,
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz NOT NULL
);
CREATE INDEX process_jobs_created_idx ON catalog.process_jobs (created_at DESC);
