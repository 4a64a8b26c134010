package formats

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// rawText is an attribute value read as text from a format without types
// (CSV, KML); the schema decides its Go type.
type rawText string

// schema is an attribute schema, either declared by the source or inferred
// from the values seen.
type schema struct {
	fields  []Field
	index   map[string]int
	typed   []bool // a non-null value has fixed the field's type
	widened []string
}

func (s *schema) lookup(name string) (int, bool) {
	i, ok := s.index[name]
	return i, ok
}

func (s *schema) add(f Field, typed bool) int {
	if s.index == nil {
		s.index = make(map[string]int)
	}
	s.index[f.Name] = len(s.fields)
	s.fields = append(s.fields, f)
	s.typed = append(s.typed, typed)
	return len(s.fields) - 1
}

// observe widens the schema to hold v under name, without converting v.
func (s *schema) observe(name string, v any) {
	t, null := typeOf(v)
	i, ok := s.lookup(name)
	if !ok {
		s.add(Field{Name: name, Original: name, Type: t}, !null)
		return
	}
	if null {
		return
	}
	if !s.typed[i] {
		s.fields[i].Type, s.typed[i] = t, true
		return
	}
	s.fields[i].Type = mergeTypes(s.fields[i].Type, t)
}

// conform converts the properties of a feature to the schema, adding fields
// and widening types as needed; widenings are recorded.
func (s *schema) conform(keys []string, props map[string]any) {
	for _, name := range keys {
		v := props[name]
		i, ok := s.lookup(name)
		if ok && s.typed[i] {
			// The common case: the value fits the field's type.
			if cv, fits := convert(v, s.fields[i].Type); fits {
				props[name] = cv
				continue
			}
		}
		t, null := typeOf(v)
		switch {
		case !ok:
			i = s.add(Field{Name: name, Original: name, Type: t}, !null)
		case null:
		case !s.typed[i]:
			s.fields[i].Type, s.typed[i] = t, true
		}
		cv, ok := convert(v, s.fields[i].Type)
		if !ok {
			nt := mergeTypes(s.fields[i].Type, t)
			if nt != s.fields[i].Type {
				s.fields[i].Type = nt
				s.widened = append(s.widened, name)
			}
			cv, _ = convert(v, nt)
		}
		props[name] = cv
	}
}

// typeOf returns the type v suggests, and whether v is null.
func typeOf(v any) (FieldType, bool) {
	switch v := v.(type) {
	case nil:
		return Text, true
	case rawText:
		return inferText(string(v))
	case string:
		return Text, false
	case int64:
		return Integer, false
	case float64:
		return Real, false
	case bool:
		return Boolean, false
	case time.Time:
		if dateOnly(v) && v.Location() == time.UTC {
			return Date, false
		}
		return Timestamp, false
	}
	return Text, false
}

// mergeTypes returns the narrowest type that holds values of a and b.
func mergeTypes(a, b FieldType) FieldType {
	switch {
	case a == b:
		return a
	case (a == Integer && b == Real) || (a == Real && b == Integer):
		return Real
	case (a == Date && b == Timestamp) || (a == Timestamp && b == Date):
		return Timestamp
	}
	return Text
}

// Layouts tried for dates and timestamps in text. Other spellings (such as
// 02/01/2006, ambiguous between day and month first) stay text.
const dateLayout = "2006-01-02"

func timestampLayouts() [5]string {
	return [...]string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04:05Z07:00", "2006/01/02 15:04:05"}
}

// inferText returns the type a text value suggests, and whether it is null
// (empty or blank).
func inferText(s string) (FieldType, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Text, true
	}
	if _, ok := parseInt(s); ok {
		return Integer, false
	}
	if _, ok := parseReal(s); ok {
		return Real, false
	}
	if _, ok := parseBool(s); ok {
		return Boolean, false
	}
	if _, ok := parseDate(s); ok {
		return Date, false
	}
	if _, ok := parseTimestamp(s); ok {
		return Timestamp, false
	}
	return Text, false
}

// parseInt parses a decimal integer. Numbers with leading zeros ("007", a
// pillar number) are not integers: the zeros would be lost.
func parseInt(s string) (int64, bool) {
	d := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if d == "" || d[0] < '0' || d[0] > '9' || (len(d) > 1 && d[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// parseReal parses a finite decimal number; "NaN" and "Inf" are text.
func parseReal(s string) (float64, bool) {
	if s == "" || !(s[0] >= '0' && s[0] <= '9' || s[0] == '-' || s[0] == '+' || s[0] == '.') {
		return 0, false
	}
	d := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if len(d) > 1 && d[0] == '0' && d[1] != '.' {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// looksDated is a cheap test that s could be one of the layouts above.
func looksDated(s string) bool {
	return len(s) >= 10 && s[0] >= '0' && s[0] <= '9' && (s[4] == '-' || s[4] == '/')
}

func parseDate(s string) (time.Time, bool) {
	if !looksDated(s) {
		return time.Time{}, false
	}
	if t, err := time.Parse(dateLayout, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

func parseTimestamp(s string) (time.Time, bool) {
	if !looksDated(s) {
		return time.Time{}, false
	}
	for _, l := range timestampLayouts() {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// convert returns v as a value of type t, and whether that was possible
// without loss.
func convert(v any, t FieldType) (any, bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case rawText:
		s := strings.TrimSpace(string(v))
		if s == "" {
			return nil, true
		}
		switch t {
		case Text:
			return string(v), true
		case Integer:
			n, ok := parseInt(s)
			return n, ok
		case Real:
			f, ok := parseReal(s)
			return f, ok
		case Boolean:
			b, ok := parseBool(s)
			return b, ok
		case Date:
			d, ok := parseDate(s)
			return d, ok
		case Timestamp:
			if d, ok := parseDate(s); ok {
				return d, true
			}
			d, ok := parseTimestamp(s)
			return d, ok
		}
	case string:
		return v, t == Text
	case int64:
		switch t {
		case Integer:
			return v, true
		case Real:
			return float64(v), true
		case Text:
			return strconv.FormatInt(v, 10), true
		}
	case float64:
		switch t {
		case Real:
			return v, true
		case Text:
			return strconv.FormatFloat(v, 'g', -1, 64), true
		}
	case bool:
		switch t {
		case Boolean:
			return v, true
		case Text:
			return strconv.FormatBool(v), true
		}
	case time.Time:
		switch t {
		case Date, Timestamp:
			return v, true
		case Text:
			if dateOnly(v) {
				return v.Format("2006-01-02"), true
			}
			return v.Format(time.RFC3339Nano), true
		}
	default:
		if t == Text {
			return fmt.Sprint(v), true
		}
	}
	return nil, false
}
