package data

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/coalmap/coalmap/layers"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// item is a generated feature before its properties are assembled.
type item struct {
	id   string
	geom orb.Geometry
	at   orb.Point      // a representative point
	vals map[string]any // values the kind knows; the rest come from the dictionary rules
}

// Features returns the layer's generated features for seed, in a fixed order:
// the same seed gives the same features, byte for byte once encoded. Every
// feature has an id unique in the layer and exactly the properties of the
// layer's attribute dictionary, of the dictionary's types (a value may be
// null where the record has none). An entry without a generator yields an
// error.
func (e Entry) Features(seed int64) iter.Seq2[*geojson.Feature, error] {
	return func(yield func(*geojson.Feature, error) bool) {
		if e.Generator == nil {
			yield(nil, fmt.Errorf("data: layer %q has no generator", e.ID))
			return
		}
		g := newGen(e, seed)
		var ferr error
		n := 0
		g.run(func(it item) bool {
			f, err := g.feature(it, n)
			n++
			if err != nil {
				ferr = err
				return false
			}
			return yield(f, nil)
		})
		if ferr != nil {
			yield(nil, ferr)
		}
	}
}

// WriteGeoJSONSeq writes the layer's generated features to w as
// newline-delimited GeoJSON (one Feature per line, the GeoJSONSeq that GDAL
// and the import path read) and returns how many it wrote. The encoding is
// the same JSON as the features' own, written directly for speed.
func (e Entry) WriteGeoJSONSeq(w io.Writer, seed int64) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	n := 0
	buf := make([]byte, 0, 1<<16)
	for f, err := range e.Features(seed) {
		if err != nil {
			return n, err
		}
		buf, err = appendFeature(buf[:0], f)
		if err != nil {
			return n, fmt.Errorf("data: layer %q: feature %d: %w", e.ID, n, err)
		}
		if _, err := bw.Write(append(buf, '\n')); err != nil {
			return n, err
		}
		n++
	}
	return n, bw.Flush()
}

// appendFeature appends f as one line of GeoJSON.
func appendFeature(b []byte, f *geojson.Feature) ([]byte, error) {
	b = append(b, `{"type":"Feature","id":`...)
	id, err := json.Marshal(f.ID)
	if err != nil {
		return b, err
	}
	b = append(b, id...)
	b = append(b, `,"geometry":{"type":"`...)
	b = append(b, f.Geometry.GeoJSONType()...)
	b = append(b, `","coordinates":`...)
	switch g := f.Geometry.(type) {
	case orb.Point:
		b = appendPoint(b, g)
	case orb.MultiPoint:
		b = appendPoints(b, g)
	case orb.LineString:
		b = appendPoints(b, g)
	case orb.MultiLineString:
		b = append(b, '[')
		for i, l := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPoints(b, l)
		}
		b = append(b, ']')
	case orb.Polygon:
		b = appendPolygon(b, g)
	case orb.MultiPolygon:
		b = append(b, '[')
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPolygon(b, p)
		}
		b = append(b, ']')
	default:
		return b, fmt.Errorf("unsupported geometry %T", g)
	}
	b = append(b, `},"properties":`...)
	var pb bytes.Buffer
	enc := json.NewEncoder(&pb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f.Properties); err != nil {
		return b, err
	}
	b = append(b, bytes.TrimSuffix(pb.Bytes(), []byte("\n"))...)
	return append(b, '}'), nil
}

func appendPoint(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = appendCoord(b, p[0])
	b = append(b, ',')
	b = appendCoord(b, p[1])
	return append(b, ']')
}

// appendCoord writes a coordinate. Generated coordinates are rounded to 1e-6
// degree, so they are written as micro-degrees, which gives the same text as
// strconv's shortest form much faster; anything else falls back to strconv.
func appendCoord(b []byte, v float64) []byte {
	m := math.Round(v * 1e6)
	if m/1e6 != v || math.Abs(m) > 1e15 {
		return strconv.AppendFloat(b, v, 'f', -1, 64)
	}
	n := int64(m)
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	b = strconv.AppendInt(b, n/1e6, 10)
	if f := n % 1e6; f != 0 {
		var d [7]byte
		d[0] = '.'
		for i := 6; i >= 1; i-- {
			d[i] = byte('0' + f%10)
			f /= 10
		}
		k := 7
		for d[k-1] == '0' {
			k--
		}
		b = append(b, d[:k]...)
	}
	return b
}

func appendPoints(b []byte, ps []orb.Point) []byte {
	b = append(b, '[')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPoint(b, p)
	}
	return append(b, ']')
}

