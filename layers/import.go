package layers

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/geo"
)

// FeatureSource is the stream an import reads: what it needs of a
// formats.Source.
type FeatureSource interface {
	Next() (*formats.Feature, error)
	Fields() []formats.Field
	CRS() formats.CRS
}

var _ FeatureSource = formats.Source(nil)

// Column is one attribute column of an import: the dictionary entry and the
// source field that feeds it ("" when the source lacks it).
type Column struct {
	Attribute
	Source string
}

// ImportPlan is how one import maps a source onto a layer table: the layer
// as it will be after the import (dictionary extended by the source's new
// fields, single line and polygon types promoted to multi), its columns and
// the source SRID.
type ImportPlan struct {
	Layer   Layer
	Columns []Column
	SRID    int
}

var columnPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// ValidColumn reports whether name can name an attribute column: a
// lower-case identifier that is none of the reserved columns.
func ValidColumn(name string) bool {
	return columnPattern.MatchString(name) && name != ColumnFID && name != ColumnFeatureID && name != ColumnGeom
}

// ColumnName turns a source field name into a safe column name: lower case,
// letters, digits and underscores; a reserved name gets the suffix "_src".
func ColumnName(field string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(field) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), "_")
	for strings.Contains(s, "__") {
		s = strings.ReplaceAll(s, "__", "_")
	}
	if s == "" {
		s = "field"
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "f_" + s
	}
	if len(s) > 59 {
		s = s[:59]
	}
	if s == ColumnFID || s == ColumnFeatureID || s == ColumnGeom {
		s += "_src"
	}
	return s
}

// PromotedType is the column type a layer of type t is stored with: lines
// and polygons as their multi form, so that mixed sources fit; points stay
// as declared.
func PromotedType(t GeometryType) GeometryType {
	switch t {
	case LineString:
		return MultiLineString
	case Polygon:
		return MultiPolygon
	}
	return t
}

// Dimension is the topological dimension of a geometry type: 0 points, 1
// lines, 2 polygons.
func (t GeometryType) Dimension() int {
	switch t {
	case LineString, MultiLineString:
		return 1
	case Polygon, MultiPolygon:
		return 2
	}
	return 0
}

// Valid reports whether t is one of the geometry types a layer can have.
func (t GeometryType) Valid() bool {
	switch t {
	case Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon:
		return true
	}
	return false
}

// PlanImport maps the fields of a source onto layer l's attribute
// dictionary. Dictionary attributes are matched to source fields by name,
// column name or alias; source fields the dictionary lacks are added to it.
// srid overrides the source's CRS when not 0.
func PlanImport(l Layer, fields []formats.Field, crs formats.CRS, srid int) (*ImportPlan, error) {
	if !l.GeometryType.Valid() {
		return nil, &ValidationError{Feature: -1, Field: "geometry_type", Reason: fmt.Sprintf("unknown geometry type %q", l.GeometryType)}
	}
	p := &ImportPlan{Layer: l, SRID: srid}
	if p.SRID == 0 {
		p.SRID = crs.SRID
	}
	// SRID stays 0 when neither the source nor srid says: the importer must
	// find it (from the CRS's WKT) or refuse, never guess WGS 84.
	p.Layer.GeometryType = PromotedType(l.GeometryType)
	p.Layer.Attributes = nil
	used := map[string]bool{}
	byName := map[string]string{}
	for _, f := range fields {
		byName[f.Name] = f.Name
		byName[strings.ToLower(f.Name)] = f.Name
		byName[ColumnName(f.Name)] = f.Name
	}
	seen := map[string]bool{}
	for _, a := range l.Attributes {
		if !ValidColumn(a.Name) {
			return nil, &ValidationError{Feature: -1, Field: "attributes", Reason: fmt.Sprintf("attribute name %q is not a safe column name", a.Name)}
		}
		if !a.Type.Valid() {
			return nil, &ValidationError{Feature: -1, Field: "attributes", Reason: fmt.Sprintf("attribute %q: unknown type %q", a.Name, a.TypeName())}
		}
		if seen[a.Name] {
			return nil, &ValidationError{Feature: -1, Field: "attributes", Reason: fmt.Sprintf("attribute %q listed twice", a.Name)}
		}
		seen[a.Name] = true
		src, ok := byName[a.Name]
		if !ok && a.Alias != "" {
			src, ok = byName[a.Alias]
		}
		if ok && used[src] {
			src = ""
		}
		if src != "" {
			used[src] = true
		}
		p.Columns = append(p.Columns, Column{Attribute: a, Source: src})
		p.Layer.Attributes = append(p.Layer.Attributes, a)
	}
	for _, f := range fields {
		if used[f.Name] {
			continue
		}
		name := ColumnName(f.Name)
		for i := 2; seen[name]; i++ {
			name = fmt.Sprintf("%s_%d", ColumnName(f.Name), i)
		}
		seen[name] = true
		a := Attribute{Name: name, Type: f.Type}
		if f.Name != name {
			a.Alias = f.Name
		}
		used[f.Name] = true
		p.Columns = append(p.Columns, Column{Attribute: a, Source: f.Name})
		p.Layer.Attributes = append(p.Layer.Attributes, a)
	}
	return p, nil
}

