package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/coalmap/coalmap/layers"
)

// Single-feature edits (OGC API – Features Part 4). An edit is one short
// transaction that keeps the lock order of the package documentation:
//
//  1. the layer's catalog row (lockLayerRow, FOR UPDATE), which an import's
//     swap locks first too: edits of a layer are serialised with each other
//     and with its imports, and the catalog entry read is the one of the
//     table written;
//  2. the feature's row in the layer table (SELECT … FOR UPDATE), whose
//     version is compared with the ETag the client sent: the check and
//     the write are one critical section, so of two edits made against the
//     same version exactly one wins and the other gets ErrStale;
//  3. the layer's band tables (LOCK TABLE, in the order a band build drops
//     them: a build in progress is waited for), then the tilegen.bands row
//     read — the bands are patched for that one feature when they were
//     built from the version the edit starts from, and the row moved to the
//     new version (a band build also writes that row last);
//  4. the change log's lock (publishChange), last.
//
// In between it bumps the layer's data_version and writes the audit
// record. A deadlock or serialisation failure is retried.

var _ layers.FeatureEditor = (*Store)(nil)

// maxEditAttempts bounds the retries of an edit that lost a deadlock.
const maxEditAttempts = 3

const (
	// The catalog after an edit: a new data version, the count, and the
	// extent grown to hold the new geometry ($3, NULL when none). The
	// extent is not shrunk on a delete or a move (that needs a scan of
	// the layer); it stays a box that holds every feature.
	sqlEditCatalog = `UPDATE catalog.layers SET data_version = data_version + 1, feature_count = feature_count + $2,
    extent = CASE WHEN $3::float8[] IS NULL THEN extent
                  WHEN extent IS NULL THEN $3::float8[]
                  ELSE ARRAY[least(extent[1], $3[1]), least(extent[2], $3[2]), greatest(extent[3], $3[3]), greatest(extent[4], $3[4])] END,
    updated_at = now()
WHERE id = $1 RETURNING data_version, metadata_version`
	// The bands patched by an edit stay current: they move to the new
	// data version with the layer, if they were built from the old one.
	sqlEditBands = `UPDATE tilegen.bands SET data_version = $3 WHERE layer_id = $1 AND data_version = $2`
	sqlEditAudit = `INSERT INTO catalog.feature_edits (layer_id, feature_id, operation, actor, token_id, data_version, repaired, before, after)
VALUES ($1, $2, $3, $4, nullif($5, 0), $6, $7, $8, $9)`
	sqlFeatureEdits = `SELECT id, layer_id, feature_id, operation, actor, coalesce(token_id, 0), at, data_version, repaired, before, after
FROM catalog.feature_edits
WHERE layer_id = $1 AND ($2 = '' OR feature_id = $2) AND ($3 = 0 OR id < $3)
ORDER BY id DESC LIMIT $4`
	// The edit's geometry in EPSG:4326 and what PostGIS says of it.
	// $1 WKB, $2 its SRID, $3 the repair's collection type (0: points,
	// never repaired), $4 whether to repair, $5–$8 India's bounds.
	sqlEditGeometry = `WITH g AS (SELECT ST_Transform(ST_GeomFromWKB($1::bytea, $2::int), 4326) AS g),
d AS (SELECT g, CASE WHEN $3::int = 0 THEN NULL ELSE ST_IsValidDetail(g) END AS v FROM g),
r AS (SELECT g, v, CASE WHEN (v).valid IS FALSE AND $4::bool THEN %s ELSE g END AS fixed FROM d)
SELECT coalesce((v).valid, true), coalesce((v).reason, ''), ST_AsBinary((v).location),
       ST_AsEWKB(fixed), ST_IsEmpty(fixed), fixed @ ST_MakeEnvelope($5, $6, $7, $8, 4326),
       ST_XMin(fixed), ST_YMin(fixed), ST_XMax(fixed), ST_YMax(fixed)
FROM r`
)

// etagSQL is the expression of a feature's version in layer l's table
// (aliased alias): a digest of its id, geometry and attribute values and of
// the dictionary's names, so that it changes whenever the feature's GeoJSON
// does. Dates and timestamps enter as numbers, so that the session's
// DateStyle and TimeZone cannot change a version.
func etagSQL(l *layers.Layer, alias string) string {
	var b strings.Builder
	names := make([]string, len(l.Attributes))
	for i, a := range l.Attributes {
		names[i] = a.Name
	}
	fmt.Fprintf(&b, "md5(row(%[1]s.feature_id, ST_AsEWKB(%[1]s.geom), '%[2]s'", alias, strings.ReplaceAll(strings.Join(names, ","), "'", "''"))
	for _, a := range l.Attributes {
		col := alias + "." + quote(a.Name)
		switch a.Type {
		case layers.Timestamp:
			fmt.Fprintf(&b, ", extract(epoch FROM %s)", col)
		case layers.Date:
			fmt.Fprintf(&b, ", (%s - date '2000-01-01')", col)
		default:
			b.WriteString(", " + col)
		}
	}
	b.WriteString(")::text)")
	return b.String()
}

