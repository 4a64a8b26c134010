package postgis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/tiles"
)

// An import's bands, built while its rows are copied in: the rows the COPY
// takes are also generalised, on every core, and written to the staged
// band tables on a connection of the tee's own, so that the bands cost the
// import little more than the cores it has spare. Once the COPY has ended
// the tee repairs the simplified polygons it could not prove valid and
// builds the bands' indexes, on its connection, while the import checks
// its table on its own. Features the check then repairs are generalised
// again from the staged table, and those it rejects forgotten, before the
// swap. Used when the source is in EPSG:4326 (a reprojection rewrites
// every geometry in the check) and the layer is of lines or polygons
// (points are thinned in SQL).

// teeBatch is how many rows, or bytes of WKB, the tee hands on at once:
// little, since the tee ends a batch or two behind the COPY, and what it
// has left then is the import's to wait for.
const (
	teeBatchRows  = 256
	teeBatchBytes = 4 << 20
)

// teeAcquire bounds the wait for the tee's connection: without one at
// hand, the import builds its bands after the check, on its own.
const teeAcquire = 200 * time.Millisecond

type teeRow struct {
	fid int64
	wkb []byte
}

// bandTee builds an import's bands from its rows.
type bandTee struct {
	pool *pgxpool.Pool
	bs   *bandState
	conn *pgxpool.Conn
	// other is a second connection, taken while the COPY runs, on which
	// the bands are finished alongside conn (nil when the pool had none at
	// hand).
	other *pgxpool.Conn
	in    chan []teeRow
	cur   []teeRow
	size  int
	done  chan struct{}
	err   error
	// built is closed when what the tee wrote is repaired and indexed
	// (berr: how that went); nil until build.
	built chan struct{}
	berr  error
}

// startBandTee acquires the tee's connection and starts the goroutines
// that create the staged band tables, generalise and write; nil when no
// connection is at hand.
func startBandTee(ctx context.Context, pool *pgxpool.Pool, kind layers.GeometryType, n bandNames) (*bandTee, error) {
	actx, cancel := context.WithTimeout(ctx, teeAcquire)
	conn, err := pool.Acquire(actx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, nil //nolint:nilnil // none at hand: the import builds its bands later
	}
	t := &bandTee{pool: pool, bs: &bandState{names: n, kind: kind}, conn: conn, in: make(chan []teeRow, 2), done: make(chan struct{})}
	in, gen := t.in, make(chan *bandBatch, 1)
	go func() {
		defer close(gen)
		ws := newBandWorkers()
		for rows := range in {
			fids, srcs := make([]int64, len(rows)), make([][]byte, len(rows))
			for i, r := range rows {
				fids[i], srcs[i] = r.fid, r.wkb
			}
			bb, err := ws.batch(fids, srcs, kind)
			if err != nil {
				bb = &bandBatch{err: err}
			}
			gen <- bb
		}
	}()
	go func() {
		defer close(t.done)
		// The tables are created while the COPY starts.
		if _, err := conn.Exec(ctx, "SET synchronous_commit TO off;"+t.bs.createSQL()); err != nil {
			t.err = err
		}
		t.other = acquireTee(ctx, pool)
		for bb := range gen {
			switch {
			case t.err != nil:
				// Failed: drain, so that the import's COPY never waits.
			case bb.err != nil:
				t.err = bb.err
			default:
				t.err = t.bs.write(ctx, conn, bb)
			}
		}
	}()
	return t, nil
}

// add takes one row of the COPY.
func (t *bandTee) add(fid int64, wkb []byte) {
	t.cur = append(t.cur, teeRow{fid, wkb})
	t.size += len(wkb)
	if len(t.cur) >= teeBatchRows || t.size >= teeBatchBytes {
		t.in <- t.cur
		t.cur, t.size = nil, 0
	}
}

// close hands on the last rows; wait then returns when all are written.
func (t *bandTee) close() {
	if t.in == nil {
		return
	}
	if len(t.cur) > 0 {
		t.in <- t.cur
	}
	close(t.in)
	t.in, t.cur = nil, nil
}

func (t *bandTee) wait() error {
	if t.built != nil {
		<-t.built
		return t.berr
	}
	t.close()
	<-t.done
	return t.err
}

