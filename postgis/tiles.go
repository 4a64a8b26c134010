package postgis

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/cql2"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// TileSchema holds the generalised copies of the layer tables that tiles are
// cut from, built by PrepareTiles.
const TileSchema = "tilegen"

// genBase shortens long layer ids so that generated names stay within
// PostgreSQL's 63-byte identifiers.
func genBase(id string) string {
	if len(id) <= 40 {
		return id
	}
	h := sha1.Sum([]byte(id))
	return id[:31] + "_" + hex.EncodeToString(h[:4])
}

// genTable is the generalised copy of layer id for band b: fid and geom
// (EPSG:3857, simplified for the band). genIndex holds the boxes of the same
// geometries' pieces (tiles.Band.PieceVertices, geo.PieceBoundsPlanar), so
// that the GiST index of a long line or a large polygon finds the tiles it
// crosses, not every tile of its bounding box.
func genTable(id string, b tiles.Band) pgx.Identifier {
	return pgx.Identifier{TileSchema, fmt.Sprintf("%s__z%d", genBase(id), b.Lo)}
}

func genIndex(id string, b tiles.Band) pgx.Identifier {
	return pgx.Identifier{TileSchema, fmt.Sprintf("%s__z%d_i", genBase(id), b.Lo)}
}

func layerIdent(id string) pgx.Identifier { return pgx.Identifier{layers.Schema, id} }

const (
	sqlLayerGeomTyp = `SELECT geometry_type, data_version FROM catalog.layers WHERE id = $1`
	sqlBandsBuilt   = `INSERT INTO tilegen.bands (layer_id, data_version) VALUES ($1, $2)
ON CONFLICT (layer_id) DO UPDATE SET data_version = excluded.data_version, built_at = now()`
	sqlBandsVersion = `SELECT coalesce((SELECT data_version FROM tilegen.bands WHERE layer_id = $1), -1)`
	sqlBandsCurrent = `SELECT EXISTS (SELECT 1 FROM tilegen.bands b JOIN catalog.layers l ON l.id = b.layer_id
    WHERE b.layer_id = $1 AND b.data_version = l.data_version)`
)

