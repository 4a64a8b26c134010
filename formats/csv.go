package formats

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/geo"
)

// Column names recognised as geometry, compared case-insensitively.
func wktNames() []string {
	return []string{"wkt", "geom", "geometry", "the_geom", "wkt_geom", "shape"}
}
func lonNames() []string {
	return []string{"lon", "long", "lng", "longitude", "x", "easting", "point_x"}
}
func latNames() []string { return []string{"lat", "latitude", "y", "northing", "point_y"} }

// csvReader reads rows of a CSV with a WKT column or x/y columns.
type csvReader struct {
	cr       *csv.Reader
	c        io.Closer
	header   []string
	keys     []string // header without the WKT column, shared by all records
	wkt      int      // column index or -1
	lon, lat int
	index    int
	srid     int // from EWKT, first seen
	done     bool
}

// csvLayout is what the header tells: delimiter, columns and the CRS
// assumed from their names.
type csvLayout struct {
	comma    rune
	header   []string
	wkt      int
	lon, lat int
	crs      CRS
	enc      [2]string
}

func newCSVReader(r io.Reader, c io.Closer, opt Options) (*csvReader, csvLayout, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	lay := csvLayout{comma: ',', wkt: -1, lon: -1, lat: -1, enc: [2]string{"UTF-8", "detected"}}
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		lay.enc[1] = "byte order mark"
	}
	var td textDecoder
	switch head, _ := br.Peek(1 << 16); {
	case opt.Encoding != "":
		var ok bool
		if td, ok = lookupEncoding(opt.Encoding); !ok {
			return nil, lay, newError("csv", fmt.Sprintf("unknown encoding %q", opt.Encoding), nil)
		}
		lay.enc = [2]string{td.name, "option"}
	case lay.enc[1] == "detected" && !utf8.Valid(trimPartialRune(head)):
		td = windows1252()
		lay.enc = [2]string{td.name, "detected (not UTF-8)"}
	}
	if td.dec != nil {
		br = bufio.NewReaderSize(td.dec.Reader(br), 1<<16)
	}
	first, _ := br.Peek(4096)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	switch {
	case bytes.Count(first, []byte("\t")) > bytes.Count(first, []byte(",")):
		lay.comma = '\t'
	case bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")):
		lay.comma = ';'
	}
	cr := csv.NewReader(br)
	cr.Comma = lay.comma
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, lay, newError("csv", "no header line", ErrEmpty)
	}
	if err != nil {
		return nil, lay, csvError(err, -1)
	}
	lay.header = header
	col := func(want string, names []string, role string) (int, error) {
		for i, h := range header {
			h = strings.TrimSpace(h)
			if want != "" {
				if h == want || strings.EqualFold(h, want) {
					return i, nil
				}
				continue
			}
			for _, n := range names {
				if strings.EqualFold(h, n) {
					return i, nil
				}
			}
		}
		if want != "" {
			return -1, &Error{Format: "csv", Index: -1, Line: 1, Offset: -1, Field: want, Reason: "no such " + role + " column"}
		}
		return -1, nil
	}
	explicitXY := opt.LonField != "" || opt.LatField != ""
	if !explicitXY {
		if lay.wkt, err = col(opt.WKTField, wktNames(), "WKT"); err != nil {
			return nil, lay, err
		}
	}
	if lay.wkt < 0 {
		if lay.lon, err = col(opt.LonField, lonNames(), "longitude"); err != nil {
			return nil, lay, err
		}
		if lay.lat, err = col(opt.LatField, latNames(), "latitude"); err != nil {
			return nil, lay, err
		}
		if lay.lon < 0 || lay.lat < 0 {
			return nil, lay, &Error{Format: "csv", Index: -1, Line: 1, Offset: -1,
				Reason: fmt.Sprintf("no geometry columns in header %q: need a WKT column (%s) or lon/lat columns (%s / %s), or name them in the options",
					strings.Join(header, string(lay.comma)), strings.Join(wktNames(), ", "), strings.Join(lonNames(), ", "), strings.Join(latNames(), ", "))}
		}
		switch strings.ToLower(strings.TrimSpace(header[lay.lon])) {
		case "lon", "long", "lng", "longitude":
			lay.crs = CRS{SRID: geo.SRIDWGS84, From: "default 4326"}
		default:
			lay.crs = CRS{From: "x/y columns: CRS unknown"}
		}
	} else {
		lay.crs = CRS{From: "WKT column: CRS unknown"}
	}
	r2 := &csvReader{cr: cr, c: c, header: uniqueNames(header), wkt: lay.wkt, lon: lay.lon, lat: lay.lat}
	cr.FieldsPerRecord = len(header)
	return r2, lay, nil
}

