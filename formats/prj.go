package formats

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/coalmap/coalmap/geo"
)

// wktNode is one KEYWORD[args…] of a WKT CRS. Args are string, float64
// or *wktNode.
type wktNode struct {
	key  string
	args []any
	bare bool // a keyword without brackets (EAST, NORTH)
}

// child returns the first child node with one of the keywords.
func (n *wktNode) child(keys ...string) *wktNode {
	if n == nil {
		return nil
	}
	for _, a := range n.args {
		if c, ok := a.(*wktNode); ok {
			for _, k := range keys {
				if strings.EqualFold(c.key, k) {
					return c
				}
			}
		}
	}
	return nil
}

func (n *wktNode) str(i int) string {
	if n == nil || i >= len(n.args) {
		return ""
	}
	s, _ := n.args[i].(string)
	return s
}

func (n *wktNode) num(i int) (float64, bool) {
	if n == nil || i >= len(n.args) {
		return 0, false
	}
	f, ok := n.args[i].(float64)
	return f, ok
}

// maxWKTDepth bounds nesting so that a hostile .prj cannot exhaust the
// stack.
const maxWKTDepth = 32

// parseWKT parses WKT 1 or 2 into a node tree.
func parseWKT(s string) (*wktNode, error) {
	p := &wktParser{s: s}
	p.ws()
	n, err := p.node(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("trailing text at byte %d", p.i)
	}
	return n, nil
}

type wktParser struct {
	s string
	i int
}

func (p *wktParser) ws() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n\ufeff", p.s[p.i]) >= 0 {
		p.i++
	}
	if strings.HasPrefix(p.s[p.i:], "\ufeff") {
		p.i += len("\ufeff")
	}
}

func (p *wktParser) node(depth int) (*wktNode, error) {
	if depth > maxWKTDepth {
		return nil, errors.New("nested too deeply")
	}
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] == '_' || p.s[p.i] >= 'A' && p.s[p.i] <= 'Z' || p.s[p.i] >= 'a' && p.s[p.i] <= 'z' || p.s[p.i] >= '0' && p.s[p.i] <= '9') {
		p.i++
	}
	if p.i == start {
		return nil, fmt.Errorf("expected a keyword at byte %d", p.i)
	}
	n := &wktNode{key: strings.ToUpper(p.s[start:p.i])}
	p.ws()
	if depth > 0 && p.i < len(p.s) && (p.s[p.i] == ',' || p.s[p.i] == ']' || p.s[p.i] == ')') {
		return &wktNode{key: n.key, args: nil, bare: true}, nil // an enumeration such as EAST
	}
	if p.i >= len(p.s) || (p.s[p.i] != '[' && p.s[p.i] != '(') {
		return nil, fmt.Errorf("expected '[' after %s at byte %d", n.key, p.i)
	}
	closer := byte(']')
	if p.s[p.i] == '(' {
		closer = ')'
	}
	p.i++
	for {
		p.ws()
		if p.i >= len(p.s) {
			return nil, errors.New("unexpected end")
		}
		c := p.s[p.i]
		switch {
		case c == closer:
			p.i++
			return n, nil
		case c == ',':
			p.i++
			continue
		case c == '"':
			j := p.i + 1
			var b strings.Builder
			for {
				if j >= len(p.s) {
					return nil, errors.New("unterminated string")
				}
				if p.s[j] == '"' {
					if j+1 < len(p.s) && p.s[j+1] == '"' { // "" escapes a quote
						b.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(p.s[j])
				j++
			}
			n.args = append(n.args, b.String())
			p.i = j + 1
		case c == '-' || c == '+' || c == '.' || c >= '0' && c <= '9':
			j := p.i
			for j < len(p.s) && strings.IndexByte("+-.0123456789eE", p.s[j]) >= 0 {
				j++
			}
			f, err := strconv.ParseFloat(p.s[p.i:j], 64)
			if err != nil {
				return nil, fmt.Errorf("bad number %q", p.s[p.i:j])
			}
			n.args = append(n.args, f)
			p.i = j
		default:
			child, err := p.node(depth + 1)
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, child)
		}
	}
}

