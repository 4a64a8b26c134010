package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/geo"
)

// gjFeature is a GeoJSON Feature with its parts left raw.
type gjFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// geojsonReader streams a FeatureCollection (or a single Feature or
// Geometry) with encoding/json tokens, decoding one feature at a time.
type geojsonReader struct {
	rc     io.Closer
	dec    *json.Decoder
	crs    CRS
	index  int
	inArr  bool              // inside the "features" array
	single []json.RawMessage // a top-level Feature or Geometry, read whole
	done   bool
	bom    int64 // bytes of a byte order mark skipped, added to offsets
}

// offset returns the decoder's position in the file.
func (g *geojsonReader) offset() int64 { return g.bom + g.dec.InputOffset() }

// geojsonOpen reads the members before "features" (type, crs…) and leaves
// the decoder at the first feature.
func geojsonOpen(r io.Reader, c io.Closer) (*geojsonReader, error) {
	r, bom := skipBOM(r)
	g := &geojsonReader{rc: c, dec: json.NewDecoder(r), bom: bom,
		crs: CRS{SRID: geo.SRIDWGS84, From: "default 4326"}}
	g.dec.UseNumber()
	tok, err := g.dec.Token()
	if err == io.EOF {
		return nil, newError("geojson", "no JSON value in the file", ErrEmpty)
	}
	if err != nil {
		return nil, g.syntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &Error{Format: "geojson", Index: -1, Offset: 0, Reason: "not a GeoJSON object (expected '{')"}
	}
	members := map[string]json.RawMessage{}
	for g.dec.More() {
		key, err := g.dec.Token()
		if err != nil {
			return nil, g.syntax(err)
		}
		k, _ := key.(string)
		if k == "features" {
			tok, err := g.dec.Token()
			if err != nil {
				return nil, g.syntax(err)
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return nil, &Error{Format: "geojson", Index: -1, Offset: g.offset(), Field: "features", Reason: "\"features\" is not an array"}
			}
			g.inArr = true
			break
		}
		var raw json.RawMessage
		if err := g.dec.Decode(&raw); err != nil {
			return nil, g.syntax(err)
		}
		members[k] = raw
	}
	if c, ok := members["crs"]; ok {
		crs, err := parseGeoJSONCRS(c)
		if err != nil {
			return nil, err
		}
		g.crs = crs
	}
	var typ string
	if t, ok := members["type"]; ok {
		_ = json.Unmarshal(t, &typ)
	}
	if g.inArr {
		if typ != "" && typ != "FeatureCollection" {
			return nil, newError("geojson", fmt.Sprintf("object of type %q has a \"features\" member", typ), nil)
		}
		return g, nil
	}
	// The object has ended: a single Feature or Geometry.
	if _, err := g.dec.Token(); err != nil {
		return nil, g.syntax(err)
	}
	g.done = true
	obj, _ := json.Marshal(members)
	switch typ {
	case "FeatureCollection":
		return nil, newError("geojson", "FeatureCollection without \"features\"", ErrEmpty)
	case "Feature":
		g.single = []json.RawMessage{obj}
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection":
		g.single = []json.RawMessage{[]byte(`{"type":"Feature","geometry":` + string(obj) + `}`)}
	case "":
		return nil, newError("geojson", "object has no \"type\"", nil)
	default:
		return nil, newError("geojson", fmt.Sprintf("unknown GeoJSON type %q", typ), nil)
	}
	return g, nil
}

// syntax turns a decoding error into an *Error with the byte offset.
func (g *geojsonReader) syntax(err error) *Error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return &Error{Format: "geojson", Index: -1, Offset: g.offset(), Reason: "unexpected end of JSON", Err: io.ErrUnexpectedEOF}
	}
	e := &Error{Format: "geojson", Index: -1, Offset: g.offset(), Reason: "malformed JSON: " + err.Error(), Err: err}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		e.Offset = g.bom + se.Offset
	case errors.As(err, &te):
		e.Offset = g.bom + te.Offset
	}
	return e
}

