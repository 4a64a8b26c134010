package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
)

// Polygons reads whole polygon layers for the overlap engine.
type Polygons struct {
	pool  *pgxpool.Pool
	reads *Reads
}

var _ overlaps.PolygonSource = (*Polygons)(nil)

// NewPolygons returns a PolygonSource over pool.
func NewPolygons(pool *pgxpool.Pool) *Polygons { return &Polygons{pool: pool} }

// UseReads loads the layers through r's replicas.
func (p *Polygons) UseReads(r *Reads) { p.reads = r }

const (
	sqlLayerKind = `SELECT data_version, geometry_type FROM catalog.layers WHERE id = $1`
	sqlColumns   = `SELECT attname FROM pg_attribute
WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped
ORDER BY attnum`
)

// Polygons returns every feature of a polygon layer with the layer's data
// version, read in one snapshot so that the two agree.
func (p *Polygons) Polygons(ctx context.Context, layer string) (int64, []overlaps.Polygon, error) {
	return p.read(ctx, layer, nil)
}

var _ overlaps.PolygonUpdater = (*Polygons)(nil)

// PolygonsByID returns the features of a polygon layer whose ids are ids
// (those that exist: a deleted feature is absent) with the layer's data
// version, read in one snapshot.
func (p *Polygons) PolygonsByID(ctx context.Context, layer string, ids []string) (int64, []overlaps.Polygon, error) {
	if ids == nil {
		ids = []string{}
	}
	return p.read(ctx, layer, ids)
}

// read reads a polygon layer's features, all of them (ids nil) or those of
// ids, again if a swap changed the table's columns during the read.
func (p *Polygons) read(ctx context.Context, layer string, ids []string) (v int64, fs []overlaps.Polygon, err error) {
	for attempt := 0; ; attempt++ {
		v, fs, err = p.readOnce(ctx, layer, ids)
		if attempt == 2 || !reshapedTable(err) {
			return v, fs, err
		}
	}
}

func (p *Polygons) readOnce(ctx context.Context, layer string, ids []string) (int64, []overlaps.Polygon, error) {
	if !layers.ValidID(layer) {
		return 0, nil, fmt.Errorf("postgis: layer %q: %w", layer, layers.ErrNotFound)
	}
	pool := p.pool
	if p.reads != nil {
		pool = p.reads.Pool(ctx, layer)
	}
	v, fs, err := p.readFrom(ctx, pool, layer, ids)
	if err != nil && p.reads.Broken(p.reads.index(pool), err) {
		v, fs, err = p.readFrom(ctx, p.pool, layer, ids)
	}
	return v, fs, err
}

func (p *Polygons) readFrom(ctx context.Context, pool *pgxpool.Pool, layer string, ids []string) (int64, []overlaps.Polygon, error) {
	var version int64
	var feats []overlaps.Polygon
	err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var gtype string
		if err := tx.QueryRow(ctx, sqlLayerKind, layer).Scan(&version, &gtype); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("postgis: layer %q: %w", layer, layers.ErrNotFound)
			}
			return translate(fmt.Sprintf("layer %q", layer), err)
		}
		if !strings.HasSuffix(gtype, "Polygon") {
			return &layers.ValidationError{Feature: -1, Field: "layers",
				Reason: fmt.Sprintf("layer %q holds %s features; overlaps are checked against polygon layers", layer, gtype)}
		}
		table := pgx.Identifier{layers.Schema, layer}.Sanitize()
		rows, err := tx.Query(ctx, sqlColumns, table)
		if err != nil {
			return translate(fmt.Sprintf("layer %q", layer), err)
		}
		cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return translate(fmt.Sprintf("layer %q", layer), err)
		}
		var props []string
		for _, c := range cols {
			if c == layers.ColumnGeom || c == layers.ColumnFID || c == layers.ColumnFeatureID {
				continue
			}
			props = append(props, fmt.Sprintf("%s, %s", quoteLiteral(c), pgx.Identifier{c}.Sanitize()))
		}
		propsExpr := "'{}'::jsonb"
		if len(props) > 0 {
			propsExpr = "jsonb_build_object(" + strings.Join(props, ", ") + ")"
		}
		q := fmt.Sprintf(`SELECT feature_id, ST_AsBinary(geom), %s FROM %s
WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom) AND ($1::text[] IS NULL OR feature_id = ANY($1)) ORDER BY fid`, propsExpr, table)
		rows, err = tx.Query(ctx, q, ids)
		if err != nil {
			return translate(fmt.Sprintf("layer %q", layer), err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var geomWKB, propsJSON []byte
			if err := rows.Scan(&id, &geomWKB, &propsJSON); err != nil {
				return translate(fmt.Sprintf("layer %q", layer), err)
			}
			g, err := wkb.Unmarshal(geomWKB)
			if err != nil {
				return translate(fmt.Sprintf("layer %q feature %s", layer, id), err)
			}
			var mp orb.MultiPolygon
			switch g := g.(type) {
			case orb.Polygon:
				mp = orb.MultiPolygon{g}
			case orb.MultiPolygon:
				mp = g
			default:
				continue
			}
			var pr map[string]any
			if err := json.Unmarshal(propsJSON, &pr); err != nil {
				return translate(fmt.Sprintf("layer %q feature %s", layer, id), err)
			}
			feats = append(feats, overlaps.Polygon{ID: id, Props: pr, Geom: mp})
		}
		return rows.Err()
	})
	if err != nil {
		// Also a failure to begin (the database unreachable): 503, not 500.
		return 0, nil, translate(fmt.Sprintf("layer %q", layer), err)
	}
	return version, feats, nil
}

// quoteLiteral quotes s as an SQL string literal. It is used only for column
// names read from the catalog, as jsonb keys.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
