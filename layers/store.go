package layers

import (
	"context"
	"time"

	"github.com/paulmach/orb"
)

// Store reads and writes the catalog's metadata. Implemented by
// postgis.Store.
type Store interface {
	// Layers returns every layer of the catalog, ordered by id.
	Layers(ctx context.Context) ([]Layer, error)
	// Layer returns one layer, or an error wrapping ErrNotFound.
	Layer(ctx context.Context, id string) (Layer, error)
	// PutLayer creates a layer's catalog entry or replaces its descriptive
	// metadata (not its data: feature count, extent, lineage and data
	// version belong to imports) and records actor in the audit trail.
	PutLayer(ctx context.Context, l *Layer, actor string) (created bool, err error)
	// DeleteLayer removes a layer's entry and its table.
	DeleteLayer(ctx context.Context, id, actor string) error
}

// Searcher finds layers by full text over title, keywords and description.
type Searcher interface {
	// SearchLayers returns the ids of the layers matching q, best first.
	SearchLayers(ctx context.Context, q string) ([]string, error)
}

// TokenStore keeps API tokens, hashed.
type TokenStore interface {
	// CreateToken stores a token's hash and returns its record.
	CreateToken(ctx context.Context, name string, role Role, hash []byte, actor string) (Token, error)
	// Tokens returns every token, revoked ones included.
	Tokens(ctx context.Context) ([]Token, error)
	// RevokeToken makes a token unusable; ErrNotFound if there is none.
	RevokeToken(ctx context.Context, id int64, actor string) error
	// Authenticate returns the principal of the live token with this hash,
	// or an error wrapping ErrUnauthorized.
	Authenticate(ctx context.Context, hash []byte) (Principal, error)
}

// FeatureStore reads the features of a layer table.
type FeatureStore interface {
	// Features runs q and calls emit for each row, in fid order. It stops
	// at the first error emit returns. The row and its byte slices are
	// reused: emit must copy what it keeps.
	Features(ctx context.Context, q *FeatureQuery, emit func(*FeatureRow) error) error
	// CountFeatures returns how many features match q (ignoring its
	// paging).
	CountFeatures(ctx context.Context, q *FeatureQuery) (int64, error)
}

// OutputFormat is how a FeatureRow carries its feature.
type OutputFormat int

// Output formats of a FeatureQuery.
const (
	// GeoJSON rows carry a complete GeoJSON Feature object.
	GeoJSON OutputFormat = iota
	// Tabular rows carry the geometry as WKT and each selected attribute as
	// text (CSV).
	Tabular
)

// BBox is a bounding box in some CRS, [minx, miny] to [maxx, maxy] in that
// CRS's x/y (easting/northing or lon/lat) order.
type BBox struct {
	Bound orb.Bound
	SRID  int
}

// Filter selects features whose attribute equals a value (typed to the
// attribute's type by ParseValue).
type Filter struct {
	Attribute string
	Value     any
}

// FeatureQuery is one read of a layer's features.
type FeatureQuery struct {
	// Layer is the catalog entry; its id and attribute names are the only
	// identifiers a query uses.
	Layer *Layer
	// FeatureID selects one feature by its feature_id.
	FeatureID string
	// BBox keeps the features that intersect it.
	BBox *BBox
	// SRID is the CRS of the output geometries; 0 means 4326.
	SRID int
	// LatLon writes geographic coordinates latitude first (EPSG:4326 axis
	// order) instead of longitude first (CRS84).
	LatLon bool
	// Filters are ANDed equality conditions on attributes.
	Filters []Filter
	// CQL is a CQL2 filter, ANDed with the rest.
	CQL *CQLFilter
	// SortBy orders the features by attributes, then by fid; nil means
	// by fid alone.
	SortBy []SortKey
	// AfterKey continues a sorted read after a row: that row's SortBy
	// values as text (nil for NULL) with After its fid. Only with SortBy.
	AfterKey []*string
	// Properties selects the attributes to return; nil means all.
	Properties []string
	// After is the keyset cursor: only features with fid > After.
	After int64
	// Offset skips that many features (LIMIT/OFFSET paging); prefer After.
	Offset int64
	// Limit caps the rows returned; 0 means no cap.
	Limit int
	// Format selects the row form.
	Format OutputFormat
	// ETag asks for each row's version (FeatureRow.ETag; GeoJSON rows
	// only): what an edit's If-Match names.
	ETag bool
}

// FeatureRow is one feature read by a FeatureQuery.
type FeatureRow struct {
	FID int64
	ID  string
	// Feature is a GeoJSON Feature object (Format GeoJSON).
	Feature []byte
	// WKT and Values are the geometry and the selected attributes as text,
	// nil for NULL (Format Tabular).
	WKT    *string
	Values []*string
	// ETag is the feature's version, when the query asked for it: it
	// changes whenever the feature does.
	ETag string
	// SortValues are the row's values of the query's SortBy, as text (nil
	// for NULL): what a cursor after this row holds.
	SortValues []*string
}

// ImportResult says what an import did.
type ImportResult struct {
	Layer          string        `json:"layer"`
	ImportID       int64         `json:"import_id"`
	Unchanged      bool          `json:"unchanged,omitempty"`
	Features       int64         `json:"features"`
	Repaired       int64         `json:"repaired"`
	NullGeometries int64         `json:"null_geometries"`
	DataVersion    int64         `json:"data_version"`
	Duration       time.Duration `json:"duration_ns"`

	// The report: what was read, from where, and what became of it.
	// Features above is what was loaded.
	Status       ImportStatus      `json:"status,omitempty"`
	Source       string            `json:"source,omitempty"`
	Checksum     string            `json:"checksum,omitempty"`
	Options      map[string]string `json:"options,omitempty"`
	CRS          string            `json:"crs,omitempty"`      // "EPSG:32644"
	CRSFrom      string            `json:"crs_from,omitempty"` // "file .prj", "--srid"…
	Encoding     string            `json:"encoding,omitempty"`
	EncodingFrom string            `json:"encoding_from,omitempty"`
	Read         int64             `json:"read"`
	Rejected     int64             `json:"rejected"`
	Rejections   []Rejection       `json:"rejections,omitempty"` // the first MaxRejections
	Repairs      []Rejection       `json:"repairs,omitempty"`    // the repaired features and what was wrong, the first MaxRejections
	ZDropped     int64             `json:"z_dropped"`
	Skipped      int64             `json:"skipped,omitempty"` // deleted records the source holds
	Widened      []string          `json:"widened,omitempty"`
	Extent       *Extent           `json:"extent,omitempty"`
	Seconds      float64           `json:"seconds"`
	// Change is the id of the change event the import committed, and
	// Visibility how it reached the servers following the change feed:
	// the import reports success once they all have it, or says how long
	// it waited.
	Change     int64       `json:"change,omitempty"`
	Visibility *Visibility `json:"visibility,omitempty"`
	// Error says why a failed import failed, in words safe to show anyone.
	Error string `json:"error,omitempty"`
}