// locate finds the byte offset of a syntax error met by Decode. The
// offset in a *json.SyntaxError from a Decoder counts only the bytes its
// scanner saw, not those Token consumed, so the value is scanned again
// from the decoder's buffer, which still holds it.
func (g *geojsonReader) locate(err error) (int64, bool) {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return 0, false
	}
	base := g.offset()
	buf, _ := io.ReadAll(g.dec.Buffered())
	trimmed := bytes.TrimLeft(buf, " \t\r\n,")
	base += int64(len(buf) - len(trimmed))
	var raw json.RawMessage
	err = json.NewDecoder(bytes.NewReader(trimmed)).Decode(&raw)
	if !errors.As(err, &se) {
		return 0, false
	}
	return base + se.Offset - 1, true
}

func (g *geojsonReader) next() (record, error) {
	if len(g.single) > 0 {
		raw := g.single[0]
		g.single = nil
		f, err := splitFeature(raw)
		if err != nil {
			return record{}, featureError("geojson", 0, "malformed feature: "+err.Error(), err)
		}
		return g.feature(&f, -1)
	}
	if g.done || !g.inArr {
		return record{}, io.EOF
	}
	if !g.dec.More() {
		if err := g.finish(); err != nil {
			return record{}, err
		}
		return record{}, io.EOF
	}
	start := g.offset()
	var raw json.RawMessage
	if err := g.dec.Decode(&raw); err != nil {
		e := g.syntax(err)
		if off, ok := g.locate(err); ok {
			e.Offset = off
		}
		e.Index = g.index
		g.done = true
		return record{}, e
	}
	f, err := splitFeature(raw)
	if err != nil {
		idx := g.index
		g.index++
		g.done = true
		e := featureError("geojson", idx, "malformed feature: "+err.Error(), err)
		e.Offset = start
		return record{}, e
	}
	return g.feature(&f, start)
}

// splitFeature picks the members of a Feature out of JSON that a Decoder
// has validated.
func splitFeature(raw []byte) (gjFeature, error) {
	var f gjFeature
	err := objectMembers(raw, func(key string, val []byte) error {
		switch key {
		case "type":
			if val[0] != '"' {
				return errors.New(`"type" is not a string`)
			}
			t, err := unquote(val)
			f.Type = t
			return err
		case "id":
			f.ID = val
		case "geometry":
			f.Geometry = val
		case "properties":
			f.Properties = val
		}
		return nil
	})
	return f, err
}

// finish reads what follows the features array, checking a late crs.
func (g *geojsonReader) finish() error {
	g.done = true
	if _, err := g.dec.Token(); err != nil { // ']'
		return g.syntax(err)
	}
	for g.dec.More() {
		key, err := g.dec.Token()
		if err != nil {
			return g.syntax(err)
		}
		var raw json.RawMessage
		if err := g.dec.Decode(&raw); err != nil {
			return g.syntax(err)
		}
		if key == "crs" {
			crs, err := parseGeoJSONCRS(raw)
			if err != nil {
				return err
			}
			if crs.SRID != g.crs.SRID {
				return &Error{Format: "geojson", Index: -1, Offset: g.offset(), Field: "crs",
					Reason: fmt.Sprintf("crs member (EPSG:%d) comes after the features, which were read as EPSG:%d; put it before \"features\" or pass the SRID", crs.SRID, g.crs.SRID)}
			}
		}
	}
	if _, err := g.dec.Token(); err != nil { // '}'
		return g.syntax(err)
	}
	return nil
}

// feature converts a decoded Feature; start is its byte offset or -1.
func (g *geojsonReader) feature(f *gjFeature, start int64) (record, error) {
	idx := g.index
	g.index++
	rec, err := gjRecord(f, idx)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Offset < 0 {
			e.Offset = start
		}
		return record{}, err
	}
	return rec, nil
}

