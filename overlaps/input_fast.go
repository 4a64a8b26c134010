package overlaps

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// The common alignment documents — a LineString or MultiLineString, a
// Feature of one, a FeatureCollection of such Features — are read by a
// scanner that puts the coordinates straight into orb types, rather than
// through encoding/json's reflection in two passes:
// for a 1,500-vertex alignment the decoding was a third of a check. The
// scanner is strict (any doubt, and ParseGeoJSON reads the document the
// exact way, whose errors say what and where); members it does not use are
// checked with json.Valid.

// errSlow means: read this document the exact way.
var errSlow = errors.New("overlaps: not a document for the fast reader")

// docMembers are the members of a GeoJSON object the fast reader uses, as
// raw JSON (its type decoded).
type docMembers struct {
	typ                                         string
	coords, features, geometry, id, props, bbox []byte
}

// take keeps the member key's value, or checks that it is JSON.
func (m *docMembers) take(key string, val []byte) error {
	switch key {
	case "type":
		return json.Unmarshal(val, &m.typ)
	case "coordinates":
		m.coords = val
	case "features":
		m.features = val
	case "geometry":
		m.geometry = val
	case "id":
		m.id = val
	case "properties":
		m.props = val
	case "bbox":
		m.bbox = val
	default:
		if !json.Valid(val) {
			return errSlow
		}
	}
	return nil
}

// unused reports whether members the document's type does not use are
// still JSON.
func unused(vals ...[]byte) bool {
	for _, v := range vals {
		if v != nil && !json.Valid(v) {
			return false
		}
	}
	return true
}

// parseFast reads doc, or returns errSlow.
func parseFast(doc []byte) ([]Alignment, error) {
	var m docMembers
	if err := members(doc, m.take); err != nil {
		return nil, errSlow
	}
	typ, coords, features, geometry, id, props, bbox := m.typ, m.coords, m.features, m.geometry, m.id, m.props, m.bbox
	switch typ {
	case "LineString", "MultiLineString":
		if coords == nil || features != nil || geometry != nil || !unused(id, props, bbox) {
			return nil, errSlow
		}
		g, err := readCoordinates(typ, coords)
		if err != nil {
			return nil, errSlow
		}
		return []Alignment{{Geom: g}}, nil
	case "Feature":
		if features != nil || !unused(coords) {
			return nil, errSlow
		}
		a, err := fastFeature(geometry, id, props, bbox)
		if err != nil {
			return nil, errSlow
		}
		return []Alignment{a}, nil
	case "FeatureCollection":
		if features == nil || !unused(coords, geometry, id, props, bbox) {
			return nil, errSlow
		}
		out := []Alignment{}
		err := elements(features, func(f []byte) error {
			var fm docMembers
			if err := members(f, fm.take); err != nil || fm.typ != "Feature" || !unused(fm.coords, fm.features) {
				return errSlow
			}
			a, err := fastFeature(fm.geometry, fm.id, fm.props, fm.bbox)
			out = append(out, a)
			return err
		})
		if err != nil {
			return nil, errSlow
		}
		return out, nil
	}
	return nil, errSlow
}

// fastFeature reads a Feature's members as orb's geojson reads them: its
// line geometry, its id (else its "name" property) as featureID takes it,
// its properties an object or null, its bbox numbers.
func fastFeature(geometry, id, props, bbox []byte) (Alignment, error) {
	var a Alignment
	if geometry == nil {
		return a, errSlow
	}
	if bbox != nil {
		var b []float64
		if err := json.Unmarshal(bbox, &b); err != nil {
			return a, errSlow
		}
	}
	var p map[string]any
	if props != nil {
		if err := json.Unmarshal(props, &p); err != nil {
			return a, errSlow
		}
	}
	g, err := fastGeometry(geometry)
	if err != nil {
		return a, err
	}
	a.Geom = g
	if id != nil {
		var v any
		if err := json.Unmarshal(id, &v); err != nil {
			return a, errSlow
		}
		switch v := v.(type) {
		case string:
			a.ID = v
			return a, nil
		case float64:
			a.ID = formatID(v)
			return a, nil
		case nil:
		default:
			return a, errSlow
		}
	}
	if name, ok := p["name"].(string); ok {
		a.ID = name
	}
	return a, nil
}

