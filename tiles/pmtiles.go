package tiles

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// PMTiles v3 (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md):
// a 127-byte header, a root directory, JSON metadata, leaf directories and
// tile data. Directories list (tile id, offset, length, run length) in Hilbert
// order of tile ids; identical tiles are stored once.
const (
	pmHeaderLen    = 127
	pmRootMax      = 16384 - pmHeaderLen
	pmCompressNone = 1
	pmCompressGzip = 2
	pmTypeMVT      = 1
)

// PMTilesID is the PMTiles tile id of t: the tiles of lower zooms, then
// t's position on the Hilbert curve of its zoom.
func PMTilesID(t maptile.Tile) uint64 {
	var acc uint64
	for z := uint64(0); z < uint64(t.Z); z++ {
		acc += 1 << (2 * z)
	}
	n := uint64(1) << t.Z
	x, y := uint64(t.X), uint64(t.Y)
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint64
		if x&s > 0 {
			rx = 1
		}
		if y&s > 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		x, y = hilbertRotate(s, x, y, rx, ry)
	}
	return acc + d
}

func hilbertRotate(n, x, y, rx, ry uint64) (uint64, uint64) {
	if ry == 0 {
		if rx == 1 {
			x, y = n-1-x, n-1-y
		}
		x, y = y, x
	}
	return x, y
}

type pmEntry struct {
	id     uint64
	offset uint64
	length uint32
	run    uint32
}

// PMTilesWriter builds a PMTiles v3 archive of gzip-compressed MVT tiles. Tiles
// may be added in any order; their data goes to a temporary file until Finish.
type PMTilesWriter struct {
	data     *os.File
	size     uint64
	entries  []pmEntry
	seen     map[[32]byte]pmEntry
	minZ     maptile.Zoom
	maxZ     maptile.Zoom
	contents uint64
}

// NewPMTilesWriter returns a writer whose tile data waits in a temporary
// file in dir (os.TempDir when empty).
func NewPMTilesWriter(dir string) (*PMTilesWriter, error) {
	f, err := os.CreateTemp(dir, "coalmap-pmtiles-*")
	if err != nil {
		return nil, fmt.Errorf("tiles: pmtiles: %w", err)
	}
	os.Remove(f.Name()) // gone with the last descriptor
	return &PMTilesWriter{data: f, seen: map[[32]byte]pmEntry{}, minZ: MaxZoom}, nil
}

// Add stores the gzip-compressed MVT tile of t. Empty tiles are not stored
// (a reader takes a missing tile as empty).
func (w *PMTilesWriter) Add(t maptile.Tile, gzipped []byte) error {
	if len(gzipped) == 0 {
		return nil
	}
	w.minZ, w.maxZ = min(w.minZ, t.Z), max(w.maxZ, t.Z)
	sum := sha256.Sum256(gzipped)
	e := pmEntry{id: PMTilesID(t), run: 1}
	if prev, ok := w.seen[sum]; ok {
		e.offset, e.length = prev.offset, prev.length
	} else {
		if _, err := w.data.Write(gzipped); err != nil {
			return fmt.Errorf("tiles: pmtiles: %w", err)
		}
		e.offset, e.length = w.size, uint32(len(gzipped))
		w.size += uint64(len(gzipped))
		w.seen[sum] = e
		w.contents++
	}
	w.entries = append(w.entries, e)
	return nil
}

// PMTilesMeta describes the archive.
type PMTilesMeta struct {
	Name         string
	Attribution  string
	Bounds       orb.Bound
	VectorLayers []VectorLayer
}

