package layers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/coalmap/coalmap/formats"
)

// FileSource is the features of one or more files read as one stream (the
// several shapefiles of one layer, say), with what an import records of
// them: their checksum and total size, and how far reading has got.
type FileSource struct {
	paths  []string
	srcs   []formats.Source
	i      int
	cur    atomic.Int32 // i, for Position from another goroutine
	offset int          // feature index of the current file's first record
	fields []formats.Field
	crs    formats.CRS
	peeked []*formats.Feature
	size   int64
	sizes  []int64
	stats  formats.Stats

	// The checksum, computed in the background: sum and sumErr are set
	// when sumDone closes; stop (closed by Close) ends it early.
	sum     string
	sumErr  error
	sumDone chan struct{}
	stop    chan struct{}
	closing sync.Once
}

var (
	_ FeatureSource   = (*FileSource)(nil)
	_ ReportingSource = (*FileSource)(nil)
)

// OpenFiles opens paths with formats.Open as one source. The files must
// agree on their CRS; their fields are the union of the files' (a field
// typed differently in two files becomes text). Feature indexes count on
// from one file to the next, and errors name the file. Their checksum is
// computed in the background from the moment they are opened (Checksum
// waits for it): an import that need not compare it first reads the
// features meanwhile.
func OpenFiles(paths []string, opt formats.Options) (*FileSource, error) {
	if len(paths) == 0 {
		return nil, &ValidationError{Feature: -1, Field: "files", Reason: "no input file"}
	}
	s := &FileSource{paths: paths, sumDone: make(chan struct{}), stop: make(chan struct{})}
	lists := make([][]string, len(paths))
	for i, p := range paths {
		files, n, err := checksumFiles(p)
		if err != nil {
			return nil, fmt.Errorf("layers: %s: %w", p, err)
		}
		lists[i] = files
		s.sizes = append(s.sizes, n)
		s.size += n
	}
	go func() {
		defer close(s.sumDone)
		h := sha256.New()
		for i, files := range lists {
			for _, f := range files {
				if err := s.hashFile(h, f); err != nil {
					s.sumErr = fmt.Errorf("layers: %s: %w", paths[i], err)
					return
				}
			}
		}
		s.sum = "sha256:" + hex.EncodeToString(h.Sum(nil))
	}()
	for _, p := range paths {
		src, err := formats.Open(p, opt)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.srcs = append(s.srcs, src)
		if len(s.srcs) == 1 {
			s.crs = src.CRS()
		} else if c := src.CRS(); c.SRID != s.crs.SRID || (c.SRID == 0 && c.WKT != s.crs.WKT) {
			s.Close()
			return nil, &ValidationError{Feature: -1, Field: "crs", Reason: fmt.Sprintf(
				"%s is in %s (%s) but %s in %s (%s): import them separately or give --srid",
				filepath.Base(p), crsLabel(c), c.From, filepath.Base(paths[0]), crsLabel(s.crs), s.crs.From)}
		}
	}
	s.fields = unionFields(s.srcs)
	return s, nil
}

func crsLabel(c formats.CRS) string {
	if c.SRID == 0 {
		return "an unknown CRS"
	}
	return "EPSG:" + strconv.Itoa(c.SRID)
}

func unionFields(srcs []formats.Source) []formats.Field {
	var out []formats.Field
	at := map[string]int{}
	for _, s := range srcs {
		for _, f := range s.Fields() {
			i, ok := at[f.Name]
			if !ok {
				at[f.Name] = len(out)
				out = append(out, f)
				continue
			}
			if out[i].Type != f.Type {
				out[i].Type = formats.Text
			}
		}
	}
	return out
}

// checksumFiles lists the files whose bytes make the checksum of the file
// at p — for a shapefile, its sidecar files too; for a folder, every file
// in it by name — and returns the size of p (of the folder's files).
func checksumFiles(p string) ([]string, int64, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, 0, err
	}
	switch {
	case fi.IsDir():
		var files []string
		var size int64
		err := filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			files = append(files, q)
			size += info.Size()
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
		slices.Sort(files)
		return files, size, nil
	case strings.EqualFold(filepath.Ext(p), ".shp"):
		stem := strings.TrimSuffix(p, filepath.Ext(p))
		files := []string{p}
		for _, ext := range []string{".dbf", ".shx", ".prj", ".cpg"} {
			for _, e := range []string{ext, strings.ToUpper(ext)} {
				if _, err := os.Stat(stem + e); err == nil {
					files = append(files, stem+e)
					break
				}
			}
		}
		return files, fi.Size(), nil
	}
	return []string{p}, fi.Size(), nil
}

