package cql2

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// ParseText reads a cql2-text filter.
func ParseText(s string) (Expr, error) { return parseText(s, false) }

func parseText(s string, legacy bool) (Expr, error) {
	if len(s) > MaxLength {
		return nil, errAt(Position{}, "the filter is longer than %d bytes", MaxLength)
	}
	if !utf8.ValidString(s) {
		return nil, errAt(Position{Offset: utf8.RuneCountInString(s[:firstInvalid(s)])}, "not valid UTF-8")
	}
	toks, err := lex([]rune(s))
	if err != nil {
		return nil, err
	}
	p := &textParser{toks: toks, legacy: legacy}
	e, err := p.boolExpr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.unexpected(t, "AND, OR or the end of the filter")
	}
	return e, nil
}

func firstInvalid(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				return i
			}
		}
	}
	return len(s)
}

type textParser struct {
	toks   []token
	i      int
	points int
	legacy bool // ILIKE too
}

func (p *textParser) peek() token { return p.toks[p.i] }
func (p *textParser) peekAt(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *textParser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func at(t token) Position { return Position{Offset: t.pos} }

func (p *textParser) unexpected(t token, want string) error {
	return errAt(at(t), "expected %s, found %s", want, t.describe())
}

// keyword reports whether t is the keyword kw (case-insensitive).
func keyword(t token, kw string) bool { return t.kind == tIdent && strings.EqualFold(t.text, kw) }

func (p *textParser) accept(kw string) bool {
	if keyword(p.peek(), kw) {
		p.i++
		return true
	}
	return false
}

func (p *textParser) expect(kind tokKind, want string) (token, error) {
	t := p.peek()
	if t.kind != kind {
		return t, p.unexpected(t, want)
	}
	return p.next(), nil
}

func (p *textParser) depth(d int) error {
	if d > MaxDepth {
		return errAt(at(p.peek()), "nested deeper than %d levels", MaxDepth)
	}
	return nil
}

// boolExpr: term {OR term}.
func (p *textParser) boolExpr(d int) (Expr, error) {
	if err := p.depth(d); err != nil {
		return nil, err
	}
	start := p.peek()
	first, err := p.boolTerm(d)
	if err != nil {
		return nil, err
	}
	args := []Expr{first}
	for p.accept("OR") {
		t, err := p.boolTerm(d)
		if err != nil {
			return nil, err
		}
		args = append(args, t)
	}
	if len(args) == 1 {
		return first, nil
	}
	return &Or{P: at(start), Args: args}, nil
}

// boolTerm: factor {AND factor}.
func (p *textParser) boolTerm(d int) (Expr, error) {
	start := p.peek()
	first, err := p.boolFactor(d)
	if err != nil {
		return nil, err
	}
	args := []Expr{first}
	for p.accept("AND") {
		f, err := p.boolFactor(d)
		if err != nil {
			return nil, err
		}
		args = append(args, f)
	}
	if len(args) == 1 {
		return first, nil
	}
	return &And{P: at(start), Args: args}, nil
}

// boolFactor: [NOT] primary.
func (p *textParser) boolFactor(d int) (Expr, error) {
	t := p.peek()
	if keyword(t, "NOT") {
		p.next()
		if err := p.depth(d + 1); err != nil {
			return nil, err
		}
		e, err := p.boolFactor(d + 1)
		if err != nil {
			return nil, err
		}
		return &Not{P: at(t), Arg: e}, nil
	}
	return p.boolPrimary(d)
}

var spatialOps = map[string]bool{"S_INTERSECTS": true, "S_EQUALS": true, "S_DISJOINT": true, "S_TOUCHES": true,
	"S_WITHIN": true, "S_OVERLAPS": true, "S_CROSSES": true, "S_CONTAINS": true}

var temporalOps = map[string]bool{"T_INTERSECTS": true, "T_BEFORE": true, "T_AFTER": true, "T_DISJOINT": true,
	"T_EQUALS": true, "T_DURING": true}

// unsupportedFuncs are CQL2 functions this reader knows and refuses.
var unsupportedFuncs = map[string]string{
	"T_CONTAINS": "temporal", "T_FINISHEDBY": "temporal", "T_FINISHES": "temporal", "T_MEETS": "temporal",
	"T_METBY": "temporal", "T_OVERLAPPEDBY": "temporal", "T_OVERLAPS": "temporal", "T_STARTEDBY": "temporal",
	"T_STARTS": "temporal", "A_EQUALS": "array", "A_CONTAINS": "array", "A_CONTAINEDBY": "array",
	"A_OVERLAPS": "array", "ACCENTI": "accent-insensitive",
}

func (p *textParser) boolPrimary(d int) (Expr, error) {
	t := p.peek()
	if t.kind == tLParen {
		p.next()
		e, err := p.boolExpr(d + 1)
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
		return e, nil
	}
	if t.kind == tIdent && p.peekAt(1).kind == tLParen {
		name := strings.ToUpper(t.text)
		switch {
		case spatialOps[name]:
			p.next()
			p.next()
			args, err := p.args(d, 2, 2)
			if err != nil {
				return nil, err
			}
			return &Spatial{P: at(t), Op: strings.ToLower(name), Left: args[0], Right: args[1]}, nil
		case name == "S_DWITHIN":
			p.next()
			p.next()
			args, err := p.args(d, 3, 3)
			if err != nil {
				return nil, err
			}
			n, ok := args[2].(*Number)
			if !ok {
				return nil, errAt(args[2].Pos(), "S_DWITHIN's third argument is a distance in metres, a number")
			}
			return &DWithin{P: at(t), Left: args[0], Right: args[1], Distance: n}, nil
		case temporalOps[name]:
			p.next()
			p.next()
			args, err := p.args(d, 2, 2)
			if err != nil {
				return nil, err
			}
			return &Temporal{P: at(t), Op: strings.ToLower(name), Left: args[0], Right: args[1]}, nil
		}
	}
	left, err := p.scalar(d)
	if err != nil {
		return nil, err
	}
	return p.predicate(d, t, left)
}

// args reads min to max comma-separated operands and the closing ')'.
func (p *textParser) args(d, min, max int) ([]Expr, error) {
	var out []Expr
	for {
		e, err := p.scalar(d + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		t := p.next()
		if t.kind == tRParen {
			break
		}
		if t.kind != tComma || len(out) == max {
			return nil, p.unexpectedAt(t, len(out) == max)
		}
	}
	if len(out) < min {
		return nil, errAt(at(p.toks[p.i-1]), "expected %d arguments, found %d", min, len(out))
	}
	return out, nil
}

func (p *textParser) unexpectedAt(t token, closing bool) error {
	if closing {
		return errAt(at(t), "expected ')', found %s", t.describe())
	}
	return errAt(at(t), "expected ',' or ')', found %s", t.describe())
}

// predicate reads what follows the operand left of a comparison.
func (p *textParser) predicate(d int, start token, left Expr) (Expr, error) {
	t := p.peek()
	negate := false
	if keyword(t, "NOT") {
		n := p.peekAt(1)
		if keyword(n, "LIKE") || keyword(n, "BETWEEN") || keyword(n, "IN") || p.legacy && keyword(n, "ILIKE") {
			p.next()
			negate = true
			t = p.peek()
		}
	}
	switch {
	case t.kind == tOp && !negate:
		p.next()
		right, err := p.scalar(d)
		if err != nil {
			return nil, err
		}
		return &Comparison{P: at(start), Op: t.text, Left: left, Right: right}, nil
	case keyword(t, "LIKE"):
		p.next()
		pat, err := p.pattern(d)
		if err != nil {
			return nil, err
		}
		return &Like{P: at(start), Not: negate, Arg: left, Pattern: pat}, nil
	case p.legacy && keyword(t, "ILIKE"):
		p.next()
		pat, err := p.pattern(d)
		if err != nil {
			return nil, err
		}
		return &Like{P: at(start), Not: negate, Arg: &CaseI{P: left.Pos(), Arg: left}, Pattern: &CaseI{P: pat.Pos(), Arg: pat}}, nil
	case keyword(t, "BETWEEN"):
		p.next()
		lo, err := p.scalar(d)
		if err != nil {
			return nil, err
		}
		if !p.accept("AND") {
			return nil, p.unexpected(p.peek(), "AND (BETWEEN low AND high)")
		}
		hi, err := p.scalar(d)
		if err != nil {
			return nil, err
		}
		return &Between{P: at(start), Not: negate, Arg: left, Low: lo, High: hi}, nil
	case keyword(t, "IN"):
		p.next()
		if _, err := p.expect(tLParen, "'(' after IN"); err != nil {
			return nil, err
		}
		var list []Expr
		for {
			if len(list) == MaxList {
				return nil, errAt(at(p.peek()), "an IN list longer than %d values", MaxList)
			}
			e, err := p.scalar(d + 1)
			if err != nil {
				return nil, err
			}
			list = append(list, e)
			n := p.next()
			if n.kind == tRParen {
				break
			}
			if n.kind != tComma {
				return nil, p.unexpectedAt(n, false)
			}
		}
		return &In{P: at(start), Not: negate, Arg: left, List: list}, nil
	case keyword(t, "IS") && !negate:
		p.next()
		isNot := p.accept("NOT")
		if !p.accept("NULL") {
			return nil, p.unexpected(p.peek(), "NULL")
		}
		return &IsNull{P: at(start), Not: isNot, Arg: left}, nil
	}
	if b, ok := left.(*Bool); ok && !negate {
		return b, nil
	}
	return nil, p.unexpected(t, "a comparison (=, <>, <, <=, >, >=, LIKE, BETWEEN, IN or IS NULL)")
}

// pattern: a string literal, or CASEI(pattern).
func (p *textParser) pattern(d int) (Expr, error) {
	t := p.peek()
	if err := p.depth(d); err != nil {
		return nil, err
	}
	switch {
	case t.kind == tString:
		p.next()
		return &String{P: at(t), Value: t.text}, nil
	case keyword(t, "CASEI") && p.peekAt(1).kind == tLParen:
		p.next()
		p.next()
		inner, err := p.pattern(d + 1)
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
		return &CaseI{P: at(t), Arg: inner}, nil
	}
	return nil, p.unexpected(t, "a pattern (a 'string')")
}

// reserved are keywords that cannot be bare property names.
var reserved = map[string]bool{"AND": true, "OR": true, "NOT": true, "LIKE": true, "BETWEEN": true, "IN": true,
	"IS": true, "NULL": true}

var geometryWords = map[string]bool{"POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
	"MULTILINESTRING": true, "MULTIPOLYGON": true, "GEOMETRYCOLLECTION": true, "BBOX": true}

// scalar reads an operand: a literal, a property, CASEI(…), a temporal or
// geometry literal.
func (p *textParser) scalar(d int) (Expr, error) {
	if err := p.depth(d); err != nil {
		return nil, err
	}
	t := p.peek()
	switch t.kind {
	case tString:
		p.next()
		return &String{P: at(t), Value: t.text}, nil
	case tNumber:
		p.next()
		return parseNumber(t.text, at(t))
	case tQuoted:
		p.next()
		return &Property{P: at(t), Name: t.text}, nil
	case tIdent:
	default:
		return nil, p.unexpected(t, "a property or a value")
	}
	name := strings.ToUpper(t.text)
	call := p.peekAt(1).kind == tLParen
	switch {
	case name == "TRUE" || name == "FALSE":
		p.next()
		return &Bool{P: at(t), Value: name == "TRUE"}, nil
	case reserved[name]:
		return nil, p.unexpected(t, "a property or a value")
	case call && name == "DATE", call && name == "TIMESTAMP":
		p.next()
		p.next()
		s, err := p.expect(tString, "a quoted "+strings.ToLower(name))
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
		var x Expr
		if name == "DATE" {
			x, err = parseDate(s.text, at(s))
		} else {
			x, err = parseTimestamp(s.text, at(s))
		}
		switch x := x.(type) {
		case *Date:
			x.P = at(t)
		case *Timestamp:
			x.P = at(t)
		}
		return x, err
	case call && name == "INTERVAL":
		p.next()
		p.next()
		var ends []Expr
		for len(ends) < 2 {
			e := p.peek()
			switch e.kind {
			case tString:
				p.next()
				x, err := parseInstant(e.text, at(e))
				if err != nil {
					return nil, err
				}
				ends = append(ends, x)
			case tQuoted:
				p.next()
				ends = append(ends, &Property{P: at(e), Name: e.text})
			case tIdent:
				if reserved[strings.ToUpper(e.text)] || p.peekAt(1).kind == tLParen {
					return nil, p.unexpected(e, "a date, a timestamp, '..' or a property")
				}
				p.next()
				ends = append(ends, &Property{P: at(e), Name: e.text})
			default:
				return nil, p.unexpected(e, "a date, a timestamp, '..' or a property")
			}
			want := tComma
			if len(ends) == 2 {
				want = tRParen
			}
			if n := p.next(); n.kind != want {
				return nil, p.unexpectedAt(n, want == tRParen)
			}
		}
		return &Interval{P: at(t), Start: ends[0], End: ends[1]}, nil
	case call && name == "CASEI":
		p.next()
		p.next()
		inner, err := p.scalar(d + 1)
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
		return &CaseI{P: at(t), Arg: inner}, nil
	case geometryWords[name] && (call || keyword(p.peekAt(1), "Z")):
		g, err := p.geometry(d)
		if err != nil {
			return nil, err
		}
		return &Geometry{P: at(t), Geom: g}, nil
	case call:
		if kind, ok := unsupportedFuncs[name]; ok {
			return nil, errAt(at(t), "%s: the %s functions are not supported", t.text, kind)
		}
		if spatialOps[name] || temporalOps[name] || name == "S_DWITHIN" {
			return nil, errAt(at(t), "%s is a predicate, not a value", t.text)
		}
		return nil, errAt(at(t), "unknown function %s (functions and arithmetic are not supported)", t.text)
	}
	p.next()
	return &Property{P: at(t), Name: t.text}, nil
}

func parseNumber(s string, pos Position) (*Number, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errAt(pos, "%s is not a number this service can use", s)
	}
	n := &Number{P: pos, Value: f}
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64); err == nil {
			n.Integer, n.Int = true, i
		}
	}
	return n, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func parseDate(s string, pos Position) (Expr, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return nil, errAt(pos, "%q is not a date (YYYY-MM-DD)", s)
	}
	return &Date{P: pos, Value: t}, nil
}

