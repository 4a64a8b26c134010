package data

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// The shared coal block set: every block layer (all, allocated, auctioned,
// CIL, captive, explored…) and every layer derived from blocks (mines,
// resource estimates, quarries, boreholes) filters or decorates this one set,
// so the layers agree with each other.

const (
	coalBlockCount    = 600
	ligniteBlockCount = 60
)

// block is one coal or lignite block and its record.
type block struct {
	id, name, nameHi string
	field            *field
	named            bool
	district         string

	// The outline is drawn on demand (most layers need only the centre):
	// these are its parameters, and geom caches it.
	center       orb.Point
	inner, outer float64 // km: a disk of radius inner round center lies inside, the block inside outer
	mean         float64 // km
	n            int
	irr          float64
	m            linear
	holes        int
	sat          *satellite
	nominal      float64 // km², the area the record's figures are based on
	geom         orb.MultiPolygon

	category, allocatee, endUse, status, mineType, grade, exploration string
	resourceMt, reserveMt, pprc                                       float64
	proved, indicated, inferred                                       float64
	allocDate                                                         string
	tranche, seams, depth, reportYear                                 int
	remarks                                                           string
	mine                                                              string // "" (no mine), "Operational", "Closed", "Discontinued"
}

// satellite is the detached second part of a multipolygon block.
type satellite struct {
	center orb.Point
	mean   float64
	n      int
	m      linear
}

// shape returns the block's outline, drawing it the first time from the
// block's own random stream.
func (b *block) shape(seed int64) orb.MultiPolygon {
	if b.geom != nil {
		return b.geom
	}
	r := newRNG(seed, "block/"+b.id)
	o := mappedStar(r, b.center, b.mean, b.n, b.irr, b.m, b.holes)
	b.geom = orb.MultiPolygon{o.poly}
	if b.sat != nil {
		so := mappedStar(r, b.sat.center, b.sat.mean, b.sat.n, 0.3, b.sat.m, 0)
		b.geom = append(b.geom, so.poly)
	}
	return b.geom
}

// starBounds returns radii (km) a star outline of these parameters is
// guaranteed to stay between, after its map.
func starBounds(mean, irr float64, m linear) (inner, outer float64) {
	const slack = 0.02 + 0.045 // jitter and the fine harmonics of long rings
	return mean * (1 - irr - slack) * m.minScale(), mean * (1 + irr + slack) * m.maxScale()
}

// captive reports whether the block was given for a specified end use.
func (b *block) captive() bool {
	return (b.category == catAuction || b.category == catAllotment) && b.endUse != "Commercial"
}

func (b *block) allocated() bool { return b.category == catAuction || b.category == catAllotment }

var subsidiaries = map[string]string{
	"NCL": "Northern Coalfields Ltd", "SECL": "South Eastern Coalfields Ltd", "MCL": "Mahanadi Coalfields Ltd",
	"BCCL": "Bharat Coking Coal Ltd", "CCL": "Central Coalfields Ltd", "ECL": "Eastern Coalfields Ltd",
	"WCL": "Western Coalfields Ltd", "SCCL": "Singareni Collieries Company Ltd", "NEC": "North Eastern Coalfields",
	"NLC India": "NLC India Ltd", "RSMML": "Rajasthan State Mines and Minerals Ltd", "GMDC": "Gujarat Mineral Development Corporation Ltd",
}

var allocatees = map[string][]string{
	"Power":          {"NTPC Ltd", "Damodar Valley Corporation", "Adani Power Ltd", "Jindal Power Ltd", "Maharashtra State Power Generation Co Ltd", "Uttar Pradesh Rajya Vidyut Utpadan Nigam Ltd", "West Bengal Power Development Corporation Ltd", "Odisha Power Generation Corporation Ltd", "Telangana State Power Generation Corporation Ltd", "Chhattisgarh State Power Generation Co Ltd", "Punjab State Power Corporation Ltd", "Haryana Power Generation Corporation Ltd"},
	"Iron and steel": {"Jindal Steel and Power Ltd", "JSW Steel Ltd", "Steel Authority of India Ltd", "Tata Steel Ltd", "ArcelorMittal Nippon Steel India Ltd"},
	"Cement":         {"UltraTech Cement Ltd", "Ambuja Cements Ltd", "Dalmia Cement (Bharat) Ltd", "Shree Cement Ltd"},
	"Aluminium":      {"Hindalco Industries Ltd", "Vedanta Ltd", "National Aluminium Company Ltd", "Bharat Aluminium Company Ltd"},
	"Sponge iron":    {"Sarda Energy and Minerals Ltd", "Topworth Urja and Metals Ltd", "Godawari Power and Ispat Ltd", "Shyam Metalics and Energy Ltd"},
	"Commercial":     {"Coal India Ltd", "Aurobindo Realty and Infrastructure Pvt Ltd", "Hindustan Zinc Ltd", "EMIL Mines and Mineral Resources Ltd", "Yazdani Steel and Power Ltd", "Bharat Coking Coal Ltd", "Naveen Jindal Power Ltd", "Stratatech Mineral Resources Pvt Ltd", "Sunflag Iron and Steel Company Ltd", "Coal India Ltd (JV)"},
}