// fastGeometry reads a LineString or MultiLineString object whose members
// are valid JSON, its coordinates finite.
func fastGeometry(raw []byte) (orb.Geometry, error) {
	var typ string
	var coords []byte
	err := members(raw, func(key string, val []byte) error {
		switch key {
		case "type":
			return json.Unmarshal(val, &typ)
		case "coordinates":
			coords = val
			return nil
		case "geometries":
			return errSlow
		}
		if !json.Valid(val) {
			return errSlow
		}
		return nil
	})
	if err != nil || coords == nil {
		return nil, errSlow
	}
	return readCoordinates(typ, coords)
}

// readCoordinates reads the coordinates of a LineString or MultiLineString.
func readCoordinates(typ string, coords []byte) (orb.Geometry, error) {
	switch typ {
	case "LineString":
		if l, ok := readLine(coords); ok {
			return l, nil
		}
	case "MultiLineString":
		var ml orb.MultiLineString
		if elements(coords, func(v []byte) error {
			l, ok := readLine(v)
			if !ok {
				return errSlow
			}
			ml = append(ml, l)
			return nil
		}) == nil && len(ml) > 0 {
			return ml, nil
		}
	}
	return nil, errSlow
}

// readLine reads a JSON array of positions, each two or more numbers by
// JSON's grammar (the third and later dropped, as encoding/json drops them
// into an orb.Point), all finite, in one pass; false for anything else, an
// empty array included. A long array is read in two halves at once.
func readLine(b []byte) (orb.LineString, bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return nil, false
	}
	i = skipSpace(b, i+1)
	var line orb.LineString
	end, ok := 0, false
	if split := splitPositions(b, i+(len(b)-i)/2); len(b)-i >= splitBytes && split > 0 {
		var first orb.LineString
		var firstEnd int
		var firstOK bool
		done := make(chan struct{})
		go func() {
			defer close(done)
			first, firstEnd, firstOK = positions(b, i, split)
		}()
		var second orb.LineString
		second, end, ok = positions(b, skipSpace(b, split+1), len(b))
		<-done
		if !firstOK || firstEnd != split {
			return nil, false
		}
		line = append(first, second...)
	} else {
		line, end, ok = positions(b, i, len(b))
	}
	if !ok || end == len(b)+1 || skipSpace(b, end) != len(b) {
		return nil, false
	}
	return line, true
}

// splitBytes is the size of a coordinates array from which it is read in
// two halves.
const splitBytes = 16 << 10

// splitPositions returns the index of the comma between two positions at
// or after from, or -1.
func splitPositions(b []byte, from int) int {
	for j := from; j < len(b); j++ {
		if b[j] == ']' {
			k := skipSpace(b, j+1)
			if k < len(b) && b[k] == ',' {
				return k
			}
			return -1
		}
	}
	return -1
}

// positions reads positions from b[i] on, separated by commas, until the
// comma at index stop (its index is returned) or the array's closing
// bracket (the index past it is returned); ok false for anything else.
func positions(b []byte, i, stop int) (orb.LineString, int, bool) {
	line := make(orb.LineString, 0, (min(stop, len(b))-i)/32+1)
	for {
		if i >= len(b) || b[i] != '[' {
			return nil, 0, false
		}
		var pt orb.Point
		n := 0
		i = skipSpace(b, i+1)
		for {
			f, j, ok := number(b, i)
			if !ok || math.IsInf(f, 0) {
				return nil, 0, false
			}
			if n < 2 {
				pt[n] = f
			}
			n++
			i = skipSpace(b, j)
			if i < len(b) && b[i] == ',' {
				i = skipSpace(b, i+1)
				continue
			}
			if i < len(b) && b[i] == ']' {
				i++
				break
			}
			return nil, 0, false
		}
		if n < 2 {
			return nil, 0, false
		}
		line = append(line, pt)
		i = skipSpace(b, i)
		switch {
		case i == stop:
			return line, stop, true
		case i < len(b) && b[i] == ',':
			i = skipSpace(b, i+1)
		case i < len(b) && b[i] == ']':
			return line, i + 1, true
		default:
			return nil, 0, false
		}
	}
}