func appendPolygon(b []byte, p orb.Polygon) []byte {
	b = append(b, '[')
	for i, r := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPoints(b, r)
	}
	return append(b, ']')
}

type gen struct {
	e     Entry
	g     *Generator
	r     *rng
	w     *world
	seed  int64
	ids   map[string]bool
	n     int    // index of the feature being assembled
	abbr  string // initials of the layer id, for generated codes
	coal  []*field
	cw    []float64
	prefx string
}

func newGen(e Entry, seed int64) *gen {
	k := e.Generator.Kind
	needBlocks := k == KindBlocks || k == KindMines || k == KindNetwork ||
		((k == KindPoints || k == KindPolygons || k == KindLines) && (e.Generator.Filter == AnchorBlocks || e.Generator.Filter == AnchorMines))
	g := &gen{e: e, g: e.Generator, r: newRNG(seed, "layer/"+e.ID), w: newWorld(seed, needBlocks), seed: seed,
		ids: map[string]bool{}, prefx: strings.ReplaceAll(e.ID, "_", "-")}
	for _, w := range strings.Split(e.ID, "_") {
		g.abbr += strings.ToUpper(w[:1])
	}
	for i := range fields {
		if !fields[i].Lignite {
			g.coal = append(g.coal, &fields[i])
			g.cw = append(g.cw, fields[i].Weight)
		}
	}
	return g
}

func (g *gen) run(emit func(item) bool) {
	switch g.g.Kind {
	case KindCoalfields:
		g.coalfields(emit)
	case KindBlocks:
		g.blocks(emit)
	case KindMines:
		g.mines(emit)
	case KindPoints:
		g.points(emit)
	case KindPolygons:
		g.polygons(emit)
	case KindLines:
		g.lines(emit)
	case KindNetwork:
		g.network(emit)
	case KindRivers:
		g.rivers(emit)
	case KindDistricts:
		g.districts(emit)
	case KindStates:
		g.states(emit)
	case KindSheets:
		g.sheets(emit)
	}
}

// feature assembles the GeoJSON feature: id, geometry of the layer's type,
// and one property per dictionary attribute.
func (g *gen) feature(it item, n int) (*geojson.Feature, error) {
	id := it.id
	if id == "" || g.ids[id] {
		id = fmt.Sprintf("%s-%d", g.prefx, n+1)
	}
	g.ids[id] = true
	g.n = n
	f := geojson.NewFeature(promote(it.geom, g.e.GeometryType))
	f.ID = id
	if it.vals == nil {
		it.vals = map[string]any{}
	}
	for _, a := range g.e.Attributes {
		v, err := g.value(a, &it)
		if err != nil {
			return nil, fmt.Errorf("data: layer %q: feature %s: attribute %q: %w", g.e.ID, id, a.Name, err)
		}
		f.Properties[a.Name] = v
		it.vals[a.Name] = v // later rules may depend on it
	}
	return f, nil
}

// promote returns geom in the layer's geometry type (single → multi).
func promote(geom orb.Geometry, t layers.GeometryType) orb.Geometry {
	switch t {
	case layers.MultiPolygon:
		if p, ok := geom.(orb.Polygon); ok {
			return orb.MultiPolygon{p}
		}
	case layers.MultiLineString:
		if l, ok := geom.(orb.LineString); ok {
			return orb.MultiLineString{l}
		}
	case layers.MultiPoint:
		if p, ok := geom.(orb.Point); ok {
			return orb.MultiPoint{p}
		}
	}
	return geom
}

// value resolves one attribute: what the kind set, else a derived value
// (name, state, area…), else the generator's Values or Ranges.
func (g *gen) value(a layers.Attribute, it *item) (any, error) {
	v, ok := it.vals[a.Name]
	if !ok {
		v, ok = g.derived(a.Name, it)
	}
	if !ok {
		if vs, has := g.g.Values[a.Name]; has {
			return convert(a.Type, pick(g.r, vs))
		}
		if rg, has := g.g.Ranges[a.Name]; has {
			switch a.Type {
			case layers.Integer:
				return g.r.rangeInt(int(rg[0]), int(rg[1])), nil
			case layers.Real:
				return round2(g.r.between(rg[0], rg[1])), nil
			case layers.Date:
				return fmt.Sprintf("%04d-%02d-%02d", g.r.rangeInt(int(rg[0]), int(rg[1])), g.r.rangeInt(1, 12), g.r.rangeInt(1, 28)), nil
			}
		}
		return nil, fmt.Errorf("no value: not set by kind %q, not derivable, no generator values or range", g.g.Kind)
	}
	if v == nil {
		return nil, nil
	}
	switch a.Type {
	case layers.Real:
		switch x := v.(type) {
		case int:
			return float64(x), nil
		case float64:
			return x, nil
		}
	case layers.Integer:
		switch x := v.(type) {
		case int:
			return x, nil
		case float64:
			return int(math.Round(x)), nil
		}
	case layers.Text, layers.Date, layers.Timestamp:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case layers.Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	}
	return nil, fmt.Errorf("value %v (%T) is not of type %s", v, v, a.Type)
}