var endUses = []string{"Power", "Iron and steel", "Cement", "Aluminium", "Sponge iron", "Commercial"}

var blockSuffixes = []string{"", "", " North", " South", " East", " West", " Central", " Extension", " Deep", " Block-A", " Block-B", " II"}

var blockRemarks = []string{
	"Existing rail line and NH passing through the block",
	"About 40% of the block area is forest land",
	"Part of the block under village habitation",
	"A transmission line crosses the block",
	"Block boundary revised after detailed exploration",
	"River flows along the eastern boundary",
	"Nil",
	"Nil",
	"Nil",
	"Overlaps an eco-sensitive zone buffer",
	"Coal-bearing area partly under a reservoir",
	"State highway passes through the northern part",
}

// world is what one generation run shares between its kinds.
type world struct {
	seed      int64
	blocks    []*block
	districts []districtCell
	dindex    map[[2]int]int
}

func newWorld(seed int64, needBlocks bool) *world {
	w := &world{seed: seed, districts: districtCells(seed), dindex: map[[2]int]int{}}
	for i, d := range w.districts {
		w.dindex[[2]int{d.c, d.r}] = i
	}
	if needBlocks {
		w.blocks = makeBlocks(seed)
	}
	return w
}

// districtAt returns the district name at p, or "".
func (w *world) districtAt(p orb.Point) string {
	c := int(math.Floor((p[0] - latticeWest) / 0.5))
	r := int(math.Floor((latticeSouth + latticeNY*latticeStep - p[1]) / 0.5))
	if i, ok := w.dindex[[2]int{c, r}]; ok {
		return w.districts[i].name
	}
	return ""
}

func fieldByID(id string) *field {
	for i := range fields {
		if fields[i].ID == id {
			return &fields[i]
		}
	}
	panic("data: unknown field " + id) // the tables are constants; a test covers them
}

// nearestField returns the coalfield closest to p (in units of its axes).
func nearestField(p orb.Point) *field {
	best, bd := &fields[0], math.Inf(1)
	for i := range fields {
		f := &fields[i]
		fr := newFrame(f.Center)
		x, y := (p[0]-f.Center[0])/fr.kx, (p[1]-f.Center[1])/fr.ky
		d := math.Hypot(x, y) / math.Sqrt(f.AxisKm[0]*f.AxisKm[1])
		if d < bd {
			best, bd = f, d
		}
	}
	return best
}

// inField returns a point drawn uniformly in the field's ellipse scaled by k.
func inField(r *rng, f *field, k float64) orb.Point {
	fr := newFrame(f.Center)
	m := stretchRotate(f.AxisKm[0]*k, f.AxisKm[1]*k, f.RotDeg)
	rad := math.Sqrt(r.float())
	th := r.between(0, 2*math.Pi)
	x, y := m.apply(rad*math.Cos(th), rad*math.Sin(th))
	return fr.pt(x, y)
}

type disk struct {
	c orb.Point
	r float64
}

func disksOverlap(a, b disk, gap float64) bool { return distKm(a.c, b.c) < a.r+b.r+gap }