// Finish writes the archive to out and releases the temporary file.
func (w *PMTilesWriter) Finish(out io.Writer, meta PMTilesMeta) error {
	defer w.data.Close()
	sort.Slice(w.entries, func(i, j int) bool { return w.entries[i].id < w.entries[j].id })
	// Runs: consecutive ids with the same content become one entry.
	var es []pmEntry
	for _, e := range w.entries {
		if n := len(es); n > 0 {
			last := &es[n-1]
			if last.id == e.id {
				return fmt.Errorf("tiles: pmtiles: tile id %d added twice", e.id)
			}
			if last.offset == e.offset && last.length == e.length && last.id+uint64(last.run) == e.id {
				last.run++
				continue
			}
		}
		es = append(es, e)
	}
	root, leaves, err := pmDirectories(es)
	if err != nil {
		return err
	}
	if meta.Name == "" {
		meta.Name = "coalmap"
	}
	mj, err := json.Marshal(map[string]any{"name": meta.Name, "format": "pbf", "type": "overlay",
		"attribution": meta.Attribution, "vector_layers": meta.VectorLayers, "generator": "coalmap"})
	if err != nil {
		return err
	}
	mz, err := gzipBytes(mj)
	if err != nil {
		return err
	}
	h := make([]byte, pmHeaderLen)
	copy(h, "PMTiles")
	h[7] = 3
	le := binary.LittleEndian
	rootOff := uint64(pmHeaderLen)
	metaOff := rootOff + uint64(len(root))
	leafOff := metaOff + uint64(len(mz))
	dataOff := leafOff + uint64(len(leaves))
	for i, v := range []uint64{rootOff, uint64(len(root)), metaOff, uint64(len(mz)), leafOff, uint64(len(leaves)),
		dataOff, w.size, uint64(len(w.entries)), uint64(len(es)), w.contents} {
		le.PutUint64(h[8+8*i:], v)
	}
	h[96] = 0 // tile data in the order added, not by tile id
	h[97], h[98], h[99] = pmCompressGzip, pmCompressGzip, pmTypeMVT
	if len(w.entries) == 0 {
		w.minZ = 0
	}
	h[100], h[101] = byte(w.minZ), byte(w.maxZ)
	b := meta.Bounds
	e7 := func(v float64) uint32 { return uint32(int32(math.Round(v * 1e7))) }
	le.PutUint32(h[102:], e7(b.Min[0]))
	le.PutUint32(h[106:], e7(b.Min[1]))
	le.PutUint32(h[110:], e7(b.Max[0]))
	le.PutUint32(h[114:], e7(b.Max[1]))
	h[118] = byte(w.minZ)
	c := b.Center()
	le.PutUint32(h[119:], e7(c[0]))
	le.PutUint32(h[123:], e7(c[1]))
	for _, part := range [][]byte{h, root, mz, leaves} {
		if _, err := out.Write(part); err != nil {
			return fmt.Errorf("tiles: pmtiles: %w", err)
		}
	}
	if _, err := w.data.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("tiles: pmtiles: %w", err)
	}
	if _, err := io.Copy(out, w.data); err != nil {
		return fmt.Errorf("tiles: pmtiles: %w", err)
	}
	return nil
}

// pmDirectories returns the compressed root directory and leaf directories:
// everything in the root when it fits in the first 16 KiB, else leaves of a
// size that makes the root fit.
func pmDirectories(es []pmEntry) (root, leaves []byte, err error) {
	root, err = pmDirectory(es)
	if err != nil || len(root) <= pmRootMax {
		return root, nil, err
	}
	for leafSize := 4096; ; leafSize = leafSize * 12 / 10 {
		var rootEntries []pmEntry
		var lb bytes.Buffer
		for i := 0; i < len(es); i += leafSize {
			chunk := es[i:min(i+leafSize, len(es))]
			d, err := pmDirectory(chunk)
			if err != nil {
				return nil, nil, err
			}
			rootEntries = append(rootEntries, pmEntry{id: chunk[0].id, offset: uint64(lb.Len()), length: uint32(len(d))})
			lb.Write(d)
		}
		root, err = pmDirectory(rootEntries)
		if err != nil {
			return nil, nil, err
		}
		if len(root) <= pmRootMax {
			return root, lb.Bytes(), nil
		}
	}
}

func pmDirectory(es []pmEntry) ([]byte, error) {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(es)))
	var last uint64
	for _, e := range es {
		b = binary.AppendUvarint(b, e.id-last)
		last = e.id
	}
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(e.run))
	}
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(e.length))
	}
	for i, e := range es {
		if i > 0 && e.offset == es[i-1].offset+uint64(es[i-1].length) {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.offset+1)
		}
	}
	return gzipBytes(b)
}

