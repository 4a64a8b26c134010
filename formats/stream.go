package formats

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// record is a feature as a reader produces it, before the shared checks.
type record struct {
	f    *Feature
	keys []string // property names in source order
	z    bool     // Z or M values were dropped
	err  error    // a feature's invalid geometry, met while sampling
}

// perFeature reports whether err concerns one feature only, so that
// reading may go on after it.
func perFeature(err error) bool {
	var e *Error
	return errors.Is(err, ErrInvalidGeometry) && errors.As(err, &e) && e.Index >= 0
}

// reader is what each format implements: a raw stream of records.
type reader interface {
	// next returns the next record or io.EOF. Errors should be *Error.
	next() (record, error)
	close() error
}

// meter counts the bytes read from an input, for progress reports.
type meter struct {
	read, total int64
}

// reader wraps r so that what it yields is counted; it restarts the count
// (a FullScan reads the input twice).
func (m *meter) reader(r io.Reader, total int64) io.Reader {
	m.read, m.total = 0, total
	return &meterReader{r: r, m: m}
}

type meterReader struct {
	r io.Reader
	m *meter
}

func (c *meterReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.m.read += int64(n)
	return n, err
}

// fileSize returns the size of f, or 0.
func fileSize(f interface{ Stat() (os.FileInfo, error) }) int64 {
	fi, err := f.Stat()
	if err != nil {
		return 0
	}
	return fi.Size()
}

// maxIDs caps the ids remembered for the duplicate check.
const maxIDs = 1 << 20

// stream turns a reader into a Source: it infers or holds the schema,
// validates geometries, counts, and applies Options.IDField.
type stream struct {
	format   string
	r        reader
	reopen   func() (reader, error) // for Options.FullScan; nil when declared
	crs      CRS
	enc      [2]string
	declared bool // the schema is the source's own
	sch      schema
	buf      []record
	stats    Stats
	ids      map[uint64]struct{}
	idField  string
	err      error
	closed   bool
	meter    *meter // nil when the reader reports progress itself, or cannot
}

// newStream wraps r. With fields non-nil the schema is declared and values
// are taken as typed; otherwise the schema is inferred from a sample of
// opt.SampleSize records (or from a full pass with opt.FullScan, for which
// reopen must be given).
func newStream(format string, r reader, reopen func() (reader, error), fields []Field, opt Options) (*stream, error) {
	s := &stream{format: format, r: r, reopen: reopen, idField: opt.IDField,
		ids: make(map[uint64]struct{})}
	s.stats.GeometryTypes = make(map[string]int64)
	if fields != nil {
		s.declared = true
		for _, f := range fields {
			s.sch.add(f, true)
		}
		if err := s.checkIDField(); err != nil {
			r.close()
			return nil, err
		}
		return s, nil
	}
	if opt.FullScan && reopen != nil {
		for {
			rec, err := r.next()
			if err == io.EOF {
				break
			}
			if perFeature(err) {
				continue
			}
			if err != nil {
				r.close()
				return nil, err
			}
			for _, k := range rec.keys {
				s.sch.observe(k, rec.f.Properties[k])
			}
		}
		if err := r.close(); err != nil {
			return nil, err
		}
		nr, err := reopen()
		if err != nil {
			return nil, err
		}
		s.r = nr
	}
	n := opt.sampleSize()
	if opt.FullScan && reopen != nil {
		n = 0 // the schema is settled
	}
	for len(s.buf) < n {
		rec, err := r.next()
		if err == io.EOF {
			break
		}
		if perFeature(err) {
			s.buf = append(s.buf, record{err: err})
			continue
		}
		if err != nil {
			// Report the error when the consumer reaches it.
			s.err = err
			break
		}
		for _, k := range rec.keys {
			s.sch.observe(k, rec.f.Properties[k])
		}
		s.buf = append(s.buf, rec)
	}
	for _, rec := range s.buf {
		if rec.f != nil {
			s.sch.conform(rec.keys, rec.f.Properties)
		}
	}
	if len(s.sch.fields) > 0 || opt.FullScan {
		if err := s.checkIDField(); err != nil {
			s.r.close()
			return nil, err
		}
	}
	return s, nil
}