// derived computes the attributes every layer may have from the feature's
// geometry and place.
func (g *gen) derived(name string, it *item) (any, bool) {
	switch name {
	case "name", "name_hi":
		if _, ok := it.vals["name"]; !ok {
			en, hi := placeName(g.r)
			it.vals["name"], it.vals["name_hi"] = en+g.g.Label, hi+g.g.LabelHi
		}
		return it.vals[name], true
	case "state":
		if s := stateName(it.at); s != "" {
			return s, true
		}
		return nearestField(it.at).State, true
	case "state_code":
		if s := stateAt(it.at); s != 0 {
			return stateCodes[s], true
		}
		return "", true
	case "district":
		if d := g.w.districtAt(it.at); d != "" {
			return d, true
		}
		return nearestField(it.at).Name, true
	case "coalfield":
		return nearestField(it.at).Name, true
	case "subsidiary":
		return subsidiaries[nearestField(it.at).Company], true
	case "area_km2":
		return round3(areaKm2(it.geom)), true
	case "area_ha":
		return round2(areaKm2(it.geom) * 100), true
	case "length_km":
		return round3(lengthKm(it.geom)), true
	case "code":
		return fmt.Sprintf("%s-%06d", g.abbr, g.n+1), true
	case "notification_no":
		return fmt.Sprintf("S.O. %d(E)", 100+g.r.intn(5400)), true
	case "village", "tehsil", "connected_station":
		en, _ := placeName(g.r)
		return en, true
	case "station_code":
		return stationCode(it.vals, g.n), true
	case "prospecting_valid_till", "objections_due":
		// two years after a section 4 notification; 30 days after section 7
		d, ok := it.vals["gazette_date"].(string)
		t, err := time.Parse(time.DateOnly, d)
		if !ok || err != nil {
			return nil, false
		}
		if name == "objections_due" {
			return t.AddDate(0, 0, 30).Format(time.DateOnly), true
		}
		return t.AddDate(2, 0, 0).Format(time.DateOnly), true
	case "vested_in":
		return subsidiaries[nearestField(it.at).Company], true
	case "canopy_pct":
		lo, hi := 10.0, 40.0
		switch it.vals["density_class"] {
		case "Very Dense Forest":
			lo, hi = 70, 92
		case "Moderately Dense Forest":
			lo, hi = 40, 70
		}
		return round2(g.r.between(lo, hi)), true
	case "grade":
		// GCV bands of the coal grades: G1 above 7,000 kcal/kg, 300 kcal/kg each
		gcv, ok := it.vals["gcv_kcal_kg"].(float64)
		if !ok {
			return nil, false
		}
		return fmt.Sprintf("G%d", max(1, min(17, 1+int((7000-gcv)/300)))), true
	case "latitude":
		return round6(it.at[1]), true
	case "longitude":
		return round6(it.at[0]), true
	}
	return nil, false
}

// --- kinds ---

func (g *gen) coalfields(emit func(item) bool) {
	for i := range fields {
		f := &fields[i]
		if (g.g.Filter == "lignite") != f.Lignite {
			continue
		}
		sx, sy := f.AxisKm[0], f.AxisKm[1]
		mean := math.Sqrt(sx * sy)
		m := stretchRotate(math.Sqrt(sx/sy), math.Sqrt(sy/sx), f.RotDeg)
		o := mappedStar(g.r, f.Center, mean, 1500+g.r.intn(2500), 0.18, m, 0)
		basin := "Gondwana"
		if f.Lignite || f.ID == "makum" {
			basin = "Tertiary"
		}
		if !emit(item{id: strings.ReplaceAll(f.ID, "_", "-"), geom: o.poly, at: f.Center, vals: map[string]any{
			"name": f.Name, "name_hi": f.NameHi, "state": f.State, "basin": basin,
			"subsidiary": subsidiaries[f.Company],
		}}) {
			return
		}
	}
}

