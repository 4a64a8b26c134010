package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// SoftArea is a set of polygons (EPSG:4326) a route pays for per metre of
// centre line inside any of them (overlaps counted once).
type SoftArea struct {
	Polygons []orb.MultiPolygon
	CostPerM float64 // ≥ 0: metres of route length one metre inside is worth
}

// SoftLines is a set of lines (EPSG:4326) a route pays for crossing and is
// rewarded for running beside.
type SoftLines struct {
	Lines     []orb.LineString
	PenaltyM  float64 // ≥ 0, per crossing, in metres of route length
	BonusPerM float64 // in [0, 1): per metre within WithinM of a line
	WithinM   float64 // ≥ 0
}

// CostModel is what a route costs beyond its length: cost = length +
// Σ CostPerM·length inside each area + Σ PenaltyM·crossings −
// Σ BonusPerM·length beside each line set + AngleM·angle points.
type CostModel struct {
	Areas  []SoftArea
	Lines  []SoftLines
	AngleM float64 // ≥ 0, per angle point
}

// EdgeTerms are the terms of the cost model for one straight piece of route.
type EdgeTerms struct {
	LengthM   float64   // geodesic
	InsideM   []float64 // per area set
	Crossings []int     // per line set
	BesideM   []float64 // per line set
}

// Cost returns the terms' cost under m, angle points aside.
func (t EdgeTerms) Cost(m *CostModel) float64 {
	c := t.LengthM
	if m == nil {
		return c
	}
	for i, a := range m.Areas {
		c += a.CostPerM * t.InsideM[i]
	}
	for i, l := range m.Lines {
		c += l.PenaltyM*float64(t.Crossings[i]) - l.BonusPerM*t.BesideM[i]
	}
	return c
}

// Add adds u to t.
func (t *EdgeTerms) Add(u EdgeTerms) {
	t.LengthM += u.LengthM
	for i := range u.InsideM {
		t.InsideM[i] += u.InsideM[i]
	}
	for i := range u.Crossings {
		t.Crossings[i] += u.Crossings[i]
		t.BesideM[i] += u.BesideM[i]
	}
}

// CostField is a CostModel drawn on a plane (a RouteSpace's), ready to
// measure routes and the edges of the planner's graph. It is immutable and
// safe for concurrent use; building it (projecting and indexing every soft
// feature) is the costly part, so a request builds one and uses it for its
// planning and its scoring.
type CostField struct {
	model *CostModel
	proj  Gnomonic
	areas []fieldArea
	lines []fieldLines
	// lineIdx indexes the chunks of every line set at once (set<<24 |
	// chunk): one lookup per piece of an edge, whatever the sets.
	lineIdx rtree.RTreeG[int32]
	lineW   float64 // the widest WithinM of the sets
}

type fieldArea struct {
	polys [][]*spaceRing
	idx   rtree.RTreeG[int32]
}

// fieldLines holds a line set's segments in runs (chunks) of up to
// chunkSize consecutive segments of one line, indexed in CostField.lineIdx.
type fieldLines struct {
	segs [][2]orb.Point
	ends []int32 // end (exclusive) of each chunk; chunks are contiguous
	w    float64
}

// maxLineChunks bounds the chunks of one line set (24 bits of the index's
// key).
const maxLineChunks = 1 << 24

// NewCostField draws m on proj's plane (nil m: length alone).
func NewCostField(proj Gnomonic, m *CostModel) *CostField {
	f := &CostField{model: m, proj: proj}
	if m == nil {
		return f
	}
	for _, a := range m.Areas {
		var fa fieldArea
		for _, mp := range a.Polygons {
			var rings []*spaceRing
			var b orb.Bound
			for _, poly := range mp {
				for _, r := range poly {
					pts, ok := planarRing(proj, r, nil)
					if !ok || len(pts) < 3 {
						continue
					}
					sr := &spaceRing{pts: pts, bound: orb.MultiPoint(pts).Bound()}
					sr.index()
					if len(rings) == 0 {
						b = sr.bound
					} else {
						b = b.Union(sr.bound)
					}
					rings = append(rings, sr)
				}
			}
			if len(rings) > 0 {
				fa.idx.Insert(b.Min, b.Max, int32(len(fa.polys)))
				fa.polys = append(fa.polys, rings)
			}
		}
		f.areas = append(f.areas, fa)
	}
	for k, l := range m.Lines {
		fl := fieldLines{w: l.WithinM}
		f.lineW = math.Max(f.lineW, l.WithinM)
		for _, ls := range l.Lines {
			start := len(fl.segs)
			var prev orb.Point
			for i, v := range ls {
				q, ok := proj.Forward(v)
				if !ok {
					continue
				}
				if i > 0 && q != prev {
					fl.segs = append(fl.segs, [2]orb.Point{prev, q})
				}
				prev = q
			}
			for lo := start; lo < len(fl.segs) && len(fl.ends) < maxLineChunks; lo += chunkSize {
				hi := min(lo+chunkSize, len(fl.segs))
				b := orb.Bound{Min: fl.segs[lo][0], Max: fl.segs[lo][0]}
				for _, sg := range fl.segs[lo:hi] {
					b = b.Extend(sg[1])
				}
				f.lineIdx.Insert(b.Min, b.Max, int32(k<<24|len(fl.ends)))
				fl.ends = append(fl.ends, int32(hi))
			}
		}
		f.lines = append(f.lines, fl)
	}
	return f
}

