package layers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// run imports spec as job id: open the source, decide (unchanged? new
// layer?), plan, stage, stream the rows, check, swap, and wait until the
// servers have the change. If anything fails, or ctx ends, the layer keeps
// its previous data (a new layer does not appear). Every outcome is
// recorded with its report.
func (s *Imports) run(ctx context.Context, id int64, spec ImportSpec) (res ImportResult, err error) {
	start := time.Now()
	res = ImportResult{Layer: spec.Layer, ImportID: id, Status: ImportRunning}
	prog := newProgress(ctx, s.store, spec.Progress, id)
	defer func() {
		prog.close()
		res.Duration = time.Since(start)
		res.Seconds = res.Duration.Seconds()
		if err == nil && res.Status == ImportRunning {
			res.Status = ImportSucceeded
		}
		s.finish(ctx, &res, err)
	}()

	src, err := s.open(spec, &res)
	if err != nil {
		return res, err
	}
	// The files' checksum is computed while they are read: the report and
	// the lineage wait for it, and so does the comparison with the layer's
	// when there is one to compare with.
	sum := func() error { return nil }
	if fs, ok := src.(*FileSource); ok {
		defer fs.Close()
		sum = func() error {
			var err error
			if res.Checksum == "" {
				res.Checksum, err = fs.Checksum()
			}
			return err
		}
		defer func() {
			if err != nil {
				_ = sum() // for the report, if it can be had
			}
		}()
	}
	opts := importOptions(spec)
	beginReport(&res, spec, src, opts)

	cur, err := s.store.Layer(ctx, spec.Layer)
	exists := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return res, err
	}
	if exists && cur.Lineage.Checksum != "" && cur.DataVersion > 0 {
		if err := sum(); err != nil {
			return res, err
		}
	}
	if exists && res.Checksum != "" && cur.Lineage.Checksum == res.Checksum && cur.DataVersion > 0 {
		same, err := s.sameOptions(ctx, spec.Layer, opts)
		if err != nil {
			return res, err
		}
		if same {
			return s.unchanged(ctx, id, spec, cur, res, opts)
		}
	}
	if err := s.store.StartImport(ctx, id, res.Source, res.Checksum, opts); err != nil {
		return res, err
	}
	base := cur
	if !exists {
		if base, err = newLayer(spec, src); err != nil {
			return res, err
		}
	} else {
		describe(&base, spec)
	}
	plan, err := PlanImport(base, src.Fields(), src.CRS(), spec.Read.SRID)
	if err != nil {
		return res, err
	}
	if err := s.checkSRID(ctx, plan, src, &res); err != nil {
		return res, err
	}

	st, err := s.store.Stage(ctx, StageSpec{Layer: spec.Layer, Job: id, GeometryType: plan.Layer.GeometryType,
		SRID: plan.SRID, Columns: columnAttributes(plan.Columns)})
	if err != nil {
		return res, err
	}
	defer st.Close()

	prog.phase(PhaseReading)
	rows := newRowLoop(ctx, src, plan, spec.Invalid, prog.features)
	_, err = st.Copy(ctx, rows)
	rows.stop()
	res.Read, res.NullGeometries, res.Rejected, res.Rejections = rows.read.Load(), rows.nulls, rows.rejected, rows.rejections
	sourceReport(&res, src)
	if rows.err != nil {
		err = rows.err
	}
	if err != nil {
		return res, err
	}

	prog.phase(PhaseChecking)
	chk, err := st.Check(ctx, CheckSpec{Suspects: rows.suspects, Reject: spec.Invalid == Reject, Bounds: India(), Measured: rows.measure})
	if err != nil {
		return res, err
	}
	if spec.Invalid == Reject {
		res.Rejected += chk.InvalidCount
		res.Rejections = append(res.Rejections, chk.Invalid[:min(len(chk.Invalid), MaxRejections-len(res.Rejections))]...)
	} else {
		res.Repaired, res.Repairs = chk.InvalidCount, chk.Invalid
	}
	res.Features = res.Read - res.Rejected
	res.Extent = chk.Extent
	if chk.OutOfRange > 0 {
		return res, &RangeError{Count: chk.OutOfRange, Total: res.Features - res.NullGeometries, SRID: plan.SRID, From: res.CRSFrom, Features: rangeOnly(chk.OutsideFeatures, chk.OutOfRange)}
	}
	if chk.Outside > 0 && !spec.AllowOutside {
		return res, &OutsideError{Extent: *chk.Extent, Outside: chk.Outside, Total: res.Features - res.NullGeometries, SRID: plan.SRID,
			From: res.CRSFrom, Features: chk.OutsideFeatures}
	}

	if err := sum(); err != nil {
		return res, err
	}
	prog.phase(PhaseBuilding)
	next := plan.Layer
	now := time.Now().UTC()
	next.Lineage.Source, next.Lineage.Checksum, next.Lineage.ImportedAt, next.Lineage.ImportedBy = res.Source, res.Checksum, &now, spec.Actor
	next.SourceCRS = "EPSG:" + strconv.Itoa(plan.SRID)
	next.FeatureCount, next.Extent = res.Features, res.Extent
	ch, err := st.Swap(ctx, SwapSpec{Layer: next, Describe: exists && (spec.Meta != nil || spec.Title != ""), Actor: spec.Actor,
		Audit: map[string]any{"import_id": id, "source": res.Source, "checksum": res.Checksum, "features": res.Features,
			"repaired": res.Repaired, "rejected": res.Rejected}})
	if err != nil {
		return res, err
	}
	res.DataVersion, res.Change = ch.Version, ch.ID

	// Success is reported once the servers following the change feed
	// have the new version (or the wait has timed out, which the report
	// says): the layer is committed either way.
	prog.phase(PhasePublishing)
	if s.acks != nil {
		v, err := s.acks.WaitAcked(context.WithoutCancel(ctx), ch.ID, s.cfg.VisibleTimeout)
		if err != nil {
			s.log.WarnContext(ctx, "waiting for the servers to have an import", "layer", spec.Layer, "err", err, "cause", Cause(err))
		}
		res.Visibility = &v
	}
	res.Status = ImportSucceeded
	prog.phase(PhaseDone)
	return res, nil
}

