package formats

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

var update = flag.Bool("update", false, "rewrite the generated fixtures in testdata/")

// readAll reads every feature of src, failing the test on any error.
func readAll(t testing.TB, src Source) []*Feature {
	t.Helper()
	var out []*Feature
	for {
		f, err := src.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Next after %d features: %v", len(out), err)
		}
		out = append(out, f)
	}
}

// readErr reads until an error and returns it (nil at io.EOF).
func readErr(src Source) ([]*Feature, error) {
	var out []*Feature
	for {
		f, err := src.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, f)
	}
}

// openString writes content to a file named name in a temp folder and
// opens it.
func openString(t testing.TB, name, content string, opt Options) (Source, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return Open(p, opt)
}

func mustOpen(t testing.TB, path string, opt Options) Source {
	t.Helper()
	src, err := Open(path, opt)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// wantError checks that err is an *Error that wraps target (if not nil),
// has the feature index (unless -2) and contains every fragment.
func wantError(t testing.TB, err error, target error, index int, fragments ...string) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", fragments)
	}
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if !strings.HasPrefix(err.Error(), "formats: ") {
		t.Errorf("error %q does not start with \"formats: \"", err)
	}
	if target != nil && !errors.Is(err, target) {
		t.Errorf("error %q does not wrap %v", err, target)
	}
	if index != -2 && fe.Index != index {
		t.Errorf("error %q: Index %d, want %d", err, fe.Index, index)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
	return fe
}

// dbfCol describes a DBF column for the test writer.
type dbfCol struct {
	name   string
	typ    byte
	length int
	dec    int
}

// dbfBytes writes a dBASE III table; values are raw bytes as stored
// (already encoded), padded to the column width. Rows whose index is in
// deleted are marked '*'.
func dbfBytes(cols []dbfCol, rows [][]string, deleted map[int]bool) []byte {
	var b bytes.Buffer
	recLen := 1
	for _, c := range cols {
		recLen += c.length
	}
	h := make([]byte, 32)
	h[0] = 3
	h[1], h[2], h[3] = 126, 11, 26
	binary.LittleEndian.PutUint32(h[4:], uint32(len(rows)))
	binary.LittleEndian.PutUint16(h[8:], uint16(32+32*len(cols)+1))
	binary.LittleEndian.PutUint16(h[10:], uint16(recLen))
	b.Write(h)
	for _, c := range cols {
		fd := make([]byte, 32)
		copy(fd[:11], c.name)
		fd[11] = c.typ
		fd[16] = byte(c.length)
		fd[17] = byte(c.dec)
		b.Write(fd)
	}
	b.WriteByte(0x0D)
	for i, r := range rows {
		if deleted[i] {
			b.WriteByte('*')
		} else {
			b.WriteByte(' ')
		}
		for j, c := range cols {
			v := []byte(r[j])
			if len(v) > c.length {
				v = v[:c.length]
			}
			pad := bytes.Repeat([]byte{' '}, c.length-len(v))
			if c.typ == 'N' || c.typ == 'F' {
				b.Write(pad)
				b.Write(v)
			} else {
				b.Write(v)
				b.Write(pad)
			}
		}
	}
	b.WriteByte(0x1A)
	return b.Bytes()
}