// hashFile hashes the bytes of the file at path into h, unless the source
// is closed first.
func (s *FileSource) hashFile(h io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		select {
		case <-s.stop:
			return errClosed
		default:
		}
		n, err := f.Read(buf)
		h.Write(buf[:n]) //nolint:errcheck // a hash never fails
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// errClosed is the checksum's error when the source was closed before it
// was done.
var errClosed = errors.New("closed before its checksum was computed")

// Checksum is "sha256:" and the hex SHA-256 of the files' bytes; it waits
// until they have all been read.
func (s *FileSource) Checksum() (string, error) {
	<-s.sumDone
	return s.sum, s.sumErr
}

// Size is the total size of the files in bytes.
func (s *FileSource) Size() int64 { return s.size }

// Name is the files' base names, joined by ", ".
func (s *FileSource) Name() string {
	names := make([]string, len(s.paths))
	for i, p := range s.paths {
		names[i] = filepath.Base(p)
	}
	return strings.Join(names, ", ")
}

// Next returns the next feature of the files, in order.
func (s *FileSource) Next() (*formats.Feature, error) {
	if len(s.peeked) > 0 {
		f := s.peeked[0]
		s.peeked = s.peeked[1:]
		return f, nil
	}
	return s.next()
}

func (s *FileSource) next() (*formats.Feature, error) {
	for s.i < len(s.srcs) {
		f, err := s.srcs[s.i].Next()
		if errors.Is(err, io.EOF) {
			st := s.srcs[s.i].Stats()
			s.offset += int(st.Features + st.Skipped)
			s.i++
			s.cur.Store(int32(s.i))
			continue
		}
		if err != nil {
			var ferr *formats.Error
			if len(s.srcs) > 1 && errors.As(err, &ferr) {
				e := *ferr
				if e.Index >= 0 {
					e.Index += s.offset
				}
				e.Reason = filepath.Base(s.paths[s.i]) + ": " + e.Reason
				return nil, &e
			}
			return nil, err
		}
		f.Index += s.offset
		return f, nil
	}
	return nil, io.EOF
}

// GeometryType is the layer type the files' first geometry suggests: Point
// for points, MultiPoint, MultiLineString or MultiPolygon otherwise. It
// reads ahead to that geometry; Next still returns every feature.
func (s *FileSource) GeometryType() (GeometryType, error) {
	for {
		f, err := s.next()
		if errors.Is(err, io.EOF) {
			return "", &ValidationError{Feature: -1, Field: "geometry", Reason: "the input has no feature with a geometry"}
		}
		if err != nil {
			return "", err
		}
		s.peeked = append(s.peeked, f)
		if f.Geometry == nil {
			continue
		}
		g := f.Geometry
		switch g.Dimensions() {
		case 0:
			if g.GeoJSONType() == "Point" {
				return Point, nil
			}
			return MultiPoint, nil
		case 1:
			return MultiLineString, nil
		}
		return MultiPolygon, nil
	}
}

// Fields is the union of the files' fields.
func (s *FileSource) Fields() []formats.Field { return s.fields }

// CRS is the files' common CRS.
func (s *FileSource) CRS() formats.CRS { return s.crs }

// Encoding is the first file's text encoding and where it came from.
func (s *FileSource) Encoding() (name, from string) { return s.srcs[0].Encoding() }

// Stats adds up the files' counts.
func (s *FileSource) Stats() formats.Stats {
	var t formats.Stats
	for _, src := range s.srcs {
		st := src.Stats()
		t.Features += st.Features
		t.Skipped += st.Skipped
		t.NullGeometries += st.NullGeometries
		t.ZDropped += st.ZDropped
		t.DuplicateIDs += st.DuplicateIDs
		t.Widened = append(t.Widened, st.Widened...)
	}
	return t
}

// Position is how many of the files' bytes have been read, as far as the
// operating system can say (Linux: the offset of the open file), and their
// total; done is 0 when it cannot be known.
//
// Unlike the other methods, it may be called while another goroutine reads.
func (s *FileSource) Position() (done, total int64) {
	cur := int(s.cur.Load())
	for i := 0; i < cur && i < len(s.sizes); i++ {
		done += s.sizes[i]
	}
	if cur < len(s.paths) {
		done += filePosition(s.paths[cur])
	}
	return min(done, s.size), s.size
}

// filePosition is the read offset of this process's open file at path
// (from /proc/self/fdinfo), or 0.
func filePosition(path string) int64 {
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	for _, e := range ents {
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil || target != abs {
			continue
		}
		b, err := os.ReadFile("/proc/self/fdinfo/" + e.Name())
		if err != nil {
			return 0
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "pos:"); ok {
				n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				return n
			}
		}
	}
	return 0
}

// Close closes every file, and stops the checksum if it is still being
// computed.
func (s *FileSource) Close() error {
	s.closing.Do(func() { close(s.stop) })
	<-s.sumDone
	var errs []error
	for _, src := range s.srcs {
		errs = append(errs, src.Close())
	}
	return errors.Join(errs...)
}
