package overlaps

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// CorridorKind says what runs in a corridor.
type CorridorKind string

// The corridor kinds of the table.
const (
	KindTransmission CorridorKind = "transmission"
	KindRail         CorridorKind = "rail"
	KindCustom       CorridorKind = "custom" // an explicit width
)

// CorridorSpec is one row of the right-of-way table: a voltage and circuit
// configuration (or rail) and its width, with the shortest straight section
// between two angle points a route of that kind should have.
type CorridorSpec struct {
	ID          string       `json:"id"`
	Kind        CorridorKind `json:"kind"`
	VoltageKV   int          `json:"voltage_kv,omitempty"`
	Circuit     string       `json:"circuit,omitempty"`
	RowWidthM   float64      `json:"row_width_m"`
	Label       string       `json:"label"`
	MinSectionM float64      `json:"min_section_m"`
	// Default marks the row used for its voltage when a request names no
	// circuit (765 kV: single circuit delta, the narrowest).
	Default bool `json:"default_for_voltage,omitempty"`
}

// Circuit configurations of the table.
const (
	CircuitSCDelta      = "sc-delta"
	CircuitDC           = "dc"
	CircuitSCHorizontal = "sc-horizontal"
	CircuitHVDCBipole   = "hvdc-bipole"
)

// DefaultCorridors returns the right-of-way table of the Ministry of
// Power's guidelines for transmission lines (width by voltage and circuit
// configuration) and the common planning width of a railway. The minimum
// section is about one span of the voltage (angle towers stand at least a
// span apart) and, for rail, the shortest straight worth laying between two
// curves at planning scale.
func DefaultCorridors() []CorridorSpec {
	return []CorridorSpec{
		{ID: "765-sc-delta", Kind: KindTransmission, VoltageKV: 765, Circuit: CircuitSCDelta, RowWidthM: 64, Label: "765 kV S/C delta", MinSectionM: 400, Default: true},
		{ID: "765-dc", Kind: KindTransmission, VoltageKV: 765, Circuit: CircuitDC, RowWidthM: 67, Label: "765 kV D/C", MinSectionM: 400},
		{ID: "765-sc-horizontal", Kind: KindTransmission, VoltageKV: 765, Circuit: CircuitSCHorizontal, RowWidthM: 85, Label: "765 kV S/C horizontal", MinSectionM: 400},
		{ID: "500-hvdc", Kind: KindTransmission, VoltageKV: 500, Circuit: CircuitHVDCBipole, RowWidthM: 52, Label: "±500 kV HVDC bipole", MinSectionM: 400, Default: true},
		{ID: "400", Kind: KindTransmission, VoltageKV: 400, RowWidthM: 46, Label: "400 kV S/C or D/C", MinSectionM: 350, Default: true},
		{ID: "220", Kind: KindTransmission, VoltageKV: 220, RowWidthM: 35, Label: "220 kV", MinSectionM: 300, Default: true},
		{ID: "132", Kind: KindTransmission, VoltageKV: 132, RowWidthM: 27, Label: "132 kV", MinSectionM: 250, Default: true},
		{ID: "110", Kind: KindTransmission, VoltageKV: 110, RowWidthM: 22, Label: "110 kV", MinSectionM: 250, Default: true},
		{ID: "66", Kind: KindTransmission, VoltageKV: 66, RowWidthM: 18, Label: "66 kV", MinSectionM: 200, Default: true},
		{ID: "rail", Kind: KindRail, RowWidthM: 46, Label: "Railway (planning width)", MinSectionM: 300, Default: true},
	}
}

// DefaultCorridorID is the row used when a request names no corridor: a
// 46 m right of way, rail's planning width.
const DefaultCorridorID = "rail"

// Corridors returns the engine's right-of-way table and the id of the row
// used when a request names no corridor.
func (e *Engine) Corridors() ([]CorridorSpec, string) {
	return slices.Clone(e.cfg.Corridors), e.cfg.DefaultCorridor
}

