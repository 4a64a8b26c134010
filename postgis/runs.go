package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
)

// Runs stores layer-against-layer overlap runs and reads line layers for them.
type Runs struct {
	pool   *pgxpool.Pool
	leases leases
}

var (
	_ overlaps.RunStore   = (*Runs)(nil)
	_ overlaps.LineSource = (*Runs)(nil)
)

// NewRuns returns a RunStore and LineSource over pool.
func NewRuns(pool *pgxpool.Pool) *Runs { return &Runs{pool: pool, leases: leases{class: runLockClass}} }

const (
	sqlCreateRun = `INSERT INTO catalog.overlap_runs (status, params, created_by) VALUES ('queued', $1, $2) RETURNING id`
	sqlStartRun  = `UPDATE catalog.overlap_runs SET status = 'running', started_at = now(), layer_versions = $2, lines_total = $3
WHERE id = $1`
	sqlProgressRun = `UPDATE catalog.overlap_runs SET lines_done = $2, result_rows = result_rows + $3 WHERE id = $1`
	sqlFinishRun   = `UPDATE catalog.overlap_runs SET status = $2, error = $3, finished_at = now(),
    lines_done = CASE WHEN $2 = 'succeeded' THEN lines_total ELSE lines_done END WHERE id = $1`
	sqlRunColumns = `id, status, params, layer_versions, lines_total, lines_done, result_rows, error, created_by, created_at, started_at, finished_at`
	sqlRunInfo    = `SELECT ` + sqlRunColumns + ` FROM catalog.overlap_runs WHERE id = $1`
	sqlListRuns   = `SELECT ` + sqlRunColumns + ` FROM catalog.overlap_runs ORDER BY id DESC LIMIT $1`
	sqlDeleteRun  = `DELETE FROM catalog.overlap_runs WHERE id = $1`
	sqlResults    = `SELECT line_layer, line_id, kind, polygon_layer, polygon_id, name, allocatee, status, row_width_m,
    line_length_m, length_m, crossings, corridor_area_ha, share_of_line_pct, share_of_polygon_pct, min_distance_m, error,
    ST_AsBinary(geom)
FROM catalog.overlap_results WHERE run_id = $1 ORDER BY seq`
	sqlRunExists      = `SELECT EXISTS (SELECT 1 FROM catalog.overlap_runs WHERE id = $1)`
	sqlMaxSeq         = `SELECT coalesce(max(seq), 0) FROM catalog.overlap_results WHERE run_id = $1`
	sqlLayerStates    = `SELECT id, data_version, geometry_type FROM catalog.layers WHERE id = ANY($1)`
	sqlLineLayerInfo  = `SELECT data_version, geometry_type, category FROM catalog.layers WHERE id = $1`
	sqlHasVoltageAttr = `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'voltage_kv' AND NOT attisdropped)`
)

// CreateRun records a queued run.
func (s *Runs) CreateRun(ctx context.Context, spec overlaps.RunSpec, createdBy string) (int64, error) {
	params, err := json.Marshal(spec)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := s.pool.QueryRow(ctx, sqlCreateRun, params, createdBy).Scan(&id); err != nil {
		return 0, translate("create run", err)
	}
	if err := s.lease(ctx, id); err != nil {
		_ = s.exec(context.WithoutCancel(ctx), sqlFinishRun, id, string(overlaps.RunFailed), "could not mark it alive")
		return 0, err
	}
	return id, nil
}

// StartRun marks a run running with the versions of the layers it reads.
func (s *Runs) StartRun(ctx context.Context, id int64, versions map[string]int64, linesTotal int) error {
	return s.exec(ctx, sqlStartRun, id, versions, linesTotal)
}

// FinishRun records how a run ended.
func (s *Runs) FinishRun(ctx context.Context, id int64, status overlaps.RunStatus, message string) error {
	defer s.unlease(context.WithoutCancel(ctx), id)
	return s.exec(ctx, sqlFinishRun, id, string(status), message)
}

// DeleteRun removes a run and its results.
func (s *Runs) DeleteRun(ctx context.Context, id int64) error {
	defer s.unlease(context.WithoutCancel(ctx), id)
	return s.exec(ctx, sqlDeleteRun, id)
}