// makeBlocks builds the shared block set for seed.
func makeBlocks(seed int64) []*block {
	r := newRNG(seed, "blocks")
	var out []*block
	taken := newSpatial()
	used := map[string]bool{}
	free := func(d disk) bool { return taken.free(d, 0.3) }
	for i := range namedBlocks {
		nb := &namedBlocks[i]
		f := fieldByID(nb.Field)
		n := 200 + r.intn(600)
		if nb.ID == "dhirauli" {
			n = 1200
		}
		elong := r.between(1, 1.2)
		m := stretchRotate(math.Sqrt(elong), 1/math.Sqrt(elong), r.between(0, 180))
		b := &block{id: nb.ID, name: nb.Name, nameHi: nb.NameHi, field: f, named: true,
			center: nb.Center, mean: nb.RadiusKm, n: n, irr: 0.2, m: m,
			category: nb.Category, allocatee: nb.Allocatee, endUse: nb.EndUse, district: nb.District}
		b.inner, b.outer = starBounds(b.mean, b.irr, m)
		used[nb.ID] = true
		taken.add(disk{b.center, b.outer})
		out = append(out, b)
	}
	var coal, lig []*field
	var cw, lw []float64
	for i := range fields {
		if fields[i].Lignite {
			lig, lw = append(lig, &fields[i]), append(lw, fields[i].Weight)
		} else {
			coal, cw = append(coal, &fields[i]), append(cw, fields[i].Weight)
		}
	}
	want := func(lignite bool) int {
		if lignite {
			return ligniteBlockCount
		}
		return coalBlockCount - len(namedBlocks)
	}
	for _, lignite := range []bool{false, true} {
		fs, ws := coal, cw
		if lignite {
			fs, ws = lig, lw
		}
		for made := 0; made < want(lignite); {
			f := fs[r.weighted(ws)]
			mean := math.Min(6, math.Max(0.6, r.logNormal(1.7, 0.45)))
			var n int
			switch x := r.float(); {
			case x < 0.70:
				n = r.rangeInt(40, 300)
			case x < 0.95:
				n = r.rangeInt(300, 1500)
			default:
				n = r.rangeInt(2000, 5000)
			}
			irr := r.between(0.15, 0.45)
			elong := r.between(1, 2.2)
			m := stretchRotate(math.Sqrt(elong), 1/math.Sqrt(elong), r.between(0, 180))
			inner, outer := starBounds(mean, irr, m)
			var sat *satellite
			var satOuter float64
			if r.chance(0.08) {
				se := r.between(1, 1.4)
				sat = &satellite{mean: mean * r.between(0.25, 0.5), n: max(24, n/4), m: stretchRotate(math.Sqrt(se), 1/math.Sqrt(se), r.between(0, 180))}
				_, satOuter = starBounds(sat.mean, 0.3, sat.m)
			}
			var c orb.Point
			ok := false
			for try := 0; try < 40 && !ok; try++ {
				c = inField(r, f, 1)
				if !free(disk{c, outer}) {
					continue
				}
				if sat == nil {
					ok = true
					break
				}
				ang := r.between(0, 2*math.Pi)
				d := outer + satOuter + r.between(0.3, 1.5)
				sat.center = newFrame(c).offset(d*math.Cos(ang), d*math.Sin(ang))
				ok = free(disk{sat.center, satOuter})
			}
			if !ok {
				continue // the field is full here; try another draw
			}
			holes := 0
			if r.chance(0.05) {
				holes = 1 + r.intn(2)
				inner *= 0.3 // the holes sit beyond 0.3 of the inner radius
			}
			taken.add(disk{c, outer})
			if sat != nil {
				taken.add(disk{sat.center, satOuter})
			}
			var name, hi2 string
			for {
				pn, ph := placeName(r)
				sfx := pick(r, blockSuffixes)
				name, hi2 = pn+sfx, ph+hindiSuffix(sfx)
				if !used[slug(name)] {
					break
				}
			}
			used[slug(name)] = true
			b := &block{id: slug(name), name: name, nameHi: hi2, field: f,
				center: c, inner: inner, outer: outer, mean: mean, n: n, irr: irr, m: m, holes: holes, sat: sat}
			switch x := r.float(); {
			case lignite && x < 0.5:
				b.category = catAllotment
			case lignite:
				b.category = pick(r, []string{catOffered, catUnalloc})
			case x < 0.40:
				b.category = catCIL
			case x < 0.60:
				b.category = catAuction
			case x < 0.70:
				b.category = catAllotment
			case x < 0.85:
				b.category = catOffered
			default:
				b.category = catUnalloc
			}
			switch b.category {
			case catCIL:
				b.endUse = "Commercial"
			case catAuction, catAllotment:
				b.endUse = pick(r, endUses)
				b.allocatee = pick(r, allocatees[b.endUse])
			default:
				b.endUse = "Commercial"
			}
			out = append(out, b)
			made++
		}
	}
	for _, b := range out {
		decorate(r, b)
	}
	return out
}

