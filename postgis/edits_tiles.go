package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// An edit changes one feature: its layer's tile bands (see bands.go) are
// patched for that feature in the edit's transaction, by the code that
// builds them (generaliseFeature), so that tiles drawn from the bands show
// the edit at once and a later full rebuild would give the same tables. The
// band tables are locked in the order a band build drops them — finest band
// first, its index table before its band table — so that an edit and a
// build never deadlock (TestEditsWithImportsAndBandBuilds). The full band,
// a view of the layer table, follows the edit by itself.
//
//   - a band of lines or polygons: the feature generalised for the band
//     (nothing when it is under a pixel there), repaired when it is a
//     polygon not proven valid, and its index pieces;
//   - a thinned band of points (one point a pixel): the pixels (grid
//     cells) of the old and the new point are thinned again from the full
//     band, so that a cell keeps the point a rebuild would keep.

const (
	// The feature's geometry, as a build reads it; $1 fid.
	sqlPatchSource = `SELECT ST_AsBinary(geom) FROM %s WHERE fid = $1 AND geom IS NOT NULL AND NOT ST_IsEmpty(geom)`
	// A point as the full band has it; $1 fid.
	sqlPatchPoint = `SELECT ST_AsEWKB(ST_Transform(geom, 3857)) FROM %s WHERE fid = $1 AND geom IS NOT NULL AND NOT ST_IsEmpty(geom)`
	// %[1]s band; $1 fid, $2 WKB in EPSG:3857.
	sqlPatchInsert = `INSERT INTO %[1]s (fid, geom) VALUES ($1, ST_GeomFromWKB($2, 3857))`
	// %[1]s index; $1 fid, $2 the pieces' boxes (WKB).
	sqlPatchPieces = `INSERT INTO %[1]s (fid, geom) SELECT $1, ST_GeomFromWKB(w, 3857) FROM unnest($2::bytea[]) w`
	// The grid cells of the old and new points ($1, EWKB in 3857) on a
	// grid of $2 metres.
	patchCells = `(SELECT DISTINCT ST_SnapToGrid(x::geometry, $2::float8) AS cell FROM unnest($1::bytea[]) x WHERE x IS NOT NULL)`
	// %[1]s band.
	sqlPatchPointsDrop = `DELETE FROM %[1]s g USING ` + patchCells + ` c
WHERE g.geom && ST_Expand(c.cell, $2::float8) AND ST_SnapToGrid(g.geom, $2::float8) = c.cell`
	// %[1]s band, %[2]s layer table: the thinning of sqlBandPoints, on the
	// cells, the full band read from the layer table through its index.
	sqlPatchPointsAdd = `INSERT INTO %[1]s SELECT DISTINCT ON (ST_SnapToGrid(f.geom, $2::float8)) f.fid, f.geom
FROM (SELECT DISTINCT l.fid, ST_Transform(l.geom, 3857) AS geom FROM %[2]s l JOIN ` + patchCells + ` c
      ON l.geom && ST_Transform(ST_Expand(c.cell, 2 * $2::float8), 4326)
      WHERE l.geom IS NOT NULL AND NOT ST_IsEmpty(l.geom)) f
JOIN ` + patchCells + ` c ON ST_SnapToGrid(f.geom, $2::float8) = c.cell
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
	final := finalBands(l.ID)
	if err := tx.QueryRow(ctx, sqlRegclass, final.gen[0].Sanitize()).Scan(&exists); err != nil || !exists {
		return b, err
	}
	var names []string
	for i := fullBand; i >= 0; i-- {
		if !pointLayer(l) {
			names = append(names, final.idx[i].Sanitize())
		}
		if i < fullBand {
			names = append(names, final.gen[i].Sanitize())
		}
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
// in EPSG:3857 (as the full band has it), for point bands.
func (b layerBands) patch(ctx context.Context, tx pgx.Tx, fid int64, old []byte) error {
	if !b.current {
		return nil
	}
	id := b.l.ID
	kind := b.l.GeometryType
	fail := func(err error) error { return fmt.Errorf("postgis: tiles of %s, feature %d: %w", id, fid, err) }
	exec := func(sql string, args ...any) error {
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return fail(err)
		}
		return nil
	}
	names := finalBands(id)
	if pointLayer(b.l) {
		var cur []byte
		if err := tx.QueryRow(ctx, fmt.Sprintf(sqlPatchPoint, layerIdent(id).Sanitize()), fid).Scan(&cur); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fail(err)
		}
		cells := [][]byte{old, cur}
		for i := fullBand - 1; i >= 0; i-- {
			gen := names.gen[i].Sanitize()
			px := tiles.PixelMetres(tiles.Bands[i].Hi)
			if err := exec(fmt.Sprintf(sqlPatchPointsDrop, gen), cells, px); err != nil {
				return err
			}
			if err := exec(fmt.Sprintf(sqlPatchPointsAdd, gen, layerIdent(id).Sanitize()), cells, px); err != nil {
				return err
			}
		}
		return nil
	}
	var src []byte
	if err := tx.QueryRow(ctx, fmt.Sprintf(sqlPatchSource, layerIdent(id).Sanitize()), fid).Scan(&src); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fail(err)
	}
	var f featureBands
	if src != nil {
		var err error
		if f, err = generaliseFeature(fid, src, kind); err != nil {
			return fail(err)
		}
	}
	// Finest band first: the order a build drops them in; in each, the
	// index table first, then the band table.
	for i := fullBand; i >= 0; i-- {
		gen, idx := names.gen[i].Sanitize(), names.idx[i].Sanitize()
		if err := exec("DELETE FROM "+idx+" WHERE fid = $1", fid); err != nil {
			return err
		}
		if i < fullBand {
			if err := exec("DELETE FROM "+gen+" WHERE fid = $1", fid); err != nil {
				return err
			}
			if len(f.geom[i]) > inlineMax {
				var inline bool
				if err := tx.QueryRow(ctx, sqlBandInline, gen).Scan(&inline); err != nil {
					return fail(err)
				}
				if inline {
					if err := exec(fmt.Sprintf(sqlBandExternal, gen)); err != nil {
						return err
					}
				}
			}
			if f.geom[i] != nil {
				if err := exec(fmt.Sprintf(sqlPatchInsert, gen), fid, f.geom[i]); err != nil {
					return err
				}
			}
			if f.suspect[i] {
				if err := exec(fmt.Sprintf(sqlBandRepair, gen), []int64{fid}); err != nil {
					return err
				}
				if err := exec(fmt.Sprintf(sqlBandEmpty, gen), []int64{fid}); err != nil {
					return err
				}
			}
		}
		if len(f.pieces[i]) > 0 {
			if err := exec(fmt.Sprintf(sqlPatchPieces, idx), fid, f.pieceList(i)); err != nil {
				return err
			}
		}
	}
	return nil
}
