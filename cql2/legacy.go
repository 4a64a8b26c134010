package cql2

import (
	"strings"
	"time"
)

// ParseLegacyText reads the draft CQL text ("cql-text", OGC 19-079 before
// CQL2) that clients such as GDAL 3.6 send: cql2-text plus ILIKE, and
// looser literals that Loosen fits to the queryables.
func ParseLegacyText(s string) (Expr, error) {
	return parseText(s, true)
}

// Loosen rewrites the literals of a legacy filter to the types of the
// properties they are compared with, where the draft allowed it: 0 and 1
// for booleans, strings for dates and timestamps (GDAL writes
// '2020-01-01T' and '2020-01-01T10:00:00Z'). Other mismatches are left
// for Check to refuse.
func Loosen(e Expr, s Schema) Expr {
	fit := func(prop, lit Expr) Expr {
		p, ok := prop.(*Property)
		if !ok {
			return lit
		}
		switch s[p.Name] {
		case TypeBoolean:
			if n, ok := lit.(*Number); ok && n.Integer && (n.Int == 0 || n.Int == 1) {
				return &Bool{P: n.P, Value: n.Int == 1}
			}
		case TypeDate, TypeTimestamp:
			str, ok := lit.(*String)
			if !ok {
				return lit
			}
			v := strings.TrimSuffix(str.Value, "T")
			if t, err := time.Parse(dateLayout, v); err == nil {
				if s[p.Name] == TypeDate {
					return &Date{P: str.P, Value: t}
				}
				return &Timestamp{P: str.P, Value: t}
			}
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
				if s[p.Name] == TypeDate {
					return &Date{P: str.P, Value: t.UTC().Truncate(24 * time.Hour)}
				}
				return &Timestamp{P: str.P, Value: t.UTC()}
			}
		}
		return lit
	}
	Walk(e, func(x Expr) bool {
		switch x := x.(type) {
		case *Comparison:
			x.Right = fit(x.Left, x.Right)
			x.Left = fit(x.Right, x.Left)
		case *In:
			for i := range x.List {
				x.List[i] = fit(x.Arg, x.List[i])
			}
		case *Between:
			x.Low, x.High = fit(x.Arg, x.Low), fit(x.Arg, x.High)
		}
		return true
	})
	return e
}