func parseTimestamp(s string, pos Position) (Expr, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 0 || t.Year() > 9999 {
		return nil, errAt(pos, "%q is not a timestamp (YYYY-MM-DDThh:mm:ssZ)", s)
	}
	return &Timestamp{P: pos, Value: t.UTC()}, nil
}

// parseInstant reads an interval's end: '..', a date or a timestamp.
func parseInstant(s string, pos Position) (Expr, error) {
	switch {
	case s == "..":
		return &Unbounded{P: pos}, nil
	case len(s) == len(dateLayout):
		return parseDate(s, pos)
	}
	return parseTimestamp(s, pos)
}

// geometry reads a WKT geometry or BBOX(…) whose keyword is next.
func (p *textParser) geometry(d int) (orb.Geometry, error) {
	t := p.next()
	name := strings.ToUpper(t.text)
	if name == "BBOX" {
		if _, err := p.expect(tLParen, "'('"); err != nil {
			return nil, err
		}
		var n []float64
		for {
			c, err := p.coord()
			if err != nil {
				return nil, err
			}
			n = append(n, c)
			sep := p.next()
			if sep.kind == tRParen {
				break
			}
			if sep.kind != tComma || len(n) == 6 {
				return nil, p.unexpectedAt(sep, len(n) == 6)
			}
		}
		return bboxOf(n, at(t))
	}
	z := p.accept("Z")
	if err := p.depth(d + 1); err != nil {
		return nil, err
	}
	return p.geomBody(name, z, d+1, at(t))
}

