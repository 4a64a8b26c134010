package overlaps

import (
	"github.com/paulmach/orb"
)

// Alignment is one line to check: a LineString or MultiLineString in
// EPSG:4326, with an optional caller's ID echoed in the report.
type Alignment struct {
	ID   string
	Geom orb.Geometry
}

// Report is the answer to a check.
type Report struct {
	// Layers are the polygon layers checked, with the versions used.
	Layers []LayerVersion `json:"layers"`
	// RowWidthM is the right-of-way width used; the corridor is the
	// alignment buffered by half of it.
	RowWidthM float64 `json:"row_width_m"`
	// ClearanceM is the near-miss distance used.
	ClearanceM float64 `json:"clearance_m"`
	// Crossings has one entry per alignment and polygon crossed, in order
	// of alignment and then of first entry chainage.
	Crossings []Crossing `json:"crossings"`
	// NearMisses has one entry per alignment and polygon not crossed but
	// within the clearance (touching counts), nearest first.
	NearMisses []NearMiss `json:"near_misses"`
	// Alignments sums up each alignment.
	Alignments []AlignmentSummary `json:"alignments"`
	// Summary sums up the whole check.
	Summary Summary `json:"summary"`
}

// LayerVersion names a polygon layer and the version of its data.
type LayerVersion struct {
	Layer   string `json:"layer"`
	Version int64  `json:"version"`
}

// Waypoint is a point on an alignment. Its chainage is the geodesic
// distance from the alignment's start; the parts of a MultiLineString follow
// one another in order.
type Waypoint struct {
	Lon        float64 `json:"lon"`
	Lat        float64 `json:"lat"`
	ChainageKm float64 `json:"chainage_km"`
}

// Crossing is what an alignment does inside one polygon.
type Crossing struct {
	Alignment   int    `json:"alignment"` // index in the request
	AlignmentID string `json:"alignment_id,omitempty"`
	Layer       string `json:"layer"`
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	Allocatee   string `json:"allocatee,omitempty"`
	Status      string `json:"status,omitempty"`
	// LengthM is the geodesic length of the alignment inside the polygon
	// (its boundary included), in metres.
	LengthM float64 `json:"length_m"`
	// Crossings counts the connected stretches inside.
	Crossings int `json:"crossings"`
	// Entries and Exits are where each stretch comes in and goes out, in
	// the order of Pieces.
	Entries []Waypoint `json:"entries"`
	Exits   []Waypoint `json:"exits"`
	// CorridorAreaHa is the area of the polygon under the corridor, in
	// hectares.
	CorridorAreaHa float64 `json:"corridor_area_ha"`
	// PolygonAreaHa is the polygon's area, in hectares.
	PolygonAreaHa float64 `json:"polygon_area_ha"`
	// ShareOfAlignmentPct is LengthM as a percentage of the alignment's
	// length.
	ShareOfAlignmentPct float64 `json:"share_of_alignment_pct"`
	// ShareOfPolygonPct is CorridorAreaHa as a percentage of the
	// polygon's area.
	ShareOfPolygonPct float64 `json:"share_of_polygon_pct"`
	// Pieces are the stretches inside as a GeoJSON MultiLineString.
	Pieces MultiLineGeometry `json:"pieces"`
}

// MultiLineGeometry is a GeoJSON MultiLineString geometry.
type MultiLineGeometry struct {
	Type        string              `json:"type"` // always "MultiLineString"
	Coordinates orb.MultiLineString `json:"coordinates"`
}

// NearMiss is a polygon an alignment passes within the clearance of
// without crossing it.
type NearMiss struct {
	Alignment   int    `json:"alignment"`
	AlignmentID string `json:"alignment_id,omitempty"`
	Layer       string `json:"layer"`
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	Allocatee   string `json:"allocatee,omitempty"`
	Status      string `json:"status,omitempty"`
	// MinDistanceM is the shortest geodesic distance between the
	// alignment and the polygon, in metres; 0 when they touch.
	MinDistanceM float64 `json:"min_distance_m"`
	// CorridorAreaHa is the area of the polygon under the corridor when
	// the corridor reaches into it.
	CorridorAreaHa float64 `json:"corridor_area_ha,omitempty"`
}

// AlignmentSummary sums up one alignment.
type AlignmentSummary struct {
	Alignment   int     `json:"alignment"`
	AlignmentID string  `json:"alignment_id,omitempty"`
	LengthM     float64 `json:"length_m"`
	// LengthInsideM is the length inside any polygon checked, counted once
	// where polygons overlap.
	LengthInsideM   float64 `json:"length_inside_m"`
	ShareInsidePct  float64 `json:"share_inside_pct"`
	PolygonsCrossed int     `json:"polygons_crossed"`
	Crossings       int     `json:"crossings"`
	CorridorAreaHa  float64 `json:"corridor_area_ha"`
	NearMisses      int     `json:"near_misses"`
}

// Summary sums up a check over all its alignments.
type Summary struct {
	Alignments int     `json:"alignments"`
	LengthM    float64 `json:"length_m"`
	// PolygonsCrossed counts distinct polygons crossed by any alignment.
	PolygonsCrossed int     `json:"polygons_crossed"`
	Crossings       int     `json:"crossings"`
	LengthInsideM   float64 `json:"length_inside_m"`
	ShareInsidePct  float64 `json:"share_inside_pct"`
	CorridorAreaHa  float64 `json:"corridor_area_ha"`
	NearMisses      int     `json:"near_misses"`
}
