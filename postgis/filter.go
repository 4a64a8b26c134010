package postgis

import (
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/coalmap/coalmap/cql2"
	"github.com/coalmap/coalmap/layers"
)

// The translation of a CQL2 filter (checked by cql2.Check against the
// layer's queryables) into a WHERE condition. Every value becomes a
// parameter with an explicit type; the only identifiers are the layer's
// column names, each checked and quoted; nothing of the filter's text
// reaches the statement.

// filterSQL is the condition of f over layer l; alias prefixes columns
// ("" or "l."); arg binds a value and returns its placeholder.
func filterSQL(f *layers.CQLFilter, l *layers.Layer, alias string, arg func(any) string) (string, error) {
	t := &translator{l: l, alias: alias, arg: arg, srid: f.SRID, latLon: f.LatLon}
	if t.srid == 0 {
		t.srid = layers.StorageSRID
	}
	return t.boolean(f.Expr)
}

type translator struct {
	l      *layers.Layer
	alias  string
	arg    func(any) string
	srid   int
	latLon bool
}

// invalid is a filter the API's cql2.Check should have refused.
func invalid(e cql2.Expr, format string, args ...any) error {
	return &layers.ValidationError{Feature: -1, Field: "filter", Reason: "at " + e.Pos().String() + ": " + fmt.Sprintf(format, args...)}
}

var spatialFuncs = map[string]string{"s_intersects": "ST_Intersects", "s_equals": "ST_Equals", "s_disjoint": "ST_Disjoint",
	"s_touches": "ST_Touches", "s_within": "ST_Within", "s_overlaps": "ST_Overlaps", "s_crosses": "ST_Crosses",
	"s_contains": "ST_Contains"}

func (t *translator) boolean(e cql2.Expr) (string, error) {
	switch e := e.(type) {
	case *cql2.And, *cql2.Or:
		args, sep := []cql2.Expr(nil), ""
		if a, ok := e.(*cql2.And); ok {
			args, sep = a.Args, " AND "
		} else {
			args, sep = e.(*cql2.Or).Args, " OR "
		}
		parts := make([]string, len(args))
		for i, a := range args {
			s, err := t.boolean(a)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "(" + strings.Join(parts, sep) + ")", nil
	case *cql2.Not:
		s, err := t.boolean(e.Arg)
		if err != nil {
			return "", err
		}
		return "NOT (" + s + ")", nil
	case *cql2.Bool:
		if e.Value {
			return "TRUE", nil
		}
		return "FALSE", nil
	case *cql2.Comparison:
		l, r, err := t.pair(e.Left, e.Right)
		if err != nil {
			return "", err
		}
		return l + " " + e.Op + " " + r, nil
	case *cql2.Like:
		a, err := t.operand(e.Arg)
		if err != nil {
			return "", err
		}
		p, err := t.operand(e.Pattern)
		if err != nil {
			return "", err
		}
		return a + not(e.Not) + " LIKE " + p, nil
	case *cql2.Between:
		a, lo, err := t.pair(e.Arg, e.Low)
		if err != nil {
			return "", err
		}
		_, hi, err := t.pair(e.Arg, e.High)
		if err != nil {
			return "", err
		}
		return a + not(e.Not) + " BETWEEN " + lo + " AND " + hi, nil
	case *cql2.In:
		a, err := t.operand(e.Arg)
		if err != nil {
			return "", err
		}
		list := make([]string, len(e.List))
		for i, x := range e.List {
			if _, list[i], err = t.pair(e.Arg, x); err != nil {
				return "", err
			}
		}
		return a + not(e.Not) + " IN (" + strings.Join(list, ", ") + ")", nil
	case *cql2.IsNull:
		a, err := t.operand(e.Arg)
		if err != nil {
			return "", err
		}
		if e.Not {
			return "(" + a + ") IS NOT NULL", nil
		}
		return "(" + a + ") IS NULL", nil
	case *cql2.Spatial:
		fn, ok := spatialFuncs[e.Op]
		if !ok {
			return "", invalid(e, "%s is not supported", e.Op)
		}
		a, err := t.operand(e.Left)
		if err != nil {
			return "", err
		}
		b, err := t.operand(e.Right)
		if err != nil {
			return "", err
		}
		return fn + "(" + a + ", " + b + ")", nil
	case *cql2.DWithin:
		a, err := t.operand(e.Left)
		if err != nil {
			return "", err
		}
		b, err := t.operand(e.Right)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("ST_DWithin((%s)::geography, (%s)::geography, %s::float8)", a, b, t.arg(e.Distance.Value)), nil
	case *cql2.Temporal:
		return t.temporal(e)
	}
	return "", invalid(e, "not a predicate")
}

func not(n bool) string {
	if n {
		return " NOT"
	}
	return ""
}

// pair translates two operands compared with each other; a literal beside
// a property takes the property's type.
func (t *translator) pair(a, b cql2.Expr) (string, string, error) {
	as, err := t.operand(a)
	if err != nil {
		return "", "", err
	}
	bs, err := t.operand(b)
	return as, bs, err
}

// column is the quoted column of a property, checked against the layer.
func (t *translator) column(p *cql2.Property) (string, layers.AttrType, error) {
	if p.Name == layers.QueryableGeometry {
		return t.alias + "geom", 0, nil
	}
	a, ok := t.l.AttributeByName(p.Name)
	if !ok || !layers.ValidColumn(a.Name) {
		return "", 0, invalid(p, "unknown property %q", p.Name)
	}
	return t.alias + quote(a.Name), a.Type, nil
}

func (t *translator) operand(e cql2.Expr) (string, error) {
	switch e := e.(type) {
	case *cql2.Property:
		c, _, err := t.column(e)
		return c, err
	case *cql2.String:
		return t.arg(e.Value) + "::text", nil
	case *cql2.Number:
		if e.Integer {
			return t.arg(e.Int) + "::bigint", nil
		}
		return t.arg(e.Value) + "::float8", nil
	case *cql2.Bool:
		return t.arg(e.Value) + "::boolean", nil
	case *cql2.Date:
		return t.arg(e.Value) + "::date", nil
	case *cql2.Timestamp:
		return t.arg(e.Value) + "::timestamptz", nil
	case *cql2.CaseI:
		s, err := t.operand(e.Arg)
		if err != nil {
			return "", err
		}
		return "lower(" + s + ")", nil
	case *cql2.Geometry:
		return t.geometry(e)
	}
	return "", invalid(e, "not a value this service can compare")
}

// geometry is a literal in the filter's CRS, taken to the storage CRS.
// An invalid polygon is made valid (as an import would) rather than
// failing the query.
func (t *translator) geometry(e *cql2.Geometry) (string, error) {
	g := e.Geom
	if b, ok := g.(orb.Bound); ok {
		g = b.ToPolygon()
	}
	if t.srid == layers.StorageSRID && !t.latLon {
		if err := inLonLat(g); err != nil {
			return "", invalid(e, "%v", err)
		}
	}
	data, err := wkb.Marshal(g)
	if err != nil {
		return "", invalid(e, "not a geometry: %v", err)
	}
	s := fmt.Sprintf("ST_GeomFromWKB(%s::bytea, %d)", t.arg(data), t.srid)
	if t.latLon {
		s = "ST_FlipCoordinates(" + s + ")"
	}
	if t.srid != layers.StorageSRID {
		s = fmt.Sprintf("ST_Transform(%s, %d)", s, layers.StorageSRID)
	}
	switch g.(type) {
	case orb.Polygon, orb.MultiPolygon, orb.Collection:
		s = "ST_MakeValid(" + s + ")"
	}
	return s, nil
}

func inLonLat(g orb.Geometry) error {
	b := g.Bound()
	if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
		return fmt.Errorf("coordinates outside -180…180, -90…90 (longitude, latitude in CRS84; see filter-crs)")
	}
	return nil
}

