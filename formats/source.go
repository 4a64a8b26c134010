package formats

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// Feature is one feature read from a source.
type Feature struct {
	// Index is the 0-based position of the feature in the source, counting
	// every record the source holds (also those skipped, such as deleted
	// DBF records), so that it can be quoted back to the person who made
	// the file.
	Index int
	// ID is the source's own feature id (GeoJSON "id", KML Placemark id,
	// GeoPackage primary key, or the Options.IDField attribute), or "" when
	// the source has none.
	ID string
	// Geometry is the feature's 2D geometry in the source CRS, x before y
	// (lon before lat). Z and M values are dropped and counted in
	// Stats.ZDropped. It is nil for a feature without geometry.
	Geometry orb.Geometry
	// Properties holds the attributes, keyed by Field.Name; it is never
	// nil. Values are string, float64, int64, bool, time.Time or nil.
	Properties map[string]any
}

// FieldType is the type of an attribute: the one attribute-type enum of
// the project (layers.AttrType is this type). Its text form — "text",
// "integer", "real", "boolean", "date", "timestamp" — is what layer
// dictionaries, manifests and the API write.
type FieldType int

// The attribute types a source can report. A value of a field is carried in
// Feature.Properties as the Go type named beside each.
const (
	Text      FieldType = iota // string
	Integer                    // int64
	Real                       // float64
	Boolean                    // bool
	Date                       // time.Time at midnight UTC
	Timestamp                  // time.Time
)

var fieldTypeNames = [...]string{Text: "text", Integer: "integer", Real: "real", Boolean: "boolean", Date: "date", Timestamp: "timestamp"}

// String returns the type's name.
func (t FieldType) String() string {
	if t < 0 || int(t) >= len(fieldTypeNames) {
		return "unknown"
	}
	return fieldTypeNames[t]
}

// Valid reports whether t is one of the types above.
func (t FieldType) Valid() bool { return t >= 0 && int(t) < len(fieldTypeNames) }

