package layers

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/geo"
)

// rowLoop is the import's row loop: it reads the source's features,
// validates them against the plan (type, fit, values), rejects or keeps
// them, checks their ids are unique and converts them into staging rows
// (fid, feature_id, WKB of the layer's type, attributes…), counting as it
// goes. It is a RowSource: one goroutine decodes the features (the
// source's Next), another converts them, while the store sends the
// previous batch.
type rowLoop struct {
	ctx  context.Context
	rows chan [][]any
	cur  [][]any
	i    int
	err  error

	// read counts the features read so far (for progress, from any
	// goroutine).
	read *atomic.Int64

	// Written by the converting goroutine; read after stop.
	nulls, rejected int64
	rejections      []Rejection
	rerr            error
	// suspects are the fids of the geometries geo.ProvablyValid could not
	// clear: the store checks those only.
	suspects []int64
	// measure is the features' extent and how many lie outside India's
	// bounds, when the source is in StorageSRID and every geometry was a
	// line or polygon with points (else nil: the store measures).
	measure *Measure
	// pendingErr is the reader's error, returned after the features read
	// before it.
	pendingErr error

	stopOnce sync.Once
	stopc    chan struct{}
	wg       sync.WaitGroup
}

var _ RowSource = (*rowLoop)(nil)

// Batches of rows handed to the store: so many rows, or so many bytes of
// geometry, whichever comes first; with the channels' capacities this bounds
// the memory in flight whatever the features' size.
const (
	rowBatch      = 256
	rowBatchBytes = 4 << 20
)

// maxCheckedIDs caps the ids remembered for the duplicate check (a hash
// each); past it the layer table's UNIQUE constraint still refuses a repeat,
// without naming the first feature.
const maxCheckedIDs = 1 << 21

// newRowLoop starts the row loop over src; read counts the features read.
func newRowLoop(ctx context.Context, src FeatureSource, plan *ImportPlan, mode InvalidMode, read *atomic.Int64) *rowLoop {
	c := &rowLoop{ctx: ctx, rows: make(chan [][]any, 4), stopc: make(chan struct{}), read: read}
	c.wg.Add(1)
	go c.produce(src, plan, mode)
	return c
}

// readBatch is a batch of features the decoding goroutine hands on.
type readBatch struct {
	feats   []*formats.Feature
	rejects []*formats.Error // features a reader refused for their geometry (reject mode)
	err     error
}

// decode runs the source's Next in a goroutine of its own, handing batches
// of features to fed until the source ends, fails, or quit closes.
func decode(src FeatureSource, mode InvalidMode, fed chan<- readBatch, quit <-chan struct{}) {
	defer close(fed)
	var b readBatch
	flush := func() bool {
		select {
		case fed <- b:
			b = readBatch{}
			return true
		case <-quit:
			return false
		}
	}
	for {
		f, err := src.Next()
		var ferr *formats.Error
		switch {
		case err == nil:
			b.feats = append(b.feats, f)
		case errors.Is(err, io.EOF):
			if len(b.feats) > 0 || len(b.rejects) > 0 {
				flush()
			}
			return
		case mode == Reject && errors.Is(err, formats.ErrInvalidGeometry) && errors.As(err, &ferr):
			// The reader refused this feature only: leave it out, named.
			b.rejects = append(b.rejects, ferr)
		default:
			b.err = err
			flush()
			return
		}
		if len(b.feats)+len(b.rejects) >= 32 && !flush() {
			return
		}
	}
}