// fieldStep is the longest piece of an edge looked up at once in the soft
// layers' indexes: a long diagonal edge's box would take in every feature
// of a region.
const fieldStep = 2000.0

// terms measures the planar segment ab (whose geodesic length is lengthM).
func (f *CostField) terms(a, b orb.Point, lengthM float64) EdgeTerms {
	t := EdgeTerms{LengthM: lengthM, InsideM: make([]float64, len(f.areas)), Crossings: make([]int, len(f.lines)), BesideM: make([]float64, len(f.lines))}
	sb := orb.Bound{Min: a, Max: a}.Extend(b)
	l := math.Hypot(b[0]-a[0], b[1]-a[1])
	var iv [][2]float64
	for k := range f.areas {
		fa := &f.areas[k]
		iv = iv[:0]
		fa.idx.Search(sb.Min, sb.Max, func(bmin, bmax [2]float64, pi int32) bool {
			if !segHitsBox(a, b, orb.Bound{Min: bmin, Max: bmax}) {
				return true
			}
			iv = append(iv, insideIntervals(fa.polys[pi], a, b, l)...)
			return true
		})
		t.InsideM[k] = unionFrac(iv) * lengthM
	}
	if len(f.lines) == 0 {
		return t
	}
	// The line sets: one lookup per piece of the edge; a segment met from
	// two pieces is counted once.
	var crossed []int64 // set<<32 | segment
	beside := make([][][2]float64, len(f.lines))
	pieces(a, b, l, 0, 1, math.Max(fieldStep, 4*f.lineW), func(_, _ float64, pb orb.Bound) bool {
		q := pb.Pad(f.lineW)
		f.lineIdx.Search(q.Min, q.Max, func(_, _ [2]float64, key int32) bool {
			k, c := int(key>>24), key&(maxLineChunks-1)
			fl := &f.lines[k]
			qk := pb.Pad(fl.w)
			lo := int32(0)
			if c > 0 {
				lo = fl.ends[c-1]
			}
			for si := lo; si < fl.ends[c]; si++ {
				s := fl.segs[si]
				if math.Max(s[0][0], s[1][0]) < qk.Min[0] || math.Min(s[0][0], s[1][0]) > qk.Max[0] ||
					math.Max(s[0][1], s[1][1]) < qk.Min[1] || math.Min(s[0][1], s[1][1]) > qk.Max[1] {
					continue
				}
				if segsIntersect(a, b, s[0], s[1]) && !(orient(a, b, s[0]) == 0 && orient(a, b, s[1]) == 0) {
					// Count a crossing once: not where the line only
					// reaches the route's end point from one side.
					if orient(a, b, s[1]) != 0 {
						crossed = append(crossed, int64(k)<<32|int64(si))
					}
				}
				if fl.w > 0 {
					if lo, hi, ok := capsuleInterval(a, b, s[0], s[1], fl.w); ok {
						beside[k] = append(beside[k], [2]float64{lo, hi})
					}
				}
			}
			return true
		})
		return true
	})
	slices.Sort(crossed)
	for _, c := range slices.Compact(crossed) {
		t.Crossings[c>>32]++
	}
	for k := range f.lines {
		t.BesideM[k] = unionFrac(beside[k]) * lengthM
	}
	return t
}

// insideIntervals returns the parameter intervals of segment ab (of planar
// length l) inside the polygon of rings (even-odd).
func insideIntervals(rings []*spaceRing, a, b orb.Point, l float64) [][2]float64 {
	ts := []float64{0, 1}
	dx, dy := b[0]-a[0], b[1]-a[1]
	for _, r := range rings {
		t0, t1, ok := segBoxParams(a, b, r.bound)
		if !ok {
			continue
		}
		// The pieces of ab across the ring's box, each looked up alone; an
		// edge met from two pieces is taken where its crossing lies.
		pieces(a, b, l, t0, t1, fieldStep, func(lo, hi float64, pb orb.Bound) bool {
			r.edgesNear(pb, 0, func(_ int, e0, e1 orb.Point) bool {
				ex, ey := e1[0]-e0[0], e1[1]-e0[1]
				den := dx*ey - dy*ex
				if den == 0 {
					return true
				}
				s := ((e0[0]-a[0])*ey - (e0[1]-a[1])*ex) / den
				u := ((e0[0]-a[0])*dy - (e0[1]-a[1])*dx) / den
				if s > 0 && s < 1 && u >= 0 && u < 1 && (s >= lo && s < hi || hi == t1 && s == t1) {
					ts = append(ts, s)
				}
				return true
			})
			return true
		})
	}
	slices.Sort(ts)
	var out [][2]float64
	for i := 0; i+1 < len(ts); i++ {
		if ts[i+1] <= ts[i] {
			continue
		}
		mid := lerp(a, b, (ts[i]+ts[i+1])/2)
		in := false
		for _, r := range rings {
			if r.contains(mid) {
				in = !in
			}
		}
		if in {
			out = append(out, [2]float64{ts[i], ts[i+1]})
		}
	}
	return out
}