// members calls fn with each member of the JSON object doc, which must be
// all there is (whitespace aside); keys are plain strings (no escapes,
// no control characters).
func members(doc []byte, fn func(key string, val []byte) error) error {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return errSlow
	}
	i = skipSpace(doc, i+1)
	if i < len(doc) && doc[i] == '}' {
		i++
	} else {
		for {
			if i >= len(doc) || doc[i] != '"' {
				return errSlow
			}
			j := i + 1
			for j < len(doc) && doc[j] != '"' && doc[j] != '\\' && doc[j] >= 0x20 {
				j++
			}
			if j >= len(doc) || doc[j] != '"' {
				return errSlow
			}
			key := string(doc[i+1 : j])
			i = skipSpace(doc, j+1)
			if i >= len(doc) || doc[i] != ':' {
				return errSlow
			}
			i = skipSpace(doc, i+1)
			end := valueEnd(doc, i)
			if end <= i {
				return errSlow
			}
			if err := fn(key, doc[i:end]); err != nil {
				return err
			}
			i = skipSpace(doc, end)
			if i < len(doc) && doc[i] == ',' {
				i = skipSpace(doc, i+1)
				continue
			}
			if i < len(doc) && doc[i] == '}' {
				i++
				break
			}
			return errSlow
		}
	}
	if skipSpace(doc, i) != len(doc) {
		return errSlow
	}
	return nil
}

// elements calls fn with each element of the JSON array doc.
func elements(doc []byte, fn func(val []byte) error) error {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '[' {
		return errSlow
	}
	i = skipSpace(doc, i+1)
	if i < len(doc) && doc[i] == ']' {
		return nil
	}
	for {
		end := valueEnd(doc, i)
		if end <= i {
			return errSlow
		}
		if err := fn(doc[i:end]); err != nil {
			return err
		}
		i = skipSpace(doc, end)
		if i < len(doc) && doc[i] == ',' {
			i = skipSpace(doc, i+1)
			continue
		}
		if i < len(doc) && doc[i] == ']' && skipSpace(doc, i+1) == len(doc) {
			return nil
		}
		return errSlow
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// bracketsEnd returns the index just past the array starting at b[i],
// found by its brackets alone, and false if a string or an object comes
// before its end: an array of arrays of numbers (coordinates) is crossed
// from one closing bracket to the next, with IndexByte and Count rather
// than byte by byte.
func bracketsEnd(b []byte, i int) (int, bool) {
	depth := 0
	for j := i; ; {
		k := bytes.IndexByte(b[j:], ']')
		if k < 0 {
			return 0, false
		}
		span := b[j : j+k]
		if bytes.IndexByte(span, '"') >= 0 || bytes.IndexByte(span, '{') >= 0 {
			return 0, false
		}
		depth += bytes.Count(span, []byte{'['}) - 1
		j += k + 1
		if depth <= 0 {
			return j, depth == 0
		}
	}
}

// valueEnd returns the index just past the JSON value starting at b[i]:
// strings and nested arrays and objects matched, scalars up to a delimiter
// (their validity is the reader's to check).
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return i
	case '{', '[':
		if b[i] == '[' {
			if end, ok := bracketsEnd(b, i); ok {
				return end
			}
		}
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				for j++; j < len(b) && b[j] != '"'; j++ {
					if b[j] == '\\' {
						j++
					}
				}
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return i
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	return j
}

// number reads the JSON number starting at b[i],
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?: its value, the index past
// it, and ok false when b[i:] does not start with one. Most coordinates
// (up to 15 significant digits, or a mantissa under 2^53, times a power of
// ten up to 10^22) are converted exactly by one multiplication or division
// of two exact doubles, which is correctly rounded; the rest go through
// strconv.ParseFloat.
func number(b []byte, i int) (float64, int, bool) {
	start := i
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	var m uint64
	nd := 0  // significant digits in m
	exp := 0 // decimal exponent of m
	exact := true
	digit := func(d byte, frac bool) {
		switch {
		case m == 0 && d == '0':
			// leading zeros carry no digits
		case nd < 19:
			m = m*10 + uint64(d-'0')
			nd++
		default:
			exact = false
			if !frac {
				exp++
			}
			return
		}
		if frac {
			exp--
		}
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			digit(b[i], false)
		}
	default:
		return 0, i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		j := i
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			digit(b[i], true)
		}
		if i == j {
			return 0, i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		esign := 1
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			if b[i] == '-' {
				esign = -1
			}
			i++
		}
		j := i
		e := 0
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			if e < 10000 {
				e = e*10 + int(b[i]-'0')
			}
		}
		if i == j {
			return 0, i, false
		}
		exp += esign * e
	}
	if exact && m < 1<<53 && exp >= -22 && exp <= 22 {
		f := float64(m)
		if exp < 0 {
			f /= math.Pow10(-exp) // exact up to 10^22
		} else {
			f *= math.Pow10(exp)
		}
		if neg {
			f = -f
		}
		return f, i, true
	}
	f, err := strconv.ParseFloat(string(b[start:i]), 64)
	return f, i, err == nil
}
