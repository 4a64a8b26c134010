package formats

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// shpFiles gives access to the sibling files of one shapefile, in a folder
// or in a zip.
type shpFiles struct {
	base  string // path of the .shp without extension, for messages
	open  func(ext string) (io.ReadCloser, error)
	size  func(ext string) (int64, bool)
	close func() error
}

// shpFilesDir finds the siblings of the .shp at path, matching extensions
// case-insensitively.
func shpFilesDir(shp string) *shpFiles {
	dir := filepath.Dir(shp)
	stem := strings.TrimSuffix(filepath.Base(shp), filepath.Ext(shp))
	entries, _ := os.ReadDir(dir)
	find := func(ext string) string {
		for _, e := range entries {
			n := e.Name()
			if !e.IsDir() && strings.EqualFold(n, stem+ext) {
				return filepath.Join(dir, n)
			}
		}
		return ""
	}
	return &shpFiles{
		base: filepath.Join(dir, stem),
		open: func(ext string) (io.ReadCloser, error) {
			p := find(ext)
			if p == "" {
				return nil, fs.ErrNotExist
			}
			return os.Open(p)
		},
		size: func(ext string) (int64, bool) {
			p := find(ext)
			if p == "" {
				return 0, false
			}
			fi, err := os.Stat(p)
			if err != nil {
				return 0, false
			}
			return fi.Size(), true
		},
		close: func() error { return nil },
	}
}

// pickShapefile chooses one of the .shp names found (in a folder or a zip)
// by opt.SourceLayer, or the only one.
func pickShapefile(names []string, layer, where string) (string, error) {
	if len(names) == 0 {
		return "", newError("shapefile", "no .shp file in "+where, ErrEmpty)
	}
	if layer != "" {
		for _, n := range names {
			if strings.EqualFold(strings.TrimSuffix(filepath.Base(n), filepath.Ext(n)), layer) {
				return n, nil
			}
		}
		return "", newError("shapefile", fmt.Sprintf("no shapefile %q in %s (found %s)", layer, where, strings.Join(names, ", ")), nil)
	}
	if len(names) > 1 {
		sort.Strings(names)
		return "", newError("shapefile", fmt.Sprintf("%s holds %d shapefiles (%s); choose one with --source-layer (source_layer= over HTTP)", where, len(names), strings.Join(names, ", ")), nil)
	}
	return names[0], nil
}

// openShapefileDir opens the one shapefile in a folder (or the one named
// by SourceLayer).
func openShapefileDir(dir string, opt Options) (Source, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, newError("shapefile", "read folder", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".shp") {
			names = append(names, e.Name())
		}
	}
	n, err := pickShapefile(names, opt.SourceLayer, "folder "+dir)
	if err != nil {
		return nil, err
	}
	return openShapefile(shpFilesDir(filepath.Join(dir, n)), opt)
}

// openShapefileZip opens a shapefile inside a zip, reading the entries in
// place (nothing is extracted).
func openShapefileZip(name string, opt Options) (Source, error) {
	a, err := openArchive(name, "shapefile", opt.maxUncompressed())
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range a.files() {
		if strings.EqualFold(filepath.Ext(f.Name), ".shp") {
			names = append(names, f.Name)
		}
	}
	if len(names) == 0 {
		if other := gdalEntry(a); other != "" {
			// No shapefile, but a file GDAL reads (a GeoPackage, a
			// FileGDB…): read it in place through /vsizip/. The entry
			// names and sizes were checked by openArchive.
			a.close()
			abs, err := filepath.Abs(name)
			if err != nil {
				return nil, newError("zip", "resolve path", err)
			}
			return openOGR("/vsizip/"+abs+"/"+other, opt)
		}
	}
	n, err := pickShapefile(names, opt.SourceLayer, "zip "+filepath.Base(name))
	if err != nil {
		a.close()
		return nil, err
	}
	stem := strings.TrimSuffix(n, filepath.Ext(n))
	find := func(ext string) int {
		for i, f := range a.files() {
			if strings.EqualFold(f.Name, stem+ext) {
				return i
			}
		}
		return -1
	}
	files := &shpFiles{
		base: name + "!" + stem,
		open: func(ext string) (io.ReadCloser, error) {
			i := find(ext)
			if i < 0 {
				return nil, fs.ErrNotExist
			}
			return a.open(a.files()[i])
		},
		size: func(ext string) (int64, bool) {
			i := find(ext)
			if i < 0 {
				return 0, false
			}
			return int64(a.files()[i].UncompressedSize64), true
		},
		close: a.close,
	}
	src, err := openShapefile(files, opt)
	if err != nil {
		a.close()
		return nil, err
	}
	return src, nil
}