// keep reports whether block b passes the layer's block filter.
func keepBlock(filter string, b *block) bool {
	lig := b.field.Lignite
	switch filter {
	case "", "coal":
		return !lig
	case "lignite":
		return lig
	case "allocated":
		return !lig && b.allocated()
	case "auctioned":
		return !lig && b.category == catAuction
	case "allotted":
		return !lig && b.category == catAllotment
	case "cil":
		return !lig && b.category == catCIL
	case "captive":
		return !lig && b.captive()
	case "offered":
		return !lig && (b.category == catOffered || b.category == catUnalloc)
	case "explored":
		return !lig && b.exploration == "Explored"
	case "unexplored":
		return !lig && b.exploration != "Explored"
	case "resources":
		return !lig && b.exploration != "Regionally explored"
	}
	return false
}

func (g *gen) blockVals(b *block) map[string]any {
	district := b.district
	if district == "" {
		district = g.w.districtAt(b.center)
	}
	if district == "" {
		district = b.field.Name
	}
	state := stateName(b.center)
	if b.named {
		for _, h := range districtHQs {
			if h.Name == b.district {
				state = stateName(h.At)
			}
		}
	}
	if state == "" || b.field.Lignite {
		state = b.field.State
	}
	var alloc any
	if b.allocDate != "" {
		alloc = b.allocDate
	}
	return map[string]any{
		"name": b.name, "name_hi": b.nameHi, "block_id": b.id, "block_name": b.name,
		"coalfield": b.field.Name, "state": state, "district": district,
		"allocation_category": b.category, "allocatee": b.allocatee, "end_use": b.endUse,
		"status": b.status, "mine_type": b.mineType, "grade": b.grade, "exploration_status": b.exploration,
		"geological_resource_mt": b.resourceMt, "extractable_reserve_mt": b.reserveMt, "pprc_mtpa": b.pprc,
		"proved_mt": b.proved, "indicated_mt": b.indicated, "inferred_mt": b.inferred, "total_mt": b.resourceMt,
		"allocation_date": alloc, "tranche": b.tranche, "remarks": b.remarks,
		"seam_count": b.seams, "max_depth_m": b.depth, "report_year": b.reportYear,
		"subsidiary": subsidiaries[b.field.Company],
	}
}

func (g *gen) blocks(emit func(item) bool) {
	for _, b := range g.w.blocks {
		if !keepBlock(g.g.Filter, b) {
			continue
		}
		if !emit(item{id: b.id, geom: b.shape(g.seed), at: b.center, vals: g.blockVals(b)}) {
			return
		}
	}
}

func (g *gen) mines(emit func(item) bool) {
	for _, b := range g.w.blocks {
		if b.mine == "" || b.field.Lignite && g.g.Filter != "lignite" {
			continue
		}
		switch g.g.Filter {
		case "opencast", "underground", "mixed":
			if b.mine != "Operational" || !strings.EqualFold(b.mineType, g.g.Filter) {
				continue
			}
		case "closed":
			if b.mine == "Operational" {
				continue
			}
		case "lignite":
			if !b.field.Lignite {
				continue
			}
		}
		v := g.blockVals(b)
		sfx := map[string]string{"Opencast": " OCP", "Underground": " UG", "Mixed": " OC & UG"}[b.mineType]
		v["name"], v["name_hi"] = b.name+sfx, b.nameHi+map[string]string{"Opencast": " खुली खदान", "Underground": " भूमिगत खदान", "Mixed": " खुली एवं भूमिगत खदान"}[b.mineType]
		v["status"] = b.mine
		v["operator"] = b.allocatee
		v["capacity_mtpa"] = b.pprc
		prod := 0.0
		if b.mine == "Operational" {
			prod = round2(b.pprc * g.r.between(0.55, 1.15))
		}
		v["production_mt"] = prod
		opened := g.r.rangeInt(1960, 2022)
		var closed any
		if b.mine != "Operational" {
			opened = g.r.rangeInt(1950, 1995)
			closed = min(2024, opened+g.r.rangeInt(10, 45))
		}
		v["year_opened"] = opened
		v["closure_year"] = closed
		v["manpower"] = g.r.rangeInt(150, 6000)
		if !emit(item{id: b.id + "-mine", geom: b.center, at: b.center, vals: v}) {
			return
		}
	}
}

// onLand reports whether none of the points is at sea in the lattice.
func onLand(ps ...orb.Point) bool {
	for _, p := range ps {
		in := p[0] >= latticeWest && p[0] < latticeWest+latticeNX*latticeStep && p[1] >= latticeSouth && p[1] < latticeSouth+latticeNY*latticeStep
		if in && stateAt(p) == 0 {
			return false
		}
	}
	return true
}

