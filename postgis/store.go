package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/layers"
)

// Store is the catalog, tokens and layer tables in PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

// The interfaces Store implements.
var (
	_ layers.Store        = (*Store)(nil)
	_ layers.Searcher     = (*Store)(nil)
	_ layers.TokenStore   = (*Store)(nil)
	_ layers.FeatureStore = (*Store)(nil)
)

// NewStore returns a store over pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Pool returns the store's pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

const layerColumns = `id, title, title_hi, description, category, keywords, owner, custodian,
    geometry_type, srid, source_crs, scale, accuracy, lineage, feature_count, extent, attributes,
    status, update_frequency, revised_at, license, access, min_zoom, max_zoom, style, data_version,
    metadata_version, created_at, updated_at`

const (
	sqlLayers      = `SELECT ` + layerColumns + ` FROM catalog.layers ORDER BY id`
	sqlLayer       = `SELECT ` + layerColumns + ` FROM catalog.layers WHERE id = $1`
	sqlSearch      = `SELECT id FROM catalog.layers, websearch_to_tsquery('simple', $1) q WHERE search @@ q ORDER BY ts_rank(search, q) DESC, id`
	sqlInsertLayer = `INSERT INTO catalog.layers (id, title, title_hi, description, category, keywords, owner, custodian,
    geometry_type, source_crs, scale, accuracy, lineage, attributes, status, update_frequency, revised_at, license,
    access, min_zoom, max_zoom, style)
VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22)
ON CONFLICT (id) DO NOTHING`
	// A metadata update leaves the data's fields (geometry type, counts,
	// extent, lineage, data version) to imports. The attribute dictionary
	// may change its descriptive fields only: names and types are the
	// table's columns.
	sqlUpdateLayer = `UPDATE catalog.layers SET title=$2, title_hi=$3, description=$4, category=$5, keywords=$6, owner=$7,
    custodian=$8, source_crs=$9, scale=$10, accuracy=$11, attributes=$12, status=$13, update_frequency=$14,
    revised_at=$15, license=$16, access=$17, min_zoom=$18, max_zoom=$19, style=$20, updated_at=now(),
    metadata_version = metadata_version + 1
WHERE id=$1 RETURNING data_version`
	sqlDeleteLayer = `DELETE FROM catalog.layers WHERE id = $1 RETURNING data_version, metadata_version, extent`
	sqlAudit       = `INSERT INTO catalog.audit (actor, action, target, detail) VALUES ($1, $2, $3, $4)`
)

func scanLayer(row pgx.Row) (layers.Layer, error) {
	var l layers.Layer
	var custodian, lineage, attrs, style []byte
	var access, gtype, category string
	var extent []float64
	err := row.Scan(&l.ID, &l.Title, &l.TitleHi, &l.Description, &category, &l.Keywords, &l.Owner, &custodian,
		&gtype, &l.SRID, &l.SourceCRS, &l.Scale, &l.Accuracy, &lineage, &l.FeatureCount, &extent, &attrs,
		&l.Status, &l.UpdateFrequency, &l.RevisedAt, &l.License, &access, &l.MinZoom, &l.MaxZoom, &style,
		&l.DataVersion, &l.MetadataVersion, &l.CreatedAt, &l.UpdatedAt)
	if err != nil {
		return l, err
	}
	l.Category = layers.Category(category)
	l.GeometryType = layers.GeometryType(gtype)
	if l.Access, err = layers.ParseAccess(access); err != nil {
		return l, err
	}
	if len(extent) == 4 {
		e := layers.Extent(extent)
		l.Extent = &e
	}
	for _, j := range []struct {
		b []byte
		v any
	}{{custodian, &l.Custodian}, {lineage, &l.Lineage}, {attrs, &l.Attributes}, {style, &l.Style}} {
		if err := json.Unmarshal(j.b, j.v); err != nil {
			return l, translate(fmt.Sprintf("layer %s", l.ID), err)
		}
	}
	if l.Keywords == nil {
		l.Keywords = []string{}
	}
	if l.Attributes == nil {
		l.Attributes = []layers.Attribute{}
	}
	return l, nil
}

// Layers returns every layer of the catalog, ordered by id.
func (s *Store) Layers(ctx context.Context) ([]layers.Layer, error) {
	rows, err := s.pool.Query(ctx, sqlLayers)
	if err != nil {
		return nil, translate("layers", err)
	}
	ls, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (layers.Layer, error) { return scanLayer(r) })
	if err != nil {
		return nil, translate("layers", err)
	}
	return ls, nil
}

