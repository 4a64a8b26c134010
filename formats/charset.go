package formats

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// textDecoder turns attribute bytes into a string.
type textDecoder struct {
	name string
	dec  *encoding.Decoder // nil for UTF-8
}

func (d textDecoder) decode(b []byte) string {
	if d.dec == nil {
		b = trimPartialRune(b)
		if utf8.Valid(b) {
			return string(b)
		}
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	s, err := d.dec.Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(s)
}

var (
	cpNumber  = regexp.MustCompile(`^(?:cp|ansi|ldid/|windows-?|ibm)?\s*(\d{3,5})$`)
	isoNumber = regexp.MustCompile(`^(?:iso)?[-_ ]?8859[-_ ]?(\d{1,2})$`)
)

// lookupEncoding resolves a .cpg or Options.Encoding name: WHATWG names
// ("UTF-8", "windows-1252", "ISO-8859-1"…), bare code page numbers as
// ArcGIS writes them ("1252", "65001", "ANSI 1252"), and "88591" style ISO
// numbers. It returns the canonical name and a decoder.
func lookupEncoding(name string) (textDecoder, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "utf-8", "utf8", "65001", "cp65001":
		return textDecoder{name: "UTF-8"}, true
	case "latin1", "latin-1":
		n = "iso-8859-1"
	case "437", "cp437", "ibm437":
		return textDecoder{name: "IBM437", dec: charmap.CodePage437.NewDecoder()}, true
	case "850", "cp850", "ibm850":
		return textDecoder{name: "IBM850", dec: charmap.CodePage850.NewDecoder()}, true
	}
	if m := isoNumber.FindStringSubmatch(n); m != nil {
		n = "iso-8859-" + m[1]
	} else if m := cpNumber.FindStringSubmatch(n); m != nil {
		n = "windows-" + m[1]
		if m[1] == "866" {
			n = "ibm866"
		}
	}
	if n == "iso-8859-1" {
		// WHATWG maps Latin-1 to windows-1252; keep the name the file gave.
		return textDecoder{name: "ISO-8859-1", dec: charmap.ISO8859_1.NewDecoder()}, true
	}
	e, err := htmlindex.Get(n)
	if err != nil {
		return textDecoder{}, false
	}
	canon, _ := htmlindex.Name(e)
	if canon == "utf-8" {
		return textDecoder{name: "UTF-8"}, true
	}
	return textDecoder{name: canon, dec: e.NewDecoder()}, true
}

// windows1252 is the fallback for text that is not UTF-8.
func windows1252() textDecoder {
	return textDecoder{name: "windows-1252", dec: charmap.Windows1252.NewDecoder()}
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of b, as
// left by a DBF field that cut a multibyte character at its width.
func trimPartialRune(b []byte) []byte {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return b
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// utf8Sniffer decides whether text bytes are UTF-8: text with bytes above
// 0x7F that is all valid UTF-8 is UTF-8; anything invalid is not.
type utf8Sniffer struct {
	high    bool // saw a valid multibyte sequence
	invalid bool // saw bytes that are not UTF-8
}

func (s *utf8Sniffer) add(b []byte) {
	if s.invalid {
		return
	}
	for _, c := range b {
		if c >= 0x80 {
			b = trimPartialRune(b)
			if utf8.Valid(b) {
				s.high = true
			} else {
				s.invalid = true
			}
			return
		}
	}
}

// isUTF8 reports whether the text seen is UTF-8 with non-ASCII content.
func (s *utf8Sniffer) isUTF8() bool { return s.high && !s.invalid }
