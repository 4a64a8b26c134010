package postgis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/layers"
)

// StagingPrefix starts the name of every table an import creates in schema
// staging; CleanStaging drops those an interrupted import left behind.
const StagingPrefix = "coalmap_"

// layerTable is the quoted name of layer id's table.
func layerTable(id string) string { return pgx.Identifier{layers.Schema, id}.Sanitize() }

func quote(name string) string { return pgx.Identifier{name}.Sanitize() }

// pgType is the column type of an attribute type.
func pgType(t layers.AttrType) string {
	switch t {
	case layers.Integer:
		return "bigint"
	case layers.Real:
		return "double precision"
	case layers.Boolean:
		return "boolean"
	case layers.Date:
		return "date"
	case layers.Timestamp:
		return "timestamptz"
	}
	return "text"
}

// createTableSQL creates an empty layer table with the convention's columns.
func createTableSQL(id string, gt layers.GeometryType, attrs []layers.Attribute) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (fid bigint PRIMARY KEY, feature_id text NOT NULL UNIQUE, geom geometry(%s, %d)",
		layerTable(id), gt, layers.StorageSRID)
	for _, a := range attrs {
		fmt.Fprintf(&b, ", %s %s", quote(a.Name), pgType(a.Type))
	}
	fmt.Fprintf(&b, "); CREATE INDEX ON %s USING gist (geom)", layerTable(id))
	return b.String()
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

const (
	sqlImportStart  = `INSERT INTO catalog.imports (layer_id, status, source, checksum, created_by, started_at) VALUES ($1, 'running', $2, $3, $4, now()) RETURNING id`
	sqlImportFinish = `UPDATE catalog.imports SET status = $2, report = $3, error = $4, finished_at = now() WHERE id = $1`
	sqlStagingLeft  = `SELECT tablename FROM pg_tables WHERE schemaname = 'staging' AND tablename ~ '^coalmap_[0-9]+_'
    AND split_part(tablename, '_', 2)::bigint <= $1`
	sqlSwapCatalog = `UPDATE catalog.layers SET geometry_type = $2, attributes = $3, feature_count = $4, extent = $5,
    lineage = $6, source_crs = CASE WHEN $7 = '' THEN source_crs ELSE $7 END, data_version = data_version + 1, updated_at = now()
WHERE id = $1 RETURNING data_version`
)

