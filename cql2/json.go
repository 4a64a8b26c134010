package cql2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ParseJSON reads a cql2-json filter. Positions in its errors are JSON
// paths ($.args[0]), or character offsets where the JSON itself is
// malformed.
func ParseJSON(b []byte) (Expr, error) {
	if len(b) > MaxLength {
		return nil, errAt(Position{Path: "$"}, "the filter is longer than %d bytes", MaxLength)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonSyntax(b, err)
	}
	end := int(dec.InputOffset())
	for end < len(b) && (b[end] == ' ' || b[end] == '\t' || b[end] == '\n' || b[end] == '\r') {
		end++
	}
	if end < len(b) {
		return nil, errAt(Position{Offset: utf8.RuneCount(b[:end])}, "more after the filter's JSON value")
	}
	p := &jsonParser{}
	return p.boolExpr(v, "$", 0)
}

func jsonSyntax(b []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(len(b))
	switch {
	case errors.As(err, &se):
		off = se.Offset - 1 // the offset after the byte at fault
	case errors.As(err, &te):
		off = te.Offset
	}
	off = max(0, min(off, int64(len(b))))
	reason := "not valid JSON"
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		reason = "not valid JSON: it ends too soon"
	} else if se != nil {
		reason = "not valid JSON: " + strings.TrimPrefix(se.Error(), "json: ")
	}
	return errAt(Position{Offset: utf8.RuneCount(b[:off])}, "%s", reason)
}

type jsonParser struct{ points int }

func idx(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		if op, ok := v["op"].(string); ok {
			return fmt.Sprintf("an %q operation", op)
		}
		return "an object"
	}
	return "a value"
}

// opArgs returns the op and args members of an operation object.
func opArgs(v map[string]any, path string) (string, []any, error) {
	op, ok := v["op"].(string)
	if !ok {
		return "", nil, errAt(Position{Path: path + ".op"}, "an operation needs a string op")
	}
	raw, ok := v["args"]
	if !ok {
		return "", nil, errAt(Position{Path: path}, "the %q operation has no args", op)
	}
	args, ok := raw.([]any)
	if !ok {
		return "", nil, errAt(Position{Path: path + ".args"}, "args must be an array")
	}
	for k := range v {
		if k != "op" && k != "args" {
			return "", nil, errAt(Position{Path: path + "." + k}, "unknown member %q of an operation", k)
		}
	}
	return op, args, nil
}

func nargs(op string, args []any, path string, lo, hi int) error {
	if len(args) < lo || len(args) > hi {
		want := fmt.Sprint(lo)
		if hi != lo {
			want = fmt.Sprintf("%d or more", lo)
		}
		return errAt(Position{Path: path + ".args"}, "%q takes %s arguments, not %d", op, want, len(args))
	}
	return nil
}