// ParseFieldType returns the type named s.
func ParseFieldType(s string) (FieldType, error) {
	for i, n := range fieldTypeNames {
		if n == s {
			return FieldType(i), nil
		}
	}
	return -1, fmt.Errorf("formats: unknown attribute type %q (want text, integer, real, boolean, date or timestamp)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (t FieldType) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("formats: attribute type %d is not valid", int(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *FieldType) UnmarshalText(b []byte) error {
	v, err := ParseFieldType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Field describes one attribute of a source.
type Field struct {
	// Name is the key of the attribute in Feature.Properties. Names are
	// unique within a source.
	Name string
	// Original is the name as spelled in the source. It differs from Name
	// only when the source repeats a name (a DBF whose names collided when
	// cut to 10 characters), in which case Name carries a suffix "_2", "_3"….
	Original string
	// Type is the attribute's type.
	Type FieldType
}

// CRS is the coordinate reference system a source declares or is assumed to
// have.
type CRS struct {
	// SRID is the EPSG code, or 0 when it is unknown.
	SRID int
	// WKT is the CRS definition as the source gave it (the .prj text, the
	// GeoPackage definition), or "".
	WKT string
	// From says where SRID came from, for example "file .prj",
	// "GeoJSON crs member", "KML (always 4326)", "default 4326" or "--srid".
	From string
}

// Stats counts what a source has read so far. The counts are final once
// Next has returned io.EOF.
type Stats struct {
	// Features is the number of features returned by Next.
	Features int64
	// Skipped counts records the source holds but that were not returned
	// (deleted DBF records).
	Skipped int64
	// NullGeometries counts features returned with a nil Geometry.
	NullGeometries int64
	// InvalidGeometries counts features refused for their geometry (an
	// *Error wrapping ErrInvalidGeometry was returned for each).
	InvalidGeometries int64
	// ZDropped counts features that had Z (altitude) or M values, which
	// were dropped.
	ZDropped int64
	// GeometryTypes counts the features by geometry type ("Point",
	// "MultiPolygon"…). Mixed types are allowed in one source; a consumer
	// that needs one type decides what to do.
	GeometryTypes map[string]int64
	// DuplicateIDs counts features whose non-empty ID had already been seen.
	// Duplicates are reported, not refused: whether ids are keys is the
	// consumer's decision. FirstDuplicateID is the first one found.
	DuplicateIDs     int64
	FirstDuplicateID string
	// IDsUnchecked counts ids that were not checked for duplicates because
	// the check's memory cap (1<<20 distinct ids) had been reached.
	IDsUnchecked int64
	// BytesRead and BytesTotal tell how far through its input a source
	// is, for progress bars: bytes of the file (of the .shp, of the
	// decompressed KML in a KMZ) consumed so far, and their total. Both
	// are 0 where unknown (GeoPackage, ogr2ogr). Reading ahead makes
	// BytesRead run ahead of the features returned.
	BytesRead, BytesTotal int64
	// Widened lists the fields whose type was widened while reading (an
	// inferred Integer that met 2.5 became Real; anything that met text
	// became Text). Values read before the widening keep their narrower Go
	// type; see Source.Fields.
	Widened []string
}

// Source is a stream of features read from one file.
//
// A Source is not safe for concurrent use.
type Source interface {
	// Next returns the next feature, or io.EOF after the last one. Any
	// other error is an *Error. An error wrapping ErrInvalidGeometry
	// concerns one feature (its Index says which): the consumer may call
	// Next again to go on with the next feature, or stop. After any other
	// error Next keeps returning it.
	Next() (*Feature, error)
	// Fields returns the attribute schema.
	//
	// Shapefile and GeoPackage declare their schema, and Fields is exact
	// from the start. GeoJSON, KML, CSV and the ogr2ogr route infer it:
	// Open reads ahead a sample (Options.SampleSize features, 1000 by
	// default) and types the fields from it, and later features may add
	// fields or widen a type (Integer to Real, anything to Text); Fields is
	// final after io.EOF, and Stats.Widened names what changed. A consumer
	// that must fix column types before the first row can set
	// Options.FullScan, which makes Open read the whole input once to
	// settle the schema.
	Fields() []Field
	// CRS returns the source's coordinate reference system.
	CRS() CRS
	// Encoding returns the text encoding used for attributes and where that
	// choice came from, such as ("UTF-8", "detected (no .cpg)").
	Encoding() (name, from string)
	// Stats returns what has been counted so far.
	Stats() Stats
	// Close releases the file handles and any process the source started.
	Close() error
}

// Options control how a file is read. The zero value reads any supported
// file with the defaults.
type Options struct {
	// SRID, when not 0, overrides the CRS the file declares.
	SRID int
	// IDField names an attribute whose value becomes Feature.ID. The
	// attribute stays in Properties.
	IDField string
	// SourceLayer selects the layer of a GeoPackage, the shapefile in a
	// folder or zip that holds several (by base name), or the layer passed
	// to ogr2ogr.
	SourceLayer string
	// Encoding, when not "", overrides the attribute encoding of a
	// shapefile (any name the WHATWG encoding standard knows, "UTF-8",
	// "windows-1252", "ISO-8859-1"…, or a bare code page number such as
	// "1252").
	Encoding string
	// LonField, LatField and WKTField name the geometry columns of a CSV.
	// When all are "", they are detected from the header.
	LonField, LatField, WKTField string
	// MaxUncompressed caps the bytes a .zip or .kmz may decompress to; 0
	// means 4 GiB. A larger archive is refused with ErrTooLarge.
	MaxUncompressed int64
	// SampleSize is the number of features read ahead to infer the schema
	// of formats that do not declare one; 0 means 1000.
	SampleSize int
	// FullScan makes Open read the whole input once before the first
	// feature so that Fields is final from the start (see Source.Fields).
	FullScan bool
	// Format, when not "", forces a reader ("geojson", "geojsonseq",
	// "shapefile", "gpkg", "kml", "kmz", "csv", "ogr") instead of sniffing.
	Format string
}

func (o Options) maxUncompressed() int64 {
	if o.MaxUncompressed > 0 {
		return o.MaxUncompressed
	}
	return 4 << 30
}

func (o Options) sampleSize() int {
	if o.SampleSize > 0 {
		return o.SampleSize
	}
	return 1000
}

// dateOnly reports whether t carries no time of day.
func dateOnly(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}