// produce converts the source's features until its end, an error or stop.
func (c *rowLoop) produce(src FeatureSource, plan *ImportPlan, mode InvalidMode) {
	defer c.wg.Done()
	defer close(c.rows)
	seed := maphash.MakeSeed()
	ids := map[uint64]int{} // hashes of the ids seen: 64 bits, so a false repeat is out of reach
	var fid int64
	check := plan.Layer.GeometryType.Dimension() > 0
	var valid geo.ValidScratch
	measuring := check && plan.SRID == StorageSRID
	var extent orb.Bound
	var measured bool
	var outside int64
	india := India()
	defer func() {
		if measuring {
			c.measure = &Measure{Outside: outside}
			if measured {
				c.measure.Extent = &Extent{extent.Min[0], extent.Min[1], extent.Max[0], extent.Max[1]}
			}
		}
	}()
	batch := make([][]any, 0, rowBatch)
	batchBytes := 0
	send := func() bool {
		select {
		case c.rows <- batch:
			batch, batchBytes = make([][]any, 0, rowBatch), 0
			return true
		case <-c.stopc:
			return false
		case <-c.ctx.Done():
			c.rerr = c.ctx.Err()
			return false
		}
	}
	fed := make(chan readBatch, 2)
	quit := make(chan struct{})
	go decode(src, mode, fed, quit)
	defer func() {
		// The decoder must be done with the source before the import
		// goes on.
		close(quit)
		for range fed {
		}
	}()
	reject := func(index int, id, reason string) {
		c.rejected++
		if len(c.rejections) < MaxRejections {
			c.rejections = append(c.rejections, Rejection{Feature: index, ID: id, Reason: reason})
		}
	}
	var pending []*formats.Feature
	for {
		if len(pending) == 0 {
			b, ok := <-fed
			if !ok {
				break
			}
			for _, r := range b.rejects {
				c.read.Add(1)
				reject(r.Index, "", r.Error())
			}
			pending = b.feats
			if b.err != nil {
				// The features read before the error first, then the error.
				pending = append(pending, nil)
				c.pendingErr = b.err
			}
			if len(pending) == 0 {
				continue
			}
		}
		f := pending[0]
		pending = pending[1:]
		if f == nil {
			err := c.pendingErr
			var ferr *formats.Error
			if errors.As(err, &ferr) {
				err = &ValidationError{Feature: ferr.Index, Field: ferr.Field, Reason: ferr.Error()}
			}
			c.rerr = err
			return
		}
		c.read.Add(1)
		id, geom, values, err := plan.Row(f)
		if err != nil {
			var verr *ValidationError
			if mode == Reject && errors.As(err, &verr) && verr.Field == "geometry" {
				reject(f.Index, f.ID, verr.Reason)
				continue
			}
			c.rerr = err
			return
		}
		// fid is the feature's 1-based position in the source, so that a
		// rejection or repair found later by the store names the feature.
		fid = max(fid+1, int64(f.Index)+1)
		if id == "" {
			id = strconv.FormatInt(fid, 10)
		}
		h := maphash.String(seed, id)
		if first, dup := ids[h]; dup {
			c.rerr = &ValidationError{Feature: f.Index, Field: "id",
				Reason: fmt.Sprintf("id %q repeats the id of feature %d (feature ids must be unique)", id, first)}
			return
		}
		if len(ids) < maxCheckedIDs {
			ids[h] = f.Index
		}
		if geom == nil {
			c.nulls++
		} else if check && !valid.ProvablyValid(f.Geometry) {
			c.suspects = append(c.suspects, fid)
		}
		if geom != nil && measuring {
			// A NaN fails Contains: counted outside, the store says more.
			b, ok := geo.PointsBound(f.Geometry)
			switch {
			case !ok:
				measuring = false
			case !measured:
				extent, measured = b, true
			default:
				extent = extent.Union(b)
			}
			if ok && !(india.Contains(b.Min) && india.Contains(b.Max)) {
				outside++
			}
		}
		row := make([]any, 0, 3+len(values))
		row = append(row, fid, id, geom)
		row = append(row, values...)
		batch = append(batch, row)
		batchBytes += len(geom)
		if (len(batch) == rowBatch || batchBytes >= rowBatchBytes) && !send() {
			return
		}
	}
	if len(batch) > 0 {
		send()
	}
}

// Next implements RowSource.
func (c *rowLoop) Next() bool {
	if c.err != nil {
		return false
	}
	c.i++
	for c.i >= len(c.cur) {
		b, ok := <-c.rows
		if !ok {
			c.stop()
			return false
		}
		c.cur, c.i = b, 0
	}
	return true
}

// Values implements RowSource.
func (c *rowLoop) Values() ([]any, error) { return c.cur[c.i], nil }

// Err implements RowSource.
func (c *rowLoop) Err() error { return c.err }

// stop ends the converting goroutine and waits for it; after stop the counts
// are final.
func (c *rowLoop) stop() {
	c.stopOnce.Do(func() { close(c.stopc) })
	c.wg.Wait()
	if c.err == nil && c.rerr != nil {
		c.err = c.rerr
	}
}