func (p *jsonParser) boolExpr(v any, path string, d int) (Expr, error) {
	if d > MaxDepth {
		return nil, errAt(Position{Path: path}, "nested deeper than %d levels", MaxDepth)
	}
	pos := Position{Path: path}
	if b, ok := v.(bool); ok {
		return &Bool{P: pos, Value: b}, nil
	}
	m, ok := v.(map[string]any)
	if !ok || m["op"] == nil {
		return nil, errAt(pos, "expected a predicate (an object with op and args), found %s", describe(v))
	}
	op, args, err := opArgs(m, path)
	if err != nil {
		return nil, err
	}
	ap := path + ".args"
	arg := func(i int) (Expr, error) { return p.scalar(args[i], idx(ap, i), d+1) }
	switch op {
	case "and", "or":
		if err := nargs(op, args, path, 2, math.MaxInt); err != nil {
			return nil, err
		}
		list := make([]Expr, len(args))
		for i, a := range args {
			if list[i], err = p.boolExpr(a, idx(ap, i), d+1); err != nil {
				return nil, err
			}
		}
		if op == "and" {
			return &And{P: pos, Args: list}, nil
		}
		return &Or{P: pos, Args: list}, nil
	case "not":
		if err := nargs(op, args, path, 1, 1); err != nil {
			return nil, err
		}
		e, err := p.boolExpr(args[0], idx(ap, 0), d+1)
		if err != nil {
			return nil, err
		}
		return &Not{P: pos, Arg: e}, nil
	case "=", "<>", "<", "<=", ">", ">=":
		if err := nargs(op, args, path, 2, 2); err != nil {
			return nil, err
		}
		l, err := arg(0)
		if err != nil {
			return nil, err
		}
		r, err := arg(1)
		if err != nil {
			return nil, err
		}
		return &Comparison{P: pos, Op: op, Left: l, Right: r}, nil
	case "like":
		if err := nargs(op, args, path, 2, 2); err != nil {
			return nil, err
		}
		l, err := arg(0)
		if err != nil {
			return nil, err
		}
		pat, err := p.pattern(args[1], idx(ap, 1), d+1)
		if err != nil {
			return nil, err
		}
		return &Like{P: pos, Arg: l, Pattern: pat}, nil
	case "between":
		if err := nargs(op, args, path, 3, 3); err != nil {
			return nil, err
		}
		var ops [3]Expr
		for i := range ops {
			if ops[i], err = arg(i); err != nil {
				return nil, err
			}
		}
		return &Between{P: pos, Arg: ops[0], Low: ops[1], High: ops[2]}, nil
	case "in":
		if err := nargs(op, args, path, 2, 2); err != nil {
			return nil, err
		}
		l, err := arg(0)
		if err != nil {
			return nil, err
		}
		raw, ok := args[1].([]any)
		if !ok {
			return nil, errAt(Position{Path: idx(ap, 1)}, "the second argument of in is an array of values")
		}
		if len(raw) == 0 || len(raw) > MaxList {
			return nil, errAt(Position{Path: idx(ap, 1)}, "an in list holds 1 to %d values", MaxList)
		}
		list := make([]Expr, len(raw))
		for i, x := range raw {
			if list[i], err = p.scalar(x, idx(idx(ap, 1), i), d+2); err != nil {
				return nil, err
			}
		}
		return &In{P: pos, Arg: l, List: list}, nil
	case "isNull":
		if err := nargs(op, args, path, 1, 1); err != nil {
			return nil, err
		}
		a, err := arg(0)
		if err != nil {
			return nil, err
		}
		return &IsNull{P: pos, Arg: a}, nil
	case "s_intersects", "s_equals", "s_disjoint", "s_touches", "s_within", "s_overlaps", "s_crosses", "s_contains",
		"t_intersects", "t_before", "t_after", "t_disjoint", "t_equals", "t_during":
		if err := nargs(op, args, path, 2, 2); err != nil {
			return nil, err
		}
		l, err := arg(0)
		if err != nil {
			return nil, err
		}
		r, err := arg(1)
		if err != nil {
			return nil, err
		}
		if op[0] == 's' {
			return &Spatial{P: pos, Op: op, Left: l, Right: r}, nil
		}
		return &Temporal{P: pos, Op: op, Left: l, Right: r}, nil
	case "s_dwithin":
		if err := nargs(op, args, path, 3, 3); err != nil {
			return nil, err
		}
		var ops [3]Expr
		for i := range ops {
			if ops[i], err = arg(i); err != nil {
				return nil, err
			}
		}
		n, ok := ops[2].(*Number)
		if !ok {
			return nil, errAt(Position{Path: idx(ap, 2)}, "s_dwithin's third argument is a distance in metres, a number")
		}
		return &DWithin{P: pos, Left: ops[0], Right: ops[1], Distance: n}, nil
	}
	return nil, unknownOp(op, path)
}

func unknownOp(op, path string) error {
	pos := Position{Path: path + ".op"}
	switch {
	case strings.HasPrefix(op, "t_"):
		return errAt(pos, "%s: this temporal function is not supported", op)
	case strings.HasPrefix(op, "a_"):
		return errAt(pos, "%s: array functions are not supported", op)
	case op == "accenti":
		return errAt(pos, "accenti is not supported")
	case strings.ContainsAny(op, "+-*/^%") || op == "div":
		return errAt(pos, "arithmetic (%s) is not supported", op)
	}
	return errAt(pos, "unknown operator or function %q", op)
}