// featureJSONSQL is the GeoJSON Feature of a row of l's table (aliased
// alias) as jsonb, full precision: the audit trail's before and after.
func featureJSONSQL(l *layers.Layer, alias string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "jsonb_build_object('type', 'Feature', 'id', %[1]s.feature_id, 'geometry', ST_AsGeoJSON(%[1]s.geom, 15)::jsonb, 'properties', ", alias)
	if len(l.Attributes) == 0 {
		b.WriteString("'{}'::jsonb)")
		return b.String()
	}
	b.WriteString("(SELECT to_jsonb(p) FROM (SELECT ")
	for i, a := range l.Attributes {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s.%s", alias, quote(a.Name))
	}
	b.WriteString(") p))")
	return b.String()
}

// editRow is a feature's state as an edit reads it.
type editRow struct {
	fid      int64
	etag     string
	feature  []byte // GeoJSON, for the audit
	bbox     orb.Bound
	hasBBox  bool
	tileGeom []byte // EWKB in EPSG:3857, for the point bands
}

// EditFeature applies one edit (see the FeatureEditor contract), retrying
// it when it lost a deadlock.
func (s *Store) EditFeature(ctx context.Context, e *layers.FeatureEdit) (layers.EditResult, error) {
	if e == nil || e.Layer == nil || !layers.ValidID(e.Layer.ID) {
		return layers.EditResult{}, layers.NewStoreError("edit", layers.ErrInvalid, "no valid layer", nil)
	}
	for attempt := 1; ; attempt++ {
		res, err := s.editOnce(ctx, e)
		var pgErr *pgconn.PgError
		if attempt < maxEditAttempts && errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001") {
			continue
		}
		if err != nil {
			return res, editErr(e, err)
		}
		return res, nil
	}
}

// editOp names an edit in its errors: "update coal_blocks/CB-7".
func editOp(e *layers.FeatureEdit) string {
	if e.ID == "" {
		return fmt.Sprintf("%s in %s", e.Op, e.Layer.ID)
	}
	return fmt.Sprintf("%s %s/%s", e.Op, e.Layer.ID, e.ID)
}

// editErr keeps the edit's own errors (safe words) and translates the
// database's.
func editErr(e *layers.FeatureEdit, err error) error {
	var gerr *layers.GeometryError
	var verr *layers.ValidationError
	var serr *layers.StoreError
	if errors.As(err, &gerr) || errors.As(err, &verr) || errors.As(err, &serr) {
		return err
	}
	return translate(editOp(e), err)
}