// DropTiles removes the zoom-band tables of a layer. The import calls it in
// the transaction that swaps a new version in, so that no tile is ever drawn
// from the bands of a replaced version; tiles come from the layer table
// until PrepareTiles has built the bands again.
func DropTiles(ctx context.Context, tx pgx.Tx, layerID string) error {
	if !layers.ValidID(layerID) {
		return fmt.Errorf("postgis: drop tiles: %q: %w", layerID, layers.ErrInvalid)
	}
	if _, err := tx.Exec(ctx, finalBands(layerID).dropSQL()); err != nil {
		return fmt.Errorf("postgis: drop tiles %s: %w", layerID, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM tilegen.bands WHERE layer_id = $1`, layerID); err != nil {
		return fmt.Errorf("postgis: drop tiles %s: %w", layerID, err)
	}
	return nil
}

var _ tiles.BandBuilder = (*Store)(nil)

// bandLockClass is the first key of the advisory lock (transaction-scoped,
// second key the hash of the layer id) that one band build of a layer holds,
// so that replicas do not build the same bands at once.
const bandLockClass = 0x6362

const (
	sqlBandTryLock = `SELECT pg_try_advisory_xact_lock($1, hashtext($2))`
	sqlBandLock    = `SELECT pg_advisory_xact_lock($1, hashtext($2))`
)

// BandsCurrent reports whether a layer's zoom bands were built from its
// current data version.
func (s *Store) BandsCurrent(ctx context.Context, layerID string) (bool, error) {
	var ok bool
	if err := s.pool.QueryRow(ctx, sqlBandsCurrent, layerID).Scan(&ok); err != nil {
		return false, translate("tile bands of "+layerID, err)
	}
	return ok, nil
}

// BuildBands builds a layer's zoom bands in a transaction of their own,
// unless another process holds the layer's band lock (it is building them:
// BuildBands returns nil at once) or they are current already. It is not a
// change of the layer's data: it bumps no version and announces nothing.
func (s *Store) BuildBands(ctx context.Context, layerID string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var got, current bool
		if err := tx.QueryRow(ctx, sqlBandTryLock, bandLockClass, layerID).Scan(&got); err != nil || !got {
			return err
		}
		if err := tx.QueryRow(ctx, sqlBandsCurrent, layerID).Scan(&current); err != nil || current {
			return err
		}
		return PrepareTiles(ctx, tx, layerID)
	})
	return translate("build tile bands of "+layerID, err)
}

// PrepareLayerTiles builds a layer's zoom bands in their own transaction,
// waiting for another build of them to end first, and records the data
// version they were built from (tilegen.bands). It is not a change of the
// layer's data: it bumps no version and announces nothing. Renderers use
// the bands only while that version is the layer's.
func PrepareLayerTiles(ctx context.Context, pool *pgxpool.Pool, layerID string) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlBandLock, bandLockClass, layerID); err != nil {
			return err
		}
		return PrepareTiles(ctx, tx, layerID)
	})
	return translate("prepare tiles of "+layerID, err)
}

// PrepareTiles builds the generalised zoom-band tables of layer layerID
// from its current table layers."<id>", replacing earlier ones. The import
// pipeline calls it inside the transaction that swaps a new version in, so
// that tiles and data change together; it reads the layer's geometry type
// from catalog.layers.
func PrepareTiles(ctx context.Context, tx pgx.Tx, layerID string) error {
	if !layers.ValidID(layerID) {
		return fmt.Errorf("postgis: prepare tiles: %q: %w", layerID, layers.ErrInvalid)
	}
	// The layer table first, then the band tables: the swap's order (see
	// the lock order in the package documentation). After the lock, the
	// catalog row read below is that of the table locked.
	if _, err := tx.Exec(ctx, "LOCK TABLE "+layerIdent(layerID).Sanitize()+" IN ACCESS SHARE MODE"); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" {
			return fmt.Errorf("postgis: prepare tiles: layer %q: %w", layerID, layers.ErrNotFound)
		}
		return fmt.Errorf("postgis: prepare tiles %s: %w", layerID, err)
	}
	var gt string
	var version int64
	if err := tx.QueryRow(ctx, sqlLayerGeomTyp, layerID).Scan(&gt, &version); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgis: prepare tiles: layer %q: %w", layerID, layers.ErrNotFound)
		}
		return fmt.Errorf("postgis: prepare tiles %s: %w", layerID, err)
	}
	kind := layers.GeometryType(gt)
	staged := stagedBands(fmt.Sprintf("%s%d_%s", StagingPrefix, time.Now().Unix(), randomSuffix()))
	if err := buildBands(ctx, tx, layerIdent(layerID), kind, staged); err != nil {
		return fmt.Errorf("postgis: prepare tiles %s: %w", layerID, err)
	}
	if err := installBands(ctx, tx, layerID, kind, staged); err != nil {
		return fmt.Errorf("postgis: prepare tiles %s: %w", layerID, err)
	}
	if err := bandsBuilt(ctx, tx, layerID, version); err != nil {
		return fmt.Errorf("postgis: prepare tiles %s: %w", layerID, err)
	}
	return nil
}

// The tile query, martin's shape: ST_AsMVTGeom over ST_TileEnvelope, && on a
// GiST index, z/x/y as parameters. The candidates are taken largest first
// (length of lines, area of polygons; points by fid), at most $5 of them
// clipped; then, in that order, features are encoded while the estimated
// bytes of the layer stay within $8 and their number within $7. The counts
// tell whether the feature cap was reached and how many the byte budget
// left out: what is left out of a crowded tile is its smallest features.
//
// %[1]s attribute columns of the source (", l.a, l.b::text AS b"), %[2]s
// FROM clause, %[3]s WHERE clause, %[4]s the geometry in EPSG:3857, %[5]s
// the attribute names (", "a", "b"), %[6]s the size of a feature, %[7]s
// the estimated bytes of an encoded feature (its geometry geom).
// $1 z, $2 x, $3 y, $4 margin (buffer/extent), $5 cap+1 (NULL: all),
// $6 layer name, $7 cap (NULL: all), $8 byte budget.
const sqlTile = `WITH q AS MATERIALIZED (
    SELECT s.fid, s.sz, ST_AsMVTGeom(s.geom, ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom%[5]s
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

// Index conditions of the tile query.
const (
	// A generalised table of points: its own index.
	whereGenPoints = `g.geom && ST_TileEnvelope($1, $2, $3, margin => $4)`
	// A generalised table of lines or polygons: the index of its pieces.
	whereGenPieces = `g.fid IN (SELECT i.fid FROM %s i WHERE i.geom && ST_TileEnvelope($1, $2, $3, margin => $4))`
	// A layer without generalised tables: the layer table's own index, the
	// envelope taken to the storage SRID.
	whereLayer  = `g.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => $4), 4326)`
	sqlRegclass = `SELECT to_regclass($1) IS NOT NULL`
)

// RendererOptions configure a TileRenderer.
type RendererOptions struct {
	// MaxConns bounds the renderer's own connection pool; 16 when 0.
	MaxConns int32
	// StatementTimeout bounds each tile query on the server; 30 s when 0.
	StatementTimeout time.Duration
	// PlanCacheMode is PostgreSQL's plan_cache_mode for tile queries: "auto"
	// (the default), "force_custom_plan" or "force_generic_plan".
	PlanCacheMode string
}

// TileRenderer renders MVT layers in PostGIS. It owns a connection pool of its
// own, so that tile load cannot starve imports and API calls of connections,
// and so that its statement_timeout applies to tile queries alone.
//
// Queries run in pgx's default mode: prepared once per connection and
// statement text (the text depends on the layer, band and properties, never on
// z/x/y). The parameters are three integers, not a geometry, so PostgreSQL's
// switch to a generic plan after five executions is harmless here: the plan is
// an index scan whatever the tile; bench/ measures auto against custom plans.
type TileRenderer struct {
	pool *pgxpool.Pool
	opt  RendererOptions
	// reads chooses among replicas, each with its pool here (same order).
	reads    *Reads
	replicas []*pgxpool.Pool
	// gen holds, per layer id, the data version its zoom bands were built
	// from, once seen.
	gen sync.Map
}

var _ tiles.Renderer = (*TileRenderer)(nil)

// NewTileRenderer connects a renderer to the database at url.
func NewTileRenderer(ctx context.Context, url string, opt RendererOptions) (*TileRenderer, error) {
	pool, err := rendererPool(ctx, url, opt)
	if err != nil {
		return nil, err
	}
	return &TileRenderer{pool: pool, opt: opt}, nil
}

func rendererPool(ctx context.Context, url string, opt RendererOptions) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgis: database URL: %w", err)
	}
	cfg.MaxConns = 16
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	if opt.StatementTimeout <= 0 {
		opt.StatementTimeout = 30 * time.Second
	}
	rp := cfg.ConnConfig.RuntimeParams
	rp["application_name"] = "coalmap-tiles"
	rp["client_connection_check_interval"] = clientCheckInterval
	rp["statement_timeout"] = fmt.Sprint(opt.StatementTimeout.Milliseconds())
	if opt.PlanCacheMode != "" {
		rp["plan_cache_mode"] = opt.PlanCacheMode
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgis: tile renderer cannot reach the database: %w", err)
	}
	return pool, nil
}

// UseReads renders through r's replicas: a pool of the renderer's kind
// opens to each.
func (r *TileRenderer) UseReads(ctx context.Context, reads *Reads) error {
	for _, u := range reads.URLs() {
		pool, err := rendererPool(ctx, u, r.opt)
		if err != nil {
			return err
		}
		r.replicas = append(r.replicas, pool)
	}
	r.reads = reads
	return nil
}

func (r *TileRenderer) replicaIndex(p *pgxpool.Pool) int {
	for i, q := range r.replicas {
		if q == p {
			return i
		}
	}
	return -1
}

// readPool is the pool a tile of layer is read from.
func (r *TileRenderer) readPool(ctx context.Context, layer string) *pgxpool.Pool {
	if r.reads == nil {
		return r.pool
	}
	if i := r.reads.Choose(ctx, layer); i >= 0 {
		return r.replicas[i]
	}
	return r.pool
}

// Close closes the renderer's pool.
func (r *TileRenderer) Close() {
	r.pool.Close()
	for _, p := range r.replicas {
		p.Close()
	}
}

// Pool is the renderer's pool (for its metrics).
func (r *TileRenderer) Pool() *pgxpool.Pool { return r.pool }

// Render implements tiles.Renderer.
func (r *TileRenderer) Render(ctx context.Context, l layers.Layer, t maptile.Tile, opt tiles.Options) (tiles.Blob, error) {
	if !layers.ValidID(l.ID) {
		return tiles.Blob{}, fmt.Errorf("postgis: tile: layer id %q: %w", l.ID, layers.ErrInvalid)
	}
	blob, err := r.render(ctx, l, t, opt, tileSQL)
	return blob, translate(fmt.Sprintf("tile %d/%d/%d of %s", t.Z, t.X, t.Y, l.ID), err)
}

// tileQuery builds the tile query of layer l from its zoom band b when gen
// is set, else from its table: tileSQL or crs84SQL.
type tileQuery func(l layers.Layer, b tiles.Band, gen bool, opt tiles.Options) (string, []any, error)

// render draws tile t (of the square grid ST_TileEnvelope cuts) of layer l
// with the query build makes: from a replica that has the layer's version
// when there is one, else the primary; from the zoom band when it is
// there, else the layer table; and, when a re-import changed the table's
// columns before this server's catalog caught up, from the table as the
// database has it now.
func (r *TileRenderer) render(ctx context.Context, l layers.Layer, t maptile.Tile, opt tiles.Options, build tileQuery) (tiles.Blob, error) {
	b := tiles.BandOf(int(t.Z))
	db := r.readPool(ctx, l.ID)
	gen, err := r.hasGen(ctx, db, l, b)
	if err != nil && db != r.pool && r.reads.Broken(r.replicaIndex(db), err) {
		db = r.pool
		gen, err = r.hasGen(ctx, db, l, b)
	}
	if err != nil {
		return tiles.Blob{}, err
	}
	sql, fargs, err := build(l, b, gen, opt)
	if err != nil {
		return tiles.Blob{}, err
	}
	blob, err := r.query(ctx, db, sql, fargs, t, l.ID, opt)
	if err != nil && db != r.pool && r.reads.Broken(r.replicaIndex(db), err) {
		db = r.pool
		blob, err = r.query(ctx, db, sql, fargs, t, l.ID, opt)
	}
	var pgErr *pgconn.PgError
	if gen && errors.As(err, &pgErr) && pgErr.Code == "42P01" {
		// The generalised tables went away (a re-import without them): use
		// the layer table.
		r.gen.Delete(l.ID)
		if sql, fargs, err = build(l, b, false, opt); err == nil {
			blob, err = r.query(ctx, db, sql, fargs, t, l.ID, opt)
		}
	}
	for cur := l; errors.As(err, &pgErr) && (pgErr.Code == "42703" || pgErr.Code == "42P01"); {
		// A re-import swapped in a table with other columns, and this
		// server's catalog has not caught up yet: draw the layer as the
		// database has it now rather than fail. Each retry follows a newer
		// data version (re-imports may commit back to back).
		var ok bool
		if cur, ok = r.current(ctx, cur); !ok {
			break
		}
		r.gen.Delete(l.ID)
		if filterGone(cur, opt) {
			return tiles.Blob{}, nil // the filter names an attribute the layer no longer has: nothing matches
		}
		if sql, fargs, err = build(cur, b, false, currentOptions(cur, opt)); err == nil {
			// The primary: it has the catalog's current version.
			blob, err = r.query(ctx, r.pool, sql, fargs, t, l.ID, opt)
		}
	}
	return blob, err
}

func (r *TileRenderer) query(ctx context.Context, db *pgxpool.Pool, sql string, fargs []any, t maptile.Tile, name string, opt tiles.Options) (tiles.Blob, error) {
	var limit, cap any // NULL: no limit
	if opt.MaxFeatures > 0 {
		limit, cap = int64(opt.MaxFeatures)+1, int64(opt.MaxFeatures)
	}
	budget := int64(math.MaxInt64)
	if opt.MaxBytes > 0 {
		budget = int64(opt.MaxBytes)
	}
	var blob tiles.Blob
	var candidates, drawn, kept int64
	args := append([]any{int32(t.Z), int64(t.X), int64(t.Y), float64(tiles.Buffer) / tiles.Extent,
		limit, name, cap, budget}, fargs...)
	err := db.QueryRow(ctx, sql, args...).Scan(&blob.MVT, &candidates, &drawn, &kept)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "57014" && ctx.Err() == nil {
		// statement_timeout: the tile took too long, like a request deadline.
		return tiles.Blob{}, fmt.Errorf("postgis: tile %d/%d/%d of %s: statement timeout: %w", t.Z, t.X, t.Y, name, context.DeadlineExceeded)
	}
	if err != nil {
		return tiles.Blob{}, fmt.Errorf("postgis: tile %d/%d/%d of %s: %w", t.Z, t.X, t.Y, name, err)
	}
	blob.Features = int(kept)
	blob.Capped = opt.MaxFeatures > 0 && candidates > int64(opt.MaxFeatures)
	eligible := drawn
	if opt.MaxFeatures > 0 {
		eligible = min(drawn, int64(opt.MaxFeatures))
	}
	blob.Omitted = int(eligible - kept)
	return blob, nil
}

// current returns l with the attributes the catalog holds now, if its data
// version is newer than l's.
func (r *TileRenderer) current(ctx context.Context, l layers.Layer) (layers.Layer, bool) {
	var attrs []byte
	var version int64
	if err := r.pool.QueryRow(ctx, `SELECT attributes, data_version FROM catalog.layers WHERE id = $1`, l.ID).Scan(&attrs, &version); err != nil ||
		version <= l.DataVersion {
		return l, false
	}
	var as []layers.Attribute
	if err := json.Unmarshal(attrs, &as); err != nil {
		return l, false
	}
	l.Attributes, l.DataVersion = as, version
	return l, true
}

// filterGone reports whether opt's filter no longer fits layer l (names
// an attribute a re-import took away).
func filterGone(l layers.Layer, opt tiles.Options) bool {
	return opt.Filter != nil && cql2.Check(opt.Filter.Expr, layers.Queryables(&l)) != nil
}

// currentOptions keeps the properties of opt that l still has.
func currentOptions(l layers.Layer, opt tiles.Options) tiles.Options {
	if opt.Properties == nil {
		return opt
	}
	var keep []string
	for _, p := range opt.Properties {
		if _, ok := l.AttributeByName(p); ok {
			keep = append(keep, p)
		}
	}
	opt.Properties = append([]string{}, keep...)
	return opt
}

// hasGen reports whether l's zoom bands were built from l's data version.
// A yes is remembered (per layer, for that version); a no is asked again
// on the next render, as bands appear some time after an import (built in
// the background): one lookup of a primary key.
func (r *TileRenderer) hasGen(ctx context.Context, db *pgxpool.Pool, l layers.Layer, b tiles.Band) (bool, error) {
	if v, ok := r.gen.Load(l.ID); ok && v.(int64) == l.DataVersion {
		return true, nil
	}
	var built int64
	if err := db.QueryRow(ctx, sqlBandsVersion, l.ID).Scan(&built); err != nil {
		return false, translate("tile bands of "+l.ID, err)
	}
	if built != l.DataVersion {
		return false, nil
	}
	r.gen.Store(l.ID, built)
	return true, nil
}

// tileSQL is the tile query for layer l at band b, from its generalised
// tables when gen is set; identifiers come from the catalog and are quoted.
// A filter (opt.Filter) is tested on the layer table's own row and
// geometry, its values bound as parameters from $9 on (returned), after
// the byte budget ($8).
func tileSQL(l layers.Layer, b tiles.Band, gen bool, opt tiles.Options) (string, []any, error) {
	q, err := newTileParts(l, b, gen, opt)
	if err != nil {
		return "", nil, err
	}
	tile := func(from, where, geom string) string {
		return fmt.Sprintf(sqlTile, q.cols, from, where+q.fcond, geom, q.names, q.size, q.cost)
	}
	if q.fromLayer {
		where := whereLayer
		if gen && !q.points {
			where = fmt.Sprintf(whereGenPieces, genIndex(l.ID, b).Sanitize())
		}
		return tile(layerIdent(l.ID).Sanitize()+" g", where, "ST_Transform(g.geom, 3857)"), q.fargs, nil
	}
	where := whereGenPoints
	if !q.points {
		where = fmt.Sprintf(whereGenPieces, genIndex(l.ID, b).Sanitize())
	}
	return tile(q.bandFrom(l.ID, b), where, "g.geom"), q.fargs, nil
}

// tileParts are what the tile queries of every tile matrix set share for
// a layer at a band: the attribute columns and their names, the filter's
// condition and values, where the geometry comes from, and the candidates'
// size and cost.
type tileParts struct {
	points    bool   // a point layer
	fromLayer bool   // drawn from the layer table (no bands, or the full band)
	alias     string // the row the columns and the filter read: g, or l joined to a band
	fcond     string
	fargs     []any
	cols      string
	names     string
	size      string
	cost      string
}

// newTileParts builds the shared parts of layer l's tile query at band b
// (from its generalised tables when gen is set). The full band is the
// layer table itself (its view in EPSG:3857): its tiles are drawn from the
// layer table, through the band's index of pieces for lines and polygons,
// through the table's own for points.
func newTileParts(l layers.Layer, b tiles.Band, gen bool, opt tiles.Options) (tileParts, error) {
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
	q := tileParts{
		points:    l.GeometryType == layers.Point || l.GeometryType == layers.MultiPoint,
		fromLayer: !gen || b.Full(),
		alias:     "g",
		size:      candidateSize(l),
		cost:      featureCost(len(props)),
	}
	if !q.fromLayer && (len(props) > 0 || opt.Filter != nil) {
		q.alias = "l"
	}
	var err error
	if q.fcond, q.fargs, err = tileFilter(&l, opt, q.alias); err != nil {
		return tileParts{}, err
	}
	var cols, names strings.Builder
	for _, p := range props {
		col := pgx.Identifier{p}.Sanitize()
		switch types[p] {
		case layers.Date, layers.Timestamp:
			fmt.Fprintf(&cols, ", %s.%s::text AS %s", q.alias, col, col)
		default:
			fmt.Fprintf(&cols, ", %s.%s", q.alias, col)
		}
		fmt.Fprintf(&names, ", %s", col)
	}
	q.cols, q.names = cols.String(), names.String()
	return q, nil
}

// bandFrom is the FROM clause of a tile drawn from band b's table, joined
// to the layer table when columns or a filter are read there. The layer
// table first, then the band tables: PostgreSQL locks the tables of a
// statement in the order the FROM clause names them, and a swap locks the
// layer table before the band tables (the lock order in the package
// documentation); the other order can deadlock with it.
func (q tileParts) bandFrom(id string, b tiles.Band) string {
	if q.alias == "l" {
		return layerIdent(id).Sanitize() + " l JOIN " + genTable(id, b).Sanitize() + " g ON g.fid = l.fid"
	}
	return genTable(id, b).Sanitize() + " g"
}

// filterFirstParam is the number of the first parameter a tile query binds
// a filter's values to: after z, x, y, margin, cap+1, name, cap and the
// byte budget ($1 to $8).
const filterFirstParam = 9

// tileFilter is the condition (" AND …") of opt.Filter on the layer
// table's row under alias, and its values, bound from filterFirstParam on.
func tileFilter(l *layers.Layer, opt tiles.Options, alias string) (string, []any, error) {
	if opt.Filter == nil || opt.Filter.Expr == nil {
		return "", nil, nil
	}
	var fargs []any
	arg := func(v any) string {
		fargs = append(fargs, v)
		return fmt.Sprintf("$%d", filterFirstParam-1+len(fargs))
	}
	c, err := filterSQL(opt.Filter, l, alias+".", arg)
	if err != nil {
		return "", nil, err
	}
	return " AND " + c, fargs, nil
}

// candidateSize is the size a tile's candidates are ordered by, largest
// first, from the stored geometry g.geom (cheap): the length of lines, the
// area of polygons; points all alike (then by fid).
func candidateSize(l layers.Layer) string {
	switch l.GeometryType {
	case layers.LineString, layers.MultiLineString:
		return "ST_Length(g.geom)"
	case layers.Polygon, layers.MultiPolygon:
		return "ST_Area(g.geom)"
	}
	return "0::float8"
}

// featureCost is the estimated encoded bytes of a feature with props
// attributes and its clipped geometry q.geom: about three bytes a vertex
// (command and zigzag deltas), a dozen a feature (id, type, lengths) and
// eight an attribute (tags, values).
func featureCost(props int) string {
	return fmt.Sprintf("3 * ST_NPoints(q.geom) + %d", 12+8*props)
}