// gjRecord converts one decoded GeoJSON Feature.
func gjRecord(f *gjFeature, idx int) (record, error) {
	if f.Type != "Feature" {
		return record{}, featureError("geojson", idx, fmt.Sprintf("type is %q, want \"Feature\"", f.Type), nil)
	}
	rec := record{f: &Feature{Index: idx}}
	id, err := gjID(f.ID)
	if err != nil {
		e := featureError("geojson", idx, err.Error(), nil)
		e.Field = "id"
		return record{}, e
	}
	rec.f.ID = id
	g, z, err := parseGeoJSONGeometry(f.Geometry)
	if err != nil {
		e := featureError("geojson", idx, err.Error(), ErrInvalidGeometry)
		e.Field = "geometry"
		return record{}, e
	}
	rec.f.Geometry, rec.z = g, z
	rec.keys, rec.f.Properties, err = parseProperties(f.Properties)
	if err != nil {
		e := featureError("geojson", idx, err.Error(), nil)
		e.Field = "properties"
		return record{}, e
	}
	return rec, nil
}

func gjID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case '{', '[', 't', 'f':
		return "", errors.New("id is neither a string nor a number")
	}
	return string(raw), nil
}

// parseProperties decodes a properties object keeping the key order.
// Numbers become int64 when integral and in range, float64 otherwise;
// nested objects and arrays are kept as their JSON text.
func parseProperties(raw json.RawMessage) ([]string, map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	props := make(map[string]any)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, props, nil
	}
	if raw[0] != '{' {
		return nil, nil, errors.New("properties is not an object")
	}
	var keys []string
	err := objectMembers(raw, func(k string, v []byte) error {
		val, err := jsonValue(v)
		if err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
		if _, dup := props[k]; !dup {
			keys = append(keys, k)
		}
		props[k] = val
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return keys, props, nil
}

func jsonValue(v json.RawMessage) (any, error) {
	switch v[0] {
	case 'n':
		return nil, nil
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case '"':
		return unquote(v)
	case '{', '[':
		var b bytes.Buffer
		if err := json.Compact(&b, v); err != nil {
			return nil, err
		}
		return b.String(), nil
	}
	s := string(v)
	if !strings.ContainsAny(s, ".eE") {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("number %s out of range", s)
	}
	return f, nil
}

// parseGeoJSONCRS reads a legacy (2008) crs member.
func parseGeoJSONCRS(raw json.RawMessage) (CRS, error) {
	crs := CRS{From: "GeoJSON crs member"}
	if string(bytes.TrimSpace(raw)) == "null" {
		return CRS{SRID: geo.SRIDWGS84, From: "default 4326"}, nil
	}
	var c struct {
		Type       string `json:"type"`
		Properties struct {
			Name string          `json:"name"`
			Code json.RawMessage `json:"code"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return crs, &Error{Format: "geojson", Index: -1, Offset: -1, Field: "crs", Reason: "malformed crs member", Err: err}
	}
	switch strings.ToLower(c.Type) {
	case "name":
		crs.SRID = sridFromName(c.Properties.Name)
		crs.WKT = c.Properties.Name
	case "epsg":
		n, _ := strconv.Atoi(strings.Trim(string(c.Properties.Code), `"`))
		crs.SRID = n
	}
	return crs, nil
}

// sridFromName reads an EPSG code from "EPSG:4326",
// "urn:ogc:def:crs:EPSG::32644", "urn:ogc:def:crs:OGC:1.3:CRS84",
// "http://www.opengis.net/def/crs/EPSG/0/4326" and the like; 0 when it
// cannot.
func sridFromName(name string) int {
	n := strings.ToUpper(strings.TrimSpace(name))
	if strings.HasSuffix(n, "CRS84") || strings.HasSuffix(n, "CRS:84") {
		return geo.SRIDWGS84
	}
	if !strings.Contains(n, "EPSG") {
		return 0
	}
	i := strings.LastIndexAny(n, ":/")
	code, err := strconv.Atoi(n[i+1:])
	if err != nil || code <= 0 {
		return 0
	}
	return code
}

var errNotObject = errors.New("not a JSON object")

// geojsonSeqReader reads newline-delimited GeoJSON (GeoJSONSeq, RFC 8142
// with its RS separators, or plain one-feature-per-line).
type geojsonSeqReader struct {
	rc     io.Closer
	br     *bufio.Reader
	format string
	line   int
	offset int64
	index  int
	done   bool
}

func newGeoJSONSeqReader(r io.Reader, c io.Closer, format string) *geojsonSeqReader {
	br := bufio.NewReaderSize(r, 1<<16)
	g := &geojsonSeqReader{rc: c, br: br, format: format}
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		g.offset = 3
	}
	return g
}

// skipBOM drops a UTF-8 byte order mark, which some Windows tools write
// before JSON although RFC 8259 forbids it.
func skipBOM(r io.Reader) (io.Reader, int64) {
	br := bufio.NewReaderSize(r, 1<<16)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		return br, 3
	}
	return br, 0
}

