package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/layers"
)

// The import's staging port (layers.Stager): a staging table, COPY into
// it, the checks that only SQL can do, and the swap. The pipeline around
// it (rows, decisions, jobs, publishing) is package layers'.

var _ layers.Stager = (*Store)(nil)

const (
	sqlSRIDExists = `SELECT EXISTS (SELECT 1 FROM spatial_ref_sys WHERE srid = $1)`
	// The layer's current extent, its row locked: the swap's first lock.
	sqlSwapLockRow = `SELECT extent FROM catalog.layers WHERE id = $1 FOR UPDATE`
	sqlSwapCatalog = `UPDATE catalog.layers SET geometry_type = $2, attributes = $3, feature_count = $4, extent = $5,
    lineage = $6, source_crs = CASE WHEN $7 = '' THEN source_crs ELSE $7 END, data_version = data_version + 1, updated_at = now()
WHERE id = $1 RETURNING data_version`
)

// KnownSRID reports whether spatial_ref_sys has srid.
func (s *Store) KnownSRID(ctx context.Context, srid int) (bool, error) {
	var ok bool
	if err := s.pool.QueryRow(ctx, sqlSRIDExists, srid).Scan(&ok); err != nil {
		return false, translate(fmt.Sprintf("look up EPSG:%d", srid), err)
	}
	return ok, nil
}

// staged is one import's staging table, on a connection of its own.
type staged struct {
	s       *Store
	spec    layers.StageSpec
	conn    *pgxpool.Conn
	stamp   string
	built   pgx.Identifier
	release func()
	what    string
	// bg outlives the import's context: cleaning up after a cancelled
	// import must still run.
	bg context.Context
	// tee builds the tile bands from the rows as they are copied in (nil:
	// they are built from the staged table before the swap).
	tee *bandTee
	// fixed are the features the check repaired, or deleted when rejected.
	fixed    []int64
	rejected bool
}

// Stage creates the staging table of an import: the layer table to be, in
// the source's SRID, on a connection held until Close (its commits need
// not wait for the disk: a crash before the WAL is flushed loses the newest
// import as a whole, never part of it, and the previous version stays).
// A lease marks it as a live import's until Close.
func (s *Store) Stage(ctx context.Context, spec layers.StageSpec) (layers.Staged, error) {
	what := "import " + spec.Layer
	if !layers.ValidID(spec.Layer) {
		return nil, fmt.Errorf("postgis: %s: layer id: %w", what, layers.ErrInvalid)
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, translate(what, err)
	}
	st := &staged{s: s, spec: spec, conn: conn, what: what, bg: context.WithoutCancel(ctx),
		stamp: fmt.Sprintf("%s%d_%s", StagingPrefix, time.Now().Unix(), randomSuffix())}
	st.built = pgx.Identifier{"staging", st.stamp + "_new"}
	fail := func(err error) (layers.Staged, error) {
		st.Close() //nolint:errcheck
		return nil, translate(what, err)
	}
	if _, err := conn.Exec(ctx, "SET synchronous_commit TO off"); err != nil {
		return fail(err)
	}
	if st.release, err = s.leaseStaging(ctx, spec.Job, st.stamp); err != nil {
		return fail(err)
	}
	var ddl strings.Builder
	fmt.Fprintf(&ddl, "CREATE TABLE %s (fid bigint, feature_id text, geom geometry(%s, %d)", st.built.Sanitize(), spec.GeometryType, spec.SRID)
	for _, c := range spec.Columns {
		fmt.Fprintf(&ddl, ", %s %s", quote(c.Name), pgType(c.Type))
	}
	ddl.WriteString(")")
	// Geometries are stored out of line uncompressed: coordinates hardly
	// compress, and trying (pglz or lz4) was most of the COPY's cost.
	fmt.Fprintf(&ddl, "; ALTER TABLE %s ALTER COLUMN geom SET STORAGE EXTERNAL", st.built.Sanitize())
	if _, err := conn.Exec(ctx, ddl.String()); err != nil {
		return fail(err)
	}
	return st, nil
}

