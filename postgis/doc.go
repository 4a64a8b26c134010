// Package postgis is the only package that speaks SQL. It owns the connection
// pool, the queries, COPY, LISTEN/NOTIFY, the migrations runner and the embedded
// PostgreSQL + PostGIS cluster that `coalmap serve` and the tests start when no
// database URL is given. It implements the store interfaces that packages layers,
// tiles and overlaps declare.
//
// # Writes and the change event
//
// Every transaction that changes a layer ends with publishChange: one row of
// catalog.changes and one NOTIFY coalmap_changes, committed with the change
// itself, so that there is exactly one event per commit. Store.FollowChanges
// delivers the events in commit order (catching up from the log by id after
// a reconnection) and acknowledges each one in catalog.listeners once its
// subscriber has taken it; Store.WaitAcked lets a writer wait until every
// live listener has its change.
//
// The import's part here is a narrow port (layers.Stager): Stage a table in
// schema staging, Copy rows in, Check them (reprojection, validity, extent)
// and Swap the table in. The pipeline around it — the job queue, the row
// loop, the decisions, publishing — is package layers'.
//
// # Lock order
//
// Transactions that write take their locks in this order, and none takes
// them the other way round, so they can wait for each other but never
// deadlock:
//
//  1. the layer's catalog row (catalog.layers, FOR UPDATE; an INSERT for a
//     new layer; a DELETE);
//  2. the layer's table (layers."<id>": the swap's ALTER TABLE … RENAME and
//     DROP take ACCESS EXCLUSIVE; an edit's writes ROW EXCLUSIVE);
//  3. the layer's tile-band tables (tilegen."<id>__z…": dropped by the swap
//     and by a delete, rebuilt by a band build);
//  4. the change log's advisory lock (publishChange, held until commit: it
//     orders the ids of catalog.changes as the commits).
//
// Who takes what:
//
//   - The swap of an import (staged.Swap): 1, 2, 3, 4, in one transaction.
//     Building the staged table's keys and index and the new version's tile
//     bands happens before, on staging tables alone; the swap drops the old
//     bands and moves the new ones in (3).
//   - A layer's metadata update and creation (Store.PutLayer): 1 (then, for
//     a new layer, CREATE TABLE: 2), 4.
//   - A delete (Store.DeleteLayer): 1, 2, 3, 4.
//   - A feature edit (edits.go) does the same: 1 (lockLayerRow), 2 (the
//     feature's row FOR UPDATE, then its write), 3 (the band tables patched
//     for that feature, in the order a band build drops them: finest band
//     first, its index table before its band table; then the tilegen.bands
//     row, which a build also writes last), 4. Writing the table first and
//     bumping the catalog row after is the order that deadlocks against a
//     swap.
//   - A tile-band build (BuildBands, PrepareLayerTiles) takes the band
//     build's advisory lock (one builder per layer across replicas), then 2
//     in ACCESS SHARE (LOCK TABLE, before anything else) and then 3. It
//     never touches the catalog row: its state is tilegen.bands ("built
//     from data version N"), so building bands is not a change of the data
//     and bumps no version. (It used to bump data_version after reading the
//     layer table — 2 then 1 — which deadlocked against a swap's 1 then 2
//     in about one new-layer import in 18.)
//   - Readers (items, tiles, catalog reloads, R-tree loads) take ACCESS
//     SHARE and hold nothing across statements; they may wait for a swap's
//     ACCESS EXCLUSIVE but cannot close a cycle. The one reader of two
//     tables, the tile query that joins a band table to its layer table for
//     the attributes, names the layer table first in its FROM clause
//     (PostgreSQL locks a statement's tables in that order), so it too
//     takes 2 before 3. Staging tables and the staging lease's advisory lock belong to
//     one import each.
//
// # Reads from replicas
//
// With read URLs (Store.UseReads, Polygons.UseReads, TileRenderer.UseReads,
// all over one Reads), the reads of layer tables — tiles, items and counts,
// the overlap engine's polygon loads — go to streaming standbys; writes,
// LISTEN, job state, tokens and the catalog rows stay on the primary. The
// catalog rows stay there on purpose: they are where a server learns the
// data versions it serves and caches under, and a version must never be
// learnt from a place ahead of the rule below.
//
// The rule: a read of a layer whose current version is N goes to a standby
// only once that standby's pg_last_wal_replay_lsn() is at or past the
// commit of version N; else it waits (Reads' Wait, --replica-wait) and then
// reads from the primary. The position is not the change row's lsn column:
// pg_current_wal_insert_lsn() inside the writing transaction is before its
// commit record, and a standby at that position does not yet show the
// commit. It is read after the commit instead, by whoever learns of the
// version: the listener reads pg_current_wal_insert_lsn() on its own
// connection after a NOTIFY has arrived (NOTIFY is delivered after the
// commit) or after a catch-up read of the log, and Store.Layer and
// Store.Layers read it after reading catalog rows; either way the position
// is at or past the commit of every version seen, and it is recorded
// (Reads.Require) before any subscriber applies the version. It is
// conservative — it may cover later commits too, costing a wait of
// milliseconds — never short. Since tile cache keys hold the data version,
// this is what keeps old data from being cached under a new version's key.
//
// A read that waited in vain for a position marks it: later reads that need
// it or more go to the primary at once until a standby is seen past it (a
// stuck or paused standby costs one wait, not one per request). A read
// that loses its connection to a standby takes the standby out of the
// rotation and is read again from the primary; the health check (Reads.Run)
// puts it back, and takes out a standby whose replay is more than MaxLag
// behind.
//
// # Failover
//
// Nothing here holds on to one server: the pools (the store's, the tile
// renderer's, the job leases' connections) open each connection from the
// database URL, so a multi-host URL with target_session_attrs=read-write
// reaches whichever host is the primary now, and FollowChanges, whose
// connection a failover ends, is called again by its caller and catches up
// from the log. A read URL whose standby was promoted is a primary: its
// position is then pg_current_wal_lsn(), reads from it are current, and the
// health check warns once. Job leases (leases.go) are advisory locks, which
// a restart or failover drops: keep takes them again, and a sweep fails a
// job only once its lock has been free for a grace period — at a server's
// start too, which may come while the others are taking theirs again.
// After a failover, Rejoin makes the old primary a standby of the new one
// (pg_rewind, else a fresh pg_basebackup; cluster_rejoin.go). A failover to
// a standby that had not received the last commits rewinds the change log:
// FollowChanges compares the last change it delivered with the log's row
// of that number (WAL position and time) and, when it is gone or another,
// returns layers.ErrHistoryRewound and starts the replica rule again from
// the new primary's position (Reads.Rewound); the catalog then reloads and
// has every cache drop what it held (Catalog.resync).
//
// # Geometry from PostGIS: orb, not go-geom
//
// Polygon loads (the overlap engine's) read ST_AsBinary with orb's WKB
// decoder. go-geom's decoder alone is about as fast but allocates four
// times the bytes, and the engine wants orb geometries: decoding a smooth
// 1,300-vertex polygon (bench/geom, `go test -bench . -benchmem`) took
// 53 µs, 21,832 B, 4 allocations with orb against 155 µs, 162,848 B, 1,325
// allocations through go-geom and a conversion to orb (45 µs, 87,320 B, 17
// allocations for go-geom's decoding alone). pgx-geom's codec would decode
// to go-geom the same way; it is not used.
//
// # Errors
//
// translate is the one edge between the driver and the domain: driver and
// PostgreSQL errors become *layers.StoreError, whose message says what was
// being done and why in words safe to show anyone (the SQLSTATE picks the
// domain sentinel: ErrNotFound, ErrConflict, ErrInvalid, ErrUnavailable);
// the driver's error is kept as the cause, for the log only.
package postgis
