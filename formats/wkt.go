package formats

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// parseWKTGeometry parses WKT or EWKT ("SRID=32644;POINT(…)"), dropping Z
// and M. It returns the geometry (nil for EMPTY), the EWKT SRID or 0, and
// whether Z or M values were dropped.
func parseWKTGeometry(s string) (orb.Geometry, int, bool, error) {
	p := &wktGeomParser{s: s}
	p.ws()
	srid := 0
	if len(p.s)-p.i >= 5 && strings.EqualFold(p.s[p.i:p.i+5], "SRID=") {
		j := strings.IndexByte(p.s[p.i:], ';')
		if j < 0 {
			return nil, 0, false, errors.New("EWKT SRID without ';'")
		}
		n, err := strconv.Atoi(strings.TrimSpace(p.s[p.i+5 : p.i+j]))
		if err != nil {
			return nil, 0, false, fmt.Errorf("bad EWKT SRID %q", p.s[p.i+5:p.i+j])
		}
		srid = n
		p.i += j + 1
	}
	g, err := p.geometry(0)
	if err != nil {
		return nil, 0, false, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, 0, false, fmt.Errorf("unexpected text at character %d", p.i+1)
	}
	return g, srid, p.z, nil
}

type wktGeomParser struct {
	s string
	i int
	z bool
}

func (p *wktGeomParser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *wktGeomParser) word() string {
	p.ws()
	j := p.i
	for j < len(p.s) && (p.s[j] >= 'A' && p.s[j] <= 'Z' || p.s[j] >= 'a' && p.s[j] <= 'z') {
		j++
	}
	w := strings.ToUpper(p.s[p.i:j])
	p.i = j
	return w
}

func (p *wktGeomParser) peek() byte {
	p.ws()
	if p.i >= len(p.s) {
		return 0
	}
	return p.s[p.i]
}

func (p *wktGeomParser) expect(c byte) error {
	if p.peek() != c {
		return fmt.Errorf("expected '%c' at character %d", c, p.i+1)
	}
	p.i++
	return nil
}

// geometry parses TYPE [Z|M|ZM] (EMPTY | (…)).
func (p *wktGeomParser) geometry(depth int) (orb.Geometry, error) {
	if depth > 16 {
		return nil, errors.New("collections nested too deeply")
	}
	typ := p.word()
	for _, suf := range []string{"ZM", "Z", "M"} {
		if t := strings.TrimSuffix(typ, suf); t != typ && isWKTType(t) {
			typ = t
			p.z = true
			break
		}
	}
	if !isWKTType(typ) {
		if typ == "" {
			return nil, fmt.Errorf("expected a geometry type at character %d", p.i+1)
		}
		return nil, fmt.Errorf("unknown geometry type %q", typ)
	}
	save := p.i
	switch p.word() {
	case "Z", "M", "ZM":
		p.z = true
		save = p.i
	case "EMPTY":
		return nil, nil
	}
	p.i = save
	if w := p.word(); w == "EMPTY" {
		return nil, nil
	}
	p.i = save
	switch typ {
	case "POINT":
		if err := p.expect('('); err != nil {
			return nil, err
		}
		pt, err := p.position()
		if err != nil {
			return nil, err
		}
		return pt, p.expect(')')
	case "LINESTRING":
		l, err := p.positions()
		return orb.LineString(l), err
	case "POLYGON":
		return p.polygon()
	case "MULTIPOINT":
		var mp orb.MultiPoint
		err := p.list(func() error {
			var pt orb.Point
			var err error
			if p.peek() == '(' {
				p.i++
				if pt, err = p.position(); err == nil {
					err = p.expect(')')
				}
			} else {
				pt, err = p.position()
			}
			mp = append(mp, pt)
			return err
		})
		return mp, err
	case "MULTILINESTRING":
		var ml orb.MultiLineString
		err := p.list(func() error {
			l, err := p.positions()
			ml = append(ml, l)
			return err
		})
		return ml, err
	case "MULTIPOLYGON":
		var mp orb.MultiPolygon
		err := p.list(func() error {
			poly, err := p.polygon()
			mp = append(mp, poly)
			return err
		})
		return mp, err
	default: // GEOMETRYCOLLECTION
		var c orb.Collection
		err := p.list(func() error {
			g, err := p.geometry(depth + 1)
			if g != nil {
				c = append(c, g)
			}
			return err
		})
		return c, err
	}
}

func isWKTType(t string) bool {
	switch t {
	case "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION":
		return true
	}
	return false
}

func (p *wktGeomParser) list(item func() error) error {
	if err := p.expect('('); err != nil {
		return err
	}
	for {
		if err := item(); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case ')':
			p.i++
			return nil
		default:
			return fmt.Errorf("expected ',' or ')' at character %d", p.i+1)
		}
	}
}

func (p *wktGeomParser) polygon() (orb.Polygon, error) {
	var poly orb.Polygon
	err := p.list(func() error {
		r, err := p.positions()
		poly = append(poly, orb.Ring(r))
		return err
	})
	return poly, err
}

func (p *wktGeomParser) positions() ([]orb.Point, error) {
	var pts []orb.Point
	err := p.list(func() error {
		pt, err := p.position()
		pts = append(pts, pt)
		return err
	})
	return pts, err
}

// position reads 2 to 4 numbers separated by spaces.
func (p *wktGeomParser) position() (orb.Point, error) {
	var pt orb.Point
	n := 0
	for {
		c := p.peek()
		if c == ',' || c == ')' || c == 0 {
			break
		}
		j := p.i
		for j < len(p.s) && strings.IndexByte("+-.0123456789eEaAnNiIfF", p.s[j]) >= 0 {
			j++
		}
		if j == p.i {
			return pt, fmt.Errorf("expected a number at character %d", p.i+1)
		}
		f, err := strconv.ParseFloat(p.s[p.i:j], 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return pt, fmt.Errorf("bad number %q", p.s[p.i:j])
		}
		if n < 2 {
			pt[n] = f
		}
		n++
		p.i = j
	}
	if n < 2 || n > 4 {
		return pt, fmt.Errorf("position with %d values at character %d", n, p.i+1)
	}
	if n > 2 {
		p.z = true
	}
	return pt, nil
}