// anchorPoint draws a point for the layer's anchor; b is the block it lies
// in, if any.
func (g *gen) anchorPoint() (orb.Point, *block) {
	r := g.r
	switch g.g.Filter {
	case AnchorFields:
		return inField(r, g.coal[r.weighted(g.cw)], 1), nil
	case AnchorNear:
		return inField(r, g.coal[r.weighted(g.cw)], 2), nil
	case AnchorLignite:
		for {
			f := pick(r, fields)
			if f.Lignite {
				return inField(r, &f, 1), nil
			}
		}
	case AnchorBlocks, AnchorMines:
		var b *block
		for {
			b = g.w.blocks[r.intn(len(g.w.blocks))]
			if !b.field.Lignite && (g.g.Filter == AnchorBlocks || b.mine != "") {
				break
			}
		}
		d := b.inner * 0.9 * math.Sqrt(r.float())
		th := r.between(0, 2*math.Pi)
		return newFrame(b.center).offset(d*math.Cos(th), d*math.Sin(th)), b
	case AnchorPlants:
		p := pick(r, namedPlants)
		d, th := r.between(1, 25), r.between(0, 2*math.Pi)
		return newFrame(p.At).offset(d*math.Cos(th), d*math.Sin(th)), nil
	}
	// belt and substations
	if r.chance(0.45) {
		return inField(r, g.coal[r.weighted(g.cw)], 2.5), nil
	}
	for {
		p := orb.Point{round6(r.between(latticeWest, latticeWest+latticeNX*latticeStep)), round6(r.between(latticeSouth, latticeSouth+latticeNY*latticeStep))}
		if stateAt(p) != 0 {
			return p, nil
		}
	}
}

func (g *gen) points(emit func(item) bool) {
	switch g.e.ID {
	case "substations":
		for _, s := range namedSubstations {
			if !emit(item{id: s.ID, geom: s.At, at: s.At, vals: map[string]any{"name": s.Name, "name_hi": s.NameHi, "voltage_kv": atoi(s.Extra), "owner": "Power Grid Corporation of India Ltd", "status": "Existing", "state": s.State}}) {
				return
			}
		}
	case "coal_ports":
		for _, p := range namedPorts {
			parts := strings.Split(p.Extra, "|")
			if !emit(item{id: p.ID, geom: p.At, at: p.At, vals: map[string]any{"name": p.Name, "name_hi": p.NameHi, "state": p.State,
				"coal_handling_mtpa": float64(atoi(parts[0])), "coal_berths": atoi(parts[1]), "port_type": parts[2], "owner": parts[3]}}) {
				return
			}
		}
	case "thermal_power_plants":
		for _, p := range namedPlants {
			cap, owner, _ := strings.Cut(p.Extra, "|")
			sector, source := "Private", "FSA (CIL)"
			switch owner {
			case "NTPC Ltd", "DVC":
				sector = "Central"
			case "UPRVUNL", "MAHAGENCO", "OPGC":
				sector = "State"
			}
			if p.ID == "sasan-umpp" || p.ID == "tamnar-tpp" {
				source = "Captive block"
			}
			if !emit(item{id: p.ID, geom: p.At, at: p.At, vals: map[string]any{"name": p.Name, "name_hi": p.NameHi, "capacity_mw": atoi(cap), "owner": owner,
				"status": "Operational", "fuel": "Coal", "state": p.State, "sector": sector, "coal_source": source}}) {
				return
			}
		}
	}
	for i := 0; i < g.g.Count; i++ {
		p, b := g.anchorPoint()
		it := item{geom: p, at: p, vals: map[string]any{}}
		if b != nil {
			it.vals["block_id"], it.vals["block_name"] = b.id, b.name
		}
		if !emit(it) {
			return
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n = n*10 + int(c-'0')
		}
	}
	return n
}

func (g *gen) sizes() (lo, hi float64) {
	if len(g.g.SizeKm) == 2 {
		return g.g.SizeKm[0], g.g.SizeKm[1]
	}
	return 0.5, 3
}

// vertices draws a vertex count, log-uniform in the generator's range: most
// outlines are modest, a few are very detailed, as in digitised data.
func (g *gen) vertices() int {
	lo, hi := 24, 200
	if len(g.g.Vertices) == 2 {
		lo, hi = g.g.Vertices[0], g.g.Vertices[1]
	}
	return int(math.Round(math.Exp(g.r.between(math.Log(float64(lo)), math.Log(float64(hi)+0.5)))))
}

// spatial is a coarse grid of disks for rejection sampling.
type spatial struct {
	cell  float64
	cells map[[2]int][]disk
}

