package cql2

import (
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Expr is a node of a filter's syntax tree. String writes it as canonical
// cql2-text.
type Expr interface {
	// Pos is where the node starts in the filter.
	Pos() Position
	String() string
	write(b *strings.Builder)
}

// Logical operators.
type (
	// And holds when every one of Args does (two or more).
	And struct {
		P    Position
		Args []Expr
	}
	// Or holds when any one of Args does (two or more).
	Or struct {
		P    Position
		Args []Expr
	}
	// Not negates Arg.
	Not struct {
		P   Position
		Arg Expr
	}
)

// Predicates.
type (
	// Comparison is Left Op Right, Op one of = <> < <= > >=.
	Comparison struct {
		P           Position
		Op          string
		Left, Right Expr
	}
	// Like matches Arg against Pattern (% any run, _ one character, \ escapes).
	Like struct {
		P       Position
		Not     bool
		Arg     Expr
		Pattern Expr
	}
	// Between holds when Low <= Arg <= High.
	Between struct {
		P              Position
		Not            bool
		Arg, Low, High Expr
	}
	// In holds when Arg equals one of List.
	In struct {
		P    Position
		Not  bool
		Arg  Expr
		List []Expr
	}
	// IsNull holds when Arg has no value.
	IsNull struct {
		P   Position
		Not bool
		Arg Expr
	}
	// Spatial is a spatial comparison function, Op in lower case
	// ("s_intersects"…).
	Spatial struct {
		P           Position
		Op          string
		Left, Right Expr
	}
	// DWithin holds when Left and Right are at most Distance metres apart
	// (on the ellipsoid): S_DWITHIN(a, b, metres), an extension.
	DWithin struct {
		P           Position
		Left, Right Expr
		Distance    *Number
	}
	// Temporal is a temporal comparison function, Op in lower case
	// ("t_intersects"…).
	Temporal struct {
		P           Position
		Op          string
		Left, Right Expr
	}
)

// Operands.
type (
	// Property names a queryable.
	Property struct {
		P    Position
		Name string
	}
	// String is a character literal.
	String struct {
		P     Position
		Value string
	}
	// Number is a numeric literal; Integer says it was written without a
	// fraction or exponent and fits an int64 (then Int holds it).
	Number struct {
		P       Position
		Value   float64
		Integer bool
		Int     int64
	}
	// Bool is TRUE or FALSE.
	Bool struct {
		P     Position
		Value bool
	}
	// Date is a calendar day (DATE('2024-03-31')), Value at 00:00 UTC.
	Date struct {
		P     Position
		Value time.Time
	}
	// Timestamp is an instant (TIMESTAMP('2024-03-31T10:00:00Z')), in UTC.
	Timestamp struct {
		P     Position
		Value time.Time
	}
	// Interval is INTERVAL(start, end); each end is a *Date, a *Timestamp,
	// an *Unbounded or a *Property.
	Interval struct {
		P          Position
		Start, End Expr
	}
	// Unbounded is the open end '..' of an interval.
	Unbounded struct {
		P Position
	}
	// Geometry is a geometry literal, in the filter's CRS (filter-crs):
	// an orb geometry, or an orb.Bound for BBOX(…).
	Geometry struct {
		P    Position
		Geom orb.Geometry
	}
	// CaseI compares its string operand without regard to case.
	CaseI struct {
		P   Position
		Arg Expr
	}
)

func (e *And) Pos() Position        { return e.P }
func (e *Or) Pos() Position         { return e.P }
func (e *Not) Pos() Position        { return e.P }
func (e *Comparison) Pos() Position { return e.P }
func (e *Like) Pos() Position       { return e.P }
func (e *Between) Pos() Position    { return e.P }
func (e *In) Pos() Position         { return e.P }
func (e *IsNull) Pos() Position     { return e.P }
func (e *Spatial) Pos() Position    { return e.P }
func (e *DWithin) Pos() Position    { return e.P }
func (e *Temporal) Pos() Position   { return e.P }
func (e *Property) Pos() Position   { return e.P }
func (e *String) Pos() Position     { return e.P }
func (e *Number) Pos() Position     { return e.P }
func (e *Bool) Pos() Position       { return e.P }
func (e *Date) Pos() Position       { return e.P }
func (e *Timestamp) Pos() Position  { return e.P }
func (e *Interval) Pos() Position   { return e.P }
func (e *Unbounded) Pos() Position  { return e.P }
func (e *Geometry) Pos() Position   { return e.P }
func (e *CaseI) Pos() Position      { return e.P }

func str(e Expr) string {
	var b strings.Builder
	e.write(&b)
	return b.String()
}

func (e *And) String() string        { return str(e) }
func (e *Or) String() string         { return str(e) }
func (e *Not) String() string        { return str(e) }
func (e *Comparison) String() string { return str(e) }
func (e *Like) String() string       { return str(e) }
func (e *Between) String() string    { return str(e) }
func (e *In) String() string         { return str(e) }
func (e *IsNull) String() string     { return str(e) }
func (e *Spatial) String() string    { return str(e) }
func (e *DWithin) String() string    { return str(e) }
func (e *Temporal) String() string   { return str(e) }
func (e *Property) String() string   { return str(e) }
func (e *String) String() string     { return str(e) }
func (e *Number) String() string     { return str(e) }
func (e *Bool) String() string       { return str(e) }
func (e *Date) String() string       { return str(e) }
func (e *Timestamp) String() string  { return str(e) }
func (e *Interval) String() string   { return str(e) }
func (e *Unbounded) String() string  { return str(e) }
func (e *Geometry) String() string   { return str(e) }
func (e *CaseI) String() string      { return str(e) }

func writeList(b *strings.Builder, sep string, args []Expr) {
	for i, a := range args {
		if i > 0 {
			b.WriteString(sep)
		}
		a.write(b)
	}
}

func (e *And) write(b *strings.Builder) {
	b.WriteByte('(')
	writeList(b, " AND ", e.Args)
	b.WriteByte(')')
}

func (e *Or) write(b *strings.Builder) {
	b.WriteByte('(')
	writeList(b, " OR ", e.Args)
	b.WriteByte(')')
}

func (e *Not) write(b *strings.Builder) {
	b.WriteString("NOT (")
	e.Arg.write(b)
	b.WriteByte(')')
}

func (e *Comparison) write(b *strings.Builder) {
	e.Left.write(b)
	b.WriteString(" " + e.Op + " ")
	e.Right.write(b)
}

func not(b *strings.Builder, n bool) {
	if n {
		b.WriteString(" NOT")
	}
}

func (e *Like) write(b *strings.Builder) {
	e.Arg.write(b)
	not(b, e.Not)
	b.WriteString(" LIKE ")
	e.Pattern.write(b)
}

func (e *Between) write(b *strings.Builder) {
	e.Arg.write(b)
	not(b, e.Not)
	b.WriteString(" BETWEEN ")
	e.Low.write(b)
	b.WriteString(" AND ")
	e.High.write(b)
}

func (e *In) write(b *strings.Builder) {
	e.Arg.write(b)
	not(b, e.Not)
	b.WriteString(" IN (")
	writeList(b, ", ", e.List)
	b.WriteByte(')')
}

func (e *IsNull) write(b *strings.Builder) {
	e.Arg.write(b)
	b.WriteString(" IS")
	not(b, e.Not)
	b.WriteString(" NULL")
}

func (e *Spatial) write(b *strings.Builder) {
	b.WriteString(strings.ToUpper(e.Op) + "(")
	writeList(b, ", ", []Expr{e.Left, e.Right})
	b.WriteByte(')')
}

func (e *DWithin) write(b *strings.Builder) {
	b.WriteString("S_DWITHIN(")
	writeList(b, ", ", []Expr{e.Left, e.Right, e.Distance})
	b.WriteByte(')')
}

func (e *Temporal) write(b *strings.Builder) {
	b.WriteString(strings.ToUpper(e.Op) + "(")
	writeList(b, ", ", []Expr{e.Left, e.Right})
	b.WriteByte(')')
}

func (e *Property) write(b *strings.Builder) {
	b.WriteByte('"')
	b.WriteString(e.Name)
	b.WriteByte('"')
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (e *String) write(b *strings.Builder) { b.WriteString(quoteString(e.Value)) }

func (e *Number) write(b *strings.Builder) {
	if e.Integer {
		b.WriteString(strconv.FormatInt(e.Int, 10))
		return
	}
	b.WriteString(formatFloat(e.Value))
}

// formatFloat writes f so that it reads back as f and as a CQL2 number
// (an exponent is always signed: 1E+21).
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'G', -1, 64)
	if !strings.ContainsAny(s, ".E") {
		s += ".0" // a float, not an integer, when read back
	}
	return s
}