// Layer returns one layer, or an error wrapping layers.ErrNotFound.
func (s *Store) Layer(ctx context.Context, id string) (layers.Layer, error) {
	l, err := scanLayer(s.pool.QueryRow(ctx, sqlLayer, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return l, fmt.Errorf("postgis: layer %q: %w", id, layers.ErrNotFound)
	}
	if err != nil {
		return l, translate(fmt.Sprintf("layer %q", id), err)
	}
	return l, nil
}

// SearchLayers returns the ids of layers whose title, keywords or
// description match q (web-search syntax), best first.
func (s *Store) SearchLayers(ctx context.Context, q string) ([]string, error) {
	rows, err := s.pool.Query(ctx, sqlSearch, q)
	if err != nil {
		return nil, translate("search", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, translate("search", err)
	}
	return ids, nil
}

func jsonArg(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// insertArgs are the arguments of sqlInsertLayer for l.
func insertArgs(l *layers.Layer) []any {
	return []any{l.ID, l.Title, l.TitleHi, l.Description, string(l.Category), keywords(l.Keywords),
		l.Owner, jsonArg(l.Custodian), string(l.GeometryType), l.SourceCRS, l.Scale, l.Accuracy, jsonArg(l.Lineage),
		jsonArg(attributes(l.Attributes)), l.Status, l.UpdateFrequency, l.RevisedAt, l.License, l.Access.String(), l.MinZoom, l.MaxZoom, jsonArg(l.Style)}
}

// updateArgs are the arguments of sqlUpdateLayer for l.
func updateArgs(l *layers.Layer) []any {
	return []any{l.ID, l.Title, l.TitleHi, l.Description, string(l.Category), keywords(l.Keywords),
		l.Owner, jsonArg(l.Custodian), l.SourceCRS, l.Scale, l.Accuracy, jsonArg(attributes(l.Attributes)), l.Status, l.UpdateFrequency,
		l.RevisedAt, l.License, l.Access.String(), l.MinZoom, l.MaxZoom, jsonArg(l.Style)}
}

func attributes(a []layers.Attribute) []layers.Attribute {
	if a == nil {
		return []layers.Attribute{}
	}
	return a
}

func keywords(k []string) []string {
	if k == nil {
		return []string{}
	}
	return k
}

// PutLayer creates a layer's entry (with an empty table, so that it can be
// read at once) or updates its descriptive metadata, in one transaction with
// its audit record and change notification.
func (s *Store) PutLayer(ctx context.Context, l *layers.Layer, actor string) (bool, error) {
	if err := l.Validate(); err != nil {
		return false, err
	}
	attrs := attributes(l.Attributes)
	var created bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sqlInsertLayer, insertArgs(l)...)
		if err != nil {
			return err
		}
		created = tag.RowsAffected() == 1
		action, kind := "layer.create", layers.ChangeCreated
		if created {
			if _, err := tx.Exec(ctx, createTableSQL(l.ID, layers.PromotedType(l.GeometryType), attrs)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE catalog.layers SET geometry_type = $2 WHERE id = $1`, l.ID, string(layers.PromotedType(l.GeometryType))); err != nil {
				return err
			}
		} else {
			action, kind = "layer.update", layers.ChangeMetadata
			cur, err := lockLayerRow(ctx, tx, l.ID)
			if err != nil {
				return err
			}
			if err := sameColumns(cur.Attributes, attrs); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, sqlUpdateLayer, updateArgs(l)...); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, sqlAudit, actor, action, l.ID, jsonArg(l)); err != nil {
			return err
		}
		_, err = publishLayer(ctx, tx, l.ID, kind, orb.Bound{})
		return err
	})
	if err != nil {
		return false, translate("put layer "+l.ID, err)
	}
	return created, nil
}

// sameColumns checks that an update keeps the dictionary's names and types
// (they are the table's columns); aliases, labels, units and descriptions
// may change.
func sameColumns(cur, next []layers.Attribute) error {
	if len(cur) != len(next) {
		return &layers.ValidationError{Feature: -1, Field: "attributes",
			Reason: fmt.Sprintf("the dictionary has %d attributes; a metadata update may change their descriptions, not add or remove columns (re-import for that)", len(cur))}
	}
	for i := range cur {
		if cur[i].Name != next[i].Name || cur[i].Type != next[i].Type {
			return &layers.ValidationError{Feature: -1, Field: fmt.Sprintf("attributes[%d]", i),
				Reason: fmt.Sprintf("name and type are fixed (%s %s); re-import to change columns", cur[i].Name, cur[i].Type)}
		}
	}
	return nil
}

// DeleteLayer removes a layer's entry and drops its table.
func (s *Store) DeleteLayer(ctx context.Context, id, actor string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		ch := layers.Change{Layer: id, Kind: layers.ChangeDeleted}
		var extent []float64
		err := tx.QueryRow(ctx, sqlDeleteLayer, id).Scan(&ch.Version, &ch.MetadataVersion, &extent)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("layer %q: %w", id, layers.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if len(extent) == 4 {
			ch.BBox = layers.Extent(extent).Bound()
		}
		if _, err := tx.Exec(ctx, "DROP TABLE IF EXISTS "+layerTable(id)); err != nil {
			return err
		}
		if err := DropTiles(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlAudit, actor, "layer.delete", id, []byte(`{}`)); err != nil {
			return err
		}
		return publishChange(ctx, tx, &ch)
	})
	return translate("delete layer "+id, err)
}

// AuditEntry is one record of the audit trail.
type AuditEntry struct {
	ID     int64           `json:"id"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Target string          `json:"target"`
	Detail json.RawMessage `json:"detail"`
}

// Audit returns the latest n audit records about target ("" for all), newest
// first.
func (s *Store) Audit(ctx context.Context, target string, n int) ([]AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, at, actor, action, target, detail FROM catalog.audit
WHERE $1 = '' OR target = $1 ORDER BY id DESC LIMIT $2`, target, n)
	if err != nil {
		return nil, translate("audit", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &e.Detail)
		return e, err
	})
	if err != nil {
		return nil, translate("audit", err)
	}
	return out, nil
}
