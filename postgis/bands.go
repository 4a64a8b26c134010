package postgis

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// Building a layer's zoom bands (tiles.Bands). The generalisation is Go's
// (tiles.Generalise: one pass over each feature, band after band, on every
// core; bands_generalise.go); PostgreSQL reads the source once, through a
// cursor, and takes the bands by binary COPY, each table's rows gathered
// to a megabyte. The batches are pipelined on the one connection: while
// one batch is written, the next is generalised.
//
// What a layer's bands are, in schema tilegen:
//
//   - the full-resolution band (z14 on): the layer table itself, not a
//     copy — an import writes its data once (tilegen."<id>__z14" is a view
//     of it in EPSG:3857, for reading; tiles read the table directly);
//   - each coarser band: a table (fid, geom in EPSG:3857) of the features
//     simplified for it (line and polygon layers), or thinned to one point
//     a pixel, the first by fid (point layers, in SQL, from the full band);
//   - for line and polygon layers, an index table per band (full band
//     included) of the boxes of the features' pieces
//     (geo.PieceBoundsPlanar), so that the GiST index of a long line or a
//     large polygon finds the tiles it crosses, not every tile of its
//     bounding box.
//
// Tables of fewer than bandIndexMin rows get no index and no statistics: a
// scan of them costs a tile less than the index would cost the import (most
// of the demo's 126 layers are such).
//
// A build writes new tables under staging names (stagedBands); installBands
// puts them in place of the layer's bands, in the transaction that records
// the data version they were built from — for an import, its swap.

// bandNames are the relations of a layer's bands, in tiles.Bands order:
// gen the band tables (the last, full band, a view), idx the index tables.
type bandNames struct {
	gen, idx [len(tiles.Bands)]pgx.Identifier
}

// fullBand is the index of the full-resolution band in tiles.Bands.
const fullBand = len(tiles.Bands) - 1

// Rows under which a band or index table gets no index; pieces under which
// an index table gets no index on fid (an edit scans it whole).
const (
	bandIndexMin     = 2000
	pieceFIDIndexMin = 20000
)

// inlineMax is the largest geometry (WKB bytes) a band table stores
// inline: a row must fit in a page of 8 kB.
const inlineMax = 6000

// finalBands are the relations tiles are drawn from, in schema tilegen.
func finalBands(id string) bandNames {
	var n bandNames
	for i, b := range tiles.Bands {
		n.gen[i], n.idx[i] = genTable(id, b), genIndex(id, b)
	}
	return n
}

// stagedBands are the tables a build writes, in schema staging, named after
// stem (an import's staging stem: CleanStaging drops what a dead build left
// there). The full band, a view, has none.
func stagedBands(stem string) bandNames {
	var n bandNames
	for i, b := range tiles.Bands {
		if i < fullBand {
			n.gen[i] = pgx.Identifier{"staging", fmt.Sprintf("%s_z%d", stem, b.Lo)}
		}
		n.idx[i] = pgx.Identifier{"staging", fmt.Sprintf("%s_z%di", stem, b.Lo)}
	}
	return n
}

// dropSQL drops the relations of n, finest band first, its index table
// before its band (the order edits lock them in).
func (n bandNames) dropSQL() string {
	var b strings.Builder
	for i := fullBand; i >= 0; i-- {
		fmt.Fprintf(&b, "DROP TABLE IF EXISTS %s;", n.idx[i].Sanitize())
		switch {
		case n.gen[i] == nil:
		case i == fullBand:
			fmt.Fprintf(&b, "DROP VIEW IF EXISTS %s;", n.gen[i].Sanitize())
		default:
			fmt.Fprintf(&b, "DROP TABLE IF EXISTS %s;", n.gen[i].Sanitize())
		}
	}
	return b.String()
}