// uniqueNames trims the header's names, names blank columns "field_N"
// and suffixes repeated names ("_2", "_3"…) so that no value is lost.
func uniqueNames(header []string) []string {
	out := make([]string, len(header))
	seen := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			h = fmt.Sprintf("field_%d", i+1)
		}
		name := h
		for n := seen[h]; n > 0; n++ {
			name = fmt.Sprintf("%s_%d", h, n+1)
			if seen[name] == 0 {
				break
			}
		}
		seen[h]++
		if name != h {
			seen[name]++
		}
		out[i] = name
	}
	return out
}

// csvError turns an encoding/csv error into an *Error naming the line.
func csvError(err error, index int) *Error {
	e := &Error{Format: "csv", Index: index, Offset: -1, Reason: err.Error(), Err: err}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		e.Line = pe.Line
		e.Reason = pe.Err.Error()
		e.Err = pe.Err
		if pe.Column > 0 {
			e.Reason += fmt.Sprintf(" (column %d)", pe.Column)
		}
	}
	return e
}

func (r *csvReader) next() (record, error) {
	if r.done {
		return record{}, io.EOF
	}
	row, err := r.cr.Read()
	if err == io.EOF {
		r.done = true
		return record{}, io.EOF
	}
	idx := r.index
	if err != nil {
		r.done = true
		return record{}, csvError(err, idx)
	}
	r.index++
	line, _ := r.cr.FieldPos(0)
	if r.keys == nil {
		for i, name := range r.header {
			if i != r.wkt {
				r.keys = append(r.keys, name)
			}
		}
	}
	rec := record{f: &Feature{Index: idx, Properties: make(map[string]any, len(row))}, keys: r.keys}
	for i, v := range row {
		if i != r.wkt {
			rec.f.Properties[r.header[i]] = rawText(v)
		}
	}
	fail := func(field, reason string) (record, error) {
		// The row is consumed: reading may go on.
		return record{}, &Error{Format: "csv", Index: idx, Line: line, Offset: -1, Field: field, Reason: reason, Err: ErrInvalidGeometry}
	}
	if r.wkt >= 0 {
		s := strings.TrimSpace(row[r.wkt])
		if s != "" {
			g, srid, z, err := parseWKTGeometry(s)
			if err != nil {
				return fail(r.header[r.wkt], "WKT: "+err.Error())
			}
			if srid != 0 {
				if r.srid == 0 {
					r.srid = srid
				} else if r.srid != srid {
					return fail(r.header[r.wkt], fmt.Sprintf("EWKT SRID %d differs from SRID %d of earlier rows", srid, r.srid))
				}
			}
			rec.f.Geometry, rec.z = g, z
		}
		return rec, nil
	}
	xs, ys := strings.TrimSpace(row[r.lon]), strings.TrimSpace(row[r.lat])
	if xs == "" && ys == "" {
		return rec, nil
	}
	x, err1 := strconv.ParseFloat(xs, 64)
	y, err2 := strconv.ParseFloat(ys, 64)
	if err1 != nil {
		return fail(r.header[r.lon], fmt.Sprintf("%q is not a number", xs))
	}
	if err2 != nil {
		return fail(r.header[r.lat], fmt.Sprintf("%q is not a number", ys))
	}
	rec.f.Geometry = orb.Point{x, y}
	return rec, nil
}

func (r *csvReader) close() error {
	if r.c == nil {
		return nil
	}
	return r.c.Close()
}

func openCSV(path string, opt Options) (Source, error) {
	var lay csvLayout
	var first *csvReader
	m := &meter{}
	open := func() (reader, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, newError("csv", "open", err)
		}
		r, l, err := newCSVReader(m.reader(f, fileSize(f)), f, opt)
		if err != nil {
			f.Close()
			return nil, err
		}
		lay = l
		if first == nil {
			first = r
		}
		return r, nil
	}
	r, err := open()
	if err != nil {
		return nil, err
	}
	s, err := newStream("csv", r, open, nil, opt)
	if err != nil {
		return nil, err
	}
	crs := lay.crs
	if first.srid != 0 {
		crs = CRS{SRID: first.srid, From: "EWKT SRID"}
	}
	s.crs = overrideSRID(crs, opt)
	s.meter = m
	s.enc = lay.enc
	return s, nil
}