func (s *Store) editOnce(ctx context.Context, e *layers.FeatureEdit) (layers.EditResult, error) {
	l := e.Layer
	res := layers.EditResult{Layer: l.ID, Op: e.Op, ID: e.ID}
	table := layerTable(l.ID)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// 1. The catalog row: the layer as it is now must be the one the
		// edit was checked against.
		cur, err := lockLayerRow(ctx, tx, l.ID)
		if errors.Is(err, layers.ErrNotFound) {
			return layers.NewStoreError(editOp(e), layers.ErrNotFound, "no such collection", nil)
		}
		if err != nil {
			return err
		}
		version := cur.DataVersion
		if !sameShape(l, cur.GeometryType, cur.Attributes) {
			return layers.NewStoreError(editOp(e), layers.ErrConflict,
				"the layer was re-imported with other attributes or another geometry type while the edit was made; read the feature again", nil)
		}

		// 2. The feature, locked, and its version checked.
		var before *editRow
		var fid int64
		if e.Op == layers.EditCreate {
			if fid, res.ID, err = newFeatureID(ctx, tx, l, e.ID); err != nil {
				return err
			}
		} else {
			if before, err = lockFeature(ctx, tx, e, pointLayer(l)); err != nil {
				return err
			}
			if !slices.Contains(e.IfMatch, before.etag) {
				return layers.NewStoreError(editOp(e), layers.ErrStale, "the feature has changed since it was read", nil)
			}
			fid = before.fid
		}

		// 3. The geometry: reprojected, checked and repaired in PostGIS.
		var geom any
		if e.SetGeometry && e.Geometry != nil {
			g, repaired, err := editGeometry(ctx, tx, e)
			if err != nil {
				return err
			}
			geom, res.Repaired = g, repaired
		}

		// 4. The write.
		delta := int64(0)
		switch e.Op {
		case layers.EditCreate:
			delta = 1
			cols := []string{"fid", "feature_id", "geom"}
			args := []any{fid, res.ID, geom}
			for i, a := range e.Columns {
				cols = append(cols, quote(a.Name))
				args = append(args, e.Values[i])
			}
			ph := make([]string, len(args))
			for i := range args {
				ph[i] = "$" + strconv.Itoa(i+1)
			}
			ph[2] = "ST_GeomFromEWKB($3::bytea)"
			if _, err := tx.Exec(ctx, fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(cols, ", "), strings.Join(ph, ", ")), args...); err != nil {
				return err
			}
		case layers.EditReplace, layers.EditUpdate:
			args := []any{fid}
			var set []string
			if e.SetGeometry {
				args = append(args, geom)
				set = append(set, fmt.Sprintf("geom = ST_GeomFromEWKB($%d::bytea)", len(args)))
			}
			for i, a := range e.Columns {
				args = append(args, e.Values[i])
				set = append(set, fmt.Sprintf("%s = $%d", quote(a.Name), len(args)))
			}
			if _, err := tx.Exec(ctx, fmt.Sprintf("UPDATE %s SET %s WHERE fid = $1", table, strings.Join(set, ", ")), args...); err != nil {
				return err
			}
		case layers.EditDelete:
			delta = -1
			if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE fid = $1", fid); err != nil {
				return err
			}
		default:
			return layers.NewStoreError(editOp(e), layers.ErrInvalid, "unknown edit", nil)
		}

		// 5. The tile bands, for this feature only.
		tiles, err := bandsOf(ctx, tx, l, version)
		if err != nil {
			return err
		}
		var oldTile []byte
		if before != nil {
			oldTile = before.tileGeom
		}
		if err := tiles.patch(ctx, tx, fid, oldTile); err != nil {
			return err
		}

		// 6. The feature after, as the API serves it and for the audit.
		var after *editRow
		if e.Op != layers.EditDelete {
			if after, err = readFeature(ctx, tx, l, fid); err != nil {
				return err
			}
			res.ETag = after.etag
			q := layers.FeatureQuery{Layer: l, FeatureID: res.ID, Limit: 1}
			if err := scanFeatures(ctx, tx, &q, func(r *layers.FeatureRow) error {
				res.Feature = append([]byte(nil), r.Feature...)
				return nil
			}); err != nil {
				return err
			}
		}
		for _, r := range []*editRow{before, after} {
			if r == nil || !r.hasBBox {
				continue
			}
			if res.HasBBox {
				res.BBox = res.BBox.Union(r.bbox)
			} else {
				res.BBox, res.HasBBox = r.bbox, true
			}
		}

		// 7. Catalog, audit, notification.
		var extent []float64
		if after != nil && after.hasBBox {
			extent = []float64{after.bbox.Min[0], after.bbox.Min[1], after.bbox.Max[0], after.bbox.Max[1]}
		}
		var metaVersion int64
		if err := tx.QueryRow(ctx, sqlEditCatalog, l.ID, delta, extent).Scan(&res.DataVersion, &metaVersion); err != nil {
			return err
		}
		if tiles.current {
			if _, err := tx.Exec(ctx, sqlEditBands, l.ID, version, res.DataVersion); err != nil {
				return err
			}
		}
		var beforeJSON, afterJSON []byte
		if before != nil {
			beforeJSON = before.feature
		}
		if after != nil {
			afterJSON = after.feature
		}
		if _, err := tx.Exec(ctx, sqlEditAudit, l.ID, res.ID, e.Op.String(), e.Actor.Actor(), e.Actor.TokenID,
			res.DataVersion, res.Repaired, beforeJSON, afterJSON); err != nil {
			return err
		}
		// The one change event of the commit: these features, this box.
		ch := layers.Change{Layer: l.ID, Version: res.DataVersion, MetadataVersion: metaVersion,
			Kind: layers.ChangeFeatures, FeatureIDs: []string{res.ID}}
		if res.HasBBox {
			ch.BBox = res.BBox
		}
		if err := publishChange(ctx, tx, &ch); err != nil {
			return err
		}
		res.Change = ch.ID
		return nil
	})
	return res, err
}

// sameShape reports whether the catalog's geometry type and dictionary
// (names and types) are those of l.
func sameShape(l *layers.Layer, gt layers.GeometryType, attrs []layers.Attribute) bool {
	if gt != l.GeometryType || len(attrs) != len(l.Attributes) {
		return false
	}
	for i, a := range attrs {
		if a.Name != l.Attributes[i].Name || a.Type != l.Attributes[i].Type {
			return false
		}
	}
	return true
}