func (e *Bool) write(b *strings.Builder) {
	if e.Value {
		b.WriteString("TRUE")
	} else {
		b.WriteString("FALSE")
	}
}

const (
	dateLayout      = "2006-01-02"
	timestampLayout = "2006-01-02T15:04:05.999999999Z"
)

func (e *Date) write(b *strings.Builder) {
	b.WriteString("DATE('" + e.Value.Format(dateLayout) + "')")
}

func (e *Timestamp) write(b *strings.Builder) {
	b.WriteString("TIMESTAMP('" + e.Value.UTC().Format(timestampLayout) + "')")
}

func (e *Interval) write(b *strings.Builder) {
	b.WriteString("INTERVAL(")
	for i, x := range []Expr{e.Start, e.End} {
		if i > 0 {
			b.WriteString(", ")
		}
		switch x := x.(type) {
		case *Date:
			b.WriteString("'" + x.Value.Format(dateLayout) + "'")
		case *Timestamp:
			b.WriteString("'" + x.Value.UTC().Format(timestampLayout) + "'")
		default:
			x.write(b)
		}
	}
	b.WriteByte(')')
}

func (e *Unbounded) write(b *strings.Builder) { b.WriteString("'..'") }

func (e *CaseI) write(b *strings.Builder) {
	b.WriteString("CASEI(")
	e.Arg.write(b)
	b.WriteByte(')')
}