const (
	// The source of a build; %s the table, in EPSG:4326.
	sqlBandCursor = `DECLARE coalmap_bands NO SCROLL CURSOR FOR
SELECT fid, ST_AsBinary(geom) FROM %s WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom)`
	sqlBandFetch = `FETCH 1024 FROM coalmap_bands`
	sqlBandClose = `CLOSE coalmap_bands`
	// Band and index tables, shaped by the template of migration 0057:
	// geometries inline, no TOAST table, until a band receives a geometry
	// of more than inlineMax bytes: then sqlBandExternal (out of line,
	// uncompressed: they hardly compress, and trying costs most of the
	// write), which creates its TOAST table.
	sqlBandCreate   = `CREATE TABLE %s (LIKE tilegen.band_template INCLUDING STORAGE);`
	sqlBandExternal = `ALTER TABLE %s ALTER COLUMN geom SET STORAGE EXTERNAL`
	sqlBandInline   = `SELECT c.reltoastrelid = 0 FROM pg_class c WHERE c.oid = $1::regclass`
	// %s the table: fid, then the WKB in EPSG:3857 (appendBandCopy).
	sqlBandCopy = `COPY %s (fid, geom) FROM STDIN (FORMAT binary)`
	// The full band: %[1]s the view, %[2]s the layer id as a literal. The
	// view reads the table through a function (migration 0057), so that the
	// table has no dependent object.
	sqlFullView = `CREATE VIEW %[1]s AS SELECT fid, geom FROM tilegen.full_band(%[2]s)`
	// The full band of points of a build, before its view exists: %s the
	// source table.
	sqlFullPoints = `(SELECT fid, ST_Transform(geom, 3857) AS geom FROM %s WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom))`
	// A simplified polygon not proven valid, repaired as an import repairs.
	sqlBandRepair = `UPDATE %s SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), 3)) WHERE fid = ANY($1)`
	sqlBandEmpty  = `DELETE FROM %s WHERE fid = ANY($1) AND ST_IsEmpty(geom)`
)

// dbConn is what a band build needs of a connection or transaction.
type dbConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	Conn() *pgx.Conn
}

// bandState is a band build under way: its tables and what has been
// written to them.
type bandState struct {
	names bandNames
	kind  layers.GeometryType
	// rows and pieces count the rows of each band and index table.
	rows, pieces [len(tiles.Bands)]int64
	// suspects are the features to repair, per band.
	suspects [len(tiles.Bands)][]int64
	// external says which band tables store geometries out of line.
	external [len(tiles.Bands)]bool
	// pending are the rows not yet sent, as binary COPY data, of each band
	// table [0] and index table [1].
	pending [2][len(tiles.Bands)][]byte
}

func (bs *bandState) points() bool { return bs.kind == layers.Point || bs.kind == layers.MultiPoint }

// createSQL creates the build's tables.
func (bs *bandState) createSQL() string {
	var ddl strings.Builder
	n := bs.names
	for i := range tiles.Bands {
		if i < fullBand {
			fmt.Fprintf(&ddl, sqlBandCreate, n.gen[i].Sanitize())
			if bs.kind == layers.MultiPoint {
				// Thinned in SQL, whatever their size.
				fmt.Fprintf(&ddl, sqlBandExternal+";", n.gen[i].Sanitize())
				bs.external[i] = true
			}
		}
		if !bs.points() {
			fmt.Fprintf(&ddl, sqlBandCreate, n.idx[i].Sanitize())
		}
	}
	return ddl.String()
}

// bandCopyFlush is how many bytes of rows a table's pending COPY gathers
// before it is sent: a COPY is two round trips, which on a busy machine
// cost more than small batches of rows, so a build sends fewer, larger
// ones than one per table and batch; and no larger, since an import waits
// for the rows of its eleven tables still pending when its own COPY ends.
const bandCopyFlush = 256 << 10