// open opens the spec's files, or takes its source.
func (s *Imports) open(spec ImportSpec, res *ImportResult) (FeatureSource, error) {
	if spec.Source != nil {
		res.Source, res.Checksum = spec.SourceName, spec.Checksum
		return spec.Source, nil
	}
	fs, err := OpenFiles(spec.Files, spec.Read)
	if err != nil {
		return nil, err
	}
	if spec.Opened != nil {
		spec.Opened(fs)
	}
	res.Source = fs.Name() // the checksum follows (run)
	return fs, nil
}

// unchanged ends an import whose source and options are those the layer's
// data was loaded from: nothing is loaded; new metadata, if any, is
// applied.
func (s *Imports) unchanged(ctx context.Context, id int64, spec ImportSpec, cur Layer, res ImportResult, opts map[string]string) (ImportResult, error) {
	if err := s.store.StartImport(ctx, id, res.Source, res.Checksum, opts); err != nil {
		return res, err
	}
	next := cur
	describe(&next, spec)
	if !sameDescription(&cur, &next) {
		if _, err := s.store.PutLayer(ctx, &next, spec.Actor); err != nil {
			return res, err
		}
	}
	res.Unchanged, res.Features, res.DataVersion = true, cur.FeatureCount, cur.DataVersion
	res.Status = ImportUnchanged
	return res, nil
}

// sameOptions reports whether the import that loaded the layer's current
// data had the options opts. No record (a layer loaded before imports were
// recorded): the checksum alone decides, as it did then.
func (s *Imports) sameOptions(ctx context.Context, layer string, opts map[string]string) (bool, error) {
	last, ok, err := s.store.LastOptions(ctx, layer)
	if err != nil || !ok {
		return !ok, err
	}
	return maps.Equal(last, opts), nil
}

// checkSRID settles the source CRS: the one given or found by the reader
// (formats matches CRS definitions), which the store must know. An unknown
// CRS is refused, never taken for WGS 84.
func (s *Imports) checkSRID(ctx context.Context, plan *ImportPlan, src FeatureSource, res *ImportResult) error {
	if plan.SRID == 0 {
		return &ValidationError{Feature: -1, Field: "crs", Reason: fmt.Sprintf(
			"the source's coordinate reference system is unknown (%s); say which it is with --srid "+
				"(for example --srid 32644 for UTM zone 44N, 24378 for Kalianpur 1975 / India zone I)", src.CRS().From)}
	}
	ok, err := s.store.KnownSRID(ctx, plan.SRID)
	if err != nil {
		return err
	}
	if !ok {
		return &ValidationError{Feature: -1, Field: "srid", Reason: fmt.Sprintf("EPSG:%d is not a CRS PostGIS knows (spatial_ref_sys)", plan.SRID)}
	}
	if res.CRS == "" {
		res.CRS = "EPSG:" + strconv.Itoa(plan.SRID)
	}
	return nil
}

// newLayer is the catalog entry of a layer the import creates: Meta when
// given, else a public layer titled by its id whose geometry type is that
// of the source's first geometry.
func newLayer(spec ImportSpec, src FeatureSource) (Layer, error) {
	l := Layer{ID: spec.Layer, Title: spec.Layer, Access: Public, MaxZoom: 22, SRID: StorageSRID}
	if spec.Meta != nil {
		l = *spec.Meta
		l.ID = spec.Layer
	} else {
		gs, ok := src.(interface{ GeometryType() (GeometryType, error) })
		if !ok {
			return l, &ValidationError{Feature: -1, Field: "geometry_type", Reason: "a new layer needs its geometry type"}
		}
		var err error
		if l.GeometryType, err = gs.GeometryType(); err != nil {
			return l, err
		}
	}
	if spec.Title != "" {
		l.Title = spec.Title
	}
	if l.SRID == 0 {
		l.SRID = StorageSRID
	}
	if l.Keywords == nil {
		l.Keywords = []string{}
	}
	// The data's fields are the import's to set.
	l.FeatureCount, l.Extent, l.DataVersion, l.MetadataVersion = 0, nil, 0, 0
	return l, l.Validate()
}