// build, once the COPY has ended, hands on the last rows and, when all are
// written, repairs the suspects and builds the indexes, all in the
// background.
func (t *bandTee) build(ctx context.Context) {
	t.built = make(chan struct{})
	go func() {
		defer close(t.built)
		// Handing on the last rows may wait for the tee to take them: the
		// import goes on meanwhile.
		t.close()
		<-t.done
		if t.err != nil {
			t.berr = t.err
			return
		}
		t.berr = t.index(ctx)
	}()
}

// index sends the rows still pending, repairs the suspects and builds the
// indexes, band by band, the largest first, on the tee's connection and
// the second one, each taking the next band when done with one.
func (t *bandTee) index(ctx context.Context) error {
	if t.other == nil {
		return t.bs.finish(ctx, t.conn)
	}
	order := make([]int, 0, len(tiles.Bands))
	for i := range tiles.Bands {
		order = append(order, i)
	}
	size := func(i int) int64 { return t.bs.rows[i] + t.bs.pieces[i] }
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(size(b), size(a)) })
	next := make(chan int, len(order))
	for _, i := range order {
		next <- i
	}
	close(next)
	work := func(c dbConn) error {
		for i := range next {
			one := func(k int) bool { return k == i }
			if err := t.bs.send(ctx, c, 0, one); err != nil {
				return err
			}
			b := &pgx.Batch{}
			t.bs.queueRepairs(b, t.bs.suspects, one)
			t.bs.queueIndexes(b, one)
			if b.Len() > 0 {
				if err := c.SendBatch(ctx, b).Close(); err != nil {
					return err
				}
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	var err1 error
	wg.Go(func() { err1 = work(t.conn) })
	err2 := work(t.other)
	wg.Wait()
	return errors.Join(err1, err2)
}

// acquireTee takes a connection of the pool for the tee, its commits not
// waiting for the disk (as the import's own); nil when none is at hand
// within teeAcquire.
func acquireTee(ctx context.Context, pool *pgxpool.Pool) *pgxpool.Conn {
	actx, cancel := context.WithTimeout(ctx, teeAcquire)
	defer cancel()
	c, err := pool.Acquire(actx)
	if err != nil {
		return nil
	}
	if _, err := c.Exec(ctx, "SET synchronous_commit TO off"); err != nil {
		c.Release()
		return nil
	}
	return c
}

func (t *bandTee) release() {
	for _, c := range []**pgxpool.Conn{&t.conn, &t.other} {
		if *c != nil {
			_, _ = (*c).Exec(context.Background(), "RESET synchronous_commit")
			(*c).Release()
			*c = nil
		}
	}
}

// teeRows is the COPY's row source, handing each row's geometry to the tee
// as the COPY takes it.
type teeRows struct {
	layers.RowSource
	tee *bandTee
}

func (r *teeRows) Values() ([]any, error) {
	v, err := r.RowSource.Values()
	if err == nil && len(v) > 2 {
		if g, ok := v[2].([]byte); ok && g != nil {
			if fid, ok := v[0].(int64); ok {
				r.tee.add(fid, g)
			}
		}
	}
	return v, err
}

// finish completes the tee's bands once the check has run: the features
// it changed (fixed: repaired or, when rejected, deleted) are forgotten and,
// unless rejected, generalised again from the staged table src, their
// suspects repaired. The rest was repaired and indexed by build (started
// here if it was not).
func (t *bandTee) finish(ctx context.Context, src string, fixed []int64, rejected bool) error {
	if t.built == nil {
		t.build(ctx)
	}
	if err := t.wait(); err != nil {
		return err
	}
	if len(fixed) == 0 {
		return nil
	}
	if err := t.bs.forget(ctx, t.conn, fixed); err != nil {
		return err
	}
	if rejected {
		return nil
	}
	fids, srcs, err := queryGeoms(ctx, t.conn, fmt.Sprintf(`SELECT fid, ST_AsBinary(geom) FROM %s
WHERE fid = ANY($1) AND geom IS NOT NULL AND NOT ST_IsEmpty(geom)`, src), fixed)
	if err != nil {
		return err
	}
	if len(fids) == 0 {
		return nil
	}
	bb, err := generaliseBatch(fids, srcs, t.bs.kind)
	if err != nil {
		return err
	}
	if err := t.bs.write(ctx, t.conn, bb); err != nil {
		return err
	}
	if err := t.bs.flush(ctx, t.conn); err != nil {
		return err
	}
	b := &pgx.Batch{}
	t.bs.queueRepairs(b, bb.suspects, allBands)
	if b.Len() == 0 {
		return nil
	}
	return t.conn.SendBatch(ctx, b).Close()
}