// write adds a batch's rows to the tables' pending COPYs, sending those
// that have grown past bandCopyFlush (binary COPY: the server's bulk
// path, no arrays or per-row function calls). flush sends the rest.
func (bs *bandState) write(ctx context.Context, c dbConn, bb *bandBatch) error {
	n := bs.names
	for k := range tiles.Bands {
		if bb.large[k] && !bs.external[k] {
			if _, err := c.Exec(ctx, fmt.Sprintf(sqlBandExternal, n.gen[k].Sanitize())); err != nil {
				return err
			}
			bs.external[k] = true
		}
		bs.suspects[k] = append(bs.suspects[k], bb.suspects[k]...)
		bs.rows[k] += int64(len(bb.fids[k]))
		bs.pieces[k] += int64(len(bb.pfids[k]))
		bs.pending[0][k] = appendBandRows(bs.pending[0][k], bb.fids[k], bb.geoms[k])
		bs.pending[1][k] = appendBandRows(bs.pending[1][k], bb.pfids[k], bb.pcs[k])
	}
	return bs.send(ctx, c, bandCopyFlush, allBands)
}

// flush sends every pending row.
func (bs *bandState) flush(ctx context.Context, c dbConn) error { return bs.send(ctx, c, 0, allBands) }

// allBands selects every band.
func allBands(int) bool { return true }

// send sends the pending COPYs of least bytes or more of the bands i for
// which band(i). Two sends may run at once on two connections when their
// bands differ.
func (bs *bandState) send(ctx context.Context, c dbConn, least int, band func(i int) bool) error {
	for t, names := range [2][len(tiles.Bands)]pgx.Identifier{bs.names.gen, bs.names.idx} {
		for k := range tiles.Bands {
			buf := bs.pending[t][k]
			if !band(k) || len(buf) <= len(copyHeader) || len(buf) < least {
				continue
			}
			buf = binary.BigEndian.AppendUint16(buf, 0xffff) // trailer
			if _, err := c.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(buf), fmt.Sprintf(sqlBandCopy, names[k].Sanitize())); err != nil {
				return err
			}
			bs.pending[t][k] = buf[:0]
		}
	}
	return nil
}

// copyHeader starts binary COPY data: the signature, no flags, no header
// extension.
const copyHeader = "PGCOPY\n\377\r\n\000" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"

// appendBandRows appends the binary COPY rows (fids[i], geoms[i]) of a
// band or index table — the WKB as geometry_recv reads it, the SRID the
// column's — to buf, after the header if buf is empty.
func appendBandRows(buf []byte, fids []int64, geoms [][]byte) []byte {
	if len(buf) == 0 {
		buf = append(buf, copyHeader...)
	}
	for i, fid := range fids {
		buf = binary.BigEndian.AppendUint16(buf, 2)
		buf = binary.BigEndian.AppendUint32(buf, 8)
		buf = binary.BigEndian.AppendUint64(buf, uint64(fid))
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(geoms[i])))
		buf = append(buf, geoms[i]...)
	}
	return buf
}

// forget deletes the rows of features fids from every table (features an
// import's check repaired or rejected after they were written).
func (bs *bandState) forget(ctx context.Context, c dbConn, fids []int64) error {
	b := &pgx.Batch{}
	for i := range tiles.Bands {
		if i < fullBand {
			b.Queue("DELETE FROM "+bs.names.gen[i].Sanitize()+" WHERE fid = ANY($1)", fids)
		}
		b.Queue("DELETE FROM "+bs.names.idx[i].Sanitize()+" WHERE fid = ANY($1)", fids)
	}
	return c.SendBatch(ctx, b).Close()
}

