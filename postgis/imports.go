package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/geo"
	"github.com/coalmap/coalmap/layers"
)

// This file holds what an import adds around the pipeline core of
// import.go: the job records and reports in catalog.imports, the CRS
// resolution, the pipelined COPY source, the validity and bounds checks.

var _ layers.ImportJobs = (*Store)(nil)

const importJobColumns = `id, layer_id, status, source, checksum, options, progress, report, error, created_by, created_at, started_at, finished_at`

const (
	sqlJobQueue = `INSERT INTO catalog.imports (layer_id, status, source, created_by) VALUES ($1, 'queued', $2, $3)
RETURNING ` + importJobColumns
	sqlJobInsert = `INSERT INTO catalog.imports (layer_id, status, source, checksum, options, created_by, started_at)
VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING id`
	// A queued job starts only once: a second runner finds no row.
	sqlJobStart = `UPDATE catalog.imports SET status = $2, source = CASE WHEN $3 = '' THEN source ELSE $3 END,
    checksum = $4, options = $5, started_at = now() WHERE id = $1 AND status = 'queued' RETURNING id`
	sqlJobFinish = `UPDATE catalog.imports SET status = $2, report = $3, error = $4, progress = $5,
    finished_at = now() WHERE id = $1`
	sqlJobFail = `UPDATE catalog.imports SET status = 'failed', error = $2, report = $3, finished_at = now()
WHERE id = $1 AND status IN ('queued', 'running')`
	sqlJobProgress = `UPDATE catalog.imports SET progress = $2 WHERE id = $1 AND status = 'running'`
	sqlJob         = `SELECT ` + importJobColumns + ` FROM catalog.imports WHERE id = $1`
	sqlLayerJobs   = `SELECT ` + importJobColumns + ` FROM catalog.imports WHERE layer_id = $1 ORDER BY id DESC LIMIT $2`
	// The options of the import that loaded the layer's current data.
	sqlLastOptions = `SELECT options FROM catalog.imports WHERE layer_id = $1 AND status = 'succeeded'
ORDER BY id DESC LIMIT 1`
	sqlJobsInterrupted = `UPDATE catalog.imports SET status = 'failed', finished_at = now(),
    error = 'interrupted: the process running the import ended before it finished'
WHERE (status = 'queued' OR (status = 'running' AND staging = '')) AND coalesce(started_at, created_at) <= $1`
	sqlSRIDExists = `SELECT EXISTS (SELECT 1 FROM spatial_ref_sys WHERE srid = $1)`
	// A CRS the readers did not recognise, matched by its name against
	// spatial_ref_sys (ESRI writes underscores where EPSG has spaces).
	sqlSRIDByName = `SELECT srid FROM spatial_ref_sys
WHERE auth_name = 'EPSG' AND regexp_replace(lower(split_part(srtext, '"', 2)), '[^a-z0-9]', '', 'g') = $1
ORDER BY srid LIMIT 2`
)

// importOptions are what, beside the checksum, makes two imports the same.
func importOptions(req layers.ImportRequest) map[string]string {
	o := map[string]string{"invalid": req.Invalid.String()}
	maps.Copy(o, req.Options)
	if req.SRID != 0 {
		o["srid"] = strconv.Itoa(req.SRID)
	}
	if req.AllowOutside {
		o["allow_outside"] = "true"
	}
	return o
}

func (s *Store) beginReport(res *layers.ImportResult, req layers.ImportRequest, opts map[string]string) {
	res.Source, res.Checksum, res.Options = req.SourceName, req.Checksum, opts
	res.ImportID = req.ImportID
	if req.Source != nil {
		crs := req.Source.CRS()
		if crs.SRID != 0 {
			res.CRS = fmt.Sprintf("EPSG:%d", crs.SRID)
		}
		res.CRSFrom = crs.From
		if req.SRID != 0 {
			res.CRS, res.CRSFrom = fmt.Sprintf("EPSG:%d", req.SRID), "--srid"
		}
		s.sourceReport(res, req.Source)
	}
}

