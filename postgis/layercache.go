package postgis

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// NotifyChannel is the channel on which every data or metadata change of a
// layer is announced, with payload "<id>:<data_version>".
const NotifyChannel = "coalmap_layers"

const (
	sqlLayersSnapshot = `SELECT id, title, description, category, owner, custodian, geometry_type, srid, license,
       access, min_zoom, max_zoom, extent, attributes, feature_count, data_version
FROM catalog.layers`
	sqlListen = `LISTEN coalmap_layers`
)

// LayerSnapshot is an in-memory copy of catalog.layers, replaced whole on
// every NOTIFY coalmap_layers, so that each replica serves the data version
// current in the database. It implements tiles.Catalog.
//
// It is the tile server's stand-in for the catalog snapshot of package layers;
// any type with the same Layer method can take its place.
type LayerSnapshot struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	cur  atomic.Pointer[map[string]*layers.Layer]
}

var _ tiles.Catalog = (*LayerSnapshot)(nil)

// NewLayerSnapshot loads the catalog once; Follow keeps it current.
func NewLayerSnapshot(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) (*LayerSnapshot, error) {
	if log == nil {
		log = slog.Default()
	}
	s := &LayerSnapshot{pool: pool, log: log}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Layer implements tiles.Catalog. The caller must not modify the layer.
func (s *LayerSnapshot) Layer(id string) (*layers.Layer, bool) {
	l, ok := (*s.cur.Load())[id]
	return l, ok
}

// Reload reads catalog.layers and publishes the new snapshot.
func (s *LayerSnapshot) Reload(ctx context.Context) error {
	rows, err := s.pool.Query(ctx, sqlLayersSnapshot)
	if err != nil {
		return fmt.Errorf("postgis: load catalog: %w", err)
	}
	m := map[string]*layers.Layer{}
	for rows.Next() {
		var l layers.Layer
		var custodian, attrs []byte
		var access, gt, cat string
		var extent []float64
		if err := rows.Scan(&l.ID, &l.Title, &l.Description, &cat, &l.Owner, &custodian, &gt, &l.SRID, &l.License,
			&access, &l.MinZoom, &l.MaxZoom, &extent, &attrs, &l.FeatureCount, &l.DataVersion); err != nil {
			rows.Close()
			return fmt.Errorf("postgis: load catalog: %w", err)
		}
		l.Category, l.GeometryType = layers.Category(cat), layers.GeometryType(gt)
		if l.Access, err = layers.ParseAccess(access); err != nil {
			l.Access = layers.Restricted // unknown: hide
		}
		_ = json.Unmarshal(custodian, &l.Custodian)
		if err := json.Unmarshal(attrs, &l.Attributes); err != nil {
			rows.Close()
			return fmt.Errorf("postgis: load catalog: layer %s: attributes: %w", l.ID, err)
		}
		if len(extent) == 4 {
			l.Extent = &layers.Extent{extent[0], extent[1], extent[2], extent[3]}
		}
		m[l.ID] = &l
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgis: load catalog: %w", err)
	}
	s.cur.Store(&m)
	return nil
}

// Follow listens on NotifyChannel and reloads on every notification until ctx
// ends, reconnecting after a lost connection (and reloading then, since
// notifications may have been missed).
func (s *LayerSnapshot) Follow(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.follow(ctx)
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("catalog notifications lost; reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (s *LayerSnapshot) follow(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, sqlListen); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "UNLISTEN *") //nolint:errcheck
	if err := s.Reload(ctx); err != nil {
		return err
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		// Drain a burst of notifications before one reload.
		for {
			wctx, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
			_, err := conn.Conn().WaitForNotification(wctx)
			cancel()
			if err != nil {
				break
			}
		}
		if err := s.Reload(ctx); err != nil {
			return err
		}
		s.log.Debug("catalog reloaded", "notification", n.Payload)
	}
}