// Copy streams rows into the staging table with COPY (binary).
func (st *staged) Copy(ctx context.Context, rows layers.RowSource) (int64, error) {
	cols := []string{layers.ColumnFID, layers.ColumnFeatureID, layers.ColumnGeom}
	for _, c := range st.spec.Columns {
		cols = append(cols, c.Name)
	}
	gt := st.spec.GeometryType
	if st.spec.SRID == layers.StorageSRID && gt.Dimension() > 0 && st.tee == nil {
		tee, err := startBandTee(ctx, st.s.pool, gt, stagedBands(st.stamp))
		if err != nil {
			return 0, translate(st.what, err)
		}
		if tee != nil {
			st.tee = tee
			rows = &teeRows{RowSource: rows, tee: tee}
		}
	}
	n, err := st.conn.CopyFrom(ctx, st.built, cols, rows)
	rerr := rows.Err()
	if st.tee != nil {
		if err == nil && rerr == nil {
			// Its suspects repaired and its indexes built while the
			// import checks the table.
			st.tee.build(ctx)
		} else {
			st.tee.close()
		}
	}
	if rerr != nil {
		return n, rerr
	}
	return n, translate(st.what, err)
}

// Check reprojects the staged geometries to EPSG:4326 (the one rewrite,
// only when the source is in another CRS), finds the invalid ones among the
// suspects and repairs them in place (ST_MakeValid, method=structure, then
// the layer's type again) or deletes them, by fid; then it measures the
// extent and what lies outside spec.Bounds, unless the import measured them
// (spec.Measured), no feature changed and none lies outside. PostGIS is
// the judge: a suspect it finds valid stays as it is.
func (st *staged) Check(ctx context.Context, spec layers.CheckSpec) (layers.CheckResult, error) {
	var out layers.CheckResult
	t, gt := st.built.Sanitize(), st.spec.GeometryType
	if st.spec.SRID != layers.StorageSRID {
		if _, err := st.conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN geom TYPE geometry(%s, %d) USING ST_Transform(geom, %d)",
			t, gt, layers.StorageSRID, layers.StorageSRID)); err != nil {
			return out, translate(st.what, err)
		}
	}
	if gt.Dimension() > 0 && len(spec.Suspects) > 0 { // points are valid once their coordinates are finite
		if err := st.validity(ctx, spec, &out); err != nil {
			return out, translate(st.what, err)
		}
	}
	if m := spec.Measured; m != nil && m.Outside == 0 && out.InvalidCount == 0 && st.spec.SRID == layers.StorageSRID {
		// Measured while the rows were read, and none changed since.
		if m.Extent != nil {
			e := *m.Extent
			out.Extent = &e
		}
		return out, nil
	}
	var x0, y0, x1, y1 *float64
	b := spec.Bounds
	if err := st.conn.QueryRow(ctx, fmt.Sprintf(`SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), n FROM (
    SELECT ST_Extent(geom) e, count(*) FILTER (WHERE NOT geom @ ST_MakeEnvelope($1, $2, $3, $4, %d)) n FROM %s) x`,
		layers.StorageSRID, t), b.Min[0], b.Min[1], b.Max[0], b.Max[1]).Scan(&x0, &y0, &x1, &y1, &out.Outside); err != nil {
		return out, translate(st.what, err)
	}
	if x0 != nil {
		out.Extent = &layers.Extent{*x0, *y0, *x1, *y1}
	}
	if out.Outside > 0 {
		if err := st.outside(ctx, b, &out); err != nil {
			return out, translate(st.what, err)
		}
	}
	return out, nil
}

// outsideSQL counts the features not within longitude/latitude range (a
// NaN or infinite coordinate included: such a box is not within it) and
// lists the first few outside the bounds $1…$4, those out of range first.
const outsideSQL = `WITH o AS (
    SELECT fid, feature_id, geom, NOT (ST_XMin(geom) >= -180 AND ST_XMax(geom) <= 180 AND ST_YMin(geom) >= -90 AND ST_YMax(geom) <= 90) bad
    FROM %[1]s WHERE geom IS NOT NULL AND NOT geom @ ST_MakeEnvelope($1, $2, $3, $4, %[2]d))
SELECT (SELECT count(*) FROM o WHERE bad), fid, feature_id, bad,
       ST_XMin(geom)::text, ST_YMin(geom)::text, ST_XMax(geom)::text, ST_YMax(geom)::text
FROM o ORDER BY bad DESC, fid LIMIT $5`

