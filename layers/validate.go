package layers

import (
	"fmt"
	"regexp"
)

var (
	colorPattern = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$`)
	iconPattern  = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)
)

// Validate checks the metadata a caller may set: a valid id, a title, a
// known geometry type and access class, zoom levels in 0–24 and in order,
// a dictionary of safe, distinct, typed attribute names, and a style that a
// map can draw (hex colours, an opacity in 0–1, non-negative widths).
// Errors are *ValidationError naming the field.
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
	if err := l.Style.validate(); err != nil {
		return err
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

// validate checks what a map needs of a style; the zero Style is valid (a
// map draws it in a default grey).
func (s *Style) validate() error {
	bad := func(field, format string, args ...any) error {
		return &ValidationError{Feature: -1, Field: "style." + field, Reason: fmt.Sprintf(format, args...)}
	}
	for _, c := range []struct{ field, v string }{{"color", s.Color}, {"fill_color", s.FillColor}} {
		if c.v != "" && !colorPattern.MatchString(c.v) {
			return bad(c.field, "%q is not a colour (want #rrggbb, #rgb or #rrggbbaa)", c.v)
		}
	}
	switch {
	case s.FillOpacity < 0 || s.FillOpacity > 1:
		return bad("fill_opacity", "%g is outside 0–1", s.FillOpacity)
	case s.LineWidth < 0 || s.LineWidth > 50:
		return bad("line_width", "%g is outside 0–50 pixels", s.LineWidth)
	case s.Radius < 0 || s.Radius > 50:
		return bad("radius", "%g is outside 0–50 pixels", s.Radius)
	case s.Icon != "" && !iconPattern.MatchString(s.Icon):
		return bad("icon", "%q is not a symbol name (lower-case letters, digits, - and _)", s.Icon)
	}
	for i, d := range s.LineDash {
		if d < 0 || d > 100 {
			return bad(fmt.Sprintf("line_dash[%d]", i), "%d is outside 0–100", d)
		}
	}
	return nil
}