// Row converts a feature into a staging row: its feature id ("" when the
// source has none), its geometry as WKB (nil for none) of exactly the
// layer's type (see Promote) and the values of p.Columns typed to their
// attributes. Errors are *ValidationError naming the feature.
func (p *ImportPlan) Row(f *formats.Feature) (id string, geom []byte, values []any, err error) {
	g := f.Geometry
	if g != nil {
		g, err = p.fit(g)
		if err != nil {
			return "", nil, nil, &ValidationError{Feature: f.Index, Field: "geometry", Reason: err.Error()}
		}
		g = Promote(g, p.Layer.GeometryType)
		if _, ok := g.(orb.Point); !ok && p.Layer.GeometryType == Point {
			return "", nil, nil, &ValidationError{Feature: f.Index, Field: "geometry", Reason: "a collection of several points does not fit a Point layer"}
		}
		geom, err = geo.MarshalWKB(g)
		if err != nil {
			return "", nil, nil, &ValidationError{Feature: f.Index, Field: "geometry", Reason: err.Error()}
		}
	}
	values = make([]any, len(p.Columns))
	for i, c := range p.Columns {
		if c.Source == "" {
			continue
		}
		v, err := Coerce(f.Properties[c.Source], c.Type)
		if err != nil {
			return "", nil, nil, &ValidationError{Feature: f.Index, Field: c.Source, Reason: err.Error()}
		}
		values[i] = v
	}
	return f.ID, geom, values, nil
}

// fit checks that g has the dimension of the layer's type and, for a Point
// layer, unwraps one-point MultiPoints.
func (p *ImportPlan) fit(g orb.Geometry) (orb.Geometry, error) {
	want := p.Layer.GeometryType
	if c, ok := g.(orb.Collection); ok {
		for _, m := range c {
			if m.Dimensions() == want.Dimension() {
				return g, nil // extracted by Promote
			}
		}
		return nil, fmt.Errorf("a GeometryCollection without a %s part", want)
	}
	if g.Dimensions() != want.Dimension() {
		return nil, fmt.Errorf("a %s does not fit a %s layer", g.GeoJSONType(), want)
	}
	if want == Point {
		if mp, ok := g.(orb.MultiPoint); ok {
			if len(mp) != 1 {
				return nil, fmt.Errorf("a MultiPoint of %d points does not fit a Point layer", len(mp))
			}
			return mp[0], nil
		}
	}
	return g, nil
}

