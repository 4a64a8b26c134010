package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/coalmap/coalmap/layers"
)

// An edit changes one feature: its layer's tile bands (see PrepareTiles)
// are patched for that feature in the edit's transaction, each band by the
// rule that built it, so that tiles drawn from the bands show the edit at
// once and a later full rebuild would give the same tables. The band tables
// are locked in the order a band build drops them — finest band first, its
// index table before its band table — so that an edit and a build never
// deadlock (TestEditsWithImportsAndBandBuilds).
//
//   - the full-resolution band: the feature's row again, in EPSG:3857;
//   - a band of lines or polygons: the feature simplified for the band, or
//     nothing when it is under a pixel there; and its index pieces;
//   - a band of points, thinned to one point a pixel: the pixels (grid
//     cells) of the old and the new point are thinned again from the
//     full band, so that a cell keeps the point a rebuild would keep.

const (
	// %[1]s band, %[2]s layer table.
	sqlPatchFull = `INSERT INTO %[1]s SELECT fid, ST_Transform(geom, 3857) FROM %[2]s
WHERE fid = $1 AND geom IS NOT NULL AND NOT ST_IsEmpty(geom)`
	// %[1]s band, %[2]s full band, %[3]s simplifier; $1 fid, $2 tolerance, $3 minimum size.
	sqlPatchShapes = `INSERT INTO %[1]s SELECT fid, geom FROM (
    SELECT fid, %[3]s(geom, $2::float8) AS geom FROM %[2]s
    WHERE fid = $1 AND greatest(ST_XMax(geom) - ST_XMin(geom), ST_YMax(geom) - ST_YMin(geom)) >= $3::float8) s
WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom)`
	// %[1]s index, %[2]s band, %[3]d vertices a piece.
	sqlPatchPieces = `INSERT INTO %[1]s SELECT fid, ST_Subdivide(geom, %[3]d) FROM %[2]s WHERE fid = $1`
	// The grid cells of the old and new points ($1, EWKB in 3857) on a
	// grid of $2 metres.
	patchCells = `(SELECT DISTINCT ST_SnapToGrid(x::geometry, $2::float8) AS cell FROM unnest($1::bytea[]) x WHERE x IS NOT NULL)`
	// %[1]s band.
	sqlPatchPointsDrop = `DELETE FROM %[1]s g USING ` + patchCells + ` c
WHERE g.geom && ST_Expand(c.cell, $2::float8) AND ST_SnapToGrid(g.geom, $2::float8) = c.cell`
	// %[1]s band, %[2]s full band: the thinning of sqlGenPoints, on the cells.
	sqlPatchPointsAdd = `INSERT INTO %[1]s SELECT DISTINCT ON (ST_SnapToGrid(f.geom, $2::float8)) f.fid, f.geom
FROM %[2]s f JOIN ` + patchCells + ` c ON f.geom && ST_Expand(c.cell, $2::float8) AND ST_SnapToGrid(f.geom, $2::float8) = c.cell
ORDER BY ST_SnapToGrid(f.geom, $2::float8), f.fid`
)

// layerBands says whether a layer's tile bands are current (built from the
// data version the edit starts from, see tilegen.bands): only current bands
// are patched. Stale or missing ones are not used by the renderer and are
// rebuilt whole in the background.
type layerBands struct {
	l       *layers.Layer
	current bool
}

// pointLayer reports whether l's bands are point bands, thinned to one
// point a pixel: an edit then needs the old point's position.
func pointLayer(l *layers.Layer) bool {
	return l.GeometryType == layers.Point || l.GeometryType == layers.MultiPoint
}