// lockFeature reads and locks the feature e edits; points says to read its
// tile geometry too.
func lockFeature(ctx context.Context, tx pgx.Tx, e *layers.FeatureEdit, points bool) (*editRow, error) {
	l, id := e.Layer, e.ID
	tileGeom := "NULL::bytea"
	if points {
		tileGeom = "ST_AsEWKB(ST_Transform(t.geom, 3857))"
	}
	sql := fmt.Sprintf(`SELECT t.fid, %s, %s, ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom), %s
FROM %s t WHERE t.feature_id = $1 FOR UPDATE`, etagSQL(l, "t"), featureJSONSQL(l, "t"), tileGeom, layerTable(l.ID))
	r, err := scanEditRow(tx.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, layers.NewStoreError(editOp(e), layers.ErrNotFound, fmt.Sprintf("no feature %q in collection %s", id, l.ID), nil)
	}
	return r, err
}

// readFeature reads the feature at fid after the write.
func readFeature(ctx context.Context, tx pgx.Tx, l *layers.Layer, fid int64) (*editRow, error) {
	sql := fmt.Sprintf(`SELECT t.fid, %s, %s, ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom), NULL::bytea
FROM %s t WHERE t.fid = $1`, etagSQL(l, "t"), featureJSONSQL(l, "t"), layerTable(l.ID))
	return scanEditRow(tx.QueryRow(ctx, sql, fid))
}

func scanEditRow(row pgx.Row) (*editRow, error) {
	var r editRow
	var x0, y0, x1, y1 *float64
	if err := row.Scan(&r.fid, &r.etag, &r.feature, &x0, &y0, &x1, &y1, &r.tileGeom); err != nil {
		return nil, err
	}
	if x0 != nil && y0 != nil && x1 != nil && y1 != nil {
		r.bbox, r.hasBBox = orb.Bound{Min: orb.Point{*x0, *y0}, Max: orb.Point{*x1, *y1}}, true
	}
	return &r, nil
}

// newFeatureID picks the fid of a new feature (after the last one, the
// layer being locked) and its id: the one asked for, which must be free,
// else the fid, as an import does for a feature without an id.
func newFeatureID(ctx context.Context, tx pgx.Tx, l *layers.Layer, want string) (int64, string, error) {
	table := layerTable(l.ID)
	var fid int64
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(fid), 0) + 1 FROM "+table).Scan(&fid); err != nil {
		return 0, "", err
	}
	taken := func(id string) (bool, error) {
		var ok bool
		err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+table+" WHERE feature_id = $1)", id).Scan(&ok)
		return ok, err
	}
	if want != "" {
		t, err := taken(want)
		if err != nil {
			return 0, "", err
		}
		if t {
			return 0, "", layers.NewStoreError("create in "+l.ID, layers.ErrConflict, fmt.Sprintf("a feature with id %q is already in %s", want, l.ID), nil)
		}
		return fid, want, nil
	}
	for _, id := range []string{strconv.FormatInt(fid, 10), fmt.Sprintf("%s-%d", l.ID, fid), fmt.Sprintf("%d-%s", fid, randomSuffix())} {
		t, err := taken(id)
		if err != nil {
			return 0, "", err
		}
		if !t {
			return fid, id, nil
		}
	}
	return 0, "", layers.NewStoreError("create in "+l.ID, layers.ErrConflict, "no free id for a new feature", nil)
}

// repairSQL is the repair an import applies to an invalid geometry of a
// layer of type gt (see checkValidity), applied to expr.
func repairSQL(gt layers.GeometryType, expr string) string {
	fixed := fmt.Sprintf("ST_CollectionExtract(ST_MakeValid(%s, 'method=structure'), %d)", expr, gt.Dimension()+1)
	if layers.PromotedType(gt) == gt && gt.Dimension() > 0 {
		return "ST_Multi(" + fixed + ")"
	}
	return fixed
}

