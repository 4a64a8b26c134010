package postgis

import (
	"context"
	"fmt"

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

	// As sqlTile, the tile's envelope that of WorldCRS84Quad: %[1]s
	// attribute columns of the source, %[2]s FROM clause, %[3]s WHERE
	// clause, %[4]s the geometry in EPSG:4326, %[5]s the attribute names,
	// %[6]s the size of a feature, %[7]s the estimated bytes of an encoded
	// feature. $5 cap+1 (NULL: all), $6 layer name, $7 cap (NULL: all), $8
	// byte budget; a filter's values from $9 on.
	sqlTileCRS84 = `WITH q AS MATERIALIZED (
    SELECT s.fid, s.sz, ST_AsMVTGeom(s.geom, ` + crs84Envelope + `, 4096, 64, true) AS geom%[5]s
    FROM (
        SELECT g.fid, %[4]s AS geom, %[6]s AS sz%[1]s
        FROM %[2]s
        WHERE %[3]s
        ORDER BY sz DESC, g.fid
        LIMIT $5
    ) s
), k AS MATERIALIZED (
    SELECT q.*, row_number() OVER w AS n, sum(%[7]s) OVER w AS cost
    FROM q WHERE q.geom IS NOT NULL
    WINDOW w AS (ORDER BY q.sz DESC, q.fid ROWS UNBOUNDED PRECEDING)
)
SELECT coalesce((SELECT ST_AsMVT(m, $6, 4096, 'geom', 'fid') FROM (
           SELECT fid, geom%[5]s FROM k WHERE n <= coalesce($7, n) AND cost <= $8 ORDER BY n) m), ''::bytea),
       (SELECT count(*) FROM q), (SELECT count(*) FROM k), (SELECT count(*) FROM k WHERE n <= coalesce($7, n) AND cost <= $8)`
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
	blob, err := r.render(ctx, l, sq, opt, crs84SQL)
	return blob, translate(fmt.Sprintf("%s tile %d/%d/%d of %s", tms, t.Z, t.Y, t.X, l.ID), err)
}

// crs84SQL is the WorldCRS84Quad tile query of layer l, from its zoom band
// b when gen is set, else from its table; identifiers come from the
// catalog and are quoted. As in tileSQL, the full band is the layer table
// (through the band's index of pieces for lines and polygons), candidates
// are taken largest first within the byte budget ($8), and a filter is
// tested on the layer table's own row, its values bound from $9 on
// (returned).
func crs84SQL(l layers.Layer, b tiles.Band, gen bool, opt tiles.Options) (string, []any, error) {
	q, err := newTileParts(l, b, gen, opt)
	if err != nil {
		return "", nil, err
	}
	tile := func(from, where, geom string) string {
		return fmt.Sprintf(sqlTileCRS84, q.cols, from, where+q.fcond, geom, q.names, q.size, q.cost)
	}
	if q.fromLayer {
		where := whereCRS84Layer
		if gen && !q.points {
			where = fmt.Sprintf(whereCRS84Pieces, genIndex(l.ID, b).Sanitize())
		}
		return tile(layerIdent(l.ID).Sanitize()+" g", where, "g.geom"), q.fargs, nil
	}
	where := whereCRS84Points
	if !q.points {
		where = fmt.Sprintf(whereCRS84Pieces, genIndex(l.ID, b).Sanitize())
	}
	return tile(q.bandFrom(l.ID, b), where, "ST_Transform(g.geom, 4326)"), q.fargs, nil
}
