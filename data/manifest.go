package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/coalmap/coalmap/layers"
)

// Manifest lists the layers of a catalog: their metadata and where their
// features come from (a file to import, or the demo generator).
type Manifest struct {
	Layers []Entry `json:"layers"`
}

// Entry is one layer of a manifest.
type Entry struct {
	layers.Layer // metadata, inline in JSON

	// Source is the file to import, relative to the manifest.
	Source string `json:"source,omitempty"`
	// SRID is the source's CRS when the file does not say (0: from the file).
	SRID int `json:"source_srid,omitempty"`
	// Generator says how the demo makes the layer's features.
	Generator *Generator `json:"generator,omitempty"`
}

// Generator describes how the demo generates a layer's features. Kind selects
// the shape of the features and where they go; the rest tunes it. Text and
// number attributes that the kind does not set are drawn from Values (one of
// the listed strings, converted to the attribute's type) or Ranges ([lo, hi];
// for a date attribute, years).
type Generator struct {
	Kind     string                `json:"kind"`
	Count    int                   `json:"count,omitempty"`
	Filter   string                `json:"filter,omitempty"`
	SizeKm   []float64             `json:"size_km,omitempty"`  // [lo, hi]: mean radius of polygons, length of lines
	Vertices []int                 `json:"vertices,omitempty"` // [lo, hi] vertices per feature
	StepKm   float64               `json:"step_km,omitempty"`  // vertex spacing of lines
	Label    string                `json:"label,omitempty"`    // appended to generated names, e.g. " 400 kV S/C line"
	LabelHi  string                `json:"label_hi,omitempty"` // the same in Hindi
	Values   map[string][]string   `json:"values,omitempty"`
	Ranges   map[string][2]float64 `json:"ranges,omitempty"`
}

// Generator kinds.
const (
	KindCoalfields = "coalfields" // field outlines; filter coal|lignite
	KindBlocks     = "blocks"     // the shared block set; filter (see blockFilters)
	KindMines      = "mines"      // mine points of the blocks; filter opencast|underground|mixed|closed|all
	KindPoints     = "points"     // points; filter is the anchor (see anchors)
	KindPolygons   = "polygons"   // star polygons; filter is the anchor
	KindLines      = "lines"      // short lines from an anchor
	KindNetwork    = "network"    // long lines across the belt (with the real-case alignments of the layer)
	KindRivers     = "rivers"     // named rivers and their tributaries
	KindDistricts  = "districts"  // the district tessellation
	KindStates     = "states"     // unions of districts
	KindSheets     = "sheets"     // the 15′ topographic sheet index
)

var kinds = []string{KindCoalfields, KindBlocks, KindMines, KindPoints, KindPolygons, KindLines, KindNetwork, KindRivers, KindDistricts, KindStates, KindSheets}

// Anchors: where points, polygons and lines go.
const (
	AnchorFields      = "fields"      // inside the coalfields (coal only)
	AnchorNear        = "near"        // in and around the coalfields (twice their size)
	AnchorBlocks      = "blocks"      // inside the coal blocks
	AnchorMines       = "mines"       // inside the blocks that have (or had) a mine
	AnchorBelt        = "belt"        // anywhere on land in the coal belt, denser near the fields
	AnchorLignite     = "lignite"     // inside the lignite fields
	AnchorPlants      = "plants"      // round the real thermal power stations
	AnchorSubstations = "substations" // the real substations
)

var anchors = []string{AnchorFields, AnchorNear, AnchorBlocks, AnchorMines, AnchorBelt, AnchorLignite, AnchorPlants, AnchorSubstations}

var blockFilters = []string{"coal", "lignite", "allocated", "auctioned", "allotted", "cil", "captive", "offered", "explored", "unexplored", "resources"}

var reservedColumns = []string{layers.ColumnFID, layers.ColumnFeatureID, layers.ColumnGeom}

// ParseManifest reads a manifest strictly: an unknown field is an error that
// names the layer and the field, and the manifest must validate.
func ParseManifest(r io.Reader) (Manifest, error) {
	var top struct {
		Layers []json.RawMessage `json:"layers"`
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&top); err != nil {
		return Manifest{}, fmt.Errorf("data: manifest: %w", err)
	}
	if dec.More() {
		return Manifest{}, fmt.Errorf("data: manifest: trailing data after the manifest object")
	}
	m := Manifest{Layers: make([]Entry, 0, len(top.Layers))}
	for i, raw := range top.Layers {
		var e Entry
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			var id struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(raw, &id)
			return Manifest{}, fmt.Errorf("data: manifest: layer %d (%q): %w", i, id.ID, err)
		}
		m.Layers = append(m.Layers, e)
	}
	if err := m.Validate(); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// WriteJSON writes the manifest as indented JSON that ParseManifest reads back.
func (m Manifest) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(m)
}

