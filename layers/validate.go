package layers

import "fmt"

// Validate checks the metadata a caller may set: a valid id, a title, a
// known geometry type and access class, zoom levels in 0–24 and in order,
// and a dictionary of safe, distinct, typed attribute names. Errors are
// *ValidationError naming the field.
func (l *Layer) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &ValidationError{Feature: -1, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case !ValidID(l.ID):
		return bad("id", "%q is not a valid layer id (lower-case letters, digits, _; starting with a letter; at most 63)", l.ID)
	case l.Title == "":
		return bad("title", "required")
	case !l.GeometryType.Valid():
		return bad("geometry_type", "%q is not one of Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon", l.GeometryType)
	case l.Access != Public && l.Access != Restricted:
		return bad("access", "want public or restricted")
	case l.MinZoom < 0 || l.MinZoom > 24:
		return bad("min_zoom", "%d is outside 0–24", l.MinZoom)
	case l.MaxZoom < 0 || l.MaxZoom > 24:
		return bad("max_zoom", "%d is outside 0–24", l.MaxZoom)
	case l.MinZoom > l.MaxZoom:
		return bad("min_zoom", "%d is above max_zoom %d", l.MinZoom, l.MaxZoom)
	}
	if l.SRID != 0 && l.SRID != StorageSRID {
		return bad("srid", "layers are stored in EPSG:%d", StorageSRID)
	}
	seen := map[string]bool{}
	for i, a := range l.Attributes {
		if !ValidColumn(a.Name) {
			return bad(fmt.Sprintf("attributes[%d].name", i), "%q is not a safe column name (lower-case, not fid, feature_id or geom)", a.Name)
		}
		if seen[a.Name] {
			return bad(fmt.Sprintf("attributes[%d].name", i), "%q is listed twice", a.Name)
		}
		seen[a.Name] = true
		if !a.Type.Valid() {
			return bad(fmt.Sprintf("attributes[%d].type", i), "%q is not one of text, integer, real, boolean, date, timestamp", a.TypeName())
		}
	}
	return nil
}