func gzipBytes(p []byte) ([]byte, error) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(p); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// PMTiles reads a PMTiles v3 archive (gzip-compressed directories).
type PMTiles struct {
	r                                  io.ReaderAt
	rootOff, rootLen, leafOff, dataOff uint64
	// MinZoom and MaxZoom are the header's zoom range; Bounds its extent.
	MinZoom, MaxZoom int
	Bounds           orb.Bound
	// Entries and Contents count the directory entries and distinct tiles.
	Entries, Contents uint64
	// Metadata is the archive's JSON metadata.
	Metadata map[string]any
}

// ErrPMTiles means the archive is not a PMTiles v3 archive this reader reads.
var ErrPMTiles = errors.New("tiles: not a PMTiles v3 archive")

// OpenPMTiles reads the header and metadata of the archive in r.
func OpenPMTiles(r io.ReaderAt) (*PMTiles, error) {
	h := make([]byte, pmHeaderLen)
	if _, err := r.ReadAt(h, 0); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPMTiles, err)
	}
	if string(h[:7]) != "PMTiles" || h[7] != 3 || h[97] != pmCompressGzip {
		return nil, ErrPMTiles
	}
	le := binary.LittleEndian
	u := func(i int) uint64 { return le.Uint64(h[8+8*i:]) }
	f := func(o int) float64 { return float64(int32(le.Uint32(h[o:]))) / 1e7 }
	p := &PMTiles{r: r, rootOff: u(0), rootLen: u(1), leafOff: u(4), dataOff: u(6),
		Entries: u(9), Contents: u(10), MinZoom: int(h[100]), MaxZoom: int(h[101]),
		Bounds: orb.Bound{Min: orb.Point{f(102), f(106)}, Max: orb.Point{f(110), f(114)}}}
	mb, err := p.gunzipAt(u(2), u(3))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(mb, &p.Metadata); err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", ErrPMTiles, err)
	}
	return p, nil
}

func (p *PMTiles) gunzipAt(off, n uint64) ([]byte, error) {
	b := make([]byte, n)
	if _, err := p.r.ReadAt(b, int64(off)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPMTiles, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPMTiles, err)
	}
	return io.ReadAll(zr)
}

func parseDirectory(b []byte) ([]pmEntry, error) {
	r := bytes.NewReader(b)
	n, err := binary.ReadUvarint(r)
	if err != nil || n > uint64(len(b)) {
		return nil, ErrPMTiles
	}
	es := make([]pmEntry, n)
	var last uint64
	for i := range es {
		d, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, ErrPMTiles
		}
		last += d
		es[i].id = last
	}
	for i := range es {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, ErrPMTiles
		}
		es[i].run = uint32(v)
	}
	for i := range es {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, ErrPMTiles
		}
		es[i].length = uint32(v)
	}
	for i := range es {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, ErrPMTiles
		}
		if v == 0 && i > 0 {
			es[i].offset = es[i-1].offset + uint64(es[i-1].length)
		} else {
			es[i].offset = v - 1
		}
	}
	return es, nil
}

// Tile returns the stored (gzip-compressed) tile t, or nil when the archive
// has none.
func (p *PMTiles) Tile(t maptile.Tile) ([]byte, error) {
	id := PMTilesID(t)
	off, n := p.rootOff, p.rootLen
	for depth := 0; depth < 4; depth++ {
		b, err := p.gunzipAt(off, n)
		if err != nil {
			return nil, err
		}
		es, err := parseDirectory(b)
		if err != nil {
			return nil, err
		}
		i := sort.Search(len(es), func(i int) bool { return es[i].id > id }) - 1
		if i < 0 {
			return nil, nil
		}
		e := es[i]
		if e.run == 0 { // a leaf directory
			off, n = p.leafOff+e.offset, uint64(e.length)
			continue
		}
		if id >= e.id+uint64(e.run) {
			return nil, nil
		}
		data := make([]byte, e.length)
		if _, err := p.r.ReadAt(data, int64(p.dataOff+e.offset)); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrPMTiles, err)
		}
		return data, nil
	}
	return nil, fmt.Errorf("%w: directories nested too deep", ErrPMTiles)
}