// editGeometry takes the edit's geometry to EPSG:4326 and judges it as an
// import would: invalid ones repaired (ST_MakeValid) or, with
// InvalidMode Reject, refused with PostGIS's reason and location; outside
// India's bounds refused unless allowed. It returns the EWKB to store and
// the repair's reason ("" when none was needed).
func editGeometry(ctx context.Context, tx pgx.Tx, e *layers.FeatureEdit) ([]byte, string, error) {
	l := e.Layer
	if e.SRID != layers.StorageSRID {
		var ok bool
		if err := tx.QueryRow(ctx, sqlSRIDExists, e.SRID).Scan(&ok); err != nil {
			return nil, "", err
		}
		if !ok {
			return nil, "", &layers.GeometryError{Field: "crs", Reason: fmt.Sprintf("EPSG:%d is not a CRS PostGIS knows (spatial_ref_sys)", e.SRID)}
		}
	}
	dim := l.GeometryType.Dimension()
	collection := 0
	if dim > 0 {
		collection = dim + 1
	}
	b := layers.India()
	var valid, empty, inside bool
	var reason string
	var loc, fixed []byte
	var x0, y0, x1, y1 *float64
	// A savepoint, so that a geometry PROJ cannot transform is refused
	// as such, not as a broken transaction.
	sp, err := tx.Begin(ctx)
	if err != nil {
		return nil, "", err
	}
	err = sp.QueryRow(ctx, fmt.Sprintf(sqlEditGeometry, repairSQL(l.GeometryType, "g")), e.Geometry, e.SRID, collection,
		e.Invalid == layers.Repair, b.Min[0], b.Min[1], b.Max[0], b.Max[1]).
		Scan(&valid, &reason, &loc, &fixed, &empty, &inside, &x0, &y0, &x1, &y1)
	if err != nil {
		_ = sp.Rollback(ctx)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "XX000" && e.SRID != layers.StorageSRID {
			return nil, "", &layers.GeometryError{Field: "geometry", Reason: fmt.Sprintf(
				"cannot be reprojected from EPSG:%d (CRS from %s) to EPSG:4326: its coordinates are outside that CRS's area", e.SRID, e.CRSFrom)}
		}
		return nil, "", err
	}
	if err := sp.Commit(ctx); err != nil {
		return nil, "", err
	}
	var repaired string
	if !valid {
		var where *orb.Point
		if g, err := wkb.Unmarshal(loc); err == nil {
			if p, ok := g.(orb.Point); ok {
				where = &p
			}
		}
		repaired = "invalid geometry: " + reason // the words of an import's report
		if e.Invalid == layers.Reject {
			return nil, "", &layers.GeometryError{Field: "geometry", Reason: repaired, Location: where}
		}
		if empty {
			return nil, "", &layers.GeometryError{Field: "geometry", Reason: repaired + "; nothing of the layer's type is left once repaired", Location: where}
		}
	}
	if x0 != nil && !(*x0 >= -180 && *x1 <= 180 && *y0 >= -90 && *y1 <= 90) { // NaN fails too
		return nil, "", &layers.GeometryError{Field: "geometry", Reason: fmt.Sprintf(
			"has coordinates outside longitude −180…180, latitude −90…90 once reprojected from EPSG:%d (CRS from %s): "+
				"bounds [%g, %g, %g, %g]; such coordinates are never stored, allow_outside or not", e.SRID, e.CRSFrom, *x0, *y0, *x1, *y1)}
	}
	if !inside && !e.AllowOutside && x0 != nil {
		return nil, "", &layers.GeometryError{Field: "geometry", Reason: fmt.Sprintf(
			"lies outside India (68–98°E, 6–38°N) once reprojected from EPSG:%d (CRS from %s): bounds [%.4f, %.4f, %.4f, %.4f]; "+
				"the CRS is probably wrong — name the right one in Content-Crs, or allow it with ?allow_outside=true",
			e.SRID, e.CRSFrom, *x0, *y0, *x1, *y1)}
	}
	return fixed, repaired, nil
}

// FeatureEdits returns a layer's edit records, newest first.
func (s *Store) FeatureEdits(ctx context.Context, q layers.EditQuery) ([]layers.EditRecord, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	rows, err := s.pool.Query(ctx, sqlFeatureEdits, q.Layer, q.FeatureID, q.Before, q.Limit)
	if err != nil {
		return nil, translate("edits of "+q.Layer, err)
	}
	recs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (layers.EditRecord, error) {
		var rec layers.EditRecord
		var op string
		var before, after []byte
		if err := r.Scan(&rec.ID, &rec.Layer, &rec.FeatureID, &op, &rec.Actor, &rec.TokenID, &rec.At, &rec.DataVersion,
			&rec.Repaired, &before, &after); err != nil {
			return rec, err
		}
		for o := layers.EditCreate; o <= layers.EditDelete; o++ {
			if o.String() == op {
				rec.Op = o
			}
		}
		rec.Before, rec.After = json.RawMessage(before), json.RawMessage(after)
		return rec, nil
	})
	if err != nil {
		return nil, translate("edits of "+q.Layer, err)
	}
	return recs, nil
}