func newSpatial() *spatial { return &spatial{cell: 0.1, cells: map[[2]int][]disk{}} }

func (s *spatial) span(d disk) (x0, y0, x1, y1 int) {
	rd := (d.r + 0.5) / 100 // km → degrees, generously (and room for the gap)
	return int(math.Floor((d.c[0] - rd) / s.cell)), int(math.Floor((d.c[1] - rd) / s.cell)), int(math.Floor((d.c[0] + rd) / s.cell)), int(math.Floor((d.c[1] + rd) / s.cell))
}

func (s *spatial) free(d disk, gap float64) bool {
	x0, y0, x1, y1 := s.span(d)
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			for _, t := range s.cells[[2]int{x, y}] {
				if disksOverlap(d, t, gap) {
					return false
				}
			}
		}
	}
	return true
}

func (s *spatial) add(d disk) {
	x0, y0, x1, y1 := s.span(d)
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			s.cells[[2]int{x, y}] = append(s.cells[[2]int{x, y}], d)
		}
	}
}

func (g *gen) polygons(emit func(item) bool) {
	sp := newSpatial()
	for _, a := range namedAreas {
		id, name, nameHi, radius := a.ID, a.Name, a.NameHi, a.RadiusKm
		switch {
		case a.Layer == g.e.ID:
		case g.e.ID == "eco_sensitive_zones" && (a.Layer == "wildlife_sanctuaries" || a.Layer == "national_parks"):
			// the zone round a protected area reaches a few km beyond it
			id, name, nameHi, radius = a.ID+"-esz", a.Name+" Eco-Sensitive Zone", a.NameHi+" पर्यावरण-संवेदनशील क्षेत्र", a.RadiusKm*1.6
		default:
			continue
		}
		o := starPolygon(g.r, a.Center, radius, 600+g.r.intn(1800), 0.25, a.Elong, 0)
		sp.add(disk{a.Center, o.outer})
		if !emit(item{id: id, geom: o.poly, at: a.Center, vals: map[string]any{"name": name, "name_hi": nameHi}}) {
			return
		}
	}
	lo, hi := g.sizes()
	inside := g.g.Filter == AnchorBlocks || g.g.Filter == AnchorMines
	for i := 0; i < g.g.Count; i++ {
		var o outline
		var b *block
		placed := false
		for try := 0; try < 30 && !placed; try++ {
			var c orb.Point
			c, b = g.anchorPoint()
			mean := math.Exp(g.r.between(math.Log(lo), math.Log(hi)))
			irr := g.r.between(0.1, 0.4)
			elong := g.r.between(1, 2.5)
			n := g.vertices()
			if inside {
				// keep within the disk the block is known to contain: as
				// large as asked if it fits, placed where it fits
				k := (1 + irr + 0.07) * math.Sqrt(elong)
				mean = math.Min(mean, b.inner*0.95/k)
				off := (b.inner*0.95 - mean*k) * math.Sqrt(g.r.float())
				th := g.r.between(0, 2*math.Pi)
				c = newFrame(b.center).offset(off*math.Cos(th), off*math.Sin(th))
				if mean < 0.02 {
					continue
				}
			}
			est := mean * (1 + irr + 0.07) * math.Sqrt(elong)
			if !sp.free(disk{c, est}, 0.2) {
				continue
			}
			holes := 0
			if !inside && n > 200 && g.r.chance(0.1) {
				holes = 1 + g.r.intn(3)
			}
			o = starPolygon(g.r, c, mean, n, irr, elong, holes)
			sp.add(disk{c, o.outer})
			placed = true
		}
		if !placed {
			continue
		}
		it := item{geom: o.poly, at: o.center, vals: map[string]any{}}
		if b != nil {
			it.vals["block_id"], it.vals["block_name"] = b.id, b.name
		}
		if !emit(it) {
			return
		}
	}
}

func (g *gen) step() float64 {
	if g.g.StepKm > 0 {
		return g.g.StepKm
	}
	return 0.1
}

func (g *gen) maxVertices() int {
	if len(g.g.Vertices) == 2 {
		return g.g.Vertices[1]
	}
	return 5000
}

