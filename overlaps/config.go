package overlaps

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/paulmach/orb"
)

// Polygon is one feature of a polygon layer as a PolygonSource hands it
// over: geometry in EPSG:4326.
type Polygon struct {
	ID    string
	Props map[string]any
	Geom  orb.MultiPolygon
}

// PolygonSource gives the engine the features of a polygon layer with the
// layer's version, which changes whenever the layer's data does. Package
// postgis implements it. An unknown layer is an error (never an empty
// slice), preferably wrapping layers.ErrNotFound.
type PolygonSource interface {
	Polygons(ctx context.Context, layer string) (version int64, feats []Polygon, err error)
}

// Config holds the engine's settings. The zero value of a field means its
// default (see DefaultConfig).
type Config struct {
	// DefaultLayers are the polygon layers checked when a request names
	// none: coal_blocks.
	DefaultLayers []string
	// Corridors is the right-of-way table: DefaultCorridors().
	Corridors []CorridorSpec
	// DefaultCorridor is the id of the row used when a request gives
	// neither a width, a voltage nor rail: DefaultCorridorID (46 m).
	DefaultCorridor string
	// Lines gives the line layers that routes count crossings of and run
	// parallel to; nil means routes take no line layers.
	Lines LineSource
	// MaxClearanceM bounds the near-miss clearance: 5,000 m.
	MaxClearanceM float64
	// MaxRowWidthM bounds the right-of-way width: 1,000 m.
	MaxRowWidthM float64
	// MaxVertices bounds the vertices of one alignment: 100,000.
	MaxVertices int
	// MaxAlignments bounds the alignments of one check: 1,000.
	MaxAlignments int
	// MaxBytes bounds the memory held by loaded layers, roughly; the least
	// recently used layers are dropped beyond it (a layer in use is kept
	// even when it alone exceeds the bound): 1 GiB.
	MaxBytes int64
	// MaxCellEdges is the number of edges above which a polygon is
	// subdivided in the index: geo.DefaultMaxCellEdges.
	MaxCellEdges int
	// Workers bounds the goroutines of a Run, and of one Check, which
	// spreads its candidate polygons over them: GOMAXPROCS.
	Workers int
	// NameProps, AllocateeProps and StatusProps are the feature
	// properties, in order of preference, reported as a polygon's name,
	// allocatee and status.
	NameProps      []string
	AllocateeProps []string
	StatusProps    []string
	// CurrentVersion, when set, tells the current data version of a layer
	// (from the catalog); a loaded layer of another version is reloaded
	// before use, so that checks never answer from replaced data.
	CurrentVersion func(layer string) (version int64, ok bool)
}

// DefaultConfig returns the defaults: the right-of-way table of
// DefaultCorridors (765 kV S/C delta 64 m, D/C 67 m, S/C horizontal 85 m,
// 400 kV 46 m and the lower voltages, rail 46 m), coal_blocks.
func DefaultConfig() Config {
	return Config{
		DefaultLayers:   []string{"coal_blocks"},
		Corridors:       DefaultCorridors(),
		DefaultCorridor: DefaultCorridorID,
		MaxClearanceM:   5000,
		MaxRowWidthM:    1000,
		MaxVertices:     100_000,
		MaxAlignments:   1000,
		MaxBytes:        1 << 30,
		Workers:         runtime.GOMAXPROCS(0),
		NameProps:       []string{"name", "block_name"},
		AllocateeProps:  []string{"allocatee", "allottee", "allocated_to"},
		StatusProps:     []string{"status"},
	}
}

// withDefaults fills the zero fields of c from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if len(c.DefaultLayers) == 0 {
		c.DefaultLayers = d.DefaultLayers
	}
	if c.Corridors == nil {
		c.Corridors = d.Corridors
	}
	if c.DefaultCorridor == "" {
		c.DefaultCorridor = d.DefaultCorridor
	}
	if c.MaxClearanceM == 0 {
		c.MaxClearanceM = d.MaxClearanceM
	}
	if c.MaxRowWidthM == 0 {
		c.MaxRowWidthM = d.MaxRowWidthM
	}
	if c.MaxVertices == 0 {
		c.MaxVertices = d.MaxVertices
	}
	if c.MaxAlignments == 0 {
		c.MaxAlignments = d.MaxAlignments
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = d.MaxBytes
	}
	if c.Workers <= 0 {
		c.Workers = d.Workers
	}
	if c.NameProps == nil {
		c.NameProps = d.NameProps
	}
	if c.AllocateeProps == nil {
		c.AllocateeProps = d.AllocateeProps
	}
	if c.StatusProps == nil {
		c.StatusProps = d.StatusProps
	}
	return c
}

// Corridor says how wide an alignment's right of way is: an explicit width,
// or a voltage (and circuit configuration) looked up in Config.Corridors, or
// rail. The first one set wins; with none set, Config.DefaultCorridor
// applies.
type Corridor struct {
	RowWidthM float64 // metres, > 0 when set
	VoltageKV int     // kV, > 0 when set
	// Circuit is the configuration of the voltage's row: "sc-delta",
	// "dc", "sc-horizontal" at 765 kV; empty means the voltage's default
	// row (765 kV: sc-delta).
	Circuit string
	Rail    bool
}

func (c Corridor) isZero() bool { return c == Corridor{} }

// Options are the parameters of a check.
type Options struct {
	// Layers are the polygon layers to check against; none means
	// Config.DefaultLayers.
	Layers []string
	// Corridor gives the right-of-way width; the corridor is the
	// alignment buffered by half of it.
	Corridor Corridor
	// ClearanceM is the near-miss distance in metres: polygons not crossed
	// but within it are reported with their distance (45 m is the mining
	// set-back of the Coal Mines Regulations). Zero reports only polygons
	// the alignment touches.
	ClearanceM float64
}

func (o *Options) resolve(cfg *Config) (layers []string, width float64, err error) {
	width, err = o.Corridor.width(cfg)
	if err != nil {
		return nil, 0, err
	}
	if math.IsNaN(o.ClearanceM) || o.ClearanceM < 0 {
		return nil, 0, &OptionError{Field: "clearance_m", Reason: fmt.Sprintf("must be zero or more metres, got %v", o.ClearanceM)}
	}
	if o.ClearanceM > cfg.MaxClearanceM {
		return nil, 0, &OptionError{Field: "clearance_m", Reason: fmt.Sprintf("at most %g m, got %g", cfg.MaxClearanceM, o.ClearanceM)}
	}
	layers = o.Layers
	if len(layers) == 0 {
		layers = cfg.DefaultLayers
	}
	out := make([]string, 0, len(layers))
	for _, l := range layers {
		if l == "" {
			return nil, 0, &OptionError{Field: "against", Reason: "empty layer name"}
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out, width, nil
}
