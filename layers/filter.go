package layers

import (
	"strconv"
	"strings"

	"github.com/coalmap/coalmap/cql2"
)

// CQLFilter is a CQL2 filter expression (OGC API – Features Part 3) over a
// layer's queryables, with the CRS its geometry literals are in
// (filter-crs). Expr has passed cql2.Check against the layer's Schema.
type CQLFilter struct {
	Expr cql2.Expr
	// SRID is the CRS of the geometry literals; 0 means StorageSRID.
	SRID int
	// LatLon says the literals are latitude first (EPSG:4326's axis
	// order) rather than longitude first (CRS84).
	LatLon bool
}

// Key is the filter's identity: its canonical cql2-text and CRS. Equal
// keys select the same features.
func (f *CQLFilter) Key() string {
	if f == nil || f.Expr == nil {
		return ""
	}
	k := f.Expr.String()
	if f.SRID != 0 && f.SRID != StorageSRID || f.LatLon {
		k += " @" + strconv.Itoa(f.SRID)
		if f.LatLon {
			k += "/latlon"
		}
	}
	return k
}

// QueryableGeometry is the name of the geometry queryable of every layer.
const QueryableGeometry = ColumnGeom

// Queryables returns l's queryables as CQL2 types: each attribute of the
// dictionary, and the geometry as QueryableGeometry.
func Queryables(l *Layer) cql2.Schema {
	s := cql2.Schema{QueryableGeometry: cql2.TypeGeometry}
	for _, a := range l.Attributes {
		if t, ok := CQLType(a.Type); ok {
			s[a.Name] = t
		}
	}
	return s
}

// CQLType is the CQL2 type of an attribute type.
func CQLType(t AttrType) (cql2.Type, bool) {
	switch t {
	case Text:
		return cql2.TypeString, true
	case Integer, Real:
		return cql2.TypeNumber, true
	case Boolean:
		return cql2.TypeBoolean, true
	case Date:
		return cql2.TypeDate, true
	case Timestamp:
		return cql2.TypeTimestamp, true
	}
	return 0, false
}

// TemporalAttribute is the attribute that datetime selects on: the first
// date or timestamp attribute of the dictionary. A layer without one has
// no temporal extent.
func (l *Layer) TemporalAttribute() (Attribute, bool) {
	for _, a := range l.Attributes {
		if a.Type == Date || a.Type == Timestamp {
			return a, true
		}
	}
	return Attribute{}, false
}

// SortKey orders features by an attribute (sortby).
type SortKey struct {
	Attribute string
	Desc      bool
}

// SortSpec writes keys as a sortby value: "name,-area_km2".
func SortSpec(keys []SortKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.Attribute
		if k.Desc {
			parts[i] = "-" + k.Attribute
		}
	}
	return strings.Join(parts, ",")
}