// gdalEntry returns the one entry of a zip that GDAL should read when
// the zip holds no shapefile, or "".
func gdalEntry(a *archive) string {
	var found []string
	for _, f := range a.files() {
		n := strings.TrimSuffix(f.Name, "/")
		switch strings.ToLower(filepath.Ext(n)) {
		case ".gpkg", ".geojson", ".json", ".geojsonl", ".kml", ".csv", ".gml", ".tab", ".mif", ".dxf", ".sqlite", ".fgb":
			found = append(found, n)
		}
	}
	for _, f := range a.zr.File { // FileGDB is a folder
		if i := strings.Index(strings.ToLower(f.Name), ".gdb/"); i >= 0 {
			found = append(found, f.Name[:i+4])
			break
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}

// readSmall reads a small sibling (.prj, .cpg) whole, or "" when absent.
func readSmall(files *shpFiles, ext string) (string, bool, error) {
	rc, err := files.open(ext)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return "", false, err
	}
	return string(b), true, nil
}

// sniffLimit is how much of a DBF is scanned to detect its encoding.
const sniffLimit = 64 << 20

// openShapefile opens the .shp, .dbf, .prj and .cpg of one shapefile.
func openShapefile(files *shpFiles, opt Options) (Source, error) {
	prj, hasPRJ, err := readSmall(files, ".prj")
	if err != nil {
		return nil, newError("shapefile", "read .prj", err)
	}
	crs := CRS{From: "no .prj"}
	if hasPRJ {
		crs, err = crsFromPRJ(prj)
		if err != nil && opt.SRID == 0 {
			return nil, err
		}
		// With --srid, an unreadable .prj is passed over: the user has
		// said which CRS it is.
	}
	if opt.SRID != 0 {
		crs.SRID, crs.From = opt.SRID, "--srid"
	}
	td, encFrom, err := shapefileEncoding(files, opt)
	if err != nil {
		return nil, err
	}
	dbfRC, err := files.open(".dbf")
	if err != nil {
		return nil, newError("shapefile", fmt.Sprintf("%s.dbf is missing: a shapefile needs its .shp and .dbf (and .shx, .prj) side by side", filepath.Base(files.base)), err)
	}
	dbf, err := readDBFHeader(dbfRC)
	if err != nil {
		dbfRC.Close()
		return nil, err
	}
	fields := dbf.setText(td)
	if n, ok := files.size(".shx"); ok && n >= 100 {
		if shx := int((n - 100) / 8); shx != dbf.records {
			dbfRC.Close()
			return nil, newError("shapefile", fmt.Sprintf("%s.shx indexes %d shapes but the .dbf has %d records", filepath.Base(files.base), shx, dbf.records), nil)
		}
	}
	shpRC, err := files.open(".shp")
	if err != nil {
		dbfRC.Close()
		return nil, newError("shapefile", "open .shp", err)
	}
	r := &shpReader{shp: bufio.NewReaderSize(shpRC, 1<<16), shpC: shpRC, dbf: dbf, dbfC: dbfRC, files: files}
	if err := r.header(); err != nil {
		r.close()
		return nil, err
	}
	s, err := newStream("shapefile", r, nil, fields, opt)
	if err != nil {
		return nil, err
	}
	s.crs = crs
	s.enc = [2]string{td.name, encFrom}
	return s, nil
}

// shapefileEncoding decides the DBF text encoding: Options.Encoding, else
// the .cpg unless the content contradicts it, else detected (UTF-8 when
// the text is valid UTF-8, windows-1252 otherwise).
func shapefileEncoding(files *shpFiles, opt Options) (textDecoder, string, error) {
	if opt.Encoding != "" {
		td, ok := lookupEncoding(opt.Encoding)
		if !ok {
			return td, "", newError("shapefile", fmt.Sprintf("unknown encoding %q", opt.Encoding), nil)
		}
		return td, "option", nil
	}
	cpg, hasCPG, err := readSmall(files, ".cpg")
	if err != nil {
		return textDecoder{}, "", newError("shapefile", "read .cpg", err)
	}
	var sniff utf8Sniffer
	if rc, err := files.open(".dbf"); err == nil {
		if d, err := readDBFHeader(rc); err == nil {
			for _, f := range d.fields {
				sniff.add(f.raw)
			}
			s := d.sniffText(sniffLimit)
			sniff.high = sniff.high || s.high
			sniff.invalid = sniff.invalid || s.invalid
		}
		rc.Close()
	}
	cpg = strings.TrimSpace(cpg)
	if hasCPG {
		td, ok := lookupEncoding(cpg)
		switch {
		case !ok:
			// fall through to detection
		case td.name == "UTF-8" && sniff.invalid:
			return windows1252(), fmt.Sprintf("detected (.cpg says %s, content is not UTF-8)", cpg), nil
		case td.name != "UTF-8" && sniff.isUTF8():
			return textDecoder{name: "UTF-8"}, fmt.Sprintf("detected (.cpg says %s, content is UTF-8)", cpg), nil
		default:
			return td, ".cpg", nil
		}
		if sniff.invalid {
			return windows1252(), fmt.Sprintf("detected (.cpg %q unknown)", cpg), nil
		}
		return textDecoder{name: "UTF-8"}, fmt.Sprintf("detected (.cpg %q unknown)", cpg), nil
	}
	if sniff.invalid {
		return windows1252(), "detected (no .cpg, not UTF-8)", nil
	}
	return textDecoder{name: "UTF-8"}, "detected (no .cpg)", nil
}

// shpReader reads .shp records in step with .dbf records.
type shpReader struct {
	shp     *bufio.Reader
	shpC    io.Closer
	dbf     *dbfReader
	dbfC    io.Closer
	files   *shpFiles
	end     int64 // file length from the header
	off     int64
	index   int
	skipped int64
	buf     []byte
	done    bool
}

func (r *shpReader) header() error {
	var h [100]byte
	if _, err := io.ReadFull(r.shp, h[:]); err != nil {
		if err == io.EOF {
			return newError("shapefile", "empty .shp file", ErrEmpty)
		}
		return newError("shapefile", ".shp header truncated", err)
	}
	if code := binary.BigEndian.Uint32(h[0:4]); code != 9994 {
		return newError("shapefile", fmt.Sprintf("not a .shp file (file code %d, want 9994)", code), nil)
	}
	r.end = int64(binary.BigEndian.Uint32(h[24:28])) * 2
	r.off = 100
	return nil
}

func (r *shpReader) skippedCount() int64 { return r.skipped }

func (r *shpReader) progress() (int64, int64) { return r.off, r.end }

func (r *shpReader) next() (record, error) {
	for {
		rec, deleted, err := r.read()
		if err != nil || !deleted {
			return rec, err
		}
		r.skipped++
	}
}

func (r *shpReader) read() (record, bool, error) {
	if r.done {
		return record{}, false, io.EOF
	}
	idx := r.index
	var rh [8]byte
	n, err := io.ReadFull(r.shp, rh[:])
	if (err == io.EOF && n == 0) || (r.end > 0 && r.off >= r.end) {
		r.done = true
		if r.dbf.read < r.dbf.records {
			return record{}, false, newError("shapefile", fmt.Sprintf("the .shp has %d shapes but the .dbf has %d records", idx, r.dbf.records), nil)
		}
		return record{}, false, io.EOF
	}
	if err != nil {
		r.done = true
		return record{}, false, &Error{Format: "shapefile", Index: idx, Offset: r.off, Reason: "record header truncated", Err: err}
	}
	length := int64(binary.BigEndian.Uint32(rh[4:8])) * 2
	if r.end > 0 && r.off+8+length > r.end || length > 1<<31 {
		r.done = true
		return record{}, false, &Error{Format: "shapefile", Index: idx, Offset: r.off, Reason: fmt.Sprintf("record of %d bytes runs past the end of the file", length)}
	}
	var b []byte
	if length <= 1<<20 {
		if int64(cap(r.buf)) < length {
			r.buf = make([]byte, length)
		}
		b = r.buf[:length]
		_, err = io.ReadFull(r.shp, b)
	} else {
		// A large record is read as it arrives, so that a lying length
		// cannot make the reader allocate what the file does not hold.
		b, err = io.ReadAll(io.LimitReader(r.shp, length))
		if err == nil && int64(len(b)) < length {
			err = io.ErrUnexpectedEOF
		}
	}
	if err != nil {
		r.done = true
		return record{}, false, &Error{Format: "shapefile", Index: idx, Offset: r.off, Reason: "record truncated", Err: err}
	}
	start := r.off
	r.off += 8 + length
	r.index++
	keys, props, deleted, err := r.dbf.next()
	if err == io.EOF {
		r.done = true
		return record{}, false, newError("shapefile", fmt.Sprintf("the .dbf has %d records but the .shp has more shapes", r.dbf.records), nil)
	}
	if err != nil {
		r.done = true
		return record{}, false, err
	}
	g, z, err := parseShape(b)
	if err != nil {
		if deleted {
			return record{}, true, nil
		}
		// Both records are consumed: reading may go on.
		e := featureError("shapefile", idx, err.Error(), ErrInvalidGeometry)
		e.Offset = start
		return record{}, false, e
	}
	return record{f: &Feature{Index: idx, Geometry: g, Properties: props}, keys: keys, z: z}, deleted, nil
}

func (r *shpReader) close() error {
	err1 := r.shpC.Close()
	err2 := r.dbfC.Close()
	err3 := r.files.close()
	return errors.Join(err1, err2, err3)
}

// Shape types of the shapefile specification.
const (
	shpNull        = 0
	shpPoint       = 1
	shpPolyLine    = 3
	shpPolygon     = 5
	shpMultiPoint  = 8
	shpPointZ      = 11
	shpPolyLineZ   = 13
	shpPolygonZ    = 15
	shpMultiPointZ = 18
	shpPointM      = 21
	shpPolyLineM   = 23
	shpPolygonM    = 25
	shpMultiPointM = 28
	shpMultiPatch  = 31
)

// parseShape decodes one record's content into a 2D geometry; z reports
// dropped Z or M values.
func parseShape(b []byte) (g orb.Geometry, z bool, err error) {
	if len(b) < 4 {
		return nil, false, errors.New("record shorter than its shape type")
	}
	le := binary.LittleEndian
	typ := int(le.Uint32(b))
	f64 := func(off int) float64 { return math.Float64frombits(le.Uint64(b[off:])) }
	switch typ {
	case shpNull:
		return nil, false, nil
	case shpPoint, shpPointZ, shpPointM:
		if len(b) < 20 {
			return nil, false, errors.New("point record truncated")
		}
		return orb.Point{f64(4), f64(12)}, typ != shpPoint, nil
	case shpMultiPoint, shpMultiPointZ, shpMultiPointM:
		if len(b) < 40 {
			return nil, false, errors.New("multipoint record truncated")
		}
		n := int64(le.Uint32(b[36:]))
		if 40+16*n > int64(len(b)) {
			return nil, false, fmt.Errorf("multipoint of %d points does not fit its record", n)
		}
		mp := make(orb.MultiPoint, n)
		for i := range mp {
			mp[i] = orb.Point{f64(40 + 16*i), f64(48 + 16*i)}
		}
		return mp, typ != shpMultiPoint, nil
	case shpPolyLine, shpPolyLineZ, shpPolyLineM, shpPolygon, shpPolygonZ, shpPolygonM:
		if len(b) < 44 {
			return nil, false, errors.New("record truncated")
		}
		nParts, nPoints := int64(le.Uint32(b[36:])), int64(le.Uint32(b[40:]))
		pts := 44 + 4*nParts
		if nParts == 0 || pts+16*nPoints > int64(len(b)) {
			return nil, false, fmt.Errorf("%d parts and %d points do not fit the record", nParts, nPoints)
		}
		parts := make([][]orb.Point, nParts)
		for i := range parts {
			s := int64(le.Uint32(b[44+4*i:]))
			e := nPoints
			if i+1 < len(parts) {
				e = int64(le.Uint32(b[44+4*(i+1):]))
			}
			if s > e || e > nPoints {
				return nil, false, fmt.Errorf("part %d has bad bounds %d..%d", i, s, e)
			}
			part := make([]orb.Point, e-s)
			for j := range part {
				o := pts + 16*(s+int64(j))
				part[j] = orb.Point{f64(int(o)), f64(int(o + 8))}
			}
			parts[i] = part
		}
		z := typ != shpPolyLine && typ != shpPolygon
		if typ == shpPolyLine || typ == shpPolyLineZ || typ == shpPolyLineM {
			if len(parts) == 1 {
				return orb.LineString(parts[0]), z, nil
			}
			ml := make(orb.MultiLineString, len(parts))
			for i, p := range parts {
				ml[i] = orb.LineString(p)
			}
			return ml, z, nil
		}
		return assemblePolygons(parts), z, nil
	case shpMultiPatch:
		return nil, false, errors.New("MultiPatch shapes are not supported")
	}
	return nil, false, fmt.Errorf("unknown shape type %d", typ)
}

// assemblePolygons groups shapefile rings into polygons. Outer rings run
// clockwise, holes counter-clockwise; each hole goes to the smallest outer
// ring that contains it. A hole inside no outer ring becomes an outer ring
// of its own, as GDAL reads it. One polygon gives a Polygon, several a
// MultiPolygon. Ring order and orientation are kept as in the file.
func assemblePolygons(parts [][]orb.Point) orb.Geometry {
	type outer struct {
		ring  orb.Ring
		area  float64
		holes []orb.Ring
	}
	var outers []*outer
	var holes []orb.Ring
	for _, p := range parts {
		r := orb.Ring(p)
		a := signedArea(r)
		if a <= 0 {
			outers = append(outers, &outer{ring: r, area: -a})
		} else {
			holes = append(holes, r)
		}
	}
	if len(outers) == 0 && len(holes) > 1 {
		// Every ring runs counter-clockwise: the writer ignored the
		// specification. Fall back to nesting: largest first, a ring
		// inside an even number of others is an outer, else a hole.
		return nestRings(holes)
	}
	for _, h := range holes {
		var best *outer
		for _, o := range outers {
			if ringInside(h, o.ring) && (best == nil || o.area < best.area) {
				best = o
			}
		}
		if best == nil {
			outers = append(outers, &outer{ring: h, area: signedArea(h)})
			continue
		}
		best.holes = append(best.holes, h)
	}
	mp := make(orb.MultiPolygon, len(outers))
	for i, o := range outers {
		mp[i] = append(orb.Polygon{o.ring}, o.holes...)
	}
	if len(mp) == 1 {
		return mp[0]
	}
	return mp
}

// nestRings groups rings of unknown orientation by containment.
func nestRings(rings []orb.Ring) orb.Geometry {
	sort.SliceStable(rings, func(i, j int) bool {
		return math.Abs(signedArea(rings[i])) > math.Abs(signedArea(rings[j]))
	})
	var mp orb.MultiPolygon
	type placed struct {
		ring orb.Ring
		poly int // index in mp when an outer, -1 for a hole
	}
	var done []placed
	for _, r := range rings {
		depth, inner := 0, -1
		for _, d := range done {
			if ringInside(r, d.ring) {
				depth++
				if d.poly >= 0 {
					inner = d.poly // the last (smallest) containing outer
				}
			}
		}
		if depth%2 == 1 && inner >= 0 {
			mp[inner] = append(mp[inner], r)
			done = append(done, placed{r, -1})
			continue
		}
		mp = append(mp, orb.Polygon{r})
		done = append(done, placed{r, len(mp) - 1})
	}
	if len(mp) == 1 {
		return mp[0]
	}
	return mp
}

// signedArea is the shoelace area, positive for counter-clockwise rings.
func signedArea(r orb.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

// ringInside reports whether ring h lies inside ring o, judged by the
// first of h's points that is not on o's boundary.
func ringInside(h, o orb.Ring) bool {
	for _, p := range h {
		in, on := pointInRing(p, o)
		if !on {
			return in
		}
	}
	return false
}

// pointInRing is the even-odd test; on reports a point on the boundary.
func pointInRing(p orb.Point, r orb.Ring) (in, on bool) {
	n := len(r)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := r[i], r[j]
		if a == p {
			return false, true
		}
		if (a[1] > p[1]) != (b[1] > p[1]) {
			x := a[0] + (p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1])
			if x == p[0] {
				return false, true
			}
			if p[0] < x {
				in = !in
			}
		}
	}
	return in, false
}
