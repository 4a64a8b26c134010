package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// WorldCRS84Quad tiles. Level z of WorldCRS84Quad has 2^(z+1) columns and
// 2^z rows of 180/2^z degrees from (-180, 90): the tiles of zoom z+1 of a
// square grid over [-180, 180] × [-270, 90], so that ST_TileEnvelope with
// those bounds gives the envelope of column x, row y of level z as tile
// (z+1, x, y). The zoom bands of that Web Mercator zoom (the same tile size
// at the equator) are what the tile is cut from, taken back to EPSG:4326;
// the band index is searched with the tile's envelope in EPSG:3857, the
// envelope first cut to the Web Mercator latitudes (a tile poleward of them
// holds nothing).
const (
	crs84Bounds = `ST_MakeEnvelope(-180, -270, 180, 90, 4326)`
	// The tile's envelope; $1 z+1, $2 column, $3 row, $4 margin.
	crs84Envelope       = `ST_TileEnvelope($1, $2, $3, bounds => ` + crs84Bounds + `)`
	crs84MarginEnvelope = `ST_TileEnvelope($1, $2, $3, bounds => ` + crs84Bounds + `, margin => $4)`
	crs84Mercator       = `ST_Transform(ST_Intersection(` + crs84MarginEnvelope +
		`, ST_MakeEnvelope(-180, -85.0511287798066, 180, 85.0511287798066, 4326)), 3857)`

	// %[1]s attribute columns, %[2]s FROM clause, %[3]s WHERE clause,
	// %[4]s the geometry in EPSG:4326. $5 cap+1 (NULL: all), $6 layer
	// name, $7 cap (NULL: all): as sqlTile.
	sqlTileCRS84 = `WITH q AS MATERIALIZED (
    SELECT * FROM (
        SELECT g.fid, ST_AsMVTGeom(%[4]s, ` + crs84Envelope + `, 4096, 64, true) AS geom%[1]s
        FROM %[2]s
        WHERE %[3]s
    ) c WHERE c.geom IS NOT NULL
    LIMIT $5
)
SELECT coalesce((SELECT ST_AsMVT(m, $6, 4096, 'geom', 'fid') FROM (SELECT * FROM q LIMIT $7) m), ''::bytea),
       (SELECT count(*) FROM q)`
	whereCRS84Layer  = `g.geom && ` + crs84MarginEnvelope
	whereCRS84Points = `g.geom && ` + crs84Mercator
	whereCRS84Pieces = `g.fid IN (SELECT i.fid FROM %s i WHERE i.geom && ` + crs84Mercator + `)`
)

var _ tiles.MatrixRenderer = (*TileRenderer)(nil)