func hindiSuffix(s string) string {
	switch s {
	case " North":
		return " उत्तर"
	case " South":
		return " दक्षिण"
	case " East":
		return " पूर्व"
	case " West":
		return " पश्चिम"
	case " Central":
		return " मध्य"
	case " Extension":
		return " विस्तार"
	case " Deep":
		return " डीप"
	case " Block-A":
		return " ब्लॉक-A"
	case " Block-B":
		return " ब्लॉक-B"
	case " II":
		return " II"
	}
	return s
}

// decorate fills in a block's record: status, type, grade, resources.
func decorate(r *rng, b *block) {
	b.nominal = math.Pi * b.mean * b.mean
	if b.sat != nil {
		b.nominal += math.Pi * b.sat.mean * b.sat.mean
	}
	if b.allocatee == "" {
		switch b.category {
		case catCIL:
			b.allocatee = subsidiaries[b.field.Company]
		default:
			b.allocatee = "Not allocated"
		}
	}
	switch x := r.float(); {
	case b.named || x < 0.6:
		b.exploration = "Explored"
	case x < 0.8:
		b.exploration = "Partly explored"
	default:
		b.exploration = "Regionally explored"
	}
	switch x := r.float(); {
	case x < 0.55:
		b.mineType = "Opencast"
	case x < 0.85:
		b.mineType = "Underground"
	default:
		b.mineType = "Mixed"
	}
	if b.field.Lignite {
		b.mineType = "Opencast"
		b.grade = "Lignite"
	} else {
		b.grade = fmt.Sprintf("G%d", r.rangeInt(4, 14))
	}
	switch b.category {
	case catCIL:
		switch x := r.float(); {
		case x < 0.72:
			b.status, b.mine = "Producing", "Operational"
		case x < 0.82:
			b.status = "Under development"
		case x < 0.95:
			b.status, b.mine = "Closed", "Closed"
		default:
			b.status, b.mine = "Discontinued", "Discontinued"
		}
	case catAuction, catAllotment:
		switch x := r.float(); {
		case x < 0.45:
			b.status, b.mine = "Producing", "Operational"
		case x < 0.8:
			b.status = "Under development"
		default:
			b.status = "Yet to be operationalised"
		}
		y := r.rangeInt(2015, 2024)
		if b.category == catAllotment {
			y = r.rangeInt(2015, 2021)
		} else {
			b.tranche = max(1, min(10, (y-2019)*2+r.intn(2)))
			if y < 2020 {
				b.tranche = 0 // auctions for specified end use (before commercial tranches)
			}
		}
		b.allocDate = fmt.Sprintf("%04d-%02d-%02d", y, r.rangeInt(1, 12), r.rangeInt(1, 28))
	default:
		b.status = "Not allocated"
	}
	density := r.between(15, 60) // Mt per km²
	if b.exploration != "Explored" {
		density *= 0.6
	}
	b.resourceMt = round2(b.nominal * density)
	switch b.exploration {
	case "Explored":
		b.proved = round2(b.resourceMt * r.between(0.45, 0.8))
		b.indicated = round2((b.resourceMt - b.proved) * r.between(0.5, 0.9))
	case "Partly explored":
		b.proved = round2(b.resourceMt * r.between(0.1, 0.3))
		b.indicated = round2((b.resourceMt - b.proved) * r.between(0.4, 0.7))
	default:
		b.indicated = round2(b.resourceMt * r.between(0.1, 0.3))
	}
	b.inferred = round2(b.resourceMt - b.proved - b.indicated)
	b.reserveMt = round2(b.proved * r.between(0.5, 0.8))
	if b.mine != "" || b.status == "Under development" {
		b.pprc = round2(math.Min(70, math.Max(0.3, b.reserveMt/r.between(20, 40))))
	}
	b.seams = r.rangeInt(1, 12)
	b.depth = r.rangeInt(60, 600)
	b.reportYear = r.rangeInt(1985, 2023)
	b.remarks = pick(r, blockRemarks)
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// blockByID returns the named or generated block with id.
func (w *world) blockByID(id string) *block {
	for _, b := range w.blocks {
		if b.id == id {
			return b
		}
	}
	return nil
}