func (g *gen) lines(emit func(item) bool) {
	lo, hi := g.sizes()
	for i := 0; i < g.g.Count; i++ {
		a, b := g.anchorPoint()
		if b != nil {
			a = b.center
		}
		var via []orb.Point
		for try := 0; try < 20 && (try == 0 || !onLand(via...)); try++ {
			L := math.Exp(g.r.between(math.Log(lo), math.Log(hi)))
			th := g.r.between(0, 2*math.Pi)
			f := newFrame(a)
			mid := f.offset(L/2*math.Cos(th)+g.r.between(-0.15, 0.15)*L, L/2*math.Sin(th)+g.r.between(-0.15, 0.15)*L)
			via = []orb.Point{a, mid, f.offset(L*math.Cos(th), L*math.Sin(th))}
		}
		ls := path(g.r, via, g.step()*g.r.between(0.7, 1.4), 0.06, g.maxVertices(), false)
		it := item{geom: ls, at: ls[len(ls)/2], vals: map[string]any{}}
		if b != nil {
			it.vals["block_id"], it.vals["block_name"] = b.id, b.name
		}
		if !emit(it) {
			return
		}
	}
}

// via resolves an alignment waypoint: a named block's centre or a named
// substation.
func (g *gen) via(id string) orb.Point {
	if b := g.w.blockByID(id); b != nil {
		return b.center
	}
	for _, s := range namedSubstations {
		if s.ID == id {
			return s.At
		}
	}
	panic("data: unknown waypoint " + id) // the tables are constants; a test covers them
}

func (g *gen) network(emit func(item) bool) {
	for _, al := range alignments {
		if al.Layer != g.e.ID {
			continue
		}
		var via []orb.Point
		for _, v := range al.Via {
			via = append(via, g.via(v))
		}
		ls := path(g.r, via, 0.08, 0.015, 5000, false)
		vals := map[string]any{"name": al.Name, "name_hi": al.NameHi, "owner": al.Owner, "status": al.Status}
		if al.VoltageKV > 0 {
			vals["voltage_kv"], vals["circuit"] = al.VoltageKV, "D/C"
		}
		vals["from_name"], vals["to_name"] = endName(al.Via[0]), endName(al.Via[len(al.Via)-1])
		if !emit(item{id: al.ID, geom: ls, at: ls[len(ls)/2], vals: vals}) {
			return
		}
	}
	lo, hi := g.sizes()
	for i := 0; i < g.g.Count; i++ {
		var via []orb.Point
		for try := 0; try < 20 && (try == 0 || !onLand(via...)); try++ {
			a, _ := g.anchorPoint()
			L := math.Exp(g.r.between(math.Log(lo), math.Log(hi)))
			if g.r.chance(0.1) {
				L = math.Min(hi*2.5, L*3) // the odd very long line
			}
			th := g.r.between(0, 2*math.Pi)
			f := newFrame(a)
			via = []orb.Point{a}
			legs := 1 + g.r.intn(4) + int(L/150) // angle points, more on long lines
			for k := 1; k <= legs; k++ {
				t := float64(k) / float64(legs)
				dev := 0.0
				if k < legs {
					dev = g.r.between(-0.1, 0.1) * L
				}
				x, y := L*t*math.Cos(th)-dev*math.Sin(th), L*t*math.Sin(th)+dev*math.Cos(th)
				via = append(via, f.offset(x, y))
			}
		}
		ls := path(g.r, via, g.step()*g.r.between(0.6, 1.6), 0.01, g.maxVertices(), false)
		from, fromHi := g.endpointName(via[0])
		to, toHi := g.endpointName(via[len(via)-1])
		vals := map[string]any{"from_name": from, "to_name": to}
		label, labelHi := g.label(i)
		vals["name"], vals["name_hi"] = from+"–"+to+label, fromHi+"–"+toHi+labelHi
		if !emit(item{geom: ls, at: ls[len(ls)/2], vals: vals}) {
			return
		}
	}
}

// label returns the suffix of generated names (e.g. " 400 kV S/C line").
func (g *gen) label(int) (string, string) { return g.g.Label, g.g.LabelHi }

func endName(id string) string {
	for _, s := range namedSubstations {
		if s.ID == id {
			return s.Name
		}
	}
	for _, b := range namedBlocks {
		if b.ID == id {
			return b.Name
		}
	}
	return id
}

// endpointName names a line's end: the district town if it lies within 15 km,
// else a generated place.
func (g *gen) endpointName(p orb.Point) (string, string) {
	for _, h := range districtHQs {
		if distKm(h.At, p) < 15 {
			return h.Name, h.NameHi
		}
	}
	return placeName(g.r)
}