// The temporal functions, over the start and end of each operand: an
// instant starts and ends at itself, a date is an instant of a day's
// granularity. When a property is a date, timestamps are taken to their
// day (UTC); when it is a timestamp, a date is its whole day.
func (t *translator) temporal(e *cql2.Temporal) (string, error) {
	kind := layers.AttrType(-1)
	cql2.Walk(e, func(x cql2.Expr) bool {
		if p, ok := x.(*cql2.Property); ok && kind < 0 {
			if a, ok := t.l.AttributeByName(p.Name); ok {
				kind = a.Type
			}
		}
		return true
	})
	as, ae, err := t.bounds(e.Left, kind)
	if err != nil {
		return "", err
	}
	bs, be, err := t.bounds(e.Right, kind)
	if err != nil {
		return "", err
	}
	var parts []string
	add := func(l, op, r string) {
		if l != "" && r != "" {
			parts = append(parts, l+" "+op+" "+r)
		}
	}
	switch e.Op {
	case "t_intersects":
		add(as, "<=", be)
		add(ae, ">=", bs)
	case "t_disjoint":
		var or []string
		if ae != "" && bs != "" {
			or = append(or, ae+" < "+bs)
		}
		if as != "" && be != "" {
			or = append(or, as+" > "+be)
		}
		if len(or) == 0 {
			return "FALSE", nil
		}
		return "(" + strings.Join(or, " OR ") + ")", nil
	case "t_before":
		if ae == "" || bs == "" {
			return "FALSE", nil
		}
		add(ae, "<", bs)
	case "t_after":
		if as == "" || be == "" {
			return "FALSE", nil
		}
		add(as, ">", be)
	case "t_equals":
		parts = append(parts, equalBound(as, bs), equalBound(ae, be))
	case "t_during":
		if as == "" || ae == "" {
			return "FALSE", nil
		}
		add(as, ">", bs)
		add(ae, "<", be)
	default:
		return "", invalid(e, "%s is not supported", e.Op)
	}
	if len(parts) == 0 {
		return "TRUE", nil
	}
	return "(" + strings.Join(parts, " AND ") + ")", nil
}