// shpBytes writes .shp and .shx content for the geometries, rings and
// parts exactly as given. With z, the Z variant of the shape type is
// written with Z = 100 and M = 0.
func shpBytes(geoms []orb.Geometry, z bool) (shp, shx []byte) {
	typ := 0
	for _, g := range geoms {
		switch g.(type) {
		case orb.Point:
			typ = shpPoint
		case orb.MultiPoint:
			typ = shpMultiPoint
		case orb.LineString, orb.MultiLineString:
			typ = shpPolyLine
		case orb.Polygon, orb.MultiPolygon:
			typ = shpPolygon
		}
		if typ != 0 {
			break
		}
	}
	if z && typ != 0 {
		typ += 10
	}
	le := binary.LittleEndian
	var recs bytes.Buffer
	var index bytes.Buffer
	f64 := func(b *bytes.Buffer, v float64) { binary.Write(b, le, math.Float64bits(v)) }
	for i, g := range geoms {
		var c bytes.Buffer
		var parts [][]orb.Point
		switch g := g.(type) {
		case nil:
			binary.Write(&c, le, uint32(0))
		case orb.Point:
			binary.Write(&c, le, uint32(typ))
			f64(&c, g[0])
			f64(&c, g[1])
			if z {
				f64(&c, 100)
				f64(&c, 0)
			}
		case orb.MultiPoint:
			parts = [][]orb.Point{g}
		case orb.LineString:
			parts = [][]orb.Point{g}
		case orb.MultiLineString:
			for _, l := range g {
				parts = append(parts, l)
			}
		case orb.Polygon:
			for _, r := range g {
				parts = append(parts, r)
			}
		case orb.MultiPolygon:
			for _, p := range g {
				for _, r := range p {
					parts = append(parts, r)
				}
			}
		}
		if parts != nil {
			binary.Write(&c, le, uint32(typ))
			bound := orb.MultiPoint(flatten(parts)).Bound()
			f64(&c, bound.Min[0])
			f64(&c, bound.Min[1])
			f64(&c, bound.Max[0])
			f64(&c, bound.Max[1])
			n := 0
			if _, ok := g.(orb.MultiPoint); ok {
				binary.Write(&c, le, uint32(len(parts[0])))
			} else {
				binary.Write(&c, le, uint32(len(parts)))
				binary.Write(&c, le, uint32(len(flatten(parts))))
				for _, p := range parts {
					binary.Write(&c, le, uint32(n))
					n += len(p)
				}
			}
			all := flatten(parts)
			for _, p := range all {
				f64(&c, p[0])
				f64(&c, p[1])
			}
			if z {
				f64(&c, 100)
				f64(&c, 100)
				for range all {
					f64(&c, 100)
				}
				f64(&c, 0)
				f64(&c, 0)
				for range all {
					f64(&c, 0)
				}
			}
		}
		binary.Write(&index, binary.BigEndian, uint32((100+recs.Len())/2))
		binary.Write(&index, binary.BigEndian, uint32(c.Len()/2))
		binary.Write(&recs, binary.BigEndian, uint32(i+1))
		binary.Write(&recs, binary.BigEndian, uint32(c.Len()/2))
		recs.Write(c.Bytes())
	}
	header := func(total int) []byte {
		h := make([]byte, 100)
		binary.BigEndian.PutUint32(h[0:], 9994)
		binary.BigEndian.PutUint32(h[24:], uint32(total/2))
		le.PutUint32(h[28:], 1000)
		le.PutUint32(h[32:], uint32(typ))
		return h
	}
	shp = append(header(100+recs.Len()), recs.Bytes()...)
	shx = append(header(100+index.Len()), index.Bytes()...)
	return shp, shx
}

func flatten(parts [][]orb.Point) []orb.Point {
	var out []orb.Point
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// testShapefile is the content of one shapefile's files by extension.
type testShapefile map[string][]byte

func newTestShapefile(geoms []orb.Geometry, z bool, cols []dbfCol, rows [][]string) testShapefile {
	shp, shx := shpBytes(geoms, z)
	return testShapefile{".shp": shp, ".shx": shx, ".dbf": dbfBytes(cols, rows, nil)}
}

// write stores the files as dir/name.ext and returns the .shp path.
func (s testShapefile) write(t testing.TB, dir, name string) string {
	t.Helper()
	for ext, b := range s {
		if err := os.WriteFile(filepath.Join(dir, name+ext), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, name+".shp")
}

// zipFiles writes a zip with the named entries, in name order given.
func zipFiles(t testing.TB, path string, names []string, content map[string][]byte) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("testdata/%s differs from what the generator makes now; run with -update if the change is intended", name)
	}
}

func ring(pts ...float64) orb.Ring {
	r := make(orb.Ring, 0, len(pts)/2)
	for i := 0; i+1 < len(pts); i += 2 {
		r = append(r, orb.Point{pts[i], pts[i+1]})
	}
	return r
}

func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

func fmtGeom(g orb.Geometry) string { return fmt.Sprintf("%T%v", g, g) }
