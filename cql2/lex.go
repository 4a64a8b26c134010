package cql2

import (
	"strings"
	"unicode"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tQuoted // "a property"
	tString
	tNumber
	tLParen
	tRParen
	tComma
	tOp // = <> < <= > >=
)

type token struct {
	kind tokKind
	text string // identifier, string value, number text or operator
	pos  int    // character offset
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the filter"
	case tString:
		return "'" + t.text + "'"
	case tQuoted:
		return `"` + t.text + `"`
	}
	return t.text
}

// lex splits a cql2-text filter into tokens.
func lex(src []rune) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(':
			toks = append(toks, token{tLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tRParen, ")", i})
			i++
		case c == ',':
			toks = append(toks, token{tComma, ",", i})
			i++
		case c == '=':
			toks = append(toks, token{tOp, "=", i})
			i++
		case c == '<' || c == '>':
			op := string(c)
			if i+1 < len(src) && (src[i+1] == '=' || c == '<' && src[i+1] == '>') {
				op += string(src[i+1])
			}
			toks = append(toks, token{tOp, op, i})
			i += len(op)
		case c == '\'':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(src) {
				switch {
				case src[i] == '\'' && i+1 < len(src) && src[i+1] == '\'':
					b.WriteRune('\'')
					i += 2
				case src[i] == '\\' && i+1 < len(src) && src[i+1] == '\'':
					b.WriteRune('\'')
					i += 2
				case src[i] == '\'':
					i++
					closed = true
				default:
					b.WriteRune(src[i])
					i++
				}
				if closed {
					break
				}
			}
			if !closed {
				return nil, errAt(Position{Offset: start}, "a string that is never closed (a ' is missing)")
			}
			toks = append(toks, token{tString, b.String(), start})
		case c == '"':
			start := i
			i++
			for i < len(src) && src[i] != '"' {
				i++
			}
			if i == len(src) {
				return nil, errAt(Position{Offset: start}, `a quoted property name that is never closed (a " is missing)`)
			}
			name := string(src[start+1 : i])
			i++
			if !validName(name) {
				return nil, errAt(Position{Offset: start}, "%q is not a property name", name)
			}
			toks = append(toks, token{tQuoted, name, start})
		case isDigit(c) || c == '.' || (c == '-' || c == '+') && i+1 < len(src) && (isDigit(src[i+1]) || src[i+1] == '.'):
			start := i
			if c == '-' || c == '+' {
				i++
			}
			digits := 0
			for i < len(src) && isDigit(src[i]) {
				i++
				digits++
			}
			if i < len(src) && src[i] == '.' {
				i++
				for i < len(src) && isDigit(src[i]) {
					i++
					digits++
				}
			}
			if digits == 0 {
				return nil, errAt(Position{Offset: start}, "a number without digits")
			}
			if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
				j := i + 1
				if j < len(src) && (src[j] == '+' || src[j] == '-') {
					j++
				}
				if j < len(src) && isDigit(src[j]) {
					for j < len(src) && isDigit(src[j]) {
						j++
					}
					i = j
				} else {
					return nil, errAt(Position{Offset: start}, "a number with an incomplete exponent")
				}
			}
			if i < len(src) && isIdentStart(src[i]) {
				return nil, errAt(Position{Offset: i}, "unexpected %q right after the number %s", src[i], string(src[start:i]))
			}
			toks = append(toks, token{tNumber, string(src[start:i]), start})
		case isIdentStart(c):
			start := i
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			toks = append(toks, token{tIdent, string(src[start:i]), start})
		default:
			return nil, errAt(Position{Offset: i}, "unexpected character %q", c)
		}
	}
	toks = append(toks, token{tEOF, "", len(src)})
	return toks, nil
}

func isDigit(c rune) bool { return c >= '0' && c <= '9' }

// isIdentStart and isIdentPart follow the CQL2 grammar's identifier: a
// letter, '_' or ':' first, then also digits, '.' and combining marks.
func isIdentStart(c rune) bool {
	return c == '_' || c == ':' || unicode.IsLetter(c)
}

func isIdentPart(c rune) bool {
	return isIdentStart(c) || isDigit(c) || c == '.' || unicode.Is(unicode.Mn, c) || unicode.Is(unicode.Mc, c) || c == '\u203f' || c == '\u2040'
}

// validName reports whether s is a CQL2 identifier.
func validName(s string) bool {
	for i, c := range []rune(s) {
		if i == 0 && !isIdentStart(c) || i > 0 && !isIdentPart(c) {
			return false
		}
	}
	return s != ""
}
