package formats

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/htmlindex"

	"github.com/coalmap/coalmap/geo"
)

// kmlGeom is any KML geometry element; the element name tells which.
type kmlGeom struct {
	XMLName     xml.Name
	Coordinates string `xml:"coordinates"`
	Outer       struct {
		Ring struct {
			Coordinates string `xml:"coordinates"`
		} `xml:"LinearRing"`
	} `xml:"outerBoundaryIs"`
	Inner []struct {
		Ring struct {
			Coordinates string `xml:"coordinates"`
		} `xml:"LinearRing"`
	} `xml:"innerBoundaryIs"`
	Children []kmlGeom `xml:",any"`
}

// kmlPlacemark is the part of a Placemark this package reads.
type kmlPlacemark struct {
	ID           string `xml:"id,attr"`
	Name         string `xml:"name"`
	Description  string `xml:"description"`
	ExtendedData struct {
		Data []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value"`
		} `xml:"Data"`
		SchemaData []struct {
			SimpleData []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:",chardata"`
			} `xml:"SimpleData"`
		} `xml:"SchemaData"`
	} `xml:"ExtendedData"`
	Geoms []kmlGeom `xml:",any"`
}

// kmlReader streams Placemarks out of a KML document, through any nesting
// of Document and Folder elements.
type kmlReader struct {
	dec        *xml.Decoder
	c          io.Closer
	stack      []string // open element names
	folders    []string // names of the open Folder/Document elements ("" when unnamed)
	index      int
	lines      *lineCounter
	done       bool
	sawElement bool
}

// lineCounter counts the newlines that pass through it.
type lineCounter struct {
	r     io.Reader
	lines int
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.lines += bytes.Count(p[:n], []byte{'\n'})
	return n, err
}

func newKMLReader(r io.Reader, c io.Closer) *kmlReader {
	lc := &lineCounter{r: bufio.NewReaderSize(r, 1<<16)}
	dec := xml.NewDecoder(lc)
	dec.Strict = true
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		e, err := htmlindex.Get(label)
		if err != nil {
			return nil, fmt.Errorf("unknown XML encoding %q", label)
		}
		return e.NewDecoder().Reader(in), nil
	}
	return &kmlReader{dec: dec, c: c, lines: lc}
}

func (k *kmlReader) errorf(err error, reason string) *Error {
	return &Error{Format: "kml", Index: -1, Line: k.lines.lines + 1, Offset: k.dec.InputOffset(), Reason: reason, Err: err}
}

// The property names KML's own elements are given.
const (
	kmlName        = "name"
	kmlDescription = "description"
	kmlFolder      = "folder"
)

func (k *kmlReader) next() (record, error) {
	if k.done {
		return record{}, io.EOF
	}
	for {
		tok, err := k.dec.Token()
		if err == io.EOF {
			k.done = true
			if !k.sawElement {
				return record{}, newError("kml", "no XML element in the file", ErrEmpty)
			}
			return record{}, io.EOF
		}
		if err != nil {
			k.done = true
			return record{}, k.errorf(err, "malformed XML: "+err.Error())
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.Contains(bytes.ToUpper(t), []byte("ENTITY")) {
				k.done = true
				return record{}, k.errorf(ErrUnsafeXML, "DOCTYPE with ENTITY declarations refused (external or expanding entities)")
			}
		case xml.StartElement:
			k.sawElement = true
			switch t.Name.Local {
			case "Placemark":
				var p kmlPlacemark
				idx := k.index
				k.index++
				if err := k.dec.DecodeElement(&p, &t); err != nil {
					k.done = true
					e := k.errorf(err, "malformed Placemark: "+err.Error())
					e.Index = idx
					return record{}, e
				}
				// The Placemark is consumed: after an error in it reading
				// may go on.
				return k.placemark(&p, idx)
			case "name":
				if n := len(k.stack); n > 0 && (k.stack[n-1] == "Folder" || k.stack[n-1] == "Document") {
					var s string
					if err := k.dec.DecodeElement(&s, &t); err != nil {
						k.done = true
						return record{}, k.errorf(err, "malformed XML: "+err.Error())
					}
					k.folders[len(k.folders)-1] = strings.TrimSpace(s)
					continue
				}
			case "Folder", "Document":
				k.folders = append(k.folders, "")
			}
			k.stack = append(k.stack, t.Name.Local)
		case xml.EndElement:
			if n := len(k.stack); n > 0 {
				if k.stack[n-1] == "Folder" || k.stack[n-1] == "Document" {
					k.folders = k.folders[:len(k.folders)-1]
				}
				k.stack = k.stack[:n-1]
			}
		}
	}
}

// folderPath joins the names of the enclosing Folders, outermost first,
// with "/"; Documents are left out and so are unnamed Folders.
func (k *kmlReader) folderPath() string {
	var parts []string
	j := 0
	for _, el := range k.stack {
		if el == "Folder" || el == "Document" {
			if el == "Folder" && k.folders[j] != "" {
				parts = append(parts, k.folders[j])
			}
			j++
		}
	}
	return strings.Join(parts, "/")
}

func (k *kmlReader) placemark(p *kmlPlacemark, idx int) (record, error) {
	rec := record{f: &Feature{Index: idx, ID: p.ID, Properties: map[string]any{}}}
	set := func(key string, v any) {
		if _, ok := rec.f.Properties[key]; !ok {
			rec.keys = append(rec.keys, key)
		}
		rec.f.Properties[key] = v
	}
	set(kmlName, nullable(p.Name))
	set(kmlDescription, nullable(p.Description))
	set(kmlFolder, nullable(k.folderPath()))
	// Attributes named like KML's own elements ("name"…) get a suffix
	// rather than overwrite them.
	data := func(key, value string) {
		key = strings.TrimSpace(key)
		if key == "" {
			return
		}
		for n := 2; ; n++ {
			if _, taken := rec.f.Properties[key]; !taken {
				break
			}
			key = fmt.Sprintf("%s_%d", strings.TrimSuffix(key, fmt.Sprintf("_%d", n-1)), n)
		}
		set(key, rawText(value))
	}
	for _, d := range p.ExtendedData.Data {
		data(d.Name, d.Value)
	}
	if len(p.ExtendedData.Data) == 0 && len(p.ExtendedData.SchemaData) == 0 {
		// Without ExtendedData, exports carry the attributes as an HTML
		// table in the description.
		keys, values := descriptionTable(p.Description)
		for i := range keys {
			data(keys[i], values[i])
		}
	}
	for _, sd := range p.ExtendedData.SchemaData {
		for _, d := range sd.SimpleData {
			data(d.Name, d.Value)
		}
	}
	var geoms []orb.Geometry
	for i := range p.Geoms {
		g, err := kmlGeometry(&p.Geoms[i], &rec.z)
		if err != nil {
			e := featureError("kml", idx, err.Error(), ErrInvalidGeometry)
			e.Line = k.lines.lines + 1
			return record{}, e
		}
		if g != nil {
			geoms = append(geoms, g)
		}
	}
	switch len(geoms) {
	case 0:
	case 1:
		rec.f.Geometry = geoms[0]
	default:
		rec.f.Geometry = orb.Collection(geoms)
	}
	return rec, nil
}

func nullable(s string) any {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return s
}

// kmlGeometry converts a geometry element; other elements give nil.
func kmlGeometry(g *kmlGeom, z *bool) (orb.Geometry, error) {
	switch g.XMLName.Local {
	case "Point":
		pts, err := kmlCoords(g.Coordinates, z)
		if err != nil {
			return nil, err
		}
		if len(pts) != 1 {
			return nil, fmt.Errorf("Point with %d coordinates", len(pts))
		}
		return pts[0], nil
	case "LineString":
		pts, err := kmlCoords(g.Coordinates, z)
		return orb.LineString(pts), err
	case "LinearRing":
		pts, err := kmlCoords(g.Coordinates, z)
		return orb.Polygon{orb.Ring(pts)}, err
	case "Polygon":
		outer, err := kmlCoords(g.Outer.Ring.Coordinates, z)
		if err != nil {
			return nil, err
		}
		poly := orb.Polygon{orb.Ring(outer)}
		for _, in := range g.Inner {
			r, err := kmlCoords(in.Ring.Coordinates, z)
			if err != nil {
				return nil, err
			}
			poly = append(poly, orb.Ring(r))
		}
		return poly, nil
	case "MultiGeometry":
		var parts []orb.Geometry
		for i := range g.Children {
			sub, err := kmlGeometry(&g.Children[i], z)
			if err != nil {
				return nil, err
			}
			if sub != nil {
				parts = append(parts, sub)
			}
		}
		return homogenize(parts), nil
	}
	return nil, nil
}

// homogenize makes a MultiPoint, MultiLineString or MultiPolygon of parts
// of one type, a Collection otherwise.
func homogenize(parts []orb.Geometry) orb.Geometry {
	if len(parts) == 0 {
		return nil
	}
	var mp orb.MultiPoint
	var ml orb.MultiLineString
	var mpoly orb.MultiPolygon
	for _, p := range parts {
		switch p := p.(type) {
		case orb.Point:
			mp = append(mp, p)
		case orb.LineString:
			ml = append(ml, p)
		case orb.Polygon:
			mpoly = append(mpoly, p)
		default:
			return orb.Collection(parts)
		}
	}
	switch len(parts) {
	case len(mp):
		return mp
	case len(ml):
		return ml
	case len(mpoly):
		return mpoly
	}
	return orb.Collection(parts)
}

// kmlCoords parses "lon,lat[,alt] lon,lat[,alt] …", tolerating spaces
// after commas; a third value sets *z.
func kmlCoords(s string, z *bool) ([]orb.Point, error) {
	fields := strings.Fields(s)
	// Join "lon," "lat" written with a space after the comma.
	var tuples []string
	for _, f := range fields {
		if n := len(tuples); n > 0 && (strings.HasSuffix(tuples[n-1], ",") || strings.HasPrefix(f, ",")) {
			tuples[n-1] += f
			continue
		}
		tuples = append(tuples, f)
	}
	pts := make([]orb.Point, 0, len(tuples))
	for _, t := range tuples {
		vals := strings.Split(t, ",")
		if len(vals) < 2 || len(vals) > 3 {
			return nil, fmt.Errorf("coordinate %q is not lon,lat[,alt]", t)
		}
		var p orb.Point
		for i := 0; i < 2; i++ {
			f, err := strconv.ParseFloat(vals[i], 64)
			if err != nil {
				return nil, fmt.Errorf("coordinate %q: bad number %q", t, vals[i])
			}
			p[i] = f
		}
		if len(vals) == 3 {
			*z = true
		}
		pts = append(pts, p)
	}
	return pts, nil
}

func (k *kmlReader) close() error {
	if k.c == nil {
		return nil
	}
	return k.c.Close()
}

// kmzReader reads the main document of a KMZ archive (doc.kml, else the
// first .kml at the archive's top level, else the first .kml); closing the
// reader closes the archive.
func kmzReader(a *archive, m *meter) (reader, error) {
	pick := -1
	files := a.files()
	for i, f := range files {
		if !strings.EqualFold(path.Ext(f.Name), ".kml") {
			continue
		}
		if strings.EqualFold(f.Name, "doc.kml") {
			pick = i
			break
		}
		if pick < 0 || (strings.Contains(files[pick].Name, "/") && !strings.Contains(f.Name, "/")) {
			pick = i
		}
	}
	if pick < 0 {
		return nil, newError("kmz", "no .kml document in the archive", ErrEmpty)
	}
	rc, err := a.open(files[pick])
	if err != nil {
		return nil, err
	}
	return newKMLReader(m.reader(rc, int64(files[pick].UncompressedSize64)), closers{rc, a}), nil
}

// openKML opens a .kml, or the main document of a .kmz (doc.kml, else the
// first .kml at the archive's top level, else the first .kml).
func openKML(name string, kmz bool, opt Options) (Source, error) {
	m := &meter{}
	open := func() (reader, error) {
		if !kmz {
			f, err := os.Open(name)
			if err != nil {
				return nil, newError("kml", "open", err)
			}
			return newKMLReader(m.reader(f, fileSize(f)), f), nil
		}
		a, err := openArchive(name, "kmz", opt.maxUncompressed())
		if err != nil {
			return nil, err
		}
		r, err := kmzReader(a, m)
		if err != nil {
			a.close()
		}
		return r, err
	}
	r, err := open()
	if err != nil {
		return nil, err
	}
	s, err := newStream("kml", r, open, nil, opt)
	if err != nil {
		return nil, err
	}
	s.crs = overrideSRID(CRS{SRID: geo.SRIDWGS84, From: "KML (always 4326)"}, opt)
	s.meter = m
	s.enc = [2]string{"UTF-8", "XML declaration or UTF-8"}
	return s, nil
}

// closers closes several things in order.
type closers []io.Closer

func (c closers) Close() error {
	var first error
	for _, x := range c {
		if err := x.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
