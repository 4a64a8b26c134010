package formats

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// dbfField is one field descriptor of a DBF header.
type dbfField struct {
	raw      []byte // name bytes as stored
	typ      byte
	length   int
	decimals int
	offset   int // within the record, after the deletion flag
	field    Field
}

// dbfReader reads dBASE III+ tables as written beside shapefiles.
type dbfReader struct {
	r       *bufio.Reader
	c       io.Closer
	records int
	recLen  int
	fields  []dbfField
	buf     []byte
	read    int
	text    textDecoder
	ldid    byte
}

// readDBFHeader reads the header and field descriptors.
func readDBFHeader(r io.Reader) (*dbfReader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var h [32]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return nil, newError("dbf", "header too short", err)
	}
	d := &dbfReader{r: br,
		records: int(binary.LittleEndian.Uint32(h[4:8])),
		recLen:  int(binary.LittleEndian.Uint16(h[10:12])),
		ldid:    h[29],
	}
	headerLen := int(binary.LittleEndian.Uint16(h[8:10]))
	if headerLen < 33 || d.recLen < 1 {
		return nil, newError("dbf", fmt.Sprintf("bad header (header %d bytes, record %d bytes)", headerLen, d.recLen), nil)
	}
	rest := make([]byte, headerLen-32)
	if _, err := io.ReadFull(br, rest); err != nil {
		return nil, newError("dbf", "field descriptors truncated", err)
	}
	off := 1
	for i := 0; i+32 <= len(rest) && rest[i] != 0x0D; i += 32 {
		fd := rest[i : i+32]
		name := fd[:11]
		if j := bytes.IndexByte(name, 0); j >= 0 {
			name = name[:j]
		}
		f := dbfField{raw: bytes.TrimSpace(name), typ: fd[11], length: int(fd[16]), decimals: int(fd[17]), offset: off}
		if f.typ == 'C' && f.decimals > 0 {
			// Clipper and FoxPro store long character widths in two bytes.
			f.length += f.decimals << 8
			f.decimals = 0
		}
		off += f.length
		d.fields = append(d.fields, f)
	}
	if off > d.recLen {
		return nil, newError("dbf", fmt.Sprintf("fields take %d bytes, records have %d", off, d.recLen), nil)
	}
	d.buf = make([]byte, d.recLen)
	return d, nil
}

// setText fixes the text decoding and builds the schema; names repeated
// after the 10-character cut get a numeric suffix.
func (d *dbfReader) setText(td textDecoder) []Field {
	d.text = td
	seen := map[string]int{}
	out := make([]Field, len(d.fields))
	for i := range d.fields {
		f := &d.fields[i]
		orig := td.decode(f.raw)
		name := orig
		if n := seen[strings.ToLower(orig)]; n > 0 {
			name = fmt.Sprintf("%s_%d", orig, n+1)
		}
		seen[strings.ToLower(orig)]++
		f.field = Field{Name: name, Original: orig, Type: dbfType(f)}
		out[i] = f.field
	}
	return out
}

func dbfType(f *dbfField) FieldType {
	switch f.typ {
	case 'N':
		if f.decimals == 0 && f.length < 19 {
			return Integer
		}
		return Real
	case 'F', 'O', 'B':
		return Real
	case 'I', '+':
		return Integer
	case 'L':
		return Boolean
	case 'D':
		return Date
	case '@', 'T':
		return Timestamp
	}
	return Text
}

// next reads one record; deleted reports a record marked '*'. It returns
// io.EOF after the last record the header counts.
func (d *dbfReader) next() (keys []string, props map[string]any, deleted bool, err error) {
	if d.read >= d.records {
		return nil, nil, false, io.EOF
	}
	if _, err := io.ReadFull(d.r, d.buf); err != nil {
		return nil, nil, false, &Error{Format: "dbf", Index: d.read, Offset: -1,
			Reason: fmt.Sprintf("record %d of %d truncated", d.read+1, d.records), Err: err}
	}
	d.read++
	props = make(map[string]any, len(d.fields))
	keys = make([]string, len(d.fields))
	for i := range d.fields {
		f := &d.fields[i]
		v, err := d.value(f, d.buf[f.offset:f.offset+f.length])
		if err != nil {
			return nil, nil, false, &Error{Format: "dbf", Index: d.read - 1, Offset: -1, Field: f.field.Name, Reason: err.Error()}
		}
		keys[i] = f.field.Name
		props[f.field.Name] = v
	}
	return keys, props, d.buf[0] == '*', nil
}

// value decodes one field. Blank and unparsable numbers, dates and logicals
// are null, as GDAL reads them: DBF writers fill gaps with spaces or '*'.
func (d *dbfReader) value(f *dbfField, b []byte) (any, error) {
	switch f.typ {
	case 'C', 'M', 'V', 'W':
		b = bytes.TrimRight(b, " \x00")
		if f.typ == 'M' {
			b = bytes.TrimSpace(b)
		}
		if len(b) == 0 {
			return nil, nil
		}
		return d.text.decode(bytes.TrimLeft(b, " ")), nil
	case 'N', 'F':
		s := strings.TrimSpace(string(bytes.TrimRight(b, "\x00")))
		if s == "" || strings.Trim(s, "*") == "" {
			return nil, nil
		}
		if f.field.Type == Integer {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n, nil
			}
			return nil, nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil
		}
		return v, nil
	case 'L':
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			return nil, nil
		}
		switch b[0] {
		case 'T', 't', 'Y', 'y':
			return true, nil
		case 'F', 'f', 'N', 'n':
			return false, nil
		}
		return nil, nil
	case 'D':
		s := strings.TrimSpace(string(b))
		if s == "" || strings.Trim(s, "0") == "" {
			return nil, nil
		}
		t, err := time.Parse("20060102", s)
		if err != nil {
			return nil, nil
		}
		return t, nil
	case 'I', '+':
		if len(b) != 4 {
			return nil, fmt.Errorf("integer field of %d bytes", len(b))
		}
		return int64(int32(binary.LittleEndian.Uint32(b))), nil
	case 'O', 'B':
		if len(b) != 8 {
			if f.typ == 'B' { // dBASE binary memo: a block number in text
				return nil, nil
			}
			return nil, fmt.Errorf("double field of %d bytes", len(b))
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(b))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil
		}
		return v, nil
	case '@', 'T':
		if len(b) != 8 {
			return nil, fmt.Errorf("timestamp field of %d bytes", len(b))
		}
		day := int64(binary.LittleEndian.Uint32(b[:4]))
		ms := int64(binary.LittleEndian.Uint32(b[4:]))
		if day == 0 {
			return nil, nil
		}
		// Julian day 2440588 is 1970-01-01.
		return time.UnixMilli((day-2440588)*86400000 + ms).UTC(), nil
	}
	s := strings.TrimSpace(d.text.decode(b))
	if s == "" {
		return nil, nil
	}
	return s, nil
}

// sniffText scans the text fields of up to limit bytes of records and
// reports what their bytes look like.
func (d *dbfReader) sniffText(limit int64) utf8Sniffer {
	var s utf8Sniffer
	var seen int64
	for d.read < d.records && seen < limit && !s.invalid {
		if _, err := io.ReadFull(d.r, d.buf); err != nil {
			break
		}
		d.read++
		seen += int64(d.recLen)
		for i := range d.fields {
			f := &d.fields[i]
			if f.typ == 'C' || f.typ == 'M' || f.typ == 'V' || f.typ == 'W' {
				s.add(d.buf[f.offset : f.offset+f.length])
			}
		}
	}
	return s
}
