package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// The helpers here split JSON that encoding/json has already checked
// (a Decoder validates every value it returns), so that a feature is not
// scanned by encoding/json's state machine three more times to pick out
// four members.

// objectMembers calls fn for each member of the JSON object raw, with
// the key unquoted and the value's raw bytes.
func objectMembers(raw []byte, fn func(key string, val []byte) error) error {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return errors.New("not an object")
	}
	i++
	for {
		i = skipWS(raw, i)
		if i >= len(raw) {
			return errors.New("unterminated object")
		}
		if raw[i] == '}' {
			return nil
		}
		if raw[i] == ',' {
			i++
			continue
		}
		if raw[i] != '"' {
			return errors.New("object key is not a string")
		}
		end := skipString(raw, i)
		key, err := unquote(raw[i:end])
		if err != nil {
			return err
		}
		i = skipWS(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return errors.New("expected ':' after object key")
		}
		i = skipWS(raw, i+1)
		vend := skipValue(raw, i)
		if vend <= i {
			return errors.New("missing value")
		}
		if err := fn(key, raw[i:vend]); err != nil {
			return err
		}
		i = vend
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i].
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipString(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	return j
}

// unquote decodes a JSON string, fast when it has no escapes.
func unquote(s []byte) (string, error) {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		in := s[1 : len(s)-1]
		if bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
			return string(in), nil
		}
	}
	var out string
	err := json.Unmarshal(s, &out)
	return out, err
}

// arrayElements calls fn with the raw bytes of each element of the JSON
// array raw.
func arrayElements(raw []byte, fn func(val []byte) error) error {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return errors.New("not an array")
	}
	i++
	for {
		i = skipWS(raw, i)
		if i >= len(raw) {
			return errors.New("unterminated array")
		}
		switch raw[i] {
		case ']':
			return nil
		case ',':
			i++
			continue
		}
		end := skipValue(raw, i)
		if end <= i {
			return errors.New("missing value")
		}
		if err := fn(raw[i:end]); err != nil {
			return err
		}
		i = end
	}
}