// checkIDField refuses an Options.IDField the schema does not have, which
// is most likely a typing mistake.
func (s *stream) checkIDField() error {
	if s.idField == "" {
		return nil
	}
	if _, ok := s.sch.lookup(s.idField); ok {
		return nil
	}
	names := make([]string, len(s.sch.fields))
	for i, f := range s.sch.fields {
		names[i] = f.Name
	}
	e := newError(s.format, fmt.Sprintf("no attribute %q for the feature id (attributes: %s)", s.idField, strings.Join(names, ", ")), nil)
	e.Field = s.idField
	return e
}

// Next implements Source.
func (s *stream) Next() (*Feature, error) {
	if s.closed {
		return nil, newError(s.format, "source is closed", nil)
	}
	var rec record
	switch {
	case len(s.buf) > 0:
		rec = s.buf[0]
		s.buf[0] = record{}
		s.buf = s.buf[1:]
		if rec.err != nil {
			s.stats.InvalidGeometries++
			return nil, rec.err
		}
	case s.err != nil:
		return nil, s.err
	default:
		var err error
		rec, err = s.r.next()
		if perFeature(err) {
			s.stats.InvalidGeometries++
			return nil, err
		}
		if err != nil {
			if err != io.EOF {
				var fe *Error
				if !errors.As(err, &fe) {
					err = newError(s.format, "read", err)
				}
			}
			s.err = err
			return nil, err
		}
		if !s.declared {
			s.sch.conform(rec.keys, rec.f.Properties)
		}
	}
	f := rec.f
	if err := validateGeometry(f.Geometry); err != nil {
		s.stats.InvalidGeometries++
		return nil, asError(s.format, f.Index, err)
	}
	if s.idField != "" {
		if v, ok := f.Properties[s.idField]; ok && v != nil {
			f.ID = idString(v)
		}
	}
	s.count(rec)
	return f, nil
}

func (s *stream) count(rec record) {
	s.stats.Features++
	if rec.z {
		s.stats.ZDropped++
	}
	if rec.f.Geometry == nil {
		s.stats.NullGeometries++
	} else {
		s.stats.GeometryTypes[geometryType(rec.f.Geometry)]++
	}
	if id := rec.f.ID; id != "" {
		h := fnv.New64a()
		h.Write([]byte(id))
		k := h.Sum64()
		if _, dup := s.ids[k]; dup {
			s.stats.DuplicateIDs++
			if s.stats.FirstDuplicateID == "" {
				s.stats.FirstDuplicateID = id
			}
		} else if len(s.ids) < maxIDs {
			s.ids[k] = struct{}{}
		} else {
			s.stats.IDsUnchecked++
		}
	}
}

func idString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// Fields implements Source.
func (s *stream) Fields() []Field { return slices.Clone(s.sch.fields) }

// CRS implements Source.
func (s *stream) CRS() CRS { return s.crs }

// Encoding implements Source.
func (s *stream) Encoding() (name, from string) { return s.enc[0], s.enc[1] }

// Stats implements Source.
func (s *stream) Stats() Stats {
	st := s.stats
	st.GeometryTypes = make(map[string]int64, len(s.stats.GeometryTypes))
	for k, v := range s.stats.GeometryTypes {
		st.GeometryTypes[k] = v
	}
	st.Widened = slices.Clone(s.sch.widened)
	if sk, ok := s.r.(interface{ skippedCount() int64 }); ok {
		st.Skipped = sk.skippedCount()
	}
	switch p := s.r.(type) {
	case interface{ progress() (int64, int64) }:
		st.BytesRead, st.BytesTotal = p.progress()
	default:
		if s.meter != nil {
			st.BytesRead, st.BytesTotal = s.meter.read, s.meter.total
		}
	}
	return st
}

// Close implements Source.
func (s *stream) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.buf = nil
	return s.r.close()
}