func (g *gen) rivers(emit func(item) bool) {
	for _, rv := range rivers {
		ls := path(g.r, rv.Via, 0.15, 0.07, 5000, true)
		if !emit(item{id: rv.ID, geom: ls, at: ls[len(ls)/2], vals: map[string]any{"name": rv.Name, "name_hi": rv.NameHi + " नदी", "basin": rv.Basin, "stream_order": 6 + g.r.intn(3), "perennial": true}}) {
			return
		}
	}
	lo, hi := g.sizes()
	for i := 0; i < g.g.Count; i++ {
		var via []orb.Point
		for try := 0; try < 20 && (try == 0 || !onLand(via...)); try++ {
			a, _ := g.anchorPoint()
			L := math.Exp(g.r.between(math.Log(lo), math.Log(hi)))
			th := g.r.between(0, 2*math.Pi)
			f := newFrame(a)
			mid := f.offset(L/2*math.Cos(th)+g.r.between(-0.2, 0.2)*L, L/2*math.Sin(th)+g.r.between(-0.2, 0.2)*L)
			via = []orb.Point{a, mid, f.offset(L*math.Cos(th), L*math.Sin(th))}
		}
		ls := path(g.r, via, g.step()*g.r.between(0.7, 1.4), 0.1, g.maxVertices(), true)
		name, nameHi := placeName(g.r)
		kind := pick(g.r, []struct{ en, hi string }{{" Nala", " नाला"}, {" Nadi", " नदी"}, {" Jhor", " झोर"}})
		if !emit(item{geom: ls, at: ls[len(ls)/2], vals: map[string]any{
			"name": name + kind.en, "name_hi": nameHi + kind.hi, "stream_order": 1 + g.r.intn(5), "perennial": g.r.chance(0.3),
		}}) {
			return
		}
	}
}

func (g *gen) districts(emit func(item) bool) {
	l := newLattice(g.seed)
	for i, d := range g.w.districts {
		mp := l.regionPolygons(d.in)
		if !emit(item{id: "district-" + slug(d.name), geom: mp, at: d.hq, vals: map[string]any{
			"name": d.name, "name_hi": d.nameHi, "state": stateNames[d.state][0], "state_code": stateCodes[d.state],
			"lgd_code": 100 + i*3, "headquarters": d.name,
		}}) {
			return
		}
	}
}

func (g *gen) states(emit func(item) bool) {
	l := newLattice(g.seed)
	lgd := map[byte]int{'U': 9, 'B': 10, 'M': 23, 'C': 22, 'J': 20, 'W': 19, 'O': 21, 'H': 27, 'T': 36, 'A': 28}
	for _, s := range stateOrder() {
		mp := l.regionPolygons(stateCells(s))
		if !emit(item{id: "state-" + strings.ToLower(stateCodes[s]), geom: mp, at: mp[0][0][0], vals: map[string]any{
			"name": stateNames[s][0], "name_hi": stateNames[s][1], "state_code": stateCodes[s], "lgd_code": lgd[s],
			"state": stateNames[s][0],
		}}) {
			return
		}
	}
}

// sheets is the index of Survey of India 1:50,000 sheets (15′ × 15′) over the
// lattice, numbered in the Open Series Map style.
func (g *gen) sheets(emit func(item) bool) {
	for j := latticeNY - 1; j >= 0; j-- {
		for i := 0; i < latticeNX; i++ {
			w, s := latticeWest+float64(i)*latticeStep, latticeSouth+float64(j)*latticeStep
			e, n := w+latticeStep, s+latticeStep
			ring := orb.Ring{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}
			// 1:1M sheet of 4°×4° (letter row, number column), 16 sheets of 1° in it, 16 of 15′ in those
			m := fmt.Sprintf("%c%d", 'A'+rune(int(s)/4), 40+int(w)/4)
			deg := (3-int(n-0.001)%4)*4 + int(w)%4
			q := (3-int((n-0.001-math.Floor(n-0.001))*4))*4 + int((w-math.Floor(w))*4) + 1
			id := fmt.Sprintf("%s%c-%d", m, 'A'+rune(deg), q)
			c := orb.Point{w + latticeStep/2, s + latticeStep/2}
			if !emit(item{id: strings.ToLower(id), geom: orb.Polygon{ring}, at: c, vals: map[string]any{
				"sheet_no": fmt.Sprintf("%s%c/%d", m, 'A'+rune(deg), q), "scale": "1:50,000", "edition": g.r.rangeInt(2005, 2023),
			}}) {
				return
			}
		}
	}
}

// stationCode makes a railway-style station code from the station's name.
func stationCode(vals map[string]any, n int) string {
	name, _ := vals["name"].(string)
	var b []byte
	for i := 0; i < len(name) && len(b) < 3; i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c >= 'A' && c <= 'Z' && (i == 0 || !strings.ContainsRune("AEIOU", rune(c))) {
			b = append(b, c)
		}
	}
	return fmt.Sprintf("%s%d", b, n%10)
}