func (st *staged) outside(ctx context.Context, b orb.Bound, out *layers.CheckResult) error {
	rows, err := st.conn.Query(ctx, fmt.Sprintf(outsideSQL, st.built.Sanitize(), layers.StorageSRID),
		b.Min[0], b.Min[1], b.Max[0], b.Max[1], layers.MaxNamed)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var fid int64
		var id, x0, y0, x1, y1 string
		var bad bool
		if err := rows.Scan(&out.OutOfRange, &fid, &id, &bad, &x0, &y0, &x1, &y1); err != nil {
			return err
		}
		reason := fmt.Sprintf("extent [%s, %s, %s, %s] lies outside India", x0, y0, x1, y1)
		if bad {
			reason = fmt.Sprintf("extent [%s, %s, %s, %s] is not a valid longitude/latitude", x0, y0, x1, y1)
		}
		out.OutsideFeatures = append(out.OutsideFeatures, layers.Rejection{Feature: int(fid - 1), ID: id, Reason: reason})
	}
	return rows.Err()
}

func (st *staged) validity(ctx context.Context, spec layers.CheckSpec, out *layers.CheckResult) error {
	t := st.built.Sanitize()
	rows, err := st.conn.Query(ctx, fmt.Sprintf(
		"SELECT fid, feature_id, ST_IsValidReason(geom) FROM %s WHERE fid = ANY($1) AND geom IS NOT NULL AND NOT ST_IsValid(geom) ORDER BY fid", t), spec.Suspects)
	if err != nil {
		return err
	}
	var fids []int64
	for rows.Next() {
		var fid int64
		var id, reason string
		if err := rows.Scan(&fid, &id, &reason); err != nil {
			rows.Close()
			return err
		}
		fids = append(fids, fid)
		if len(out.Invalid) < layers.MaxRejections {
			out.Invalid = append(out.Invalid, layers.Rejection{Feature: int(fid - 1), ID: id, Reason: "invalid geometry: " + reason})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	out.InvalidCount = int64(len(fids))
	if len(fids) == 0 {
		return nil
	}
	st.fixed, st.rejected = fids, spec.Reject
	if spec.Reject {
		_, err := st.conn.Exec(ctx, fmt.Sprintf("DELETE FROM %s WHERE fid = ANY($1)", t), fids)
		return err
	}
	repair := fmt.Sprintf("ST_Multi(ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), %d))", st.spec.GeometryType.Dimension()+1)
	_, err = st.conn.Exec(ctx, fmt.Sprintf("UPDATE %s SET geom = %s WHERE fid = ANY($1)", t, repair), fids)
	return err
}

// Swap builds the staged table's keys, GiST index and statistics and the
// new version's tile bands (buildBands, under staging names), then swaps
// them in, in one short transaction that takes its locks in the order the
// package documentation gives: the catalog row (created for a new layer),
// the layer table (renamed away, the staged one renamed in, the old
// dropped), the layer's tile-band tables (the old ones dropped, the new
// ones renamed in and recorded as built from the new data version), the
// audit record, and last the change log. Tiles are drawn from the new
// bands from the commit on: no request after an import reads the layer
// table at full resolution for want of them. The change event
// it commits is of kind created for a new layer, data otherwise, with the
// union of the old and new extents as its bbox.
func (st *staged) Swap(ctx context.Context, spec layers.SwapSpec) (layers.Change, error) {
	t := st.built.Sanitize()
	keys := func() error {
		for _, q := range []string{
			fmt.Sprintf("ALTER TABLE %s ALTER COLUMN fid SET NOT NULL, ALTER COLUMN feature_id SET NOT NULL, ADD PRIMARY KEY (fid), ADD UNIQUE (feature_id)", t),
			fmt.Sprintf("CREATE INDEX ON %s USING gist (geom)", t),
			"ANALYZE " + t,
		} {
			if _, err := st.conn.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}
	// The tile bands of the new version, built aside: the swap puts them
	// in place, so that tiles are drawn from them from its commit on. The
	// tee's are completed on its connection while the layer table gets its
	// keys; else they are built from the staged table now.
	kind := st.spec.GeometryType
	bands := stagedBands(st.stamp)
	if st.tee != nil {
		var wg sync.WaitGroup
		var terr error
		wg.Go(func() { terr = st.tee.finish(ctx, t, st.fixed, st.rejected) })
		kerr := keys()
		wg.Wait()
		st.tee.release()
		st.tee = nil
		if err := errors.Join(kerr, terr); err != nil {
			return layers.Change{}, translate(st.what, err)
		}
	} else {
		if err := keys(); err != nil {
			return layers.Change{}, translate(st.what, err)
		}
		if err := pgx.BeginFunc(ctx, st.conn, func(tx pgx.Tx) error {
			return buildBands(ctx, tx, st.built, kind, bands)
		}); err != nil {
			return layers.Change{}, translate(st.what, err)
		}
	}
	l := spec.Layer
	if l.ID != st.spec.Layer {
		return layers.Change{}, fmt.Errorf("postgis: %s: the swap names layer %q: %w", st.what, l.ID, layers.ErrInvalid)
	}
	var ch layers.Change
	err := pgx.BeginFunc(ctx, st.conn, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlInsertLayer, insertArgs(&l)...)
		if err != nil {
			return err
		}
		created := tag.RowsAffected() == 1
		var old []float64
		if err := tx.QueryRow(ctx, sqlSwapLockRow, l.ID).Scan(&old); err != nil {
			return err
		}
		if spec.Describe && !created {
			if _, err := tx.Exec(ctx, sqlUpdateLayer, updateArgs(&l)...); err != nil {
				return err
			}
		}
		gone := pgx.Identifier{layers.Schema, st.stamp + "_old"}
		for _, q := range []string{
			fmt.Sprintf("ALTER TABLE IF EXISTS %s RENAME TO %s", layerTable(l.ID), quote(gone[1])),
			fmt.Sprintf("ALTER TABLE %s SET SCHEMA %s", t, quote(layers.Schema)),
			fmt.Sprintf("ALTER TABLE %s RENAME TO %s", pgx.Identifier{layers.Schema, st.built[1]}.Sanitize(), quote(l.ID)),
			"DROP TABLE IF EXISTS " + gone.Sanitize(),
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		if err := installBands(ctx, tx, l.ID, kind, bands); err != nil {
			return err
		}
		var extent []float64
		if l.Extent != nil {
			extent = l.Extent[:]
		}
		var version int64
		if err := tx.QueryRow(ctx, sqlSwapCatalog, l.ID, string(l.GeometryType), jsonArg(attributes(l.Attributes)), l.FeatureCount,
			extent, jsonArg(l.Lineage), l.SourceCRS).Scan(&version); err != nil {
			return err
		}
		if err := bandsBuilt(ctx, tx, l.ID, version); err != nil {
			return err
		}
		detail := map[string]any{"data_version": version}
		for k, v := range spec.Audit {
			detail[k] = v
		}
		if _, err := tx.Exec(ctx, sqlAudit, spec.Actor, "layer.import", l.ID, jsonArg(detail)); err != nil {
			return err
		}
		kind := layers.ChangeData
		if created {
			kind = layers.ChangeCreated
		}
		var oldBound orb.Bound
		if len(old) == 4 {
			oldBound = layers.Extent(old).Bound()
		}
		ch, err = publishLayer(ctx, tx, l.ID, kind, unionBound(oldBound, extentBound(l.Extent)))
		return err
	})
	if err != nil {
		return layers.Change{}, translate(st.what, err)
	}
	return ch, nil
}

// Close drops the staging table, if it is still there, and ends the lease.
func (st *staged) Close() error {
	if st.tee != nil {
		_ = st.tee.wait()
		st.tee.release()
		st.tee = nil
	}
	var err error
	if st.conn != nil {
		_, _ = st.conn.Exec(st.bg, "RESET synchronous_commit")
		st.conn.Release()
		st.conn = nil
		// On a connection of the pool's: the import's may have been closed
		// by a cancellation.
		_, err = st.s.pool.Exec(st.bg, "DROP TABLE IF EXISTS "+st.built.Sanitize()+";"+stagedBands(st.stamp).dropSQL())
	}
	if st.release != nil {
		st.release()
		st.release = nil
	}
	return translate(st.what, err)
}
