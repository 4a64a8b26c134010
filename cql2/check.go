package cql2

import "fmt"

// Type is the type of a queryable or of an expression.
type Type int

// Types of CQL2 values.
const (
	TypeString Type = iota + 1
	TypeNumber
	TypeBoolean
	TypeDate
	TypeTimestamp
	TypeGeometry
	typeInterval
)

var typeNames = map[Type]string{TypeString: "string", TypeNumber: "number", TypeBoolean: "boolean",
	TypeDate: "date", TypeTimestamp: "timestamp", TypeGeometry: "geometry", typeInterval: "interval"}

// String names the type as a message to a user does.
func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Schema maps each queryable's name to its type.
type Schema map[string]Type

// Check reports the first place where e does not fit s: a property that
// is not a queryable, operands of different types, a pattern that is not
// a string, a spatial function on a non-geometry… Filters that pass
// Check can be translated without further questions.
func Check(e Expr, s Schema) error {
	c := checker{s: s}
	return c.boolean(e)
}

type checker struct{ s Schema }

func (c checker) boolean(e Expr) error {
	switch e := e.(type) {
	case *And:
		for _, a := range e.Args {
			if err := c.boolean(a); err != nil {
				return err
			}
		}
		return nil
	case *Or:
		for _, a := range e.Args {
			if err := c.boolean(a); err != nil {
				return err
			}
		}
		return nil
	case *Not:
		return c.boolean(e.Arg)
	case *Bool:
		return nil
	case *Comparison:
		lt, err := c.typeOf(e.Left)
		if err != nil {
			return err
		}
		rt, err := c.typeOf(e.Right)
		if err != nil {
			return err
		}
		if err := c.scalarType(e.Left, lt); err != nil {
			return err
		}
		if err := c.same(e.Right, lt, rt); err != nil {
			return err
		}
		if lt == TypeBoolean && e.Op != "=" && e.Op != "<>" {
			return errAt(e.P, "booleans compare only with = and <>")
		}
		return nil
	case *Like:
		t, err := c.typeOf(e.Arg)
		if err != nil {
			return err
		}
		if t != TypeString {
			return errAt(e.Arg.Pos(), "LIKE needs a string, and %s is a %s", describeExpr(e.Arg), t)
		}
		return nil // the parser admits only string patterns
	case *Between:
		t, err := c.typeOf(e.Arg)
		if err != nil {
			return err
		}
		if t != TypeNumber && t != TypeDate && t != TypeTimestamp {
			return errAt(e.Arg.Pos(), "BETWEEN needs a number, a date or a timestamp, and %s is a %s", describeExpr(e.Arg), t)
		}
		for _, b := range []Expr{e.Low, e.High} {
			bt, err := c.typeOf(b)
			if err != nil {
				return err
			}
			if err := c.same(b, t, bt); err != nil {
				return err
			}
		}
		return nil
	case *In:
		t, err := c.typeOf(e.Arg)
		if err != nil {
			return err
		}
		if err := c.scalarType(e.Arg, t); err != nil {
			return err
		}
		for _, x := range e.List {
			xt, err := c.typeOf(x)
			if err != nil {
				return err
			}
			if err := c.same(x, t, xt); err != nil {
				return err
			}
		}
		return nil
	case *IsNull:
		_, err := c.typeOf(e.Arg)
		return err
	case *Spatial:
		return c.geometries(e.Left, e.Right)
	case *DWithin:
		if e.Distance.Value < 0 {
			return errAt(e.Distance.P, "a distance cannot be negative")
		}
		return c.geometries(e.Left, e.Right)
	case *Temporal:
		for _, x := range []Expr{e.Left, e.Right} {
			t, err := c.typeOf(x)
			if err != nil {
				return err
			}
			if t != TypeDate && t != TypeTimestamp && t != typeInterval {
				return errAt(x.Pos(), "%s needs dates, timestamps or intervals, and %s is a %s", e.Op, describeExpr(x), t)
			}
		}
		return nil
	}
	return errAt(e.Pos(), "%s is not a predicate", describeExpr(e))
}

func (c checker) geometries(l, r Expr) error {
	for _, x := range []Expr{l, r} {
		t, err := c.typeOf(x)
		if err != nil {
			return err
		}
		if t != TypeGeometry {
			return errAt(x.Pos(), "a spatial function needs geometries, and %s is a %s", describeExpr(x), t)
		}
	}
	return nil
}

// scalarType refuses the types that have no order or equality here.
func (c checker) scalarType(e Expr, t Type) error {
	switch t {
	case TypeGeometry:
		return errAt(e.Pos(), "geometries compare with the spatial functions (S_INTERSECTS…), not with operators")
	case typeInterval:
		return errAt(e.Pos(), "intervals compare with the temporal functions (T_INTERSECTS…), not with operators")
	}
	return nil
}

// same refuses an operand e of type got where want is needed.
func (c checker) same(e Expr, want, got Type) error {
	if want == got {
		return nil
	}
	return errAt(e.Pos(), "type mismatch: %s is a %s, where a %s is compared", describeExpr(e), got, want)
}

func (c checker) typeOf(e Expr) (Type, error) {
	switch e := e.(type) {
	case *Property:
		t, ok := c.s[e.Name]
		if !ok {
			return 0, errAt(e.P, "unknown property %q (see the collection's queryables)", e.Name)
		}
		return t, nil
	case *String:
		return TypeString, nil
	case *Number:
		return TypeNumber, nil
	case *Bool:
		return TypeBoolean, nil
	case *Date:
		return TypeDate, nil
	case *Timestamp:
		return TypeTimestamp, nil
	case *Geometry:
		return TypeGeometry, nil
	case *Interval:
		for _, x := range []Expr{e.Start, e.End} {
			if p, ok := x.(*Property); ok {
				t, err := c.typeOf(p)
				if err != nil {
					return 0, err
				}
				if t != TypeDate && t != TypeTimestamp {
					return 0, errAt(p.P, "an interval's end must be a date or a timestamp, and %s is a %s", describeExpr(p), t)
				}
			}
		}
		return typeInterval, nil
	case *CaseI:
		t, err := c.typeOf(e.Arg)
		if err != nil {
			return 0, err
		}
		if t != TypeString {
			return 0, errAt(e.Arg.Pos(), "CASEI needs a string, and %s is a %s", describeExpr(e.Arg), t)
		}
		return TypeString, nil
	}
	return 0, errAt(e.Pos(), "%s where a value was expected", describeExpr(e))
}

func describeExpr(e Expr) string {
	s := []rune(e.String())
	if len(s) > 40 {
		return string(s[:37]) + "…"
	}
	return string(s)
}
