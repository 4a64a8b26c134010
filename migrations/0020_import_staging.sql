-- The staging table a running import fills, so that a later start can tell a
-- dead import's leftovers (its advisory lock is free) from a live one's.
ALTER TABLE catalog.imports ADD COLUMN staging text NOT NULL DEFAULT '';