func (g *geojsonSeqReader) next() (record, error) {
	for !g.done {
		start := g.offset
		line, err := g.br.ReadBytes('\n')
		g.offset += int64(len(line))
		g.line++
		if err == io.EOF {
			g.done = true
		} else if err != nil {
			return record{}, &Error{Format: g.format, Index: g.index, Line: g.line, Offset: start, Reason: "read", Err: err}
		}
		lead := len(line)
		line = bytes.TrimLeft(line, "\x1e \t\r\n")
		lead -= len(line)
		line = bytes.TrimRight(line, "\x1e \t\r\n")
		if len(line) == 0 {
			continue
		}
		var f gjFeature
		err = errNotObject
		if json.Valid(line) {
			f, err = splitFeature(line)
		} else {
			var v any
			err = json.Unmarshal(line, &v) // for the error's offset
		}
		if err != nil {
			e := &Error{Format: g.format, Index: g.index, Line: g.line, Offset: start, Reason: "malformed JSON: " + err.Error(), Err: err}
			var se *json.SyntaxError
			if errors.As(err, &se) {
				e.Offset = start + int64(lead) + se.Offset - 1
			}
			g.done = true
			return record{}, e
		}
		if f.Type != "Feature" && f.Type != "" && f.Geometry == nil {
			// A bare geometry.
			f = gjFeature{Type: "Feature", Geometry: line}
		}
		idx := g.index
		g.index++
		rec, err := gjRecord(&f, idx)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				e.Format, e.Line, e.Offset = g.format, g.line, start
			}
			return record{}, err // the line is consumed: reading may go on
		}
		return rec, nil
	}
	return record{}, io.EOF
}

func (g *geojsonSeqReader) close() error {
	if g.rc == nil {
		return nil
	}
	return g.rc.Close()
}

func (g *geojsonReader) close() error {
	if g.rc == nil {
		return nil
	}
	return g.rc.Close()
}

// parseGeoJSONGeometry decodes a GeoJSON geometry; null gives nil. It
// reports whether positions had more than two values.
func parseGeoJSONGeometry(raw json.RawMessage) (orb.Geometry, bool, error) {
	return parseGeoJSONGeometryDepth(raw, 0)
}