// thinPoints fills the bands of a point layer from table src: one
// statement, the full band read and transformed once, each band thinned
// from it.
func (bs *bandState) thinPoints(ctx context.Context, c dbConn, src pgx.Identifier) error {
	var q strings.Builder
	fmt.Fprintf(&q, "WITH f AS MATERIALIZED %s", fmt.Sprintf(sqlFullPoints, src.Sanitize()))
	args := make([]any, 0, fullBand)
	for i := range fullBand {
		args = append(args, tiles.PixelMetres(tiles.Bands[i].Hi))
		fmt.Fprintf(&q, ", b%[1]d AS (INSERT INTO %[2]s SELECT DISTINCT ON (ST_SnapToGrid(geom, $%[3]d::float8)) fid, geom FROM f ORDER BY ST_SnapToGrid(geom, $%[3]d::float8), fid RETURNING 1)",
			i, bs.names.gen[i].Sanitize(), i+1)
	}
	q.WriteString(" SELECT ")
	for i := range fullBand {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "(SELECT count(*) FROM b%d)", i)
	}
	dst := make([]any, fullBand)
	for i := range fullBand {
		dst[i] = &bs.rows[i]
	}
	return c.QueryRow(ctx, q.String(), args...).Scan(dst...)
}

// finish repairs the suspects and builds the indexes of the tables that
// need them (statistics are left to autovacuum: with none, PostGIS's
// estimate for && is small, and the tile query's plan is the index scan).
func (bs *bandState) finish(ctx context.Context, c dbConn) error {
	if err := bs.flush(ctx, c); err != nil {
		return err
	}
	b := &pgx.Batch{}
	bs.queueRepairs(b, bs.suspects, allBands)
	bs.queueIndexes(b, allBands)
	if b.Len() == 0 {
		return nil
	}
	return c.SendBatch(ctx, b).Close()
}

// queueRepairs queues the repair of the simplified polygons suspects, per
// band, that geo.ProvablyValid could not prove valid, of the bands i for
// which band(i).
func (bs *bandState) queueRepairs(b *pgx.Batch, suspects [len(tiles.Bands)][]int64, band func(i int) bool) {
	for i := range fullBand {
		if len(suspects[i]) == 0 || !band(i) {
			continue
		}
		gen := bs.names.gen[i].Sanitize()
		b.Queue(fmt.Sprintf(sqlBandRepair, gen), suspects[i])
		b.Queue(fmt.Sprintf(sqlBandEmpty, gen), suspects[i])
	}
}

// queueIndexes queues the indexes of the tables that need them, of the
// bands i for which band(i).
func (bs *bandState) queueIndexes(b *pgx.Batch, band func(i int) bool) {
	n := bs.names
	for i := fullBand; i >= 0; i-- {
		if !band(i) {
			continue
		}
		if i < fullBand && bs.rows[i] >= bandIndexMin {
			gen := n.gen[i].Sanitize()
			b.Queue(fmt.Sprintf("ALTER TABLE %s ADD PRIMARY KEY (fid)", gen))
			if bs.points() {
				b.Queue(fmt.Sprintf("CREATE INDEX ON %s USING gist (geom)", gen))
			}
		}
		if bs.pieces[i] >= bandIndexMin {
			b.Queue(fmt.Sprintf("CREATE INDEX ON %s USING gist (geom)", n.idx[i].Sanitize()))
		}
		if bs.pieces[i] >= pieceFIDIndexMin {
			b.Queue(fmt.Sprintf("CREATE INDEX ON %s (fid)", n.idx[i].Sanitize()))
		}
	}
}

// buildBands writes the zoom bands (all but the full band, a view that
// installBands creates) of the features of table src (EPSG:4326) into new
// tables named n, for a layer of geometry type kind, with their indexes, in
// tx (a transaction: the source is read through a cursor).
func buildBands(ctx context.Context, tx pgx.Tx, src pgx.Identifier, kind layers.GeometryType, n bandNames) error {
	bs := &bandState{names: n, kind: kind}
	if bs.points() {
		if _, err := tx.Exec(ctx, bs.createSQL()); err != nil {
			return err
		}
		if err := bs.thinPoints(ctx, tx, src); err != nil {
			return err
		}
	} else {
		if _, err := tx.Exec(ctx, bs.createSQL()+fmt.Sprintf(sqlBandCursor, src.Sanitize())); err != nil {
			return err
		}
		err := pipeBatches(ctx, tx, kind, func(bb *bandBatch) error { return bs.write(ctx, tx, bb) })
		if err != nil {
			return err
		}
	}
	return bs.finish(ctx, tx)
}

