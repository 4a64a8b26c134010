package postgis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
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

// CleanStaging drops the staging tables of imports whose process has died
// (killed, crashed): each live import holds an advisory lock named after its
// staging tables, which dies with its connections, so leftovers are told
// from a live import's tables on any server and at any age. It also fails
// the job records such imports left running, and those queued or started
// more than age ago that never got a staging table.
func (s *Store) CleanStaging(ctx context.Context, age time.Duration) (int, error) {
	if _, err := s.failInterrupted(ctx, time.Now().Add(-age)); err != nil {
		return 0, err
	}
	n, err := s.cleanDead(ctx)
	if err != nil {
		return n, fmt.Errorf("postgis: clean staging: %w", err)
	}
	return n, nil
}

// Import replaces the data of layer req.Layer with the features of
// req.Source: COPY (binary) straight into a staging table that already has
// the layer table's shape (the geometries promoted to the layer's type in Go
// on the way), then only what the data needs in SQL — one rewrite to
// reproject when the source is not in EPSG:4326, one validity pass that
// repairs or rejects the invalid geometries by id, the India-bounds check —
// then keys, GiST index and statistics, and one transaction that swaps the
// table in place of the old one, updates the catalog (count, extent,
// lineage, data version), writes the audit record and notifies. If anything
// fails, or ctx ends, the previous table and version stay as they were.
// Every import is recorded in catalog.imports with its report.
func (s *Store) Import(ctx context.Context, req layers.ImportRequest) (res layers.ImportResult, err error) {
	start := time.Now()
	res.Layer = req.Layer
	opts := importOptions(req)
	s.beginReport(&res, req, opts)
	defer func() { res.Duration = time.Since(start); res.Seconds = res.Duration.Seconds() }()

	cur, err := s.Layer(ctx, req.Layer)
	if err != nil {
		s.endQueued(ctx, req, err)
		return res, err
	}
	if req.Checksum != "" && cur.Lineage.Checksum == req.Checksum && cur.DataVersion > 0 && s.sameOptions(ctx, req, opts) {
		res.Unchanged, res.Features, res.DataVersion = true, cur.FeatureCount, cur.DataVersion
		res.Status = layers.ImportUnchanged
		res.ImportID, err = s.recordUnchanged(ctx, req, opts, &res)
		return res, err
	}
	if res.ImportID, err = s.startImport(ctx, req, opts); err != nil {
		return res, fmt.Errorf("postgis: import %s: %w", req.Layer, err)
	}
	prog := s.newProgress(ctx, req, res.ImportID)
	defer func() {
		prog.close()
		res.Duration = time.Since(start)
		res.Seconds = res.Duration.Seconds()
		s.finishImport(ctx, &res, err)
	}()
	plan, err := layers.PlanImport(cur, req.Source.Fields(), req.Source.CRS(), req.SRID)
	if err != nil {
		return res, err
	}
	if err := s.resolveSRID(ctx, plan, req, &res); err != nil {
		return res, err
	}

	// One connection does the import's work. Its commits need not wait for
	// the disk: a crash before the WAL is flushed loses the newest import
	// as a whole, never part of it, and the previous version stays.
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return res, importErr(req.Layer, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET synchronous_commit TO off"); err != nil {
		return res, importErr(req.Layer, err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "RESET synchronous_commit") //nolint:errcheck

	stamp := fmt.Sprintf("%s%d_%s", StagingPrefix, time.Now().Unix(), randomSuffix())
	built := pgx.Identifier{"staging", stamp + "_new"}
	release, err := s.leaseStaging(ctx, res.ImportID, stamp)
	if err != nil {
		return res, importErr(req.Layer, err)
	}
	defer release()
	defer func() {
		// Whatever happened, nothing of this import stays in staging.
		_, _ = s.pool.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+built.Sanitize())
	}()
	gt := plan.Layer.GeometryType
	// The staging table is the layer table to be, in the source's SRID.
	cols := []string{layers.ColumnFID, layers.ColumnFeatureID, layers.ColumnGeom}
	var ddl strings.Builder
	fmt.Fprintf(&ddl, "CREATE TABLE %s (fid bigint, feature_id text, geom geometry(%s, %d)", built.Sanitize(), gt, plan.SRID)
	for _, c := range plan.Columns {
		cols = append(cols, c.Name)
		fmt.Fprintf(&ddl, ", %s %s", quote(c.Name), pgType(c.Type))
	}
	ddl.WriteString(")")
	// Geometries are stored out of line uncompressed: coordinates hardly
	// compress, and trying (pglz or lz4) was most of the COPY's cost.
	fmt.Fprintf(&ddl, "; ALTER TABLE %s ALTER COLUMN geom SET STORAGE EXTERNAL", built.Sanitize())
	if _, err := conn.Exec(ctx, ddl.String()); err != nil {
		return res, fmt.Errorf("postgis: import %s: staging: %w", req.Layer, err)
	}
	prog.phase(layers.PhaseReading)
	cs := newCopySource(ctx, req, plan, prog)
	_, err = conn.CopyFrom(ctx, built, cols, cs)
	cs.stop()
	res.Read, res.NullGeometries, res.Rejected, res.Rejections = cs.read, cs.nulls, cs.rejected, cs.rejections
	s.sourceReport(&res, req.Source)
	if cs.err != nil {
		err = cs.err
	}
	if err != nil {
		return res, importErr(req.Layer, err)
	}

	// Reproject: the one rewrite, only when the source is not in 4326.
	if plan.SRID != layers.StorageSRID {
		prog.phase(layers.PhaseBuilding)
		if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN geom TYPE geometry(%s, %d) USING ST_Transform(geom, %d)",
			built.Sanitize(), gt, layers.StorageSRID, layers.StorageSRID)); err != nil {
			return res, importErr(req.Layer, err)
		}
	}
	prog.phase(layers.PhaseChecking)
	if err := s.checkValidity(ctx, conn, built, gt, cs.suspects, req, &res); err != nil {
		return res, importErr(req.Layer, err)
	}
	res.Features = res.Read - res.Rejected
	extent, err := s.checkExtent(ctx, conn, built, plan, req, &res)
	if err != nil {
		return res, importErr(req.Layer, err)
	}
	prog.phase(layers.PhaseBuilding)
	for _, q := range []string{
		fmt.Sprintf("ALTER TABLE %s ALTER COLUMN fid SET NOT NULL, ALTER COLUMN feature_id SET NOT NULL, ADD PRIMARY KEY (fid), ADD UNIQUE (feature_id)", built.Sanitize()),
		fmt.Sprintf("CREATE INDEX ON %s USING gist (geom)", built.Sanitize()),
		"ANALYZE " + built.Sanitize(),
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return res, importErr(req.Layer, err)
		}
	}

	now := time.Now().UTC()
	lineage := cur.Lineage
	lineage.Source, lineage.Checksum, lineage.ImportedAt, lineage.ImportedBy = req.SourceName, req.Checksum, &now, req.Actor
	sourceCRS := fmt.Sprintf("EPSG:%d", plan.SRID)

	// The swap: one short transaction.
	prog.phase(layers.PhaseSwapping)
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
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
		// The old version's tile bands go with it; new ones are built
		// after the swap (serve does it in the background).
		if err := DropTiles(ctx, tx, req.Layer); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlAudit, req.Actor, "layer.import", req.Layer, jsonArg(map[string]any{
			"import_id": res.ImportID, "source": req.SourceName, "checksum": req.Checksum, "features": res.Features,
			"repaired": res.Repaired, "rejected": res.Rejected, "data_version": res.DataVersion})); err != nil {
			return err
		}
		_, err := publishLayer(ctx, tx, req.Layer, layers.ChangeData, unionBound(extentBound(cur.Extent), extentBound(res.Extent)))
		return err
	})
	if err != nil {
		return res, importErr(req.Layer, err)
	}
	res.Status = layers.ImportSucceeded
	prog.phase(layers.PhaseDone)
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
