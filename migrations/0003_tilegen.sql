-- Generalised zoom-band tables of the vector tiles (built by PrepareTiles).
CREATE SCHEMA IF NOT EXISTS tilegen;