// sourceReport copies the source's encoding and counts into the report.
func (s *Store) sourceReport(res *layers.ImportResult, src layers.FeatureSource) {
	rs, ok := src.(layers.ReportingSource)
	if !ok {
		return
	}
	res.Encoding, res.EncodingFrom = rs.Encoding()
	st := rs.Stats()
	res.ZDropped, res.Skipped, res.Widened = st.ZDropped, st.Skipped, st.Widened
}

// sameOptions reports whether the import that loaded the layer's current
// data had the options opts.
func (s *Store) sameOptions(ctx context.Context, req layers.ImportRequest, opts map[string]string) bool {
	var last map[string]string
	if err := s.pool.QueryRow(ctx, sqlLastOptions, req.Layer).Scan(&last); err != nil {
		// No record (a layer loaded before imports were recorded): the
		// checksum alone decides, as it did then.
		return errors.Is(err, pgx.ErrNoRows)
	}
	return maps.Equal(last, opts)
}

// startImport records the import as running: the queued job it runs as, or
// a new record.
func (s *Store) startImport(ctx context.Context, req layers.ImportRequest, opts map[string]string) (int64, error) {
	return s.recordJob(ctx, req, opts, layers.ImportRunning)
}

func (s *Store) recordJob(ctx context.Context, req layers.ImportRequest, opts map[string]string, status layers.ImportStatus) (int64, error) {
	var id int64
	if req.ImportID != 0 {
		err := s.pool.QueryRow(ctx, sqlJobStart, req.ImportID, string(status), req.SourceName, req.Checksum, opts).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, fmt.Errorf("import job %d is not queued: %w", req.ImportID, layers.ErrConflict)
		}
		return id, err
	}
	err := s.pool.QueryRow(ctx, sqlJobInsert, req.Layer, string(status), req.SourceName, req.Checksum, opts, req.Actor).Scan(&id)
	return id, err
}

// recordUnchanged records a no-op import with its report.
func (s *Store) recordUnchanged(ctx context.Context, req layers.ImportRequest, opts map[string]string, res *layers.ImportResult) (int64, error) {
	id, err := s.recordJob(ctx, req, opts, layers.ImportUnchanged)
	if err != nil {
		return 0, fmt.Errorf("postgis: import %s: %w", req.Layer, err)
	}
	res.ImportID = id
	if _, err := s.pool.Exec(ctx, sqlJobFinish, id, string(layers.ImportUnchanged), jsonArg(res), "",
		jsonArg(layers.ImportProgress{Phase: layers.PhaseDone, Features: res.Features})); err != nil {
		return id, fmt.Errorf("postgis: import %s: %w", req.Layer, err)
	}
	return id, nil
}

// finishImport records how the import ended, with its report.
func (s *Store) finishImport(ctx context.Context, res *layers.ImportResult, err error) {
	status, msg := layers.ImportSucceeded, ""
	if err != nil {
		status, msg = layers.ImportFailed, err.Error()
		if ctx.Err() != nil || errors.Is(err, context.Canceled) {
			status = layers.ImportCancelled
		}
		res.Error = safeImportError(err)
	}
	res.Status = status
	prog := layers.ImportProgress{Phase: layers.PhaseDone, Features: res.Read}
	_, _ = s.pool.Exec(context.WithoutCancel(ctx), sqlJobFinish, res.ImportID, string(status), jsonArg(res), msg, jsonArg(prog))
}

// endQueued fails the queued job of an import that could not start.
func (s *Store) endQueued(ctx context.Context, req layers.ImportRequest, cause error) {
	if req.ImportID != 0 {
		_ = s.FailImport(context.WithoutCancel(ctx), req.ImportID, cause)
	}
}

// safeImportError is what a report may show anyone of an import's error:
// the message of input and domain errors, which name the feature and the
// reason; not the text of unexpected database errors.
func safeImportError(err error) string {
	var ferr *formats.Error
	switch {
	case errors.As(err, &ferr), errors.Is(err, layers.ErrInvalid), errors.Is(err, layers.ErrNotFound),
		errors.Is(err, layers.ErrConflict), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err.Error()
	}
	return "internal error while importing (the server log has the cause)"
}

