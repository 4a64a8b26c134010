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

// costField is a CostModel drawn on a RouteSpace's plane.
type costField struct {
	model *CostModel
	proj  Gnomonic
	areas []fieldArea
	lines []fieldLines
}

type fieldArea struct {
	polys [][]*spaceRing
	idx   rtree.RTreeG[int32]
}

type fieldLines struct {
	segs [][2]orb.Point
	idx  rtree.RTreeG[int32]
	w    float64
}

func newCostField(proj Gnomonic, m *CostModel) *costField {
	f := &costField{model: m, proj: proj}
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
					pts := make([]orb.Point, 0, len(r))
					for _, v := range r {
						q, ok := proj.Forward(v)
						if !ok {
							continue
						}
						if n := len(pts); n > 0 && pts[n-1] == q {
							continue
						}
						pts = append(pts, q)
					}
					if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
						pts = pts[:len(pts)-1]
					}
					if len(pts) < 3 {
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
	for _, l := range m.Lines {
		fl := fieldLines{w: l.WithinM}
		for _, ls := range l.Lines {
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
		}
		for i, s := range fl.segs {
			b := orb.Bound{Min: s[0], Max: s[0]}.Extend(s[1])
			fl.idx.Insert(b.Min, b.Max, int32(i))
		}
		f.lines = append(f.lines, fl)
	}
	return f
}

// terms measures the planar segment ab (whose geodesic length is lengthM).
func (f *costField) terms(a, b orb.Point, lengthM float64) EdgeTerms {
	t := EdgeTerms{LengthM: lengthM, InsideM: make([]float64, len(f.areas)), Crossings: make([]int, len(f.lines)), BesideM: make([]float64, len(f.lines))}
	sb := orb.Bound{Min: a, Max: a}.Extend(b)
	var iv [][2]float64
	for k := range f.areas {
		fa := &f.areas[k]
		iv = iv[:0]
		fa.idx.Search(sb.Min, sb.Max, func(bmin, bmax [2]float64, pi int32) bool {
			if !segHitsBox(a, b, orb.Bound{Min: bmin, Max: bmax}) {
				return true
			}
			iv = append(iv, insideIntervals(fa.polys[pi], a, b)...)
			return true
		})
		t.InsideM[k] = unionFrac(iv) * lengthM
	}
	for k := range f.lines {
		fl := &f.lines[k]
		iv = iv[:0]
		q := sb.Pad(fl.w)
		fl.idx.Search(q.Min, q.Max, func(_, _ [2]float64, si int32) bool {
			s := fl.segs[si]
			if segsIntersect(a, b, s[0], s[1]) && !(orient(a, b, s[0]) == 0 && orient(a, b, s[1]) == 0) {
				// Count a crossing once: not where the line only
				// reaches the route's end point from one side.
				if orient(a, b, s[1]) != 0 {
					t.Crossings[k]++
				}
			}
			if fl.w > 0 {
				if lo, hi, ok := capsuleInterval(a, b, s[0], s[1], fl.w); ok {
					iv = append(iv, [2]float64{lo, hi})
				}
			}
			return true
		})
		t.BesideM[k] = unionFrac(iv) * lengthM
	}
	return t
}

// insideIntervals returns the parameter intervals of segment ab inside the
// polygon of rings (even-odd).
func insideIntervals(rings []*spaceRing, a, b orb.Point) [][2]float64 {
	ts := []float64{0, 1}
	sb := orb.Bound{Min: a, Max: a}.Extend(b)
	dx, dy := b[0]-a[0], b[1]-a[1]
	for _, r := range rings {
		if !sb.Intersects(r.bound) {
			continue
		}
		l := math.Hypot(dx, dy)
		pieces := 1
		if r.edges != nil {
			pieces = int(math.Ceil(l / 2000))
		}
		seen := map[[2]orb.Point]bool{}
		prev := a
		for k := 1; k <= pieces; k++ {
			next := b
			if k < pieces {
				next = lerp(a, b, float64(k)/float64(pieces))
			}
			pb := orb.Bound{Min: prev, Max: prev}.Extend(next)
			r.edgesNear(pb, 0, func(e0, e1 orb.Point) bool {
				if pieces > 1 {
					key := [2]orb.Point{e0, e1}
					if seen[key] {
						return true
					}
					seen[key] = true
				}
				ex, ey := e1[0]-e0[0], e1[1]-e0[1]
				den := dx*ey - dy*ex
				if den == 0 {
					return true
				}
				s := ((e0[0]-a[0])*ey - (e0[1]-a[1])*ex) / den
				u := ((e0[0]-a[0])*dy - (e0[1]-a[1])*dx) / den
				if s > 0 && s < 1 && u >= 0 && u < 1 {
					ts = append(ts, s)
				}
				return true
			})
			prev = next
		}
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
			if r.bound.Contains(mid) && ringCrossings(r.pts, mid) {
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

// MeasureRoute returns the cost model's terms for a route (EPSG:4326),
// measured as the planner measures the edges of its graph: each section a
// great-circle arc, lengths geodesic.
func MeasureRoute(line orb.LineString, m *CostModel) EdgeTerms {
	proj := NewGnomonic(line.Bound().Center())
	f := newCostField(proj, m)
	total := EdgeTerms{InsideM: make([]float64, len(f.areas)), Crossings: make([]int, len(f.lines)), BesideM: make([]float64, len(f.lines))}
	for i := 1; i < len(line); i++ {
		a, _ := proj.Forward(line[i-1])
		b, _ := proj.Forward(line[i])
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
