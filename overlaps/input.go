package overlaps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/coalmap/coalmap/formats"
)

// ErrInput means an alignment document could not be read; the error is an
// *InputError saying where.
var ErrInput = errors.New("overlaps: unreadable alignment")

// InputError says what is wrong with an alignment document and where: the
// feature index (or -1) and, for JSON syntax errors, the byte offset.
type InputError struct {
	Feature int
	Offset  int64
	Reason  string
}

// Error names the place and the reason.
func (e *InputError) Error() string {
	switch {
	case e.Feature >= 0:
		return fmt.Sprintf("%v: feature %d: %s", ErrInput, e.Feature, e.Reason)
	case e.Offset > 0:
		return fmt.Sprintf("%v: at byte %d: %s", ErrInput, e.Offset, e.Reason)
	}
	return fmt.Sprintf("%v: %s", ErrInput, e.Reason)
}

// Unwrap returns ErrInput.
func (e *InputError) Unwrap() error { return ErrInput }

// ParseGeoJSON reads alignments from a GeoJSON Geometry, Feature or
// FeatureCollection. A feature's "id" (else its "name" property) becomes the
// alignment's ID. Geometry types are not checked here: Check refuses what is
// not a line, naming the alignment.
func ParseGeoJSON(doc []byte) ([]Alignment, error) {
	if as, err := parseFast(doc); err == nil {
		return as, nil
	}
	return parseExact(doc)
}

// parseExact reads any GeoJSON document through encoding/json, whose
// errors say what and where.
func parseExact(doc []byte) ([]Alignment, error) {
	// One pass over the document; geometries are decoded from their raw
	// bytes by type.
	var head struct {
		Type        string            `json:"type"`
		Features    []json.RawMessage `json:"features"`
		Coordinates json.RawMessage   `json:"coordinates"`
	}
	if err := json.Unmarshal(doc, &head); err != nil {
		return nil, jsonError(err)
	}
	switch head.Type {
	case "FeatureCollection":
		out := make([]Alignment, 0, len(head.Features))
		for i, raw := range head.Features {
			a, err := parseFeature(raw)
			if err != nil {
				return nil, &InputError{Feature: i, Reason: err.Error()}
			}
			out = append(out, a)
		}
		return out, nil
	case "Feature":
		a, err := parseFeature(doc)
		if err != nil {
			return nil, &InputError{Feature: 0, Reason: err.Error()}
		}
		return []Alignment{a}, nil
	case "":
		return nil, &InputError{Feature: -1, Reason: `not a GeoJSON object: no "type" member`}
	case "LineString":
		var ls orb.LineString
		if err := json.Unmarshal(head.Coordinates, &ls); err != nil {
			return nil, &InputError{Feature: -1, Reason: "LineString coordinates: " + err.Error()}
		}
		return []Alignment{{Geom: ls}}, nil
	case "MultiLineString":
		var mls orb.MultiLineString
		if err := json.Unmarshal(head.Coordinates, &mls); err != nil {
			return nil, &InputError{Feature: -1, Reason: "MultiLineString coordinates: " + err.Error()}
		}
		return []Alignment{{Geom: mls}}, nil
	}
	g, err := geojson.UnmarshalGeometry(doc)
	if err != nil {
		return nil, &InputError{Feature: -1, Reason: err.Error()}
	}
	if g.Coordinates == nil {
		return nil, &InputError{Feature: -1, Reason: fmt.Sprintf("unknown GeoJSON type %q", head.Type)}
	}
	return []Alignment{{Geom: g.Coordinates}}, nil
}

func parseFeature(raw []byte) (Alignment, error) {
	f, err := geojson.UnmarshalFeature(raw)
	if err != nil {
		return Alignment{}, err
	}
	if f.Geometry == nil {
		return Alignment{}, errors.New("feature has no geometry")
	}
	return Alignment{ID: featureID(f), Geom: f.Geometry}, nil
}

func featureID(f *geojson.Feature) string {
	switch id := f.ID.(type) {
	case string:
		return id
	case float64:
		return formatID(id)
	}
	if name, ok := f.Properties["name"].(string); ok {
		return name
	}
	return ""
}

// formatID writes a numeric feature id.
func formatID(id float64) string { return strconv.FormatFloat(id, 'f', -1, 64) }

func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &InputError{Feature: -1, Offset: se.Offset, Reason: "malformed JSON: " + se.Error()}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &InputError{Feature: -1, Offset: te.Offset, Reason: fmt.Sprintf("%s should be %s", te.Field, te.Type)}
	}
	return &InputError{Feature: -1, Reason: err.Error()}
}

// ParseAlignments reads alignments from a document: GeoJSON (Geometry,
// Feature or FeatureCollection), KML or KMZ, told apart by their first bytes.
func ParseAlignments(doc []byte) ([]Alignment, error) {
	doc = bytes.TrimSpace(doc)
	switch {
	case len(doc) == 0:
		return nil, &InputError{Feature: -1, Reason: "empty document: post a GeoJSON LineString, Feature or FeatureCollection, or a KML document"}
	case doc[0] == '{':
		return ParseGeoJSON(doc)
	case doc[0] == '<':
		return parseViaFile(doc, "kml")
	case bytes.HasPrefix(doc, []byte("PK")):
		return parseViaFile(doc, "kmz")
	}
	return nil, &InputError{Feature: -1, Reason: "not GeoJSON, KML or KMZ"}
}

// ReadAlignmentsFile reads the alignments of a file: GeoJSON, KML, KMZ, or
// anything package formats reads. Features whose geometry is not a line
// (tower points in a KML, say) are kept, and Check refuses them by index.
func ReadAlignmentsFile(path string) ([]Alignment, error) {
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".geojson" || ext == ".json" {
		doc, err := os.ReadFile(path)
		if err != nil {
			return nil, &InputError{Feature: -1, Reason: err.Error()}
		}
		return ParseGeoJSON(doc)
	}
	src, err := formats.Open(path, formats.Options{})
	if err != nil {
		return nil, &InputError{Feature: -1, Reason: err.Error()}
	}
	defer src.Close()
	var out []Alignment
	for {
		f, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &InputError{Feature: len(out), Reason: err.Error()}
		}
		if f.Geometry == nil {
			continue
		}
		id := f.ID
		if id == "" {
			if name, ok := f.Properties["name"].(string); ok {
				id = name
			}
		}
		out = append(out, Alignment{ID: id, Geom: f.Geometry})
	}
	return out, nil
}

// parseViaFile reads a KML or KMZ document through package formats, whose
// readers take files.
func parseViaFile(doc []byte, format string) ([]Alignment, error) {
	f, err := os.CreateTemp("", "coalmap-alignment-*."+format)
	if err != nil {
		return nil, fmt.Errorf("overlaps: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(doc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("overlaps: %w", err)
	}
	return ReadAlignmentsFile(f.Name())
}