func (p *jsonParser) pattern(v any, path string, d int) (Expr, error) {
	if d > MaxDepth {
		return nil, errAt(Position{Path: path}, "nested deeper than %d levels", MaxDepth)
	}
	switch v := v.(type) {
	case string:
		return &String{P: Position{Path: path}, Value: v}, nil
	case map[string]any:
		if v["op"] == "casei" {
			_, args, err := opArgs(v, path)
			if err != nil {
				return nil, err
			}
			if err := nargs("casei", args, path, 1, 1); err != nil {
				return nil, err
			}
			inner, err := p.pattern(args[0], idx(path+".args", 0), d+1)
			if err != nil {
				return nil, err
			}
			return &CaseI{P: Position{Path: path}, Arg: inner}, nil
		}
	}
	return nil, errAt(Position{Path: path}, "expected a pattern (a string), found %s", describe(v))
}

// scalar reads an operand.
func (p *jsonParser) scalar(v any, path string, d int) (Expr, error) {
	pos := Position{Path: path}
	if d > MaxDepth {
		return nil, errAt(pos, "nested deeper than %d levels", MaxDepth)
	}
	switch v := v.(type) {
	case string:
		return &String{P: pos, Value: v}, nil
	case bool:
		return &Bool{P: pos, Value: v}, nil
	case json.Number:
		return parseNumber(string(v), pos)
	case map[string]any:
		return p.object(v, path, d)
	case []any:
		return nil, errAt(pos, "an array is a value only as the list of in")
	}
	return nil, errAt(pos, "expected a property or a value, found %s", describe(v))
}

func single(v map[string]any, key, path string) error {
	for k := range v {
		if k != key {
			return errAt(Position{Path: path + "." + k}, "unknown member %q beside %q", k, key)
		}
	}
	return nil
}

func (p *jsonParser) object(v map[string]any, path string, d int) (Expr, error) {
	pos := Position{Path: path}
	switch {
	case v["property"] != nil:
		name, ok := v["property"].(string)
		if !ok || !validName(name) {
			return nil, errAt(Position{Path: path + ".property"}, "not a property name")
		}
		return &Property{P: pos, Name: name}, single(v, "property", path)
	case v["date"] != nil:
		s, _ := v["date"].(string)
		if err := single(v, "date", path); err != nil {
			return nil, err
		}
		return parseDate(s, Position{Path: path + ".date"})
	case v["timestamp"] != nil:
		s, _ := v["timestamp"].(string)
		if err := single(v, "timestamp", path); err != nil {
			return nil, err
		}
		return parseTimestamp(s, Position{Path: path + ".timestamp"})
	case v["interval"] != nil:
		if err := single(v, "interval", path); err != nil {
			return nil, err
		}
		ends, ok := v["interval"].([]any)
		ip := path + ".interval"
		if !ok || len(ends) != 2 {
			return nil, errAt(Position{Path: ip}, "an interval is an array of two instants")
		}
		var out [2]Expr
		for i, e := range ends {
			ep := Position{Path: idx(ip, i)}
			switch e := e.(type) {
			case string:
				x, err := parseInstant(e, ep)
				if err != nil {
					return nil, err
				}
				out[i] = x
			case map[string]any:
				x, err := p.object(e, idx(ip, i), d+1)
				if err != nil {
					return nil, err
				}
				switch x.(type) {
				case *Property, *Date, *Timestamp:
				default:
					return nil, errAt(ep, "an interval's end is a date, a timestamp, '..' or a property")
				}
				out[i] = x
			default:
				return nil, errAt(ep, "an interval's end is a date, a timestamp, '..' or a property")
			}
		}
		return &Interval{P: pos, Start: out[0], End: out[1]}, nil
	case v["bbox"] != nil:
		if err := single(v, "bbox", path); err != nil {
			return nil, err
		}
		raw, _ := v["bbox"].([]any)
		n := make([]float64, 0, len(raw))
		for i, x := range raw {
			num, ok := x.(json.Number)
			if !ok {
				return nil, errAt(Position{Path: idx(path+".bbox", i)}, "not a number")
			}
			f, err := parseNumber(string(num), pos)
			if err != nil {
				return nil, err
			}
			n = append(n, f.Value)
		}
		g, err := bboxOf(n, Position{Path: path + ".bbox"})
		if err != nil {
			return nil, err
		}
		return &Geometry{P: pos, Geom: g}, nil
	case v["type"] != nil:
		return p.geoJSON(v, path)
	case v["op"] != nil:
		op, args, err := opArgs(v, path)
		if err != nil {
			return nil, err
		}
		if op == "casei" {
			if err := nargs(op, args, path, 1, 1); err != nil {
				return nil, err
			}
			inner, err := p.scalar(args[0], idx(path+".args", 0), d+1)
			if err != nil {
				return nil, err
			}
			return &CaseI{P: pos, Arg: inner}, nil
		}
		if _, err := p.boolExpr(v, path, d); err == nil {
			return nil, errAt(pos, "the %q predicate where a value was expected", op)
		}
		return nil, unknownOp(op, path)
	}
	return nil, errAt(pos, "expected a property, a value or a geometry, found an object")
}