// lookup finds the table's row for a voltage and circuit.
func lookupCorridor(table []CorridorSpec, kv int, circuit string) (CorridorSpec, error) {
	var rows []CorridorSpec
	for _, c := range table {
		if c.Kind == KindTransmission && c.VoltageKV == kv {
			rows = append(rows, c)
		}
	}
	if len(rows) == 0 {
		var kvs []int
		for _, c := range table {
			if c.Kind == KindTransmission && !slices.Contains(kvs, c.VoltageKV) {
				kvs = append(kvs, c.VoltageKV)
			}
		}
		slices.Sort(kvs)
		known := make([]string, len(kvs))
		for i, v := range kvs {
			known[i] = strconv.Itoa(v)
		}
		return CorridorSpec{}, &OptionError{Field: "voltage_kv", Reason: fmt.Sprintf("no right-of-way width for %d kV (known: %s)", kv, strings.Join(known, ", "))}
	}
	if circuit == "" {
		for _, c := range rows {
			if c.Default {
				return c, nil
			}
		}
		return rows[0], nil
	}
	for _, c := range rows {
		if c.Circuit == circuit {
			return c, nil
		}
	}
	if len(rows) == 1 && (circuit == "sc" || circuit == "dc" || circuit == rows[0].Circuit) {
		// One width whatever the circuit.
		return rows[0], nil
	}
	var valid []string
	for _, c := range rows {
		if c.Circuit != "" {
			valid = append(valid, c.Circuit)
		}
	}
	if len(valid) == 0 {
		valid = []string{"sc", "dc"}
	}
	return CorridorSpec{}, &OptionError{Field: "circuit", Reason: fmt.Sprintf("no %d kV configuration %q (known: %s)", kv, circuit, strings.Join(valid, ", "))}
}

// resolve returns the corridor's row of the table: an explicit width (a
// custom row, with the default row's minimum section), a voltage and
// circuit, rail, or the default row.
func (c Corridor) resolve(cfg *Config) (CorridorSpec, error) {
	switch {
	case math.IsNaN(c.RowWidthM) || c.RowWidthM < 0 || math.IsInf(c.RowWidthM, 0):
		return CorridorSpec{}, &OptionError{Field: "row_width_m", Reason: fmt.Sprintf("must be a positive number of metres, got %v", c.RowWidthM)}
	case c.RowWidthM > cfg.MaxRowWidthM:
		return CorridorSpec{}, &OptionError{Field: "row_width_m", Reason: fmt.Sprintf("at most %g m, got %g", cfg.MaxRowWidthM, c.RowWidthM)}
	case c.VoltageKV < 0:
		return CorridorSpec{}, &OptionError{Field: "voltage_kv", Reason: fmt.Sprintf("must be positive, got %d", c.VoltageKV)}
	case c.Circuit != "" && c.VoltageKV == 0:
		return CorridorSpec{}, &OptionError{Field: "circuit", Reason: "needs voltage_kv"}
	case c.RowWidthM > 0:
		def := cfg.defaultCorridor()
		if c.Rail {
			def = cfg.railCorridor()
		}
		return CorridorSpec{ID: "custom", Kind: KindCustom, RowWidthM: c.RowWidthM, Label: fmt.Sprintf("%g m right of way", c.RowWidthM), MinSectionM: def.MinSectionM}, nil
	case c.VoltageKV > 0:
		return lookupCorridor(cfg.Corridors, c.VoltageKV, c.Circuit)
	case c.Rail:
		return cfg.railCorridor(), nil
	}
	return cfg.defaultCorridor(), nil
}

// width resolves the right-of-way width in metres.
func (c Corridor) width(cfg *Config) (float64, error) {
	s, err := c.resolve(cfg)
	return s.RowWidthM, err
}

func (cfg *Config) defaultCorridor() CorridorSpec {
	for _, c := range cfg.Corridors {
		if c.ID == cfg.DefaultCorridor {
			return c
		}
	}
	return CorridorSpec{ID: "custom", Kind: KindCustom, RowWidthM: 46, Label: "46 m right of way", MinSectionM: 300}
}

func (cfg *Config) railCorridor() CorridorSpec {
	for _, c := range cfg.Corridors {
		if c.Kind == KindRail {
			return c
		}
	}
	return cfg.defaultCorridor()
}
