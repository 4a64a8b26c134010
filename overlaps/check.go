package overlaps

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/coalmap/coalmap/geo"
	"github.com/paulmach/orb"
)

// chunkSegments is how many consecutive segments of an alignment make one
// query of a layer's R-tree.
const chunkSegments = 32

// Check finds every polygon of the requested layers that each alignment
// crosses or passes within the clearance of. Bad options are *OptionError
// values, bad alignments *AlignmentError values (the API answers 422 for
// geo.ErrZeroLength and similar geometry errors), and a layer the source
// cannot load wraps ErrLayerLoad.
func (e *Engine) Check(ctx context.Context, alignments []Alignment, opts Options) (*Report, error) {
	if len(alignments) == 0 {
		return nil, ErrNoAlignments
	}
	if len(alignments) > e.cfg.MaxAlignments {
		return nil, fmt.Errorf("%w: %d, limit %d", ErrTooManyAlignments, len(alignments), e.cfg.MaxAlignments)
	}
	names, width, err := opts.resolve(&e.cfg)
	if err != nil {
		return nil, err
	}
	lines := make([]*geo.PreparedLine, len(alignments))
	for i, a := range alignments {
		l, err := geo.PrepareLine(a.Geom, e.cfg.MaxVertices)
		if err != nil {
			return nil, &AlignmentError{Index: i, ID: a.ID, Err: err}
		}
		lines[i] = l
	}
	layers, err := e.loadLayers(ctx, names)
	if err != nil {
		return nil, err
	}
	r := &Report{
		RowWidthM:  width,
		ClearanceM: opts.ClearanceM,
		Crossings:  []Crossing{},
		NearMisses: []NearMiss{},
		Alignments: make([]AlignmentSummary, 0, len(lines)),
	}
	for _, li := range layers {
		r.Layers = append(r.Layers, LayerVersion{Layer: li.name, Version: li.version})
	}
	crossedSet := map[[2]string]struct{}{}
	for i, l := range lines {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res := checkLine(ctx, l, layers, width/2, opts.ClearanceM, e.cfg.Workers, &e.meters)
		if res.err != nil {
			return nil, res.err
		}
		id := alignments[i].ID
		s := AlignmentSummary{Alignment: i, AlignmentID: id, LengthM: l.LengthGeodesic()}
		for _, c := range res.crossings {
			c.Alignment, c.AlignmentID = i, id
			r.Crossings = append(r.Crossings, c)
			s.PolygonsCrossed++
			s.Crossings += c.Crossings
			s.CorridorAreaHa += c.CorridorAreaHa
			crossedSet[[2]string{c.Layer, c.ID}] = struct{}{}
		}
		for _, n := range res.nearMisses {
			n.Alignment, n.AlignmentID = i, id
			r.NearMisses = append(r.NearMisses, n)
			s.NearMisses++
		}
		s.LengthInsideM = res.insideM
		s.ShareInsidePct = pct(s.LengthInsideM, s.LengthM)
		r.Alignments = append(r.Alignments, s)

		r.Summary.LengthM += s.LengthM
		r.Summary.LengthInsideM += s.LengthInsideM
		r.Summary.Crossings += s.Crossings
		r.Summary.CorridorAreaHa += s.CorridorAreaHa
		r.Summary.NearMisses += s.NearMisses
	}
	r.Summary.Alignments = len(lines)
	r.Summary.PolygonsCrossed = len(crossedSet)
	r.Summary.ShareInsidePct = pct(r.Summary.LengthInsideM, r.Summary.LengthM)
	return r, nil
}

func (e *Engine) loadLayers(ctx context.Context, names []string) ([]*layerIndex, error) {
	out := make([]*layerIndex, 0, len(names))
	for _, n := range names {
		li, err := e.layer(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, li)
	}
	return out, nil
}

func pct(part, whole float64) float64 {
	if whole <= 0 {
		return 0
	}
	return 100 * part / whole
}

// lineResult is what one alignment does against some layers.
type lineResult struct {
	crossings  []Crossing
	nearMisses []NearMiss
	insideM    float64 // length inside any polygon, overlaps counted once
	err        error
}