var geoJSONTypes = map[string]bool{"Point": true, "LineString": true, "Polygon": true, "MultiPoint": true,
	"MultiLineString": true, "MultiPolygon": true, "GeometryCollection": true}

// geoJSON reads a GeoJSON geometry literal.
func (p *jsonParser) geoJSON(v map[string]any, path string) (Expr, error) {
	pos := Position{Path: path}
	t, _ := v["type"].(string)
	if !geoJSONTypes[t] {
		return nil, errAt(Position{Path: path + ".type"}, "%q is not a GeoJSON geometry type", v["type"])
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errAt(pos, "not a GeoJSON geometry")
	}
	g, err := geojson.UnmarshalGeometry(b)
	if err != nil || g.Coordinates == nil && t != "GeometryCollection" {
		return nil, errAt(pos, "not a GeoJSON %s", t)
	}
	geom := g.Geometry()
	if t == "GeometryCollection" {
		c := orb.Collection{}
		for i, m := range g.Geometries {
			if m.Type == "GeometryCollection" || m.Geometry() == nil {
				return nil, errAt(Position{Path: idx(path+".geometries", i)}, "a collection holds points, lines and polygons")
			}
			c = append(c, m.Geometry())
		}
		geom = c
	}
	if err := checkGeom(geom, pos); err != nil {
		return nil, err
	}
	p.points += pointCount(geom)
	if p.points > MaxPoints {
		return nil, errAt(pos, "geometries of more than %d points", MaxPoints)
	}
	return &Geometry{P: pos, Geom: geom}, nil
}

// checkGeom refuses empty parts, short lines and open rings.
func checkGeom(g orb.Geometry, pos Position) error {
	switch g := g.(type) {
	case orb.LineString:
		if len(g) < 2 {
			return errAt(pos, "a line needs at least 2 points")
		}
	case orb.Polygon:
		if len(g) == 0 {
			return errAt(pos, "a polygon needs a ring")
		}
		for _, r := range g {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				return errAt(pos, "a polygon ring needs 4 points or more and must end where it starts")
			}
		}
	case orb.MultiPoint:
		if len(g) == 0 {
			return errAt(pos, "an empty geometry")
		}
	case orb.MultiLineString:
		if len(g) == 0 {
			return errAt(pos, "an empty geometry")
		}
		for _, l := range g {
			if err := checkGeom(l, pos); err != nil {
				return err
			}
		}
	case orb.MultiPolygon:
		if len(g) == 0 {
			return errAt(pos, "an empty geometry")
		}
		for _, pg := range g {
			if err := checkGeom(pg, pos); err != nil {
				return err
			}
		}
	case orb.Collection:
		if len(g) == 0 {
			return errAt(pos, "an empty geometry")
		}
		for _, m := range g {
			if err := checkGeom(m, pos); err != nil {
				return err
			}
		}
	}
	return nil
}