// describe applies the spec's Meta (its descriptive fields: not the
// attributes, which are the table's columns, nor the data's fields) and
// Title to an existing layer l.
func describe(l *Layer, spec ImportSpec) {
	if m := spec.Meta; m != nil {
		keep := *l
		*l = *m
		l.ID = keep.ID
		l.GeometryType, l.SRID, l.Attributes = keep.GeometryType, keep.SRID, keep.Attributes
		l.Lineage, l.FeatureCount, l.Extent = keep.Lineage, keep.FeatureCount, keep.Extent
		l.DataVersion, l.MetadataVersion, l.CreatedAt, l.UpdatedAt = keep.DataVersion, keep.MetadataVersion, keep.CreatedAt, keep.UpdatedAt
		if l.SourceCRS == "" {
			l.SourceCRS = keep.SourceCRS
		}
		if l.Keywords == nil {
			l.Keywords = []string{}
		}
	}
	if spec.Title != "" {
		l.Title = spec.Title
	}
}

// sameDescription reports whether a and b have the same descriptive
// metadata.
func sameDescription(a, b *Layer) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	var ma, mb map[string]any
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	for _, k := range []string{"updated_at", "created_at"} {
		delete(ma, k)
		delete(mb, k)
	}
	return reflect.DeepEqual(ma, mb)
}

func columnAttributes(cs []Column) []Attribute {
	out := make([]Attribute, len(cs))
	for i, c := range cs {
		out[i] = c.Attribute
	}
	return out
}

// importOptions are what, beside the checksum, makes two imports the same.
func importOptions(spec ImportSpec) map[string]string {
	o := map[string]string{"invalid": spec.Invalid.String()}
	for k, v := range map[string]string{"id_field": spec.Read.IDField, "encoding": spec.Read.Encoding,
		"source_layer": spec.Read.SourceLayer, "format": spec.Read.Format} {
		if v != "" {
			o[k] = v
		}
	}
	if spec.Read.SRID != 0 {
		o["srid"] = strconv.Itoa(spec.Read.SRID)
	}
	if spec.AllowOutside {
		o["allow_outside"] = "true"
	}
	return o
}

// beginReport fills in what the report says of the source before reading.
func beginReport(res *ImportResult, spec ImportSpec, src FeatureSource, opts map[string]string) {
	res.Options = opts
	crs := src.CRS()
	if crs.SRID != 0 {
		res.CRS = "EPSG:" + strconv.Itoa(crs.SRID)
	}
	res.CRSFrom = crs.From
	if spec.Read.SRID != 0 {
		res.CRS, res.CRSFrom = "EPSG:"+strconv.Itoa(spec.Read.SRID), "--srid"
	}
	sourceReport(res, src)
}

// sourceReport copies the source's encoding and counts into the report.
func sourceReport(res *ImportResult, src FeatureSource) {
	rs, ok := src.(ReportingSource)
	if !ok {
		return
	}
	res.Encoding, res.EncodingFrom = rs.Encoding()
	st := rs.Stats()
	res.ZDropped, res.Skipped, res.Widened = st.ZDropped, st.Skipped, st.Widened
}

func baseName(p string) string { return filepath.Base(p) }

// progress reports how far an import has got: to the spec's callback about
// five times a second and at each phase, and to the job's record about once
// a second.
type progress struct {
	ctx      context.Context
	jobs     ImportJobs
	fn       func(ImportProgress)
	id       int64
	features *atomic.Int64
	name     atomic.Pointer[string]
	mu       sync.Mutex // serialises calls of fn
	stopc    chan struct{}
	done     chan struct{}
}

func newProgress(ctx context.Context, jobs ImportJobs, fn func(ImportProgress), id int64) *progress {
	p := &progress{ctx: ctx, jobs: jobs, fn: fn, id: id, features: new(atomic.Int64),
		stopc: make(chan struct{}), done: make(chan struct{})}
	phase := PhaseQueued
	p.name.Store(&phase)
	go p.run()
	return p
}

func (p *progress) now() ImportProgress {
	return ImportProgress{Phase: *p.name.Load(), Features: p.features.Load()}
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
			if now.Sub(last) >= time.Second && *p.name.Load() != PhaseQueued {
				last = now
				_ = p.jobs.SaveProgress(p.ctx, p.id, p.now())
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

// rangeOnly keeps the first n of fs: the out-of-range features, which
// CheckResult.OutsideFeatures lists first.
func rangeOnly(fs []Rejection, n int64) []Rejection {
	return fs[:min(int64(len(fs)), n)]
}