func (e *Geometry) write(b *strings.Builder) { writeWKT(b, e.Geom) }

// Walk calls fn for e and every node below it, depth first, until fn
// returns false for a node (its children are then skipped).
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch e := e.(type) {
	case *And:
		for _, a := range e.Args {
			Walk(a, fn)
		}
	case *Or:
		for _, a := range e.Args {
			Walk(a, fn)
		}
	case *Not:
		Walk(e.Arg, fn)
	case *Comparison:
		Walk(e.Left, fn)
		Walk(e.Right, fn)
	case *Like:
		Walk(e.Arg, fn)
		Walk(e.Pattern, fn)
	case *Between:
		Walk(e.Arg, fn)
		Walk(e.Low, fn)
		Walk(e.High, fn)
	case *In:
		Walk(e.Arg, fn)
		for _, a := range e.List {
			Walk(a, fn)
		}
	case *IsNull:
		Walk(e.Arg, fn)
	case *Spatial:
		Walk(e.Left, fn)
		Walk(e.Right, fn)
	case *DWithin:
		Walk(e.Left, fn)
		Walk(e.Right, fn)
		Walk(e.Distance, fn)
	case *Temporal:
		Walk(e.Left, fn)
		Walk(e.Right, fn)
	case *Interval:
		Walk(e.Start, fn)
		Walk(e.End, fn)
	case *CaseI:
		Walk(e.Arg, fn)
	}
}

// Properties returns the names of the properties e refers to, each once,
// in the order they first appear.
func Properties(e Expr) []string {
	var names []string
	seen := map[string]bool{}
	Walk(e, func(x Expr) bool {
		if p, ok := x.(*Property); ok && !seen[p.Name] {
			seen[p.Name] = true
			names = append(names, p.Name)
		}
		return true
	})
	return names
}