// crsFromPRJ reads the SRID of a .prj: from its top-level
// AUTHORITY["EPSG",…] (or WKT 2 ID) when present, else by matching its
// datum, projection and parameters against the CRSs that arrive in India.
// An unrecognised CRS gives SRID 0 with the WKT kept.
func crsFromPRJ(wkt string) (CRS, error) {
	wkt = strings.TrimSpace(strings.TrimPrefix(wkt, "\ufeff"))
	crs := CRS{WKT: wkt, From: "file .prj"}
	if wkt == "" {
		return crs, nil
	}
	n, err := parseWKT(wkt)
	if err != nil {
		return crs, newError("prj", "malformed WKT: "+err.Error()+"; give the CRS with --srid (srid= over HTTP)", nil)
	}
	if a := n.child("AUTHORITY", "ID"); a != nil && strings.EqualFold(a.str(0), "EPSG") {
		code := 0
		if f, ok := a.num(1); ok {
			code = int(f)
		} else if c, err := strconv.Atoi(a.str(1)); err == nil {
			code = c
		}
		if code > 0 {
			crs.SRID = code
			return crs, nil
		}
	}
	var generic bool
	crs.SRID, generic = matchCRS(n)
	if generic {
		crs.From = fmt.Sprintf("file .prj (%q matched by its parameters as WGS 84 / UTM; the import checks EPSG:%d against spatial_ref_sys)",
			n.str(0), crs.SRID)
	}
	return crs, nil
}

// knownCRS is a CRS of the built-in table, described by what a WKT without
// an authority still says.
type knownCRS struct {
	srid   int
	a, rf  float64 // ellipsoid
	method string  // "" for geographic; "tm", "lcc1", "lcc2", "webmerc"
	lat0   float64
	lon0   float64
	k      float64
	sp1    float64
	sp2    float64
	fe, fn float64 // metres
}

const (
	wgs84A, wgs84RF       = 6378137, 298.257223563
	everest75A, everestRF = 6377299.151, 300.8017255
	everest80A            = 6377299.36559538
)

// indiaCRS lists what arrives in India (see DOMAIN.md).
func indiaCRS() []knownCRS {
	t := []knownCRS{
		{srid: geo.SRIDWGS84, a: wgs84A, rf: wgs84RF},
		{srid: geo.SRIDKalianpur75, a: everest75A, rf: everestRF},
		{srid: geo.SRIDKalianpur80, a: everest80A, rf: everestRF},
		{srid: geo.SRIDWebMercator, a: wgs84A, rf: wgs84RF, method: "webmerc"},
		{srid: geo.SRIDIndiaNSFLCC, a: wgs84A, rf: wgs84RF, method: "lcc2", lat0: 24, lon0: 80, k: 1,
			sp1: 12.472955, sp2: 35.1728044444444, fe: 4000000, fn: 4000000},
	}
	for zone := 43; zone <= 46; zone++ {
		t = append(t, knownCRS{srid: geo.SRIDUTM43N - 43 + zone, a: wgs84A, rf: wgs84RF, method: "tm",
			lon0: float64(zone*6 - 183), k: 0.9996, fe: 500000})
	}
	zones := []struct {
		srid       int
		a          float64
		lat0, lon0 float64
		fe, fn     float64
	}{
		{24378, everest75A, 32.5, 68, 2743195.5, 914398.5},
		{24379, everest75A, 26, 74, 2743195.5, 914398.5},
		{24380, everest75A, 26, 90, 2743195.5, 914398.5},
		{24381, everest75A, 19, 80, 2743195.5, 914398.5},
		{24382, everest80A, 26, 90, 2743195.59223332, 914398.530744441}, // Kalianpur 1880, Indian yards
		{24383, everest75A, 12, 80, 2743195.5, 914398.5},
	}
	for _, z := range zones {
		t = append(t, knownCRS{srid: z.srid, a: z.a, rf: everestRF, method: "lcc1",
			lat0: z.lat0, lon0: z.lon0, k: 0.99878641, sp1: z.lat0, fe: z.fe, fn: z.fn})
	}
	return t
}

// wktCRS is what matching reads from a WKT.
type wktCRS struct {
	a, rf   float64
	primem  float64
	method  string
	params  map[string]float64
	unit    float64 // metres per linear unit
	hasProj bool
}

func readWKTCRS(n *wktNode) (wktCRS, bool) {
	c := wktCRS{params: map[string]float64{}, unit: 1}
	geog := n
	switch n.key {
	case "PROJCS":
		c.hasProj = true
		geog = n.child("GEOGCS")
		proj := n.child("PROJECTION")
		if geog == nil || proj == nil {
			return c, false
		}
		c.method = normalizeMethod(proj.str(0))
		for _, a := range n.args {
			if p, ok := a.(*wktNode); ok && p.key == "PARAMETER" {
				if v, ok := p.num(1); ok {
					c.params[normalizeParam(p.str(0))] = v
				}
			}
		}
		if u := n.child("UNIT"); u != nil {
			if f, ok := u.num(1); ok && f > 0 {
				c.unit = f
			}
		}
	case "GEOGCS":
	default:
		return c, false
	}
	sph := geog.child("DATUM").child("SPHEROID", "ELLIPSOID")
	if geog.child("DATUM") == nil || sph == nil {
		return c, false
	}
	c.a, _ = sph.num(1)
	c.rf, _ = sph.num(2)
	if pm := geog.child("PRIMEM"); pm != nil {
		c.primem, _ = pm.num(1)
	}
	return c, true
}