func bboxOf(n []float64, pos Position) (orb.Geometry, error) {
	switch len(n) {
	case 4:
	case 6:
		n = []float64{n[0], n[1], n[3], n[4]}
	default:
		return nil, errAt(pos, "BBOX takes 4 or 6 numbers, not %d", len(n))
	}
	if n[0] > n[2] || n[1] > n[3] {
		return nil, errAt(pos, "BBOX: the lower corner comes first (west, south, east, north)")
	}
	return orb.Bound{Min: orb.Point{n[0], n[1]}, Max: orb.Point{n[2], n[3]}}, nil
}

func (p *textParser) geomBody(name string, z bool, d int, pos Position) (orb.Geometry, error) {
	switch name {
	case "POINT":
		if _, err := p.expect(tLParen, "'('"); err != nil {
			return nil, err
		}
		pt, err := p.point(z)
		if err != nil {
			return nil, err
		}
		_, err = p.expect(tRParen, "')'")
		return pt, err
	case "LINESTRING":
		return p.lineString(z, 2, pos)
	case "POLYGON":
		return p.polygon(z)
	case "MULTIPOINT":
		if _, err := p.expect(tLParen, "'('"); err != nil {
			return nil, err
		}
		var mp orb.MultiPoint
		for {
			paren := p.peek().kind == tLParen
			if paren {
				p.next()
			}
			pt, err := p.point(z)
			if err != nil {
				return nil, err
			}
			if paren {
				if _, err := p.expect(tRParen, "')'"); err != nil {
					return nil, err
				}
			}
			mp = append(mp, pt)
			if done, err := p.listEnd(); done || err != nil {
				return mp, err
			}
		}
	case "MULTILINESTRING":
		if _, err := p.expect(tLParen, "'('"); err != nil {
			return nil, err
		}
		var ml orb.MultiLineString
		for {
			l, err := p.lineString(z, 2, at(p.peek()))
			if err != nil {
				return nil, err
			}
			ml = append(ml, l)
			if done, err := p.listEnd(); done || err != nil {
				return ml, err
			}
		}
	case "MULTIPOLYGON":
		if _, err := p.expect(tLParen, "'('"); err != nil {
			return nil, err
		}
		var mp orb.MultiPolygon
		for {
			pg, err := p.polygon(z)
			if err != nil {
				return nil, err
			}
			mp = append(mp, pg)
			if done, err := p.listEnd(); done || err != nil {
				return mp, err
			}
		}
	case "GEOMETRYCOLLECTION":
		if _, err := p.expect(tLParen, "'('"); err != nil {
			return nil, err
		}
		var c orb.Collection
		for {
			t := p.peek()
			n := strings.ToUpper(t.text)
			if t.kind != tIdent || !geometryWords[n] || n == "BBOX" || n == "GEOMETRYCOLLECTION" {
				return nil, p.unexpected(t, "a geometry (POINT, LINESTRING, POLYGON or their MULTI forms)")
			}
			p.next()
			gz := p.accept("Z")
			g, err := p.geomBody(n, gz, d+1, at(t))
			if err != nil {
				return nil, err
			}
			c = append(c, g)
			if done, err := p.listEnd(); done || err != nil {
				return c, err
			}
		}
	}
	return nil, errAt(pos, "unknown geometry %s", name)
}

