package layers

import (
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/geo"
)

// StorageSRID is the SRID every layer table stores its geometries in (WGS 84).
const StorageSRID = geo.SRIDWGS84

// Layer is one entry of the catalog: a real PostGIS table and the metadata that
// describes it, modelled on the core of IS 16439 / ISO 19115 and on OGC API –
// Records. The JSON form is the one the manifest, the API and the database use.
type Layer struct {
	ID              string       `json:"id"`
	Title           string       `json:"title"`
	TitleHi         string       `json:"title_hi,omitempty"`
	Description     string       `json:"description"`
	Category        Category     `json:"category"`
	Keywords        []string     `json:"keywords"`
	Owner           string       `json:"owner"`
	Custodian       Contact      `json:"custodian"`
	GeometryType    GeometryType `json:"geometry_type"`
	SRID            int          `json:"srid"`
	SourceCRS       string       `json:"source_crs,omitempty"`
	Scale           string       `json:"scale,omitempty"`
	Accuracy        string       `json:"accuracy,omitempty"`
	Lineage         Lineage      `json:"lineage"`
	FeatureCount    int64        `json:"feature_count"`
	Extent          *Extent      `json:"extent,omitempty"`
	Attributes      []Attribute  `json:"attributes"`
	Status          string       `json:"status,omitempty"`
	UpdateFrequency string       `json:"update_frequency,omitempty"`
	RevisedAt       *time.Time   `json:"revised_at,omitempty"`
	License         string       `json:"license,omitempty"`
	Access          Access       `json:"access"`
	MinZoom         int          `json:"min_zoom"`
	MaxZoom         int          `json:"max_zoom"`
	Style           Style        `json:"style"`
	DataVersion     int64        `json:"data_version"`
	// MetadataVersion counts the changes of the descriptive metadata (a
	// metadata update bumps it, not DataVersion).
	MetadataVersion int64     `json:"-"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Contact is the party responsible for a layer's content.
type Contact struct {
	Name         string `json:"name,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	Email        string `json:"email,omitempty"`
	Phone        string `json:"phone,omitempty"`
}

// Lineage says where a layer's current data came from.
type Lineage struct {
	Statement  string     `json:"statement,omitempty"`
	Source     string     `json:"source,omitempty"`
	Checksum   string     `json:"checksum,omitempty"`
	ImportedAt *time.Time `json:"imported_at,omitempty"`
	ImportedBy string     `json:"imported_by,omitempty"`
}

// Style is a layer's default cartography for maps: colours as "#rrggbb"
// (or "#rgb", "#rrggbbaa"), widths and radii in pixels, a dash pattern in
// multiples of the line width. Package styles turns it into MapLibre style
// layers.
type Style struct {
	Color       string  `json:"color"`
	FillColor   string  `json:"fill_color,omitempty"`
	FillOpacity float64 `json:"fill_opacity,omitempty"`
	LineWidth   float64 `json:"line_width,omitempty"`
	LineDash    []int   `json:"line_dash,omitempty"`
	Radius      float64 `json:"radius,omitempty"`
	// Icon names a symbol of the service's sprite (GET /styles/sprite.json),
	// drawn over a point's circle from zoom 11, or along a line; empty for
	// none. A name the sprite lacks is drawn as the plain circle or line.
	Icon string `json:"icon,omitempty"`
}

// Attribute is one entry of a layer's attribute dictionary: a typed column of
// the layer table.
type Attribute struct {
	Name        string   `json:"name"`
	Alias       string   `json:"alias,omitempty"`
	Type        AttrType `json:"type"`
	Unit        string   `json:"unit,omitempty"`
	LabelHi     string   `json:"label_hi,omitempty"`
	Description string   `json:"description,omitempty"`

	// typeName is the type's name as read, when it names no type (Validate
	// quotes it).
	typeName string
}