// Coerce converts a property value (string, float64, int64, bool, time.Time
// or nil) to the Go type of attribute type t: string, int64, float64, bool or
// time.Time.
func Coerce(v any, t AttrType) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case Text:
		switch x := v.(type) {
		case string:
			if strings.IndexByte(x, 0) >= 0 {
				return nil, fmt.Errorf("%q holds a NUL character, which PostgreSQL text cannot store", x)
			}
			return x, nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		case time.Time:
			return x.Format(time.RFC3339), nil
		}
		return fmt.Sprint(v), nil
	case Integer:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
		case string:
			if x == "" {
				return nil, nil
			}
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n, nil
			}
		}
	case Real:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case int:
			return float64(x), nil
		case string:
			if x == "" {
				return nil, nil
			}
			if n, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return n, nil
			}
		}
	case Boolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "t", "yes", "y", "1":
				return true, nil
			case "false", "f", "no", "n", "0":
				return false, nil
			case "":
				return nil, nil
			}
		}
	case Date, Timestamp:
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case string:
			if x == "" {
				return nil, nil
			}
			for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02", "2006/01/02"} {
				if tm, err := time.Parse(layout, strings.TrimSpace(x)); err == nil {
					return tm, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("%v (%T) is not a valid %s", v, v, t)
}

// ParseValue parses a query-string value for attribute a, so that a filter
// compares like with like; the error names why it does not fit.
func ParseValue(a Attribute, s string) (any, error) {
	switch a.Type {
	case Text:
		return s, nil
	case Integer:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", s)
		}
		return n, nil
	case Real:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return n, nil
	}
	v, err := Coerce(s, a.Type)
	if err != nil || v == nil {
		return nil, fmt.Errorf("%q is not a valid %s", s, a.Type)
	}
	return v, nil
}

// AttributeByName returns the attribute of l called name.
func (l *Layer) AttributeByName(name string) (Attribute, bool) {
	for _, a := range l.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

// Promote turns g, of the dimension of type t, into a geometry of type t
// exactly: the parts of a GeometryCollection that have t's dimension are
// extracted (as ST_CollectionExtract does), and single geometries become
// their multi form when t is a multi type. A collection without such parts
// gives an empty geometry of type t.
func Promote(g orb.Geometry, t GeometryType) orb.Geometry {
	if c, ok := g.(orb.Collection); ok {
		g = extract(c, t.Dimension())
	}
	switch t {
	case MultiPoint:
		switch x := g.(type) {
		case orb.Point:
			return orb.MultiPoint{x}
		case orb.MultiPoint:
			return x
		}
	case MultiLineString:
		switch x := g.(type) {
		case orb.LineString:
			return orb.MultiLineString{x}
		case orb.MultiLineString:
			return x
		}
	case MultiPolygon:
		switch x := g.(type) {
		case orb.Polygon:
			return orb.MultiPolygon{x}
		case orb.MultiPolygon:
			return x
		}
	case Point:
		if mp, ok := g.(orb.MultiPoint); ok && len(mp) == 1 {
			return mp[0]
		}
	}
	return g
}

// extract collects the parts of c of dimension dim, at any depth, into a
// multi geometry.
func extract(c orb.Collection, dim int) orb.Geometry {
	var pts orb.MultiPoint
	var lines orb.MultiLineString
	var polys orb.MultiPolygon
	var walk func(g orb.Geometry)
	walk = func(g orb.Geometry) {
		switch x := g.(type) {
		case orb.Collection:
			for _, m := range x {
				walk(m)
			}
		case orb.Point:
			pts = append(pts, x)
		case orb.MultiPoint:
			pts = append(pts, x...)
		case orb.LineString:
			lines = append(lines, x)
		case orb.MultiLineString:
			lines = append(lines, x...)
		case orb.Polygon:
			polys = append(polys, x)
		case orb.MultiPolygon:
			polys = append(polys, x...)
		}
	}
	walk(c)
	switch dim {
	case 0:
		return pts
	case 1:
		return lines
	}
	return polys
}