// bandsOf locks l's band tables, when it has them, in the order a band
// build drops them, and then reads whether they were built from data
// version v: a build running meanwhile is waited for, and its bands are
// patched in turn, so that edits made during a build leave the bands
// current. (The bands' row is written last, by a build as by an edit.)
func bandsOf(ctx context.Context, tx pgx.Tx, l *layers.Layer, v int64) (layerBands, error) {
	b := layerBands{l: l}
	var exists bool
	if err := tx.QueryRow(ctx, sqlRegclass, genTable(l.ID, zoomBands[len(zoomBands)-1]).Sanitize()).Scan(&exists); err != nil || !exists {
		return b, err
	}
	var names []string
	for i := len(zoomBands) - 1; i >= 0; i-- {
		if !pointLayer(l) {
			names = append(names, genIndex(l.ID, zoomBands[i]).Sanitize())
		}
		names = append(names, genTable(l.ID, zoomBands[i]).Sanitize())
	}
	// In a savepoint: tables dropped meanwhile leave nothing to patch, and
	// must not break the edit's transaction.
	sp, err := tx.Begin(ctx)
	if err != nil {
		return b, err
	}
	if _, err := sp.Exec(ctx, "LOCK TABLE "+strings.Join(names, ", ")+" IN ROW EXCLUSIVE MODE"); err != nil {
		_ = sp.Rollback(ctx)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" {
			return b, nil
		}
		return b, err
	}
	if err := sp.Commit(ctx); err != nil {
		return b, err
	}
	var built int64
	if err := tx.QueryRow(ctx, sqlBandsVersion, l.ID).Scan(&built); err != nil {
		return b, err
	}
	b.current = built == v
	return b, nil
}

// patch brings the bands up to date for the feature fid of the layer
// table, already written; old is the feature's geometry before the edit,
// in EPSG:3857, for point bands.
func (b layerBands) patch(ctx context.Context, tx pgx.Tx, fid int64, old []byte) error {
	if !b.current {
		return nil
	}
	id := b.l.ID
	kind := b.l.GeometryType
	points := pointLayer(b.l)
	lines := kind == layers.LineString || kind == layers.MultiLineString
	exec := func(sql string, args ...any) error {
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return fmt.Errorf("postgis: tiles of %s, feature %d: %w", id, fid, err)
		}
		return nil
	}
	full := genTable(id, zoomBands[len(zoomBands)-1]).Sanitize()
	var cur []byte
	// Finest band first: the others derive from it.
	for i := len(zoomBands) - 1; i >= 0; i-- {
		band := zoomBands[i]
		gen, idx := genTable(id, band).Sanitize(), genIndex(id, band).Sanitize()
		px := pixelMetres(band.hi)
		if !points {
			// The index table first, then the band table: the order in
			// which a band build drops them, so that the two never wait
			// for each other the other way round.
			if err := exec("DELETE FROM "+idx+" WHERE fid = $1", fid); err != nil {
				return err
			}
		}
		switch {
		case band.lo >= fullBand:
			if err := exec("DELETE FROM "+gen+" WHERE fid = $1", fid); err != nil {
				return err
			}
			if err := exec(fmt.Sprintf(sqlPatchFull, gen, layerIdent(id).Sanitize()), fid); err != nil {
				return err
			}
			if points {
				if err := tx.QueryRow(ctx, "SELECT ST_AsEWKB(geom) FROM "+gen+" WHERE fid = $1", fid).Scan(&cur); err != nil && !errors.Is(err, pgx.ErrNoRows) {
					return fmt.Errorf("postgis: tiles of %s, feature %d: %w", id, fid, err)
				}
			}
		case points:
			cells := [][]byte{old, cur}
			if err := exec(fmt.Sprintf(sqlPatchPointsDrop, gen), cells, px); err != nil {
				return err
			}
			if err := exec(fmt.Sprintf(sqlPatchPointsAdd, gen, full), cells, px); err != nil {
				return err
			}
		default:
			simplify := "ST_SimplifyPreserveTopology"
			if lines {
				simplify = "ST_Simplify"
			}
			if err := exec("DELETE FROM "+gen+" WHERE fid = $1", fid); err != nil {
				return err
			}
			if err := exec(fmt.Sprintf(sqlPatchShapes, gen, full, simplify), fid, px/2, px); err != nil {
				return err
			}
		}
		if points {
			continue
		}
		per := piecesPolygon
		switch {
		case lines && band.lo >= fullBand:
			per = piecesLine
		case lines:
			per = piecesLineBand
		}
		if err := exec(fmt.Sprintf(sqlPatchPieces, idx, gen, per), fid); err != nil {
			return err
		}
	}
	return nil
}