// QueueImport records a job for layer before its import starts.
func (s *Store) QueueImport(ctx context.Context, layer, source, actor string) (layers.ImportJob, error) {
	j, err := scanJob(s.pool.QueryRow(ctx, sqlJobQueue, layer, source, actor))
	if err != nil {
		return j, fmt.Errorf("postgis: queue import %s: %w", layer, err)
	}
	return j, nil
}

// FailImport ends a queued or running job with cause.
func (s *Store) FailImport(ctx context.Context, id int64, cause error) error {
	res := layers.ImportResult{ImportID: id, Status: layers.ImportFailed, Error: safeImportError(cause)}
	if _, err := s.pool.Exec(ctx, sqlJobFail, id, cause.Error(), jsonArg(res)); err != nil {
		return fmt.Errorf("postgis: fail import %d: %w", id, err)
	}
	return nil
}

// ImportJob returns one job, or an error wrapping layers.ErrNotFound.
func (s *Store) ImportJob(ctx context.Context, id int64) (layers.ImportJob, error) {
	j, err := scanJob(s.pool.QueryRow(ctx, sqlJob, id))
	if err != nil {
		return j, translate(fmt.Sprintf("import %d", id), err)
	}
	return j, nil
}

// LayerImports returns the jobs of layer, newest first, at most limit.
func (s *Store) LayerImports(ctx context.Context, layer string, limit int) ([]layers.ImportJob, error) {
	rows, err := s.pool.Query(ctx, sqlLayerJobs, layer, limit)
	if err != nil {
		return nil, fmt.Errorf("postgis: imports of %s: %w", layer, err)
	}
	js, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (layers.ImportJob, error) { return scanJob(r) })
	if err != nil {
		return nil, fmt.Errorf("postgis: imports of %s: %w", layer, err)
	}
	return js, nil
}

func scanJob(row pgx.Row) (layers.ImportJob, error) {
	var j layers.ImportJob
	var status string
	var options, progress, report []byte
	if err := row.Scan(&j.ID, &j.Layer, &status, &j.Source, &j.Checksum, &options, &progress, &report, &j.Error,
		&j.CreatedBy, &j.CreatedAt, &j.StartedAt, &j.FinishedAt); err != nil {
		return j, err
	}
	j.Status = layers.ImportStatus(status)
	j.Options = options
	if err := json.Unmarshal(progress, &j.Progress); err != nil {
		return j, err
	}
	if len(report) > 2 { // not "{}"
		j.Report = new(layers.ImportResult)
		if err := json.Unmarshal(report, j.Report); err != nil {
			return j, err
		}
	}
	if j.Progress.Phase == "" {
		j.Progress.Phase = string(j.Status)
	}
	return j, nil
}

// failInterrupted marks the jobs a killed process left queued or running
// before cutoff as failed.
func (s *Store) failInterrupted(ctx context.Context, cutoff time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, sqlJobsInterrupted, cutoff)
	if err != nil {
		return 0, fmt.Errorf("postgis: interrupted imports: %w", err)
	}
	return tag.RowsAffected(), nil
}

// resolveSRID settles the source CRS: the one given or declared (checked
// against spatial_ref_sys), else one matched by name from the source's WKT;
// an unknown CRS is refused, never taken for WGS 84.
func (s *Store) resolveSRID(ctx context.Context, plan *layers.ImportPlan, req layers.ImportRequest, res *layers.ImportResult) error {
	crs := req.Source.CRS()
	if plan.SRID == 0 && crs.WKT != "" {
		if name := crsName(crs.WKT); name != "" {
			rows, err := s.pool.Query(ctx, sqlSRIDByName, crsKey(name))
			if err != nil {
				return fmt.Errorf("postgis: import %s: %w", req.Layer, err)
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int])
			if err != nil {
				return fmt.Errorf("postgis: import %s: %w", req.Layer, err)
			}
			if len(ids) == 1 {
				plan.SRID = ids[0]
				res.CRS, res.CRSFrom = fmt.Sprintf("EPSG:%d", ids[0]), fmt.Sprintf("%s, matched by name (%q) in spatial_ref_sys", crs.From, name)
			}
		}
	}
	if plan.SRID == 0 {
		return &layers.ValidationError{Feature: -1, Field: "crs", Reason: fmt.Sprintf(
			"the source's coordinate reference system is unknown (%s); say which it is with --srid "+
				"(for example --srid 32644 for UTM zone 44N, 24378 for Kalianpur 1975 / India zone I)", crs.From)}
	}
	var ok bool
	if err := s.pool.QueryRow(ctx, sqlSRIDExists, plan.SRID).Scan(&ok); err != nil {
		return fmt.Errorf("postgis: import %s: %w", req.Layer, err)
	}
	if !ok {
		return &layers.ValidationError{Feature: -1, Field: "srid", Reason: fmt.Sprintf("EPSG:%d is not a CRS PostGIS knows (spatial_ref_sys)", plan.SRID)}
	}
	if res.CRS == "" {
		res.CRS = fmt.Sprintf("EPSG:%d", plan.SRID)
	}
	return nil
}