func parseGeoJSONGeometryDepth(raw []byte, depth int) (orb.Geometry, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, false, nil
	}
	var g struct {
		Type        string
		Coordinates []byte
		Geometries  []byte
	}
	err := objectMembers(raw, func(key string, val []byte) error {
		var err error
		switch key {
		case "type":
			g.Type, err = unquote(val)
		case "coordinates":
			g.Coordinates = val
		case "geometries":
			g.Geometries = val
		}
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("malformed geometry: %w", err)
	}
	if g.Type == "GeometryCollection" {
		if depth > 16 {
			return nil, false, errors.New("geometry collections nested too deeply")
		}
		var c orb.Collection
		var z bool
		if len(g.Geometries) == 0 {
			return nil, false, errors.New("GeometryCollection without geometries")
		}
		err := arrayElements(g.Geometries, func(m []byte) error {
			sub, sz, err := parseGeoJSONGeometryDepth(m, depth+1)
			if sub != nil {
				c = append(c, sub)
			}
			z = z || sz
			return err
		})
		if err != nil {
			return nil, false, err
		}
		if len(c) == 0 {
			return nil, z, nil
		}
		return c, z, nil
	}
	depth, ok := map[string]int{"Point": 0, "MultiPoint": 1, "LineString": 1,
		"MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}[g.Type]
	if !ok {
		return nil, false, fmt.Errorf("unknown geometry type %q", g.Type)
	}
	if len(bytes.TrimSpace(g.Coordinates)) == 0 {
		return nil, false, fmt.Errorf("%s without coordinates", g.Type)
	}
	p := coordParser{b: g.Coordinates}
	c, err := p.parse(depth)
	if err != nil {
		return nil, false, fmt.Errorf("%s coordinates: %w", g.Type, err)
	}
	switch g.Type {
	case "Point":
		return c.pt, p.z, nil
	case "MultiPoint":
		return orb.MultiPoint(c.pts), p.z, nil
	case "LineString":
		return orb.LineString(c.pts), p.z, nil
	case "MultiLineString":
		ml := make(orb.MultiLineString, len(c.kids))
		for i, k := range c.kids {
			ml[i] = orb.LineString(k.pts)
		}
		return ml, p.z, nil
	case "Polygon":
		return c.polygon(), p.z, nil
	default:
		mp := make(orb.MultiPolygon, len(c.kids))
		for i, k := range c.kids {
			mp[i] = k.polygon()
		}
		return mp, p.z, nil
	}
}

// coords is a parsed coordinates array of some depth.
type coords struct {
	pt   orb.Point   // depth 0
	pts  []orb.Point // depth 1
	kids []coords    // depth 2 and 3
}

func (c coords) polygon() orb.Polygon {
	p := make(orb.Polygon, len(c.kids))
	for i, k := range c.kids {
		p[i] = orb.Ring(k.pts)
	}
	return p
}

// coordParser parses nested arrays of numbers without building an
// interface tree: depth 0 is a position, 1 an array of positions, and so on.
type coordParser struct {
	b []byte
	i int
	z bool
}

func (p *coordParser) ws() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\t' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *coordParser) expect(c byte) error {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != c {
		return fmt.Errorf("expected '%c' at byte %d", c, p.i)
	}
	p.i++
	return nil
}

// list calls item for each element of an array.
func (p *coordParser) list(item func() error) error {
	if err := p.expect('['); err != nil {
		return err
	}
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.b) {
			return errors.New("unterminated array")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return fmt.Errorf("unexpected '%c' at byte %d", p.b[p.i], p.i)
		}
	}
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// position parses [x, y, …] without closures: it is the hot loop.
func (p *coordParser) position() (orb.Point, error) {
	var pt orb.Point
	if err := p.expect('['); err != nil {
		return pt, err
	}
	n := 0
	for {
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == ']' && n == 0 {
			p.i++
			break
		}
		j := p.i
		for j < len(p.b) && isNumberByte(p.b[j]) {
			j++
		}
		if j == p.i {
			return pt, fmt.Errorf("expected a number at byte %d", p.i)
		}
		f, err := strconv.ParseFloat(string(p.b[p.i:j]), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) { // out of range: ±Inf, refused by validation
			return pt, fmt.Errorf("bad number %q", p.b[p.i:j])
		}
		p.i = j
		if n < 2 {
			pt[n] = f
		}
		n++
		p.ws()
		if p.i >= len(p.b) {
			return pt, errors.New("unterminated array")
		}
		if p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.b[p.i] == ']' {
			p.i++
			break
		}
		return pt, fmt.Errorf("unexpected '%c' at byte %d", p.b[p.i], p.i)
	}
	if n < 2 {
		return pt, fmt.Errorf("position with %d value(s), needs 2", n)
	}
	if n > 2 {
		p.z = true
	}
	return pt, nil
}

func (p *coordParser) parse(depth int) (coords, error) {
	var c coords
	var err error
	switch depth {
	case 0:
		c.pt, err = p.position()
	case 1:
		err = p.list(func() error {
			pt, err := p.position()
			c.pts = append(c.pts, pt)
			return err
		})
	default:
		err = p.list(func() error {
			k, err := p.parse(depth - 1)
			c.kids = append(c.kids, k)
			return err
		})
	}
	if err == nil && depth > 0 {
		// Nothing may follow the outermost array.
		if p.ws(); depth > 0 && p.i < len(p.b) && p.b[p.i] != ',' && p.b[p.i] != ']' {
			err = fmt.Errorf("unexpected '%c' at byte %d", p.b[p.i], p.i)
		}
	}
	return c, err
}