func normalizeMethod(m string) string {
	m = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(m), " ", "_"))
	switch m {
	case "transverse_mercator":
		return "tm"
	case "lambert_conformal_conic_1sp":
		return "lcc1"
	case "lambert_conformal_conic_2sp":
		return "lcc2"
	case "lambert_conformal_conic":
		return "lcc" // ESRI: 1SP or 2SP by its parameters
	case "mercator_auxiliary_sphere", "popular_visualisation_pseudo_mercator":
		return "webmerc"
	}
	return m
}

func normalizeParam(p string) string {
	p = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(p), " ", "_"))
	switch p {
	case "longitude_of_center", "longitude_of_origin", "central_meridian":
		return "lon0"
	case "latitude_of_origin", "latitude_of_center":
		return "lat0"
	case "standard_parallel_1":
		return "sp1"
	case "standard_parallel_2":
		return "sp2"
	case "scale_factor":
		return "k"
	case "false_easting":
		return "fe"
	case "false_northing":
		return "fn"
	}
	return p
}

// utmCRS lists the WGS 84 / UTM zones (EPSG:32601–32660 north,
// 32701–32760 south) beyond India's, which arrive now and then from
// projects abroad or mislabelled files.
func utmCRS() []knownCRS {
	var t []knownCRS
	for zone := 1; zone <= 60; zone++ {
		for _, south := range []bool{false, true} {
			k := knownCRS{srid: 32600 + zone, a: wgs84A, rf: wgs84RF, method: "tm",
				lon0: float64(zone*6 - 183), k: 0.9996, fe: 500000}
			if south {
				k.srid, k.fn = 32700+zone, 10000000
			}
			t = append(t, k)
		}
	}
	return t
}

// matchCRS returns the SRID of the table entry n describes, or 0; generic
// says it was matched among the UTM zones beyond India's table.
func matchCRS(n *wktNode) (srid int, generic bool) {
	c, ok := readWKTCRS(n)
	if !ok || c.primem != 0 {
		return 0, false
	}
	if srid := matchTable(c, indiaCRS()); srid != 0 {
		return srid, false
	}
	if srid := matchTable(c, utmCRS()); srid != 0 {
		return srid, true
	}
	return 0, false
}

// matchTable returns the SRID of the entry of table c describes, or 0.
func matchTable(c wktCRS, table []knownCRS) int {
	near := func(a, b, tol float64) bool { return math.Abs(a-b) <= tol }
	for _, k := range table {
		if !near(c.a, k.a, 0.01) || !near(c.rf, k.rf, 1e-6) {
			continue
		}
		if k.method == "" {
			if !c.hasProj {
				return k.srid
			}
			continue
		}
		if !c.hasProj || !methodMatches(c, k) {
			continue
		}
		if k.method == "webmerc" {
			return k.srid
		}
		p := func(name string, def float64) float64 {
			if v, ok := c.params[name]; ok {
				return v
			}
			return def
		}
		if !near(p("lon0", 0), k.lon0, 1e-7) || !near(p("lat0", 0), k.lat0, 1e-7) ||
			!near(p("k", 1), k.k, 1e-9) ||
			!near(p("fe", 0)*c.unit, k.fe, 0.01) || !near(p("fn", 0)*c.unit, k.fn, 0.01) {
			continue
		}
		switch k.method {
		case "lcc1":
			if v, ok := c.params["sp1"]; ok && !near(v, k.lat0, 1e-7) {
				continue
			}
		case "lcc2":
			if !near(p("sp1", math.NaN()), k.sp1, 1e-7) || !near(p("sp2", math.NaN()), k.sp2, 1e-7) {
				continue
			}
		}
		return k.srid
	}
	return 0
}

func methodMatches(c wktCRS, k knownCRS) bool {
	if c.method == k.method {
		return true
	}
	if c.method != "lcc" {
		return false
	}
	_, has2 := c.params["sp2"]
	return (k.method == "lcc2") == has2
}