// crsKey is a CRS name reduced so that ESRI's and EPSG's spellings meet:
// "WGS_1984_UTM_Zone_40N" and "WGS 84 / UTM zone 40N" both give
// "wgs84utmzone40n".
func crsKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	k := strings.ReplaceAll(b.String(), "wgs1984", "wgs84")
	return strings.TrimPrefix(k, "gcs")
}

// crsName is the name of the outermost CRS of a WKT definition.
func crsName(wkt string) string {
	_, rest, ok := strings.Cut(wkt, `"`)
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, `"`)
	if !ok {
		return ""
	}
	return name
}

// dbtx is a connection or a transaction.
type dbtx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// checkValidity finds the invalid geometries among the suspects (the
// staged geometries Go could not prove valid) and repairs them in place
// (ST_MakeValid, method=structure, then the layer's type again) or deletes
// them, by fid, naming each in the report. PostGIS is the judge: a suspect
// it finds valid stays as it is.
func (s *Store) checkValidity(ctx context.Context, db dbtx, t pgx.Identifier, gt layers.GeometryType, suspects []int64, req layers.ImportRequest, res *layers.ImportResult) error {
	if gt.Dimension() == 0 || len(suspects) == 0 {
		return nil // points are valid once their coordinates are finite
	}
	rows, err := db.Query(ctx, fmt.Sprintf(
		"SELECT fid, feature_id, ST_IsValidReason(geom) FROM %s WHERE fid = ANY($1) AND geom IS NOT NULL AND NOT ST_IsValid(geom) ORDER BY fid", t.Sanitize()), suspects)
	if err != nil {
		return err
	}
	var fids []int64
	var list []layers.Rejection
	for rows.Next() {
		var fid int64
		var id, reason string
		if err := rows.Scan(&fid, &id, &reason); err != nil {
			rows.Close()
			return err
		}
		fids = append(fids, fid)
		if len(list) < layers.MaxRejections {
			list = append(list, layers.Rejection{Feature: int(fid - 1), ID: id, Reason: "invalid geometry: " + reason})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(fids) == 0 {
		return nil
	}
	if req.Invalid == layers.Reject {
		if _, err := db.Exec(ctx, fmt.Sprintf("DELETE FROM %s WHERE fid = ANY($1)", t.Sanitize()), fids); err != nil {
			return err
		}
		res.Rejected += int64(len(fids))
		res.Rejections = append(res.Rejections, list[:min(len(list), layers.MaxRejections-len(res.Rejections))]...)
		return nil
	}
	repair := fmt.Sprintf("ST_Multi(ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), %d))", gt.Dimension()+1)
	if _, err := db.Exec(ctx, fmt.Sprintf("UPDATE %s SET geom = %s WHERE fid = ANY($1)", t.Sanitize(), repair), fids); err != nil {
		return err
	}
	res.Repaired = int64(len(fids))
	res.Repairs = list
	return nil
}

// checkExtent computes the staged table's extent and refuses it, unless
// the request allows it, when features lie outside India's bounds.
func (s *Store) checkExtent(ctx context.Context, db dbtx, t pgx.Identifier, plan *layers.ImportPlan, req layers.ImportRequest, res *layers.ImportResult) ([]float64, error) {
	b := layers.India()
	var x0, y0, x1, y1 *float64
	var outside int64
	if err := db.QueryRow(ctx, fmt.Sprintf(`SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), n FROM (
    SELECT ST_Extent(geom) e, count(*) FILTER (WHERE NOT geom @ ST_MakeEnvelope($1, $2, $3, $4, %d)) n FROM %s) x`,
		layers.StorageSRID, t.Sanitize()), b.Min[0], b.Min[1], b.Max[0], b.Max[1]).Scan(&x0, &y0, &x1, &y1, &outside); err != nil {
		return nil, err
	}
	if x0 == nil {
		return nil, nil
	}
	e := layers.Extent{*x0, *y0, *x1, *y1}
	res.Extent = &e
	if outside > 0 && !req.AllowOutside {
		return nil, &layers.OutsideError{Extent: e, Outside: outside, SRID: plan.SRID, From: res.CRSFrom}
	}
	return e[:], nil
}

// progress reports how far an import has got: to the request's callback
// and, about once a second, to the job's record.
type progress struct {
	s        *Store
	ctx      context.Context
	fn       func(layers.ImportProgress)
	id       int64
	features atomic.Int64
	name     atomic.Pointer[string]
	mu       sync.Mutex // serialises calls of fn
	stopc    chan struct{}
	done     chan struct{}
}

func (s *Store) newProgress(ctx context.Context, req layers.ImportRequest, id int64) *progress {
	p := &progress{s: s, ctx: ctx, fn: req.Progress, id: id, stopc: make(chan struct{}), done: make(chan struct{})}
	phase := layers.PhaseQueued
	p.name.Store(&phase)
	go p.run()
	return p
}

func (p *progress) now() layers.ImportProgress {
	return layers.ImportProgress{Phase: *p.name.Load(), Features: p.features.Load()}
}

func (p *progress) report() {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fn(p.now())
}

func (p *progress) run() {
	defer close(p.done)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var last time.Time
	for {
		select {
		case <-p.stopc:
			return
		case <-p.ctx.Done():
			return
		case now := <-tick.C:
			p.report()
			if now.Sub(last) >= time.Second {
				last = now
				_, _ = p.s.pool.Exec(p.ctx, sqlJobProgress, p.id, jsonArg(p.now()))
			}
		}
	}
}

// phase moves to the next phase and says so at once.
func (p *progress) phase(name string) {
	p.name.Store(&name)
	p.report()
}

func (p *progress) close() {
	close(p.stopc)
	<-p.done
}

// copySource feeds COPY the rows of a source, converted by the plan:
// (fid, feature_id, WKB of the layer's type, attributes…). One goroutine
// decodes the features (the source's Next), another converts them (WKB,
// validity, ids), while COPY encodes and sends the previous batch.
type copySource struct {
	ctx  context.Context
	rows chan [][]any
	cur  [][]any
	i    int
	err  error

	// Written by the reading goroutine; read after stop.
	read, nulls, rejected int64
	rejections            []layers.Rejection
	rerr                  error
	// suspects are the fids of the geometries geo.ProvablyValid could not
	// clear: PostGIS checks those only.
	suspects []int64
	// pendingErr is the reader's error, returned after the features
	// read before it.
	pendingErr error

	stopOnce sync.Once
	stopc    chan struct{}
	wg       sync.WaitGroup
}

// Batches of rows handed to COPY: so many rows, or so many bytes of
// geometry, whichever comes first; with the channels' capacities this bounds
// the memory in flight whatever the features' size.
const (
	copyBatch      = 256
	copyBatchBytes = 4 << 20
)

// maxCheckedIDs caps the ids remembered for the duplicate check (a hash
// each); past it the layer table's UNIQUE constraint still refuses a repeat,
// without naming the first feature.
const maxCheckedIDs = 1 << 21

func newCopySource(ctx context.Context, req layers.ImportRequest, plan *layers.ImportPlan, prog *progress) *copySource {
	c := &copySource{ctx: ctx, rows: make(chan [][]any, 4), stopc: make(chan struct{})}
	c.wg.Add(1)
	go c.produce(req, plan, prog)
	return c
}

// produce reads the source until its end, an error or stop.
func (c *copySource) produce(req layers.ImportRequest, plan *layers.ImportPlan, prog *progress) {
	defer c.wg.Done()
	defer close(c.rows)
	seed := maphash.MakeSeed()
	ids := map[uint64]int{} // hashes of the ids seen: 64 bits, so a false repeat is out of reach
	var fid int64
	check := plan.Layer.GeometryType.Dimension() > 0
	batch := make([][]any, 0, copyBatch)
	batchBytes := 0
	send := func() bool {
		select {
		case c.rows <- batch:
			batch, batchBytes = make([][]any, 0, copyBatch), 0
			return true
		case <-c.stopc:
			return false
		case <-c.ctx.Done():
			c.rerr = c.ctx.Err()
			return false
		}
	}
	// Decoding (in Next) and converting (WKB, validity) run in goroutines
	// of their own: a reader feeds this one batches of features.
	type readBatch struct {
		feats   []*formats.Feature
		rejects []*formats.Error // features refused for their geometry (reject mode)
		err     error
	}
	fed := make(chan readBatch, 2)
	quit := make(chan struct{})
	go func() {
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
			f, err := req.Source.Next()
			var ferr *formats.Error
			switch {
			case err == nil:
				b.feats = append(b.feats, f)
			case errors.Is(err, io.EOF):
				if len(b.feats) > 0 || len(b.rejects) > 0 {
					flush()
				}
				return
			case req.Invalid == layers.Reject && errors.Is(err, formats.ErrInvalidGeometry) && errors.As(err, &ferr):
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
	}()
	defer func() {
		// The reader must be done with the source before Import returns.
		close(quit)
		for range fed {
		}
	}()
	var pending []*formats.Feature
	for {
		if len(pending) == 0 {
			b, ok := <-fed
			if !ok {
				break
			}
			for _, r := range b.rejects {
				c.read++
				c.rejected++
				if len(c.rejections) < layers.MaxRejections {
					c.rejections = append(c.rejections, layers.Rejection{Feature: r.Index, Reason: r.Error()})
				}
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
				err = &layers.ValidationError{Feature: ferr.Index, Field: ferr.Field, Reason: ferr.Error()}
			}
			c.rerr = err
			return
		}
		c.read++
		prog.features.Store(c.read)
		id, geom, values, err := plan.Row(f)
		if err != nil {
			var verr *layers.ValidationError
			if req.Invalid == layers.Reject && errors.As(err, &verr) && verr.Field == "geometry" {
				c.rejected++
				if len(c.rejections) < layers.MaxRejections {
					c.rejections = append(c.rejections, layers.Rejection{Feature: f.Index, ID: f.ID, Reason: verr.Reason})
				}
				continue
			}
			c.rerr = err
			return
		}
		// fid is the feature's 1-based position in the source, so that a
		// rejection or repair found later in SQL names the feature.
		fid = max(fid+1, int64(f.Index)+1)
		if id == "" {
			id = strconv.FormatInt(fid, 10)
		}
		h := maphash.String(seed, id)
		if first, dup := ids[h]; dup {
			c.rerr = &layers.ValidationError{Feature: f.Index, Field: "id",
				Reason: fmt.Sprintf("id %q repeats the id of feature %d (feature ids must be unique)", id, first)}
			return
		}
		if len(ids) < maxCheckedIDs {
			ids[h] = f.Index
		}
		if geom == nil {
			c.nulls++
		} else if check && !geo.ProvablyValid(f.Geometry) {
			c.suspects = append(c.suspects, fid)
		}
		row := make([]any, 0, 3+len(values))
		row = append(row, fid, id, geom)
		row = append(row, values...)
		batch = append(batch, row)
		batchBytes += len(geom)
		if (len(batch) == copyBatch || batchBytes >= copyBatchBytes) && !send() {
			return
		}
	}
	if len(batch) > 0 {
		send()
	}
}

func (c *copySource) Next() bool {
	if c.err != nil {
		return false
	}
	c.i++
	for c.i >= len(c.cur) {
		b, ok := <-c.rows
		if !ok {
			c.stop()
			if c.rerr != nil {
				c.err = c.rerr
			}
			return false
		}
		c.cur, c.i = b, 0
	}
	return true
}

func (c *copySource) Values() ([]any, error) { return c.cur[c.i], nil }
func (c *copySource) Err() error             { return c.err }

// stop ends the reading goroutine and waits for it; after stop the counts
// are final.
func (c *copySource) stop() {
	c.stopOnce.Do(func() { close(c.stopc) })
	c.wg.Wait()
	if c.err == nil && c.rerr != nil {
		c.err = c.rerr
	}
}

// stagingLockClass is the first key of the advisory locks that mark live
// imports (the second is the hash of the staging table's stem).
const stagingLockClass = 0x636d

const (
	sqlStagingLock    = `SELECT pg_advisory_lock($1, hashtext($2))`
	sqlStagingTryLock = `SELECT pg_try_advisory_lock($1, hashtext($2))`
	sqlStagingUnlock  = `SELECT pg_advisory_unlock($1, hashtext($2))`
	sqlJobStaging     = `UPDATE catalog.imports SET staging = $2 WHERE id = $1`
	sqlStagingAll     = `SELECT tablename FROM pg_tables WHERE schemaname = 'staging' AND tablename ~ '^coalmap_[0-9]+_'`
	sqlJobsLive       = `SELECT id, staging FROM catalog.imports WHERE status = 'running' AND staging <> ''`
	sqlJobDead        = `UPDATE catalog.imports SET status = 'failed', finished_at = now(),
    error = 'interrupted: the process running the import ended before it finished' WHERE id = $1 AND status = 'running'`
)

// leaseStaging marks the import whose staging tables start with stem as
// alive: an advisory lock held, for the import's duration, on a connection
// of its own. A killed process's connections close and its locks go with
// them, which is how CleanStaging tells a dead import's leftovers from a
// live one's, on any server, without waiting.
func (s *Store) leaseStaging(ctx context.Context, id int64, stem string) (release func(), err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, sqlStagingLock, stagingLockClass, stem); err != nil {
		conn.Release()
		return nil, err
	}
	if id != 0 {
		if _, err := s.pool.Exec(ctx, sqlJobStaging, id, stem); err != nil {
			conn.Release()
			return nil, err
		}
	}
	return func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), sqlStagingUnlock, stagingLockClass, stem)
		conn.Release()
	}, nil
}