// capsuleInterval returns the parameters of segment ab within w of segment
// cd: one interval, the capsule being convex.
func capsuleInterval(a, b, c, d orb.Point, w float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	dx, dy := b[0]-a[0], b[1]-a[1]
	add := func(l, h float64) {
		l, h = math.Max(l, 0), math.Min(h, 1)
		if l <= h {
			lo, hi = math.Min(lo, l), math.Max(hi, h)
		}
	}
	for _, p := range [2]orb.Point{c, d} {
		// |a + t(b−a) − p|² ≤ w²
		fx, fy := a[0]-p[0], a[1]-p[1]
		A := dx*dx + dy*dy
		B := 2 * (fx*dx + fy*dy)
		C := fx*fx + fy*fy - w*w
		disc := B*B - 4*A*C
		if A == 0 || disc < 0 {
			continue
		}
		sq := math.Sqrt(disc)
		add((-B-sq)/(2*A), (-B+sq)/(2*A))
	}
	ux, uy := d[0]-c[0], d[1]-c[1]
	L := math.Hypot(ux, uy)
	if L > 0 {
		ux, uy = ux/L, uy/L
		// 0 ≤ (P−c)·u ≤ L and |(P−c)·n| ≤ w, P = a + t(b−a).
		l, h := 0.0, 1.0
		for _, con := range [][3]float64{
			{(a[0]-c[0])*ux + (a[1]-c[1])*uy, dx*ux + dy*uy, 0},
			{(a[0]-c[0])*-uy + (a[1]-c[1])*ux, dx*-uy + dy*ux, 1},
		} {
			v0, dv := con[0], con[1]
			min, max := 0.0, L
			if con[2] == 1 {
				min, max = -w, w
			}
			if dv == 0 {
				if v0 < min || v0 > max {
					l, h = 1, 0
				}
				continue
			}
			t1, t2 := (min-v0)/dv, (max-v0)/dv
			if t1 > t2 {
				t1, t2 = t2, t1
			}
			l, h = math.Max(l, t1), math.Min(h, t2)
		}
		add(l, h)
	}
	return lo, hi, lo <= hi
}

// unionFrac returns the total length of the union of intervals in [0, 1].
func unionFrac(iv [][2]float64) float64 {
	if len(iv) == 0 {
		return 0
	}
	slices.SortFunc(iv, func(x, y [2]float64) int {
		switch {
		case x[0] < y[0]:
			return -1
		case x[0] > y[0]:
			return 1
		}
		return 0
	})
	sum, lo, hi := 0.0, iv[0][0], iv[0][1]
	for _, v := range iv[1:] {
		if v[0] > hi {
			sum += hi - lo
			lo, hi = v[0], v[1]
			continue
		}
		hi = math.Max(hi, v[1])
	}
	return sum + hi - lo
}

// Model returns the cost model the field draws.
func (f *CostField) Model() *CostModel { return f.model }

// Measure returns the cost model's terms for a route (EPSG:4326),
// measured as the planner measures the edges of its graph: each section a
// great-circle arc, lengths geodesic. Only the soft features the field was
// built with count.
func (f *CostField) Measure(line orb.LineString) EdgeTerms {
	total := EdgeTerms{InsideM: make([]float64, len(f.areas)), Crossings: make([]int, len(f.lines)), BesideM: make([]float64, len(f.lines))}
	for i := 1; i < len(line); i++ {
		a, _ := f.proj.Forward(line[i-1])
		b, _ := f.proj.Forward(line[i])
		if a == b {
			continue
		}
		total.Add(f.terms(a, b, DistanceGeodesic(line[i-1], line[i])))
	}
	return total
}

// VisibleGeodesic reports whether the great-circle section ab (EPSG:4326)
// keeps the space's margin from every hard polygon.
func (s *RouteSpace) VisibleGeodesic(a, b orb.Point) bool {
	pa, ok1 := s.proj.Forward(a)
	pb, ok2 := s.proj.Forward(b)
	return ok1 && ok2 && s.clearPoint(pa, s.margin*(1-1e-9)) && s.clearPoint(pb, s.margin*(1-1e-9)) && s.visible(pa, pb)
}