// UnmarshalJSON reads an attribute; a type that names none of the
// attribute types is kept as an invalid one, for Validate to name.
func (a *Attribute) UnmarshalJSON(b []byte) error {
	type plain Attribute
	var v struct {
		plain
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*a = Attribute(v.plain)
	t, err := formats.ParseFieldType(v.Type)
	if err != nil {
		a.Type, a.typeName = t, v.Type
	} else {
		a.Type = t
	}
	return nil
}

// TypeName is the name of the attribute's type as the input spelled it (for an
// invalid type too).
func (a *Attribute) TypeName() string {
	if a.typeName != "" || !a.Type.Valid() {
		return a.typeName
	}
	return a.Type.String()
}

// Reserved column names of every layer table. An imported attribute with one of
// these names is renamed.
const (
	ColumnFID       = "fid"        // bigint primary key, 1… in source order; keyset paging and MVT ids
	ColumnFeatureID = "feature_id" // text, unique: the feature's own id from the source, else fid
	ColumnGeom      = "geom"       // geometry(<type>, 4326) with a GiST index
)

// Schema is the PostgreSQL schema that holds the layer tables.
const Schema = "layers"

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// ValidID reports whether id can name a layer: a lower-case slug that is also a
// safe PostgreSQL identifier.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Access is a layer's access class.
type Access int

// Access classes. Restricted layers are invisible to callers without a grant.
const (
	Public Access = iota
	Restricted
)

var accessNames = [...]string{Public: "public", Restricted: "restricted"}

// String returns the access class's name.
func (a Access) String() string {
	if a < 0 || int(a) >= len(accessNames) {
		return fmt.Sprintf("Access(%d)", int(a))
	}
	return accessNames[a]
}

// ParseAccess returns the access class named s.
func ParseAccess(s string) (Access, error) {
	for i, n := range accessNames {
		if n == s {
			return Access(i), nil
		}
	}
	return 0, fmt.Errorf("layers: unknown access %q (want public or restricted): %w", s, ErrInvalid)
}

// MarshalText implements encoding.TextMarshaler.
func (a Access) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Access) UnmarshalText(b []byte) error {
	v, err := ParseAccess(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// GeometryType is the geometry type of a layer's geom column.
type GeometryType string

// Geometry types a layer can have. Imports promote single types to their multi
// form so that mixed sources fit one typed column.
const (
	Point           GeometryType = "Point"
	MultiPoint      GeometryType = "MultiPoint"
	LineString      GeometryType = "LineString"
	MultiLineString GeometryType = "MultiLineString"
	Polygon         GeometryType = "Polygon"
	MultiPolygon    GeometryType = "MultiPolygon"
)

// AttrType is the type of an attribute column: formats.FieldType, the one
// attribute-type enum, whose text form ("text", "integer", "real",
// "boolean", "date", "timestamp") dictionaries carry.
type AttrType = formats.FieldType

// Attribute types (postgis stores them as text, bigint, double precision,
// boolean, date and timestamptz).
const (
	Text      = formats.Text
	Integer   = formats.Integer
	Real      = formats.Real
	Boolean   = formats.Boolean
	Date      = formats.Date
	Timestamp = formats.Timestamp
)

// Category is a layer's theme.
type Category string

// Categories of the catalog.
const (
	CoalResources     Category = "coal_resources"
	MiningOperations  Category = "mining_operations"
	CoalLogistics     Category = "coal_logistics"
	Land              Category = "land"
	Power             Category = "power"
	Rail              Category = "rail"
	Roads             Category = "roads"
	Environment       Category = "environment"
	Water             Category = "water"
	Settlements       Category = "settlements"
	Administrative    Category = "administrative"
	Infrastructure    Category = "infrastructure"
	ProposedProjects  Category = "proposed_projects"
	GeologyHydrology  Category = "geology"
	SocialInfrastruct Category = "social_infrastructure"
)

// Extent is a bounding box in EPSG:4326 as [west, south, east, north], the
// order of GeoJSON, TileJSON and OGC API.
type Extent [4]float64

// Bound returns the extent as an orb.Bound.
func (e Extent) Bound() orb.Bound {
	return orb.Bound{Min: orb.Point{e[0], e[1]}, Max: orb.Point{e[2], e[3]}}
}

// ExtentOf returns the extent of b.
func ExtentOf(b orb.Bound) Extent { return Extent{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} }