// Layer returns the entry with id.
func (m Manifest) Layer(id string) (Entry, error) {
	for _, e := range m.Layers {
		if e.ID == id {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("data: layer %q: %w", id, layers.ErrNotFound)
}

func invalid(id, field, format string, args ...any) error {
	return fmt.Errorf("data: layer %q: %w", id, &layers.ValidationError{Feature: -1, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// Validate checks every entry: ids, required metadata, the attribute
// dictionary and the generator. Errors match layers.ErrInvalid.
func (m Manifest) Validate() error {
	if len(m.Layers) == 0 {
		return fmt.Errorf("data: manifest has no layers: %w", layers.ErrInvalid)
	}
	seen := map[string]bool{}
	var errs []error
	for i, e := range m.Layers {
		if !layers.ValidID(e.ID) {
			errs = append(errs, invalid(e.ID, fmt.Sprintf("layers[%d].id", i), "not a valid layer id (lower-case letters, digits, _; 1–63)"))
			continue
		}
		if seen[e.ID] {
			errs = append(errs, invalid(e.ID, "id", "duplicate layer id"))
		}
		seen[e.ID] = true
		if err := e.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

var geometryTypes = []layers.GeometryType{layers.Point, layers.MultiPoint, layers.LineString, layers.MultiLineString, layers.Polygon, layers.MultiPolygon}
var attrTypes = []layers.AttrType{layers.Text, layers.Integer, layers.Real, layers.Boolean, layers.Date, layers.Timestamp}

// Validate checks one entry.
func (e Entry) Validate() error {
	id := e.ID
	var errs []error
	bad := func(field, format string, args ...any) { errs = append(errs, invalid(id, field, format, args...)) }
	if e.Title == "" {
		bad("title", "missing")
	}
	if e.Description == "" {
		bad("description", "missing")
	}
	if e.Category == "" {
		bad("category", "missing")
	}
	if e.Owner == "" {
		bad("owner", "missing")
	}
	if !slices.Contains(geometryTypes, e.GeometryType) {
		bad("geometry_type", "unknown geometry type %q", e.GeometryType)
	}
	if e.Layer.SRID != 0 && e.Layer.SRID != layers.StorageSRID {
		bad("srid", "layers are stored in EPSG:%d, not %d", layers.StorageSRID, e.Layer.SRID)
	}
	if e.MinZoom < 0 || e.MaxZoom > 24 || e.MinZoom > e.MaxZoom {
		bad("min_zoom", "zoom range %d–%d outside 0–24 or reversed", e.MinZoom, e.MaxZoom)
	}
	if e.Access != layers.Public && e.Access != layers.Restricted {
		bad("access", "unknown access %d", e.Access)
	}
	names := map[string]bool{}
	for i, a := range e.Attributes {
		f := fmt.Sprintf("attributes[%d]", i)
		switch {
		case !layers.ValidID(a.Name):
			bad(f+".name", "%q is not a valid column name", a.Name)
		case slices.Contains(reservedColumns, a.Name):
			bad(f+".name", "%q is a reserved column", a.Name)
		case names[a.Name]:
			bad(f+".name", "duplicate attribute %q", a.Name)
		}
		names[a.Name] = true
		if !slices.Contains(attrTypes, a.Type) {
			bad(f+".type", "unknown type %q", a.TypeName())
		}
	}
	if e.Source == "" && e.Generator == nil {
		bad("source", "neither a source file nor a generator")
	}
	if e.SRID < 0 {
		bad("source_srid", "negative SRID %d", e.SRID)
	}
	if g := e.Generator; g != nil {
		if !slices.Contains(kinds, g.Kind) {
			bad("generator.kind", "unknown kind %q", g.Kind)
		}
		if g.Count < 0 {
			bad("generator.count", "negative count %d", g.Count)
		}
		switch g.Kind {
		case KindPoints, KindPolygons, KindLines:
			if !slices.Contains(anchors, g.Filter) {
				bad("generator.filter", "unknown anchor %q for kind %s", g.Filter, g.Kind)
			}
		case KindBlocks:
			if g.Filter != "" && !slices.Contains(blockFilters, g.Filter) {
				bad("generator.filter", "unknown block filter %q", g.Filter)
			}
		}
		if len(g.SizeKm) != 0 && (len(g.SizeKm) != 2 || g.SizeKm[0] <= 0 || g.SizeKm[0] > g.SizeKm[1]) {
			bad("generator.size_km", "want [lo, hi] with 0 < lo ≤ hi")
		}
		if len(g.Vertices) != 0 && (len(g.Vertices) != 2 || g.Vertices[0] < 2 || g.Vertices[0] > g.Vertices[1]) {
			bad("generator.vertices", "want [lo, hi] with 2 ≤ lo ≤ hi")
		}
		byName := map[string]layers.Attribute{}
		for _, a := range e.Attributes {
			byName[a.Name] = a
		}
		for _, k := range sortedKeys(g.Values) {
			a, ok := byName[k]
			if !ok {
				bad("generator.values."+k, "not an attribute of the layer")
				continue
			}
			if len(g.Values[k]) == 0 {
				bad("generator.values."+k, "no values")
			}
			for _, v := range g.Values[k] {
				if _, err := convert(a.Type, v); err != nil {
					bad("generator.values."+k, "%v", err)
				}
			}
		}
		for _, k := range sortedKeys(g.Ranges) {
			a, ok := byName[k]
			if !ok {
				bad("generator.ranges."+k, "not an attribute of the layer")
				continue
			}
			if a.Type != layers.Integer && a.Type != layers.Real && a.Type != layers.Date {
				bad("generator.ranges."+k, "a range needs an integer, real or date attribute, not %s", a.Type)
			}
			if rg := g.Ranges[k]; rg[0] > rg[1] {
				bad("generator.ranges."+k, "reversed range")
			}
		}
	}
	return errors.Join(errs...)
}

// convert turns a manifest string into a property value of type t.
func convert(t layers.AttrType, s string) (any, error) {
	switch t {
	case layers.Text:
		return s, nil
	case layers.Integer:
		return strconv.Atoi(s)
	case layers.Real:
		return strconv.ParseFloat(s, 64)
	case layers.Boolean:
		return strconv.ParseBool(s)
	case layers.Date:
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return nil, err
		}
		return s, nil
	case layers.Timestamp:
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("unknown type %q", t)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// DefaultSeed is the seed the demo catalog is loaded with.
const DefaultSeed int64 = 1

// GeneratorVersion changes whenever the generator's output for a given entry
// and seed changes (testdata/features.golden pins it). A loader that skips
// unchanged layers by checksum should fold it in with the entry and the
// seed.
const GeneratorVersion = 5