// pipeBatches reads the build's cursor batch by batch, generalises each
// while the one before is written (write), and closes the cursor.
func pipeBatches(ctx context.Context, tx pgx.Tx, kind layers.GeometryType, write func(*bandBatch) error) error {
	type pending struct {
		done chan struct{}
		bb   *bandBatch
		err  error
	}
	var prev *pending
	// Two sets of workers, taken in turn: a batch may be generalised while
	// the one before it still is.
	sets := [2]bandWorkers{newBandWorkers(), newBandWorkers()}
	flush := func(p *pending) error {
		<-p.done
		if p.err != nil {
			return p.err
		}
		return write(p.bb)
	}
	for n := 0; ; n++ {
		fids, srcs, err := fetchBatch(ctx, tx)
		if err != nil {
			if prev != nil {
				<-prev.done
			}
			return err
		}
		var cur *pending
		if len(fids) > 0 {
			cur = &pending{done: make(chan struct{})}
			go func() {
				defer close(cur.done)
				cur.bb, cur.err = sets[n%2].batch(fids, srcs, kind)
			}()
		}
		if prev != nil {
			if err := flush(prev); err != nil {
				if cur != nil {
					<-cur.done
				}
				return err
			}
		}
		if cur == nil {
			break
		}
		prev = cur
	}
	_, err := tx.Exec(ctx, sqlBandClose)
	return err
}

// fetchBatch reads the next rows of the build's cursor.
func fetchBatch(ctx context.Context, tx pgx.Tx) ([]int64, [][]byte, error) {
	return queryGeoms(ctx, tx, sqlBandFetch)
}

// queryGeoms runs a query of rows (fid, WKB) and returns them.
func queryGeoms(ctx context.Context, c dbConn, sql string, args ...any) ([]int64, [][]byte, error) {
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var fids []int64
	var srcs [][]byte
	for rows.Next() {
		var fid int64
		var b []byte
		if err := rows.Scan(&fid, &b); err != nil {
			return nil, nil, err
		}
		fids, srcs = append(fids, fid), append(srcs, b)
	}
	return fids, srcs, rows.Err()
}

// installBands puts the tables built under names n in place of layer id's
// bands (dropping the old ones, finest band first, index before band) and
// creates the full band's view of the layer table, in tx: one more step of
// a transaction that holds the layer's table (the lock order in the package
// documentation). The caller then records the data version they were built
// from (bandsBuilt).
func installBands(ctx context.Context, tx pgx.Tx, id string, kind layers.GeometryType, n bandNames) error {
	points := kind == layers.Point || kind == layers.MultiPoint
	final := finalBands(id)
	var b strings.Builder
	b.WriteString(final.dropSQL())
	move := func(from, to pgx.Identifier) {
		if from[0] != to[0] {
			fmt.Fprintf(&b, "ALTER TABLE %s SET SCHEMA %s;", from.Sanitize(), quote(to[0]))
		}
		fmt.Fprintf(&b, "ALTER TABLE %s RENAME TO %s;", pgx.Identifier{to[0], from[1]}.Sanitize(), quote(to[1]))
	}
	for i := fullBand; i >= 0; i-- {
		if !points {
			move(n.idx[i], final.idx[i])
		}
		if i < fullBand {
			move(n.gen[i], final.gen[i])
		}
	}
	fmt.Fprintf(&b, sqlFullView, final.gen[fullBand].Sanitize(), "'"+strings.ReplaceAll(id, "'", "''")+"'")
	_, err := tx.Exec(ctx, b.String())
	return err
}

// bandsBuilt records that layer id's bands were built from data version
// version.
func bandsBuilt(ctx context.Context, tx pgx.Tx, id string, version int64) error {
	_, err := tx.Exec(ctx, sqlBandsBuilt, id, version)
	return err
}
