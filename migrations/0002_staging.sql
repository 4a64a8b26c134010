-- Imports load into tables of schema staging (names start with coalmap_)
-- before the typed layer table is swapped into schema layers; leftovers of a
-- killed import are dropped at the next start.
CREATE SCHEMA IF NOT EXISTS staging;