func (s *Runs) exec(ctx context.Context, sql string, args ...any) error {
	tag, err := s.pool.Exec(ctx, sql, args...)
	if err != nil {
		return translate("run", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgis: run %v: %w", args[0], overlaps.ErrRunNotFound)
	}
	return nil
}

// SaveResults appends rows to a run with COPY and records its progress, in
// one transaction.
func (s *Runs) SaveResults(ctx context.Context, id int64, rows []overlaps.ResultRow, linesDone int) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var seq int
		if err := tx.QueryRow(ctx, sqlMaxSeq, id).Scan(&seq); err != nil {
			return translate(fmt.Sprintf("run %d", id), err)
		}
		src := make([][]any, 0, len(rows))
		for _, r := range rows {
			seq++
			var geom []byte
			if len(r.Pieces) > 0 {
				b, err := wkb.Marshal(r.Pieces)
				if err != nil {
					return translate(fmt.Sprintf("run %d", id), err)
				}
				geom = ewkb4326(b)
			}
			src = append(src, []any{id, seq, r.Kind.String(), r.LineLayer, r.LineID, r.Layer, r.PolygonID, r.Name, r.Allocatee, r.Status,
				r.RowWidthM, r.LineLengthM, r.LengthM, r.Crossings, r.CorridorAreaHa, r.ShareOfLinePct, r.ShareOfPolygonPct,
				finite(r.MinDistanceM), r.Error, geom})
		}
		if len(src) > 0 {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"catalog", "overlap_results"}, []string{"run_id", "seq", "kind", "line_layer", "line_id",
				"polygon_layer", "polygon_id", "name", "allocatee", "status", "row_width_m", "line_length_m", "length_m", "crossings",
				"corridor_area_ha", "share_of_line_pct", "share_of_polygon_pct", "min_distance_m", "error", "geom"}, pgx.CopyFromRows(src))
			if err != nil {
				return translate(fmt.Sprintf("run %d results", id), err)
			}
		}
		tag, err := tx.Exec(ctx, sqlProgressRun, id, linesDone, len(rows))
		if err != nil {
			return translate(fmt.Sprintf("run %d", id), err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgis: run %d: %w", id, overlaps.ErrRunNotFound)
		}
		return nil
	})
}

func finite(v float64) float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0
	}
	return v
}

// ewkb4326 turns little-endian WKB into EWKB with SRID 4326, which COPY's
// binary geometry input accepts with its SRID.
func ewkb4326(b []byte) []byte {
	if len(b) < 5 {
		return b
	}
	out := make([]byte, 0, len(b)+4)
	out = append(out, b[0])
	typ := uint32(b[1]) | uint32(b[2])<<8 | uint32(b[3])<<16 | uint32(b[4])<<24
	typ |= 0x20000000
	out = append(out, byte(typ), byte(typ>>8), byte(typ>>16), byte(typ>>24))
	out = append(out, 0xE6, 0x10, 0, 0) // 4326
	return append(out, b[5:]...)
}

// RunInfo returns one run.
func (s *Runs) RunInfo(ctx context.Context, id int64) (*overlaps.RunInfo, error) {
	rows, err := s.pool.Query(ctx, sqlRunInfo, id)
	if err != nil {
		return nil, translate(fmt.Sprintf("run %d", id), err)
	}
	info, err := pgx.CollectExactlyOneRow(rows, scanRun)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgis: run %d: %w", id, overlaps.ErrRunNotFound)
	}
	if err != nil {
		return nil, translate(fmt.Sprintf("run %d", id), err)
	}
	return &info, nil
}

// ListRuns returns the newest runs first.
func (s *Runs) ListRuns(ctx context.Context, limit int) ([]overlaps.RunInfo, error) {
	rows, err := s.pool.Query(ctx, sqlListRuns, limit)
	if err != nil {
		return nil, translate("runs", err)
	}
	out, err := pgx.CollectRows(rows, scanRun)
	if err != nil {
		return nil, translate("runs", err)
	}
	return out, nil
}

func scanRun(row pgx.CollectableRow) (overlaps.RunInfo, error) {
	var r overlaps.RunInfo
	var status string
	err := row.Scan(&r.ID, &status, &r.Spec, &r.LayerVersions, &r.LinesTotal, &r.LinesDone, &r.ResultRows, &r.Error,
		&r.CreatedBy, &r.CreatedAt, &r.StartedAt, &r.FinishedAt)
	r.Status = overlaps.RunStatus(status)
	return r, err
}

