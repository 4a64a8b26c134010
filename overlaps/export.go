package overlaps

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// Feature is a GeoJSON feature of an export.
type Feature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id,omitempty"`
	Geometry   any            `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// FeatureCollection is a GeoJSON feature collection of an export.
type FeatureCollection struct {
	Type     string    `json:"type"`
	Features []Feature `json:"features"`
}

// ReportFeatures returns a check's crossings as GeoJSON features: the
// stretches of each alignment inside each polygon, with the crossing's
// figures as properties.
func ReportFeatures(rep *Report) FeatureCollection {
	fc := FeatureCollection{Type: "FeatureCollection", Features: []Feature{}}
	for _, c := range rep.Crossings {
		fc.Features = append(fc.Features, Feature{
			Type:     "Feature",
			ID:       c.Layer + "/" + c.ID + "/" + strconv.Itoa(c.Alignment),
			Geometry: c.Pieces,
			Properties: map[string]any{
				"kind": "crossing", "alignment": c.Alignment, "alignment_id": c.AlignmentID,
				"layer": c.Layer, "polygon_id": c.ID, "name": c.Name, "allocatee": c.Allocatee, "status": c.Status,
				"length_m": c.LengthM, "crossings": c.Crossings, "corridor_area_ha": c.CorridorAreaHa,
				"share_of_alignment_pct": c.ShareOfAlignmentPct, "share_of_polygon_pct": c.ShareOfPolygonPct,
				"entries": c.Entries, "exits": c.Exits,
			},
		})
	}
	return fc
}

func ff(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

func chainages(ws []Waypoint) string {
	parts := make([]string, len(ws))
	for i, p := range ws {
		parts[i] = ff(p.ChainageKm, 3)
	}
	return strings.Join(parts, ";")
}

// WriteReportCSV writes a check's report as CSV: one row per crossing and per
// near-miss; entry and exit chainages (km) are ;-separated lists.
func WriteReportCSV(w io.Writer, rep *Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"kind", "alignment", "alignment_id", "layer", "polygon_id", "name", "allocatee", "status",
		"length_m", "crossings", "entry_chainage_km", "exit_chainage_km", "corridor_area_ha",
		"share_of_alignment_pct", "share_of_polygon_pct", "min_distance_m"})
	for _, c := range rep.Crossings {
		_ = cw.Write([]string{"crossing", strconv.Itoa(c.Alignment), c.AlignmentID, c.Layer, c.ID, c.Name, c.Allocatee, c.Status,
			ff(c.LengthM, 1), strconv.Itoa(c.Crossings), chainages(c.Entries), chainages(c.Exits), ff(c.CorridorAreaHa, 3),
			ff(c.ShareOfAlignmentPct, 2), ff(c.ShareOfPolygonPct, 2), "0"})
	}
	for _, n := range rep.NearMisses {
		_ = cw.Write([]string{"near_miss", strconv.Itoa(n.Alignment), n.AlignmentID, n.Layer, n.ID, n.Name, n.Allocatee, n.Status,
			"0", "0", "", "", ff(n.CorridorAreaHa, 3), "0", "0", ff(n.MinDistanceM, 1)})
	}
	cw.Flush()
	return cw.Error()
}

// ResultWriter writes a run's rows in one export format.
type ResultWriter interface {
	Write(ResultRow) error
	Close() error
}

// NewResultWriter returns a writer of format csv, geojson or json.
func NewResultWriter(w io.Writer, format string) (ResultWriter, error) {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(ResultCSVHeader); err != nil {
			return nil, err
		}
		return &csvResults{cw: cw}, nil
	case "geojson":
		if _, err := io.WriteString(w, `{"type":"FeatureCollection","features":[`); err != nil {
			return nil, err
		}
		return &jsonResults{w: w, enc: json.NewEncoder(w), feature: true, end: "]}\n"}, nil
	case "json", "":
		if _, err := io.WriteString(w, `{"rows":[`); err != nil {
			return nil, err
		}
		return &jsonResults{w: w, enc: json.NewEncoder(w), end: "]}\n"}, nil
	}
	return nil, fmt.Errorf("overlaps: unknown export format %q (want csv, geojson or json)", format)
}

// ResultCSVHeader is the header of a run's CSV export: the pair, its
// figures, then the rest.
var ResultCSVHeader = []string{"line_layer", "line_id", "polygon_layer", "polygon_id", "length_m", "crossings", "corridor_area_ha",
	"kind", "name", "allocatee", "status", "row_width_m", "line_length_m", "share_of_line_pct", "share_of_polygon_pct",
	"min_distance_m", "error"}

type csvResults struct{ cw *csv.Writer }

func (c *csvResults) Write(x ResultRow) error {
	return c.cw.Write([]string{x.LineLayer, x.LineID, x.Layer, x.PolygonID, ff(x.LengthM, 1), strconv.Itoa(x.Crossings),
		ff(x.CorridorAreaHa, 3), x.Kind.String(), x.Name, x.Allocatee, x.Status, ff(x.RowWidthM, 1), ff(x.LineLengthM, 1),
		ff(x.ShareOfLinePct, 2), ff(x.ShareOfPolygonPct, 2), ff(x.MinDistanceM, 1), x.Error})
}

func (c *csvResults) Close() error {
	c.cw.Flush()
	return c.cw.Error()
}

type jsonResults struct {
	w       io.Writer
	enc     *json.Encoder
	feature bool
	n       int
	end     string
}

func (j *jsonResults) Write(x ResultRow) error {
	if j.n > 0 {
		if _, err := io.WriteString(j.w, ","); err != nil {
			return err
		}
	}
	j.n++
	if !j.feature {
		return j.enc.Encode(x)
	}
	var geom any
	if len(x.Pieces) > 0 {
		geom = MultiLineGeometry{Type: "MultiLineString", Coordinates: x.Pieces}
	}
	return j.enc.Encode(Feature{Type: "Feature", Geometry: geom, Properties: map[string]any{
		"line_layer": x.LineLayer, "line_id": x.LineID, "polygon_layer": x.Layer, "polygon_id": x.PolygonID,
		"kind": x.Kind.String(), "name": x.Name, "allocatee": x.Allocatee, "status": x.Status,
		"length_m": x.LengthM, "crossings": x.Crossings, "corridor_area_ha": x.CorridorAreaHa,
		"row_width_m": x.RowWidthM, "line_length_m": x.LineLengthM, "share_of_line_pct": x.ShareOfLinePct,
		"share_of_polygon_pct": x.ShareOfPolygonPct, "min_distance_m": x.MinDistanceM, "error": x.Error,
	}})
}

func (j *jsonResults) Close() error {
	_, err := io.WriteString(j.w, j.end)
	return err
}

// RerouteFeatures returns the original alignment and its alternatives as
// GeoJSON features.
func RerouteFeatures(orig Alignment, res *RerouteResult) FeatureCollection {
	fc := FeatureCollection{Type: "FeatureCollection", Features: []Feature{{
		Type: "Feature", ID: "original", Geometry: geojsonGeometry(orig.Geom),
		Properties: map[string]any{"kind": "original", "alignment_id": orig.ID, "length_m": res.Original.Summary.LengthM,
			"polygons_crossed": res.Original.Summary.PolygonsCrossed, "length_inside_m": res.Original.Summary.LengthInsideM},
	}}}
	for i, a := range res.Alternatives {
		fc.Features = append(fc.Features, Feature{
			Type: "Feature", ID: "alternative-" + strconv.Itoa(i+1), Geometry: a.Geometry,
			Properties: map[string]any{"kind": "alternative", "alignment_id": orig.ID, "length_m": a.LengthM,
				"added_length_m": a.AddedLengthM, "added_pct": a.AddedPct, "avoided": a.Avoided},
		})
	}
	return fc
}

func geojsonGeometry(g orb.Geometry) any {
	switch g := g.(type) {
	case orb.LineString:
		return LineGeometry{Type: "LineString", Coordinates: g}
	case orb.MultiLineString:
		return MultiLineGeometry{Type: "MultiLineString", Coordinates: g}
	}
	return nil
}
