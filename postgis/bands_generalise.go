package postgis

import (
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// The generalisation of a band build, in Go: each feature's WKB read
// straight into EPSG:3857 (geo.MercatorScratch), generalised band after
// band (tiles.Generaliser), its pieces' boxes found (geo.PieceScratch), and
// every band's WKB and boxes written into one buffer per worker and batch.
// The workers keep their buffers from feature to feature and batch to
// batch: a band build allocates little beyond the WKB it sends.

// featureBands is one feature generalised: per band, its geometry (WKB,
// nil when left out; none for the full band, the layer's own) and whether
// it needs a repair, and its index pieces (the WKB of their boxes, one
// after another, boxWKBSize bytes each).
type featureBands struct {
	fid     int64
	geom    [len(tiles.Bands)][]byte
	suspect [len(tiles.Bands)]bool
	pieces  [len(tiles.Bands)][]byte
}

// pieceList is band i's pieces, one WKB each.
func (f *featureBands) pieceList(i int) [][]byte {
	var out [][]byte
	for k := 0; k+boxWKBSize <= len(f.pieces[i]); k += boxWKBSize {
		out = append(out, f.pieces[i][k:k+boxWKBSize:k+boxWKBSize])
	}
	return out
}

// generaliseFeature decodes a line or polygon feature's WKB (EPSG:4326) and
// generalises it for every band of a layer of geometry type kind.
func generaliseFeature(fid int64, src []byte, kind layers.GeometryType) (featureBands, error) {
	var w bandWorker
	return w.feature(fid, src, kind)
}

// bandWorker generalises features one after another (one per goroutine),
// keeping its buffers between them.
type bandWorker struct {
	merc   geo.MercatorScratch
	gz     tiles.Generaliser
	pieces geo.PieceScratch
	// out holds the WKB the worker writes for the current batch: the
	// features' band geometries and boxes are slices of it (a new buffer
	// for each batch, since the last batch's may still be being sent).
	out []byte
}

func (w *bandWorker) feature(fid int64, src []byte, kind layers.GeometryType) (featureBands, error) {
	f := featureBands{fid: fid}
	g, err := w.merc.FromWKB(src)
	if err != nil {
		return f, fmt.Errorf("postgis: tile bands: feature %d: %w", fid, err)
	}
	var ferr error
	w.gz.Generalise(g, kind, func(b tiles.Band, g orb.Geometry, suspect bool) {
		if g == nil || ferr != nil {
			return
		}
		i := bandIndex(b)
		if i < fullBand {
			start := len(w.out)
			if w.out, ferr = geo.AppendWKB(w.out, g); ferr != nil {
				return
			}
			f.geom[i] = w.out[start:len(w.out):len(w.out)]
			f.suspect[i] = suspect
		}
		start := len(w.out)
		w.pieces.PieceBoundsPlanar(g, b.PieceVertices(kind), func(bd orb.Bound) {
			w.out = appendBoxWKB(w.out, bd)
		})
		if len(w.out) > start {
			f.pieces[i] = w.out[start:len(w.out):len(w.out)]
		}
	})
	return f, ferr
}

// boxWKBSize is the size of the WKB of a box: a polygon of one ring of
// five points.
const boxWKBSize = 1 + 4 + 4 + 4 + 5*16

// appendBoxWKB appends the WKB (little-endian) of box b, as a polygon, to buf.
func appendBoxWKB(buf []byte, b orb.Bound) []byte {
	buf = append(buf, 1)
	buf = binary.LittleEndian.AppendUint32(buf, 3) // polygon
	buf = binary.LittleEndian.AppendUint32(buf, 1) // rings
	buf = binary.LittleEndian.AppendUint32(buf, 5) // points
	for _, p := range [5]orb.Point{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}, b.Min} {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(p[0]))
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(p[1]))
	}
	return buf
}

func bandIndex(b tiles.Band) int {
	for i, x := range tiles.Bands {
		if x == b {
			return i
		}
	}
	panic("postgis: not a band")
}

// bandBatch is the generalised features of one FETCH, per band: the
// band's rows (fids and WKB), the suspects, and the index pieces.
type bandBatch struct {
	fids, pfids [len(tiles.Bands)][]int64
	geoms, pcs  [len(tiles.Bands)][][]byte
	suspects    [len(tiles.Bands)][]int64
	// large says a band has a geometry of more than inlineMax bytes.
	large [len(tiles.Bands)]bool
	// err is a failure to generalise the batch (the tee's).
	err error
}

// bandWorkers generalise batches of features on every core, a worker per
// core, each keeping its buffers from batch to batch. One batch at a time.
type bandWorkers []*bandWorker

func newBandWorkers() bandWorkers {
	ws := make(bandWorkers, runtime.GOMAXPROCS(0))
	for i := range ws {
		ws[i] = &bandWorker{}
	}
	return ws
}

// generaliseBatch generalises rows on every core.
func generaliseBatch(fids []int64, srcs [][]byte, kind layers.GeometryType) (*bandBatch, error) {
	return newBandWorkers().batch(fids, srcs, kind)
}

// batch generalises rows on every core.
func (ws bandWorkers) batch(fids []int64, srcs [][]byte, kind layers.GeometryType) (*bandBatch, error) {
	out := make([]featureBands, len(fids))
	errs := make([]error, len(fids))
	workers := min(len(ws), len(fids))
	var wg sync.WaitGroup
	for k := range workers {
		w := ws[k]
		// A new buffer, the size the last batch needed.
		w.out = make([]byte, 0, cap(w.out))
		wg.Go(func() {
			for i := k; i < len(fids); i += workers {
				out[i], errs[i] = w.feature(fids[i], srcs[i], kind)
				// A feature takes a fraction of a millisecond; the
				// import's goroutines that feed the COPY wait for a
				// processor no longer than that.
				runtime.Gosched()
			}
		})
	}
	wg.Wait()
	bb := &bandBatch{}
	for i, f := range out {
		if errs[i] != nil {
			return nil, errs[i]
		}
		for k := range tiles.Bands {
			if f.geom[k] != nil {
				bb.fids[k] = append(bb.fids[k], f.fid)
				bb.geoms[k] = append(bb.geoms[k], f.geom[k])
				bb.large[k] = bb.large[k] || len(f.geom[k]) > inlineMax
				if f.suspect[k] {
					bb.suspects[k] = append(bb.suspects[k], f.fid)
				}
			}
			for p := 0; p+boxWKBSize <= len(f.pieces[k]); p += boxWKBSize {
				bb.pfids[k] = append(bb.pfids[k], f.fid)
				bb.pcs[k] = append(bb.pcs[k], f.pieces[k][p:p+boxWKBSize:p+boxWKBSize])
			}
		}
	}
	return bb, nil
}