// Results streams a run's rows in order.
func (s *Runs) Results(ctx context.Context, id int64, fn func(overlaps.ResultRow) error) error {
	var exists bool
	if err := s.pool.QueryRow(ctx, sqlRunExists, id).Scan(&exists); err != nil {
		return translate(fmt.Sprintf("run %d", id), err)
	}
	if !exists {
		return fmt.Errorf("postgis: run %d: %w", id, overlaps.ErrRunNotFound)
	}
	rows, err := s.pool.Query(ctx, sqlResults, id)
	if err != nil {
		return translate(fmt.Sprintf("run %d results", id), err)
	}
	defer rows.Close()
	for rows.Next() {
		var r overlaps.ResultRow
		var kind string
		var geom []byte
		if err := rows.Scan(&r.LineLayer, &r.LineID, &kind, &r.Layer, &r.PolygonID, &r.Name, &r.Allocatee, &r.Status,
			&r.RowWidthM, &r.LineLengthM, &r.LengthM, &r.Crossings, &r.CorridorAreaHa, &r.ShareOfLinePct, &r.ShareOfPolygonPct,
			&r.MinDistanceM, &r.Error, &geom); err != nil {
			return translate(fmt.Sprintf("run %d results", id), err)
		}
		r.Kind = overlaps.ParseRowKind(kind)
		if geom != nil {
			g, err := wkb.Unmarshal(geom)
			if err != nil {
				return translate(fmt.Sprintf("run %d results", id), err)
			}
			r.Pieces, _ = g.(orb.MultiLineString)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LayerStates returns the data versions and geometry types of the layers of
// ids that exist.
func (s *Runs) LayerStates(ctx context.Context, ids []string) (map[string]overlaps.LayerState, error) {
	rows, err := s.pool.Query(ctx, sqlLayerStates, ids)
	if err != nil {
		return nil, translate("layer versions", err)
	}
	out := map[string]overlaps.LayerState{}
	var id string
	var st overlaps.LayerState
	_, err = pgx.ForEachRow(rows, []any{&id, &st.Version, &st.GeometryType}, func() error {
		out[id] = st
		return nil
	})
	if err != nil {
		return nil, translate("layer versions", err)
	}
	return out, nil
}

// Lines returns every feature of a line layer with the layer's data version,
// read in one snapshot. A layer with a voltage_kv column gives each line the
// corridor of its voltage; a rail layer gives each line the rail corridor.
func (s *Runs) Lines(ctx context.Context, layer string) (v int64, ls []overlaps.Line, err error) {
	// Again if a swap changed the table's columns during the read.
	for attempt := 0; ; attempt++ {
		v, ls, err = s.linesOnce(ctx, layer)
		if attempt == 2 || !reshapedTable(err) {
			return v, ls, err
		}
	}
}

func (s *Runs) linesOnce(ctx context.Context, layer string) (int64, []overlaps.Line, error) {
	if !layers.ValidID(layer) {
		return 0, nil, fmt.Errorf("postgis: layer %q: %w", layer, layers.ErrNotFound)
	}
	var version int64
	var lines []overlaps.Line
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var gtype, category string
		if err := tx.QueryRow(ctx, sqlLineLayerInfo, layer).Scan(&version, &gtype, &category); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("postgis: layer %q: %w", layer, layers.ErrNotFound)
			}
			return translate(fmt.Sprintf("layer %q", layer), err)
		}
		if !strings.HasSuffix(gtype, "LineString") {
			return &layers.ValidationError{Feature: -1, Field: "lines",
				Reason: fmt.Sprintf("layer %q holds %s features; a run takes line layers", layer, gtype)}
		}
		table := pgx.Identifier{layers.Schema, layer}.Sanitize()
		var hasVoltage bool
		if err := tx.QueryRow(ctx, sqlHasVoltageAttr, table).Scan(&hasVoltage); err != nil {
			return translate(fmt.Sprintf("layer %q", layer), err)
		}
		voltage := "NULL::integer"
		if hasVoltage {
			voltage = "voltage_kv::integer"
		}
		rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT feature_id, ST_AsBinary(geom), %s FROM %s
WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom) ORDER BY fid`, voltage, table))
		if err != nil {
			return translate(fmt.Sprintf("layer %q", layer), err)
		}
		defer rows.Close()
		rail := category == string(layers.Rail)
		for rows.Next() {
			var id string
			var geomWKB []byte
			var kv *int32
			if err := rows.Scan(&id, &geomWKB, &kv); err != nil {
				return translate(fmt.Sprintf("layer %q", layer), err)
			}
			g, err := wkb.Unmarshal(geomWKB)
			if err != nil {
				return translate(fmt.Sprintf("layer %q feature %s", layer, id), err)
			}
			ln := overlaps.Line{ID: id, Geom: g}
			switch {
			case kv != nil && *kv > 0:
				ln.Corridor = overlaps.Corridor{VoltageKV: int(*kv)}
			case rail:
				ln.Corridor = overlaps.Corridor{Rail: true}
			}
			lines = append(lines, ln)
		}
		return rows.Err()
	})
	if err != nil {
		// Also a failure to begin (the database unreachable): 503, not 500.
		return 0, nil, translate(fmt.Sprintf("layer %q", layer), err)
	}
	return version, lines, nil
}