// cleanDead drops the staging tables and fails the running jobs of imports
// whose process has died (their advisory lock is free).
func (s *Store) cleanDead(ctx context.Context) (int, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, sqlStagingAll)
	if err != nil {
		return 0, err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	// dead tries the lock of stem; if it was free, fn runs while it is held.
	dead := func(stem string, fn func() error) error {
		var free bool
		if err := conn.QueryRow(ctx, sqlStagingTryLock, stagingLockClass, stem).Scan(&free); err != nil || !free {
			return err
		}
		err := fn()
		_, uerr := conn.Exec(ctx, sqlStagingUnlock, stagingLockClass, stem)
		return errors.Join(err, uerr)
	}
	n := 0
	for _, t := range tables {
		stem := t
		if i := strings.LastIndexByte(t, '_'); i > 0 {
			stem = t[:i] // coalmap_<time>_<random>_new
		}
		if err := dead(stem, func() error {
			n++
			_, err := conn.Exec(ctx, "DROP TABLE IF EXISTS "+pgx.Identifier{"staging", t}.Sanitize())
			return err
		}); err != nil {
			return n, err
		}
	}
	rows, err = conn.Query(ctx, sqlJobsLive)
	if err != nil {
		return n, err
	}
	type job struct {
		id   int64
		stem string
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (job, error) {
		var j job
		return j, r.Scan(&j.id, &j.stem)
	})
	if err != nil {
		return n, err
	}
	for _, j := range jobs {
		if err := dead(j.stem, func() error {
			_, err := conn.Exec(ctx, sqlJobDead, j.id)
			return err
		}); err != nil {
			return n, err
		}
	}
	return n, nil
}
