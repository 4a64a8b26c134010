package overlaps

import (
	"context"
	"sync"

	"github.com/coalmap/coalmap/geo"
	"github.com/paulmach/orb"
)

// Line is one feature of a line layer for a Run.
type Line struct {
	ID   string
	Geom orb.Geometry // LineString or MultiLineString, EPSG:4326
	// Corridor, when set, overrides the run's corridor for this line (a
	// transmission layer's voltage column, for instance).
	Corridor Corridor
}

// RunOptions are the parameters of a layer-against-layer run.
type RunOptions struct {
	// Layers are the polygon layers; none means Config.DefaultLayers.
	Layers []string
	// Corridor is the right of way of lines that carry none.
	Corridor Corridor
	// ClearanceM is the near-miss distance in metres.
	ClearanceM float64
	// Workers bounds the goroutines; 0 means Config.Workers.
	Workers int
}

// RowKind says what a Row reports.
type RowKind int

// Kinds of rows.
const (
	RowCrossing RowKind = iota
	RowNearMiss
	RowInvalidLine
)

// String returns "crossing", "near_miss" or "invalid_line".
func (k RowKind) String() string {
	switch k {
	case RowCrossing:
		return "crossing"
	case RowNearMiss:
		return "near_miss"
	}
	return "invalid_line"
}

// MarshalText writes the kind's name, so rows encode readably in JSON.
func (k RowKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Row is one line–polygon pair of a run, or a line that could not be
// checked.
type Row struct {
	LineID            string  `json:"line_id"`
	Kind              RowKind `json:"kind"`
	Layer             string  `json:"layer,omitempty"`
	PolygonID         string  `json:"polygon_id,omitempty"`
	Name              string  `json:"name,omitempty"`
	Allocatee         string  `json:"allocatee,omitempty"`
	Status            string  `json:"status,omitempty"`
	RowWidthM         float64 `json:"row_width_m"`
	LineLengthM       float64 `json:"line_length_m"`
	LengthM           float64 `json:"length_m"`
	Crossings         int     `json:"crossings"`
	CorridorAreaHa    float64 `json:"corridor_area_ha"`
	ShareOfLinePct    float64 `json:"share_of_line_pct"`
	ShareOfPolygonPct float64 `json:"share_of_polygon_pct"`
	MinDistanceM      float64 `json:"min_distance_m"`
	// Pieces are the stretches inside, for crossings.
	Pieces orb.MultiLineString `json:"-"`
	// Error says why the line could not be checked, for RowInvalidLine.
	Error string `json:"error,omitempty"`
}

// Run checks many lines against polygon layers on a bounded pool of
// workers and calls emit with the rows of each line, lines in input order
// and within a line crossings before near-misses. emit is called from the
// calling goroutine only. A line that fails validation gives one
// RowInvalidLine row and the run goes on; an error from emit, a failed
// layer load or the end of ctx stops it.
func (e *Engine) Run(ctx context.Context, lines []Line, opts RunOptions, emit func(Row) error) error {
	names, width, err := (&Options{Layers: opts.Layers, Corridor: opts.Corridor, ClearanceM: opts.ClearanceM}).resolve(&e.cfg)
	if err != nil {
		return err
	}
	for _, ln := range lines {
		if !ln.Corridor.isZero() {
			if _, err := ln.Corridor.width(&e.cfg); err != nil {
				return err
			}
		}
	}
	layers, err := e.loadLayers(ctx, names)
	if err != nil {
		return err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = e.cfg.Workers
	}
	workers = max(1, min(workers, len(lines)))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		i    int
		rows []Row
	}
	jobs := make(chan int)
	results := make(chan result, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				rows := e.lineRows(ctx, lines[i], layers, width, opts.ClearanceM)
				select {
				case results <- result{i, rows}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range lines {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	pending := map[int][]Row{}
	next := 0
	var emitErr error
	for res := range results {
		if emitErr != nil {
			continue // drain while the workers stop
		}
		pending[res.i] = res.rows
		for {
			rows, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			for _, row := range rows {
				if err := emit(row); err != nil {
					emitErr = err
					cancel()
					break
				}
			}
			if emitErr != nil {
				break
			}
		}
	}
	if emitErr != nil {
		return emitErr
	}
	if next < len(lines) {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// lineRows checks one line of a run.
func (e *Engine) lineRows(ctx context.Context, ln Line, layers []*layerIndex, width, clearanceM float64) []Row {
	if !ln.Corridor.isZero() {
		width, _ = ln.Corridor.width(&e.cfg) // validated before the run
	}
	l, err := geo.PrepareLine(ln.Geom, e.cfg.MaxVertices)
	if err != nil {
		return []Row{{LineID: ln.ID, Kind: RowInvalidLine, RowWidthM: width, Error: err.Error()}}
	}
	res := checkLine(ctx, l, layers, width/2, clearanceM, 1, &e.meters) // the run is parallel across lines
	if res.err != nil {
		return nil
	}
	rows := make([]Row, 0, len(res.crossings)+len(res.nearMisses))
	total := l.LengthGeodesic()
	for _, c := range res.crossings {
		rows = append(rows, Row{
			LineID: ln.ID, Kind: RowCrossing, Layer: c.Layer, PolygonID: c.ID, Name: c.Name, Allocatee: c.Allocatee, Status: c.Status,
			RowWidthM: width, LineLengthM: total, LengthM: c.LengthM, Crossings: c.Crossings, CorridorAreaHa: c.CorridorAreaHa,
			ShareOfLinePct: c.ShareOfAlignmentPct, ShareOfPolygonPct: c.ShareOfPolygonPct, Pieces: c.Pieces.Coordinates,
		})
	}
	for _, n := range res.nearMisses {
		rows = append(rows, Row{
			LineID: ln.ID, Kind: RowNearMiss, Layer: n.Layer, PolygonID: n.ID, Name: n.Name, Allocatee: n.Allocatee, Status: n.Status,
			RowWidthM: width, LineLengthM: total, CorridorAreaHa: n.CorridorAreaHa, MinDistanceM: n.MinDistanceM,
			ShareOfPolygonPct: 0,
		})
	}
	return rows
}