// listEnd reads ',' (more to come) or ')' (done).
func (p *textParser) listEnd() (bool, error) {
	t := p.next()
	switch t.kind {
	case tRParen:
		return true, nil
	case tComma:
		return false, nil
	}
	return false, p.unexpectedAt(t, false)
}

func (p *textParser) lineString(z bool, min int, pos Position) (orb.LineString, error) {
	if _, err := p.expect(tLParen, "'('"); err != nil {
		return nil, err
	}
	var ls orb.LineString
	for {
		pt, err := p.point(z)
		if err != nil {
			return nil, err
		}
		ls = append(ls, pt)
		if done, err := p.listEnd(); err != nil {
			return nil, err
		} else if done {
			break
		}
	}
	if len(ls) < min {
		return nil, errAt(pos, "a line needs at least %d points, a ring %d", 2, 4)
	}
	return ls, nil
}

func (p *textParser) polygon(z bool) (orb.Polygon, error) {
	if _, err := p.expect(tLParen, "'('"); err != nil {
		return nil, err
	}
	var pg orb.Polygon
	for {
		pos := at(p.peek())
		ls, err := p.lineString(z, 4, pos)
		if err != nil {
			return nil, err
		}
		if ls[0] != ls[len(ls)-1] {
			return nil, errAt(pos, "a polygon ring must end where it starts")
		}
		pg = append(pg, orb.Ring(ls))
		if done, err := p.listEnd(); done || err != nil {
			return pg, err
		}
	}
}

// point reads "x y" or, with z, "x y z" (z is dropped).
func (p *textParser) point(z bool) (orb.Point, error) {
	p.points++
	if p.points > MaxPoints {
		return orb.Point{}, errAt(at(p.peek()), "geometries of more than %d points", MaxPoints)
	}
	x, err := p.coord()
	if err != nil {
		return orb.Point{}, err
	}
	y, err := p.coord()
	if err != nil {
		return orb.Point{}, err
	}
	if z || p.peek().kind == tNumber {
		if _, err := p.coord(); err != nil {
			return orb.Point{}, err
		}
	}
	return orb.Point{x, y}, nil
}

func (p *textParser) coord() (float64, error) {
	t, err := p.expect(tNumber, "a coordinate")
	if err != nil {
		return 0, err
	}
	n, err := parseNumber(t.text, at(t))
	if err != nil {
		return 0, err
	}
	return n.Value, nil
}