// CleanStaging drops staging tables that imports started more than age ago
// left behind (killed processes); with age 0, all of them.
func (s *Store) CleanStaging(ctx context.Context, age time.Duration) (int, error) {
	// Staging names carry their creation time: coalmap_<unix seconds>_….
	cutoff := time.Now().Add(-age).Unix()
	rows, err := s.pool.Query(ctx, sqlStagingLeft, cutoff)
	if err != nil {
		return 0, fmt.Errorf("postgis: clean staging: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("postgis: clean staging: %w", err)
	}
	for _, n := range names {
		if _, err := s.pool.Exec(ctx, "DROP TABLE IF EXISTS "+pgx.Identifier{"staging", n}.Sanitize()); err != nil {
			return 0, fmt.Errorf("postgis: clean staging: %w", err)
		}
	}
	return len(names), nil
}

// copySource feeds a layers.FeatureSource to COPY as staging rows
// (idx, feature_id, wkb, attributes…), converting each feature by the plan.
type copySource struct {
	ctx    context.Context
	src    layers.FeatureSource
	plan   *layers.ImportPlan
	n      int64
	nulls  int64
	ids    map[string]int
	row    []any
	err    error
	closed bool
}

func (c *copySource) Next() bool {
	if c.err != nil || c.closed {
		return false
	}
	if err := c.ctx.Err(); err != nil {
		c.err = err
		return false
	}
	f, err := c.src.Next()
	if errors.Is(err, io.EOF) {
		c.closed = true
		return false
	}
	if err != nil {
		var ferr *formats.Error
		if errors.As(err, &ferr) {
			field := ferr.Field
			err = &layers.ValidationError{Feature: ferr.Index, Field: field, Reason: ferr.Error()}
		}
		c.err = err
		return false
	}
	id, geom, values, err := c.plan.Row(f)
	if err != nil {
		c.err = err
		return false
	}
	c.n++
	if id == "" {
		id = fmt.Sprint(c.n)
	}
	if first, dup := c.ids[id]; dup {
		c.err = &layers.ValidationError{Feature: f.Index, Field: "id",
			Reason: fmt.Sprintf("id %q repeats the id of feature %d (feature ids must be unique)", id, first)}
		return false
	}
	c.ids[id] = f.Index
	if geom == nil {
		c.nulls++
	}
	c.row = append(c.row[:0], c.n, id, geom)
	c.row = append(c.row, values...)
	return true
}

func (c *copySource) Values() ([]any, error) { return c.row, nil }
func (c *copySource) Err() error             { return c.err }

// Import replaces the data of layer req.Layer with the features of
// req.Source: COPY into a staging table, one SQL step that reprojects,
// repairs and types the geometries into a new table, then one transaction
// that swaps it in place of the old one, updates the catalog (count, extent,
// lineage, data version), writes the audit record and notifies. If anything
// fails, or ctx ends, the previous table and version stay as they were.
func (s *Store) Import(ctx context.Context, req layers.ImportRequest) (res layers.ImportResult, err error) {
	start := time.Now()
	res.Layer = req.Layer
	cur, err := s.Layer(ctx, req.Layer)
	if err != nil {
		return res, err
	}
	if req.Checksum != "" && cur.Lineage.Checksum == req.Checksum && cur.DataVersion > 0 {
		res.Unchanged, res.Features, res.DataVersion = true, cur.FeatureCount, cur.DataVersion
		return res, nil
	}
	plan, err := layers.PlanImport(cur, req.Source.Fields(), req.Source.CRS(), req.SRID)
	if err != nil {
		return res, err
	}
	if err := s.pool.QueryRow(ctx, sqlImportStart, req.Layer, req.SourceName, req.Checksum, req.Actor).Scan(&res.ImportID); err != nil {
		return res, fmt.Errorf("postgis: import %s: %w", req.Layer, err)
	}
	defer func() {
		status, msg := "succeeded", ""
		if err != nil {
			status, msg = "failed", err.Error()
			if ctx.Err() != nil {
				status = "cancelled"
			}
		}
		res.Duration = time.Since(start)
		_, _ = s.pool.Exec(context.WithoutCancel(ctx), sqlImportFinish, res.ImportID, status, jsonArg(res), msg)
	}()

	stamp := fmt.Sprintf("%s%d_%s", StagingPrefix, time.Now().Unix(), randomSuffix())
	staging := pgx.Identifier{"staging", stamp + "_in"}
	built := pgx.Identifier{"staging", stamp + "_new"}
	defer func() {
		// Whatever happened, nothing of this import stays in staging.
		_, _ = s.pool.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+staging.Sanitize()+", "+built.Sanitize())
	}()

	// One connection does the import's work. Its commits need not wait for
	// the disk: a crash before the WAL is flushed loses the newest import
	// as a whole, never part of it, and the previous version stays.
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return res, importErr(req.Layer, err)
	}
	defer c.Release()
	if _, err := c.Exec(ctx, "SET synchronous_commit TO off"); err != nil {
		return res, importErr(req.Layer, err)
	}
	defer c.Exec(context.WithoutCancel(ctx), "RESET synchronous_commit") //nolint:errcheck

	cols := []string{"idx", "feature_id", "g"}
	var ddl strings.Builder
	fmt.Fprintf(&ddl, "CREATE UNLOGGED TABLE %s (idx bigint, feature_id text, g bytea", staging.Sanitize())
	for i, c := range plan.Columns {
		name := fmt.Sprintf("a%d", i)
		cols = append(cols, name)
		fmt.Fprintf(&ddl, ", %s %s", name, pgType(c.Type))
	}
	ddl.WriteString(")")
	if _, err := c.Exec(ctx, ddl.String()); err != nil {
		return res, fmt.Errorf("postgis: import %s: staging: %w", req.Layer, err)
	}
	cs := &copySource{ctx: ctx, src: req.Source, plan: plan, ids: map[string]int{}}
	if _, err := c.CopyFrom(ctx, staging, cols, cs); err != nil {
		if cs.err != nil {
			err = cs.err
		}
		return res, importErr(req.Layer, err)
	}
	if cs.err != nil {
		return res, importErr(req.Layer, cs.err)
	}
	res.Features, res.NullGeometries = cs.n, cs.nulls

	// The one SQL step: reproject, repair, extract the layer's type, type the
	// table; then its indexes and statistics, all outside the swap.
	gt := plan.Layer.GeometryType
	// x is the geometry reprojected to 4326 in 2D; v says whether it is
	// valid. Only invalid ones go through ST_MakeValid (it costs several
	// times ST_IsValid on large polygons), and they are counted through
	// the temporary column _repaired.
	x := fmt.Sprintf("ST_Force2D(ST_Transform(ST_SetSRID(ST_GeomFromWKB(g), %d), %d))", plan.SRID, layers.StorageSRID)
	var geom, valid string
	switch {
	case gt == layers.Point:
		geom, valid = "x", "true"
	case gt == layers.MultiPoint:
		geom, valid = "ST_Multi(ST_CollectionExtract(x, 1))", "true"
	default:
		geom = fmt.Sprintf("ST_Multi(ST_CollectionExtract(CASE WHEN v THEN x ELSE ST_MakeValid(x, 'method=structure') END, %d))", gt.Dimension()+1)
		valid = "x IS NULL OR ST_IsValid(x)"
	}
	var sel strings.Builder
	fmt.Fprintf(&sel, "CREATE TABLE %s AS SELECT idx AS fid, feature_id, (%s)::geometry(%s, %d) AS geom",
		built.Sanitize(), geom, gt, layers.StorageSRID)
	for i, c := range plan.Columns {
		fmt.Fprintf(&sel, ", a%d AS %s", i, quote(c.Name))
	}
	fmt.Fprintf(&sel, ", NOT v AS _repaired FROM (SELECT *, %s AS x FROM %s) s, LATERAL (SELECT %s AS v) l ORDER BY idx",
		x, staging.Sanitize(), valid)
	// One transaction builds the table: a failure leaves nothing half-made.
	err = pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		for _, q := range []string{
			sel.String(),
			fmt.Sprintf("ALTER TABLE %s ALTER COLUMN feature_id SET NOT NULL, ADD PRIMARY KEY (fid), ADD UNIQUE (feature_id)", built.Sanitize()),
			fmt.Sprintf("CREATE INDEX ON %s USING gist (geom)", built.Sanitize()),
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FILTER (WHERE _repaired) FROM %s", built.Sanitize())).Scan(&res.Repaired); err != nil {
			return err
		}
		for _, q := range []string{
			fmt.Sprintf("ALTER TABLE %s DROP COLUMN _repaired", built.Sanitize()),
			"ANALYZE " + built.Sanitize(),
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return res, importErr(req.Layer, err)
	}

	var extent []float64
	if err := c.QueryRow(ctx, fmt.Sprintf(
		"SELECT CASE WHEN e IS NULL THEN NULL ELSE ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] END FROM (SELECT ST_Extent(geom) e FROM %s) x",
		built.Sanitize())).Scan(&extent); err != nil {
		return res, importErr(req.Layer, err)
	}
	now := time.Now().UTC()
	lineage := cur.Lineage
	lineage.Source, lineage.Checksum, lineage.ImportedAt, lineage.ImportedBy = req.SourceName, req.Checksum, &now, req.Actor
	crs := req.Source.CRS()
	sourceCRS := ""
	if plan.SRID != 0 {
		sourceCRS = fmt.Sprintf("EPSG:%d", plan.SRID)
	} else if crs.WKT != "" {
		sourceCRS = crs.WKT
	}

	// The swap: one short transaction.
	err = pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM catalog.layers WHERE id = $1 FOR UPDATE`, req.Layer); err != nil {
			return err
		}
		old := pgx.Identifier{layers.Schema, stamp + "_old"}
		if _, err := tx.Exec(ctx, fmt.Sprintf("ALTER TABLE IF EXISTS %s RENAME TO %s", layerTable(req.Layer), quote(old[1]))); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf("ALTER TABLE %s SET SCHEMA %s", built.Sanitize(), quote(layers.Schema))); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf("ALTER TABLE %s RENAME TO %s",
			pgx.Identifier{layers.Schema, built[1]}.Sanitize(), quote(req.Layer))); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DROP TABLE IF EXISTS "+old.Sanitize()); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, sqlSwapCatalog, req.Layer, string(gt), jsonArg(plan.Layer.Attributes), res.Features,
			extent, jsonArg(lineage), sourceCRS).Scan(&res.DataVersion); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlAudit, req.Actor, "layer.import", req.Layer, jsonArg(map[string]any{
			"import_id": res.ImportID, "source": req.SourceName, "checksum": req.Checksum, "features": res.Features,
			"repaired": res.Repaired, "data_version": res.DataVersion})); err != nil {
			return err
		}
		return notify(ctx, tx, req.Layer)
	})
	if err != nil {
		return res, importErr(req.Layer, err)
	}
	return res, nil
}

// importErr keeps domain and reader errors as they are (they name the
// feature) and translates database ones.
func importErr(layer string, err error) error {
	var verr *layers.ValidationError
	var ferr *formats.Error
	if errors.As(err, &verr) || errors.As(err, &ferr) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("postgis: import %s: %w", layer, err)
	}
	return translate("import "+layer, err)
}