// RenderMatrix implements tiles.MatrixRenderer: the tiles of WorldCRS84Quad
// (t.X the column, t.Y the row, t.Z the level), in EPSG:4326.
func (r *TileRenderer) RenderMatrix(ctx context.Context, l layers.Layer, tms string, t maptile.Tile, opt tiles.Options) (tiles.Blob, error) {
	if tms != tiles.WorldCRS84Quad {
		return tiles.Blob{}, fmt.Errorf("postgis: tile matrix set %q: %w", tms, layers.ErrNotFound)
	}
	if !layers.ValidID(l.ID) {
		return tiles.Blob{}, fmt.Errorf("postgis: tile: layer id %q: %w", l.ID, layers.ErrInvalid)
	}
	// The tile of the square grid ST_TileEnvelope cuts: zoom z+1.
	sq := maptile.Tile{X: t.X, Y: t.Y, Z: t.Z + 1}
	b := bandOf(int(sq.Z))
	gen, err := r.hasGen(ctx, l, b)
	if err != nil {
		return tiles.Blob{}, err
	}
	sql, fargs, err := crs84SQL(l, b, gen, opt)
	if err != nil {
		return tiles.Blob{}, err
	}
	blob, err := r.query(ctx, sql, fargs, sq, l.ID, opt)
	var pgErr *pgconn.PgError
	if gen && errors.As(err, &pgErr) && pgErr.Code == "42P01" {
		// The zoom bands went away (a re-import): use the layer table.
		r.gen.Delete(l.ID)
		if sql, fargs, err = crs84SQL(l, b, false, opt); err == nil {
			blob, err = r.query(ctx, sql, fargs, sq, l.ID, opt)
		}
	}
	for cur := l; errors.As(err, &pgErr) && (pgErr.Code == "42703" || pgErr.Code == "42P01"); {
		// A re-import swapped in a table with other columns (or dropped the
		// bands this server still knew of) and the catalog has not caught
		// up yet: draw the layer as the database has it now, as Render
		// does, following each newer data version.
		var ok bool
		if cur, ok = r.current(ctx, cur); !ok {
			break
		}
		r.gen.Delete(l.ID)
		if filterGone(cur, opt) {
			return tiles.Blob{}, nil // the filter names an attribute the layer no longer has: nothing matches
		}
		if sql, fargs, err = crs84SQL(cur, b, false, currentOptions(cur, opt)); err == nil {
			blob, err = r.query(ctx, sql, fargs, sq, l.ID, opt)
		}
	}
	return blob, translate(fmt.Sprintf("%s tile %d/%d/%d of %s", tms, t.Z, t.Y, t.X, l.ID), err)
}

// crs84SQL is the WorldCRS84Quad tile query of layer l, from its zoom band
// b when gen is set, else from its table; identifiers come from the
// catalog and are quoted. A filter is tested on the layer table's own row,
// its values bound from $8 on (returned), as in tileSQL.
func crs84SQL(l layers.Layer, b zoomBand, gen bool, opt tiles.Options) (string, []any, error) {
	props := opt.Properties
	if props == nil {
		props = make([]string, len(l.Attributes))
		for i, a := range l.Attributes {
			props[i] = a.Name
		}
	}
	types := make(map[string]layers.AttrType, len(l.Attributes))
	for _, a := range l.Attributes {
		types[a.Name] = a.Type
	}
	alias := "g"
	if gen && (len(props) > 0 || opt.Filter != nil) {
		alias = "l"
	}
	var fargs []any
	fcond := ""
	if opt.Filter != nil && opt.Filter.Expr != nil {
		arg := func(v any) string {
			fargs = append(fargs, v)
			return fmt.Sprintf("$%d", 7+len(fargs))
		}
		c, err := filterSQL(opt.Filter, &l, alias+".", arg)
		if err != nil {
			return "", nil, err
		}
		fcond = " AND " + c
	}
	var cols strings.Builder
	for _, p := range props {
		col := pgx.Identifier{p}.Sanitize()
		switch types[p] {
		case layers.Date, layers.Timestamp:
			fmt.Fprintf(&cols, ", %s.%s::text AS %s", alias, col, col)
		default:
			fmt.Fprintf(&cols, ", %s.%s", alias, col)
		}
	}
	if !gen {
		return fmt.Sprintf(sqlTileCRS84, cols.String(), layerIdent(l.ID).Sanitize()+" g", whereCRS84Layer+fcond, "g.geom"), fargs, nil
	}
	// The layer table before the band tables: the lock order of tileSQL.
	from := genTable(l.ID, b).Sanitize() + " g"
	if alias == "l" {
		from = layerIdent(l.ID).Sanitize() + " l JOIN " + genTable(l.ID, b).Sanitize() + " g ON g.fid = l.fid"
	}
	where := whereCRS84Points
	if l.GeometryType != layers.Point && l.GeometryType != layers.MultiPoint {
		where = fmt.Sprintf(whereCRS84Pieces, genIndex(l.ID, b).Sanitize())
	}
	return fmt.Sprintf(sqlTileCRS84, cols.String(), from, where+fcond, "ST_Transform(g.geom, 4326)"), fargs, nil
}