// checkLine runs one prepared alignment against the layers, evaluating the
// candidate polygons on up to par goroutines, each with a CorridorMeter
// from meters.
func checkLine(ctx context.Context, l *geo.PreparedLine, layers []*layerIndex, halfWidthM, clearanceM float64, par int, meters *sync.Pool) lineResult {
	type candidate struct {
		li *layerIndex
		f  *feature
	}
	var cands []candidate
	latPad, lonPad := padDegrees(l.Bound(), clearanceM)
	var ids []int
	for _, li := range layers {
		ids = ids[:0]
		l.SegmentRunBounds(chunkSegments, func(b orb.Bound) bool {
			b.Min[0] -= lonPad
			b.Min[1] -= latPad
			b.Max[0] += lonPad
			b.Max[1] += latPad
			ids = li.index.Candidates(ids, b)
			return true
		})
		slices.Sort(ids)
		for _, id := range slices.Compact(ids) {
			cands = append(cands, candidate{li, &li.feats[id]})
		}
	}

	type outcome struct {
		crossing *Crossing
		nearMiss *NearMiss
	}
	outs := make([]outcome, len(cands))
	total := l.LengthGeodesic()
	eval := func(k int, m *geo.CorridorMeter) {
		li, f := cands[k].li, cands[k].f
		clip := geo.ClipPlanar(l, f.poly)
		if len(clip.Pieces) > 0 {
			c := &Crossing{
				Layer: li.name, ID: f.id, Name: f.name, Allocatee: f.allocatee, Status: f.status,
				LengthM:             clip.LengthM,
				Crossings:           len(clip.Pieces),
				Entries:             make([]Waypoint, len(clip.Pieces)),
				Exits:               make([]Waypoint, len(clip.Pieces)),
				PolygonAreaHa:       f.poly.AreaGeodesic() / 1e4,
				ShareOfAlignmentPct: pct(clip.LengthM, total),
				Pieces:              MultiLineGeometry{Type: "MultiLineString", Coordinates: make(orb.MultiLineString, len(clip.Pieces))},
			}
			for j, pc := range clip.Pieces {
				c.Entries[j] = waypoint(pc.Entry)
				c.Exits[j] = waypoint(pc.Exit)
				c.Pieces.Coordinates[j] = pc.Line
			}
			area := m.Area(l, f.poly, halfWidthM)
			c.CorridorAreaHa = area / 1e4
			c.ShareOfPolygonPct = pct(area, f.poly.AreaGeodesic())
			outs[k].crossing = c
			return
		}
		var dist float64
		if !clip.Touches {
			d, ok := geo.MinDistanceGeodesic(l, f.poly, clearanceM)
			if !ok {
				return
			}
			dist = d
		}
		n := &NearMiss{Layer: li.name, ID: f.id, Name: f.name, Allocatee: f.allocatee, Status: f.status, MinDistanceM: dist}
		if dist < halfWidthM {
			n.CorridorAreaHa = m.Area(l, f.poly, halfWidthM) / 1e4
		}
		outs[k].nearMiss = n
	}

	var res lineResult
	par = max(1, min(par, len(cands)))
	meter := func() *geo.CorridorMeter {
		if m, ok := meters.Get().(*geo.CorridorMeter); ok {
			return m
		}
		return new(geo.CorridorMeter)
	}
	if par == 1 {
		m := meter()
		defer meters.Put(m)
		for k := range cands {
			if k%64 == 0 {
				if err := ctx.Err(); err != nil {
					res.err = err
					return res
				}
			}
			eval(k, m)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < par; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := meter()
				defer meters.Put(m)
				for {
					k := int(next.Add(1)) - 1
					if k >= len(cands) || ctx.Err() != nil {
						return
					}
					eval(k, m)
				}
			}()
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			res.err = err
			return res
		}
	}

	var intervals [][2]float64
	for _, o := range outs {
		if c := o.crossing; c != nil {
			res.crossings = append(res.crossings, *c)
			for j := range c.Entries {
				in, out := c.Entries[j].ChainageKm*1000, c.Exits[j].ChainageKm*1000
				if out >= in {
					intervals = append(intervals, [2]float64{in, out})
				} else { // wraps round the start of a closed line
					intervals = append(intervals, [2]float64{in, total}, [2]float64{0, out})
				}
			}
		}
		if n := o.nearMiss; n != nil {
			res.nearMisses = append(res.nearMisses, *n)
		}
	}
	sort.SliceStable(res.crossings, func(i, j int) bool {
		return res.crossings[i].Entries[0].ChainageKm < res.crossings[j].Entries[0].ChainageKm
	})
	sort.SliceStable(res.nearMisses, func(i, j int) bool {
		return res.nearMisses[i].MinDistanceM < res.nearMisses[j].MinDistanceM
	})
	res.insideM = unionLength(intervals)
	return res
}

func waypoint(p geo.LinePosition) Waypoint {
	return Waypoint{Lon: p.Point[0], Lat: p.Point[1], ChainageKm: p.ChainageM / 1000}
}

// unionLength returns the total length covered by the intervals.
func unionLength(iv [][2]float64) float64 {
	slices.SortFunc(iv, func(a, b [2]float64) int {
		switch {
		case a[0] < b[0]:
			return -1
		case a[0] > b[0]:
			return 1
		}
		return 0
	})
	var sum float64
	curLo, curHi := math.Inf(-1), math.Inf(-1)
	for _, v := range iv {
		if v[0] > curHi {
			if curHi > curLo {
				sum += curHi - curLo
			}
			curLo, curHi = v[0], v[1]
			continue
		}
		curHi = math.Max(curHi, v[1])
	}
	if curHi > curLo {
		sum += curHi - curLo
	}
	return sum
}

// padDegrees converts a distance in metres to conservative latitude and
// longitude margins around b.
func padDegrees(b orb.Bound, m float64) (latPad, lonPad float64) {
	if m <= 0 {
		return 1e-9, 1e-9
	}
	latPad = m/110000*1.05 + 1e-9
	maxLat := math.Min(89.9, math.Max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))+latPad)
	lonPad = m/(111000*math.Cos(maxLat*math.Pi/180))*1.05 + 1e-9
	return latPad, lonPad
}