// equalBound compares two bounds, "" being open: both open are equal.
func equalBound(a, b string) string {
	switch {
	case a == "" && b == "":
		return "TRUE"
	case a == "" || b == "":
		return "FALSE"
	}
	return a + " = " + b
}

// bounds returns the SQL of the start and end of a temporal operand, ""
// for an open end; kind is the type of the property compared (Date,
// Timestamp, or -1 when none is).
func (t *translator) bounds(e cql2.Expr, kind layers.AttrType) (string, string, error) {
	switch e := e.(type) {
	case *cql2.Property:
		c, _, err := t.column(e)
		return c, c, err
	case *cql2.Date:
		if kind == layers.Timestamp {
			return t.arg(e.Value) + "::timestamptz", t.arg(e.Value.AddDate(0, 0, 1).Add(-time.Microsecond)) + "::timestamptz", nil
		}
		s := t.arg(e.Value) + "::date"
		return s, s, nil
	case *cql2.Timestamp:
		if kind == layers.Date {
			d := e.Value.UTC().Truncate(24 * time.Hour)
			s := t.arg(d) + "::date"
			return s, s, nil
		}
		s := t.arg(e.Value) + "::timestamptz"
		return s, s, nil
	case *cql2.Interval:
		start, _, err := t.bounds(e.Start, kind)
		if err != nil {
			return "", "", err
		}
		_, end, err := t.bounds(e.End, kind)
		return start, end, err
	case *cql2.Unbounded:
		return "", "", nil
	}
	return "", "", invalid(e, "not a date, a timestamp or an interval")
}

// sortSQL returns the ORDER BY list of keys (then fid) over the layer
// table as t, and, when after
// holds the sort values of a row (with fid), the condition that keeps the
// rows that come after it. Each key sorts NULL last ascending and first
// descending (PostgreSQL's default, and so its indexes'): NULL is above
// every value either way.
func sortSQL(l *layers.Layer, keys []layers.SortKey, after []*string, afterFID int64, arg func(any) string) (order, cond string, err error) {
	var ob []string
	type key struct {
		col, typ string
		desc     bool
	}
	ks := make([]key, len(keys))
	for i, k := range keys {
		a, ok := l.AttributeByName(k.Attribute)
		if !ok || !layers.ValidColumn(a.Name) {
			return "", "", &layers.ValidationError{Feature: -1, Field: "sortby", Reason: fmt.Sprintf("%q is not a sortable of %s", k.Attribute, l.ID)}
		}
		// Qualified: the select list holds the same name as text, which an
		// unqualified ORDER BY would sort by.
		ks[i] = key{col: "t." + quote(a.Name), typ: pgType(a.Type), desc: k.Desc}
		if k.Desc {
			ob = append(ob, ks[i].col+" DESC NULLS FIRST")
		} else {
			ob = append(ob, ks[i].col+" ASC NULLS LAST")
		}
	}
	ob = append(ob, "t.fid")
	order = strings.Join(ob, ", ")
	if after == nil {
		return order, "", nil
	}
	if len(after) != len(keys) {
		return "", "", &layers.ValidationError{Feature: -1, Field: "cursor", Reason: "does not match sortby"}
	}
	vals := make([]string, len(keys))
	for i, v := range after {
		if v != nil {
			vals[i] = arg(*v) + "::text::" + ks[i].typ
		}
	}
	// (k1 after v1) OR (k1 = v1 AND k2 after v2) OR … OR (all equal AND fid > f)
	var ors []string
	var eq []string
	for i, k := range ks {
		var gt string
		switch {
		case !k.desc && vals[i] != "":
			gt = fmt.Sprintf("(%s > %s OR %s IS NULL)", k.col, vals[i], k.col)
		case !k.desc:
			gt = "" // nothing sorts after NULL
		case vals[i] != "":
			gt = fmt.Sprintf("%s < %s", k.col, vals[i])
		default:
			gt = k.col + " IS NOT NULL"
		}
		if gt != "" {
			ors = append(ors, "("+strings.Join(append(append([]string{}, eq...), gt), " AND ")+")")
		}
		if vals[i] != "" {
			eq = append(eq, fmt.Sprintf("%s = %s", k.col, vals[i]))
		} else {
			eq = append(eq, k.col+" IS NULL")
		}
	}
	ors = append(ors, "("+strings.Join(append(eq, "t.fid > "+arg(afterFID)), " AND ")+")")
	return order, "(" + strings.Join(ors, " OR ") + ")", nil
}
