package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coalmap/coalmap/layers"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

const testSeed = 1

// generated holds every demo layer's features for testSeed, made once for
// all the tests that read them.
var generated = sync.OnceValues(func() (map[string][]*geojson.Feature, error) {
	out := map[string][]*geojson.Feature{}
	for _, e := range Demo().Layers {
		var fs []*geojson.Feature
		for f, err := range e.Features(testSeed) {
			if err != nil {
				return nil, err
			}
			fs = append(fs, f)
		}
		out[e.ID] = fs
	}
	return out, nil
})

func features(t *testing.T, layer string) []*geojson.Feature {
	t.Helper()
	all, err := generated()
	if err != nil {
		t.Fatal(err)
	}
	fs, ok := all[layer]
	if !ok {
		t.Fatalf("no layer %q", layer)
	}
	return fs
}

func featureByID(t *testing.T, layer, id string) *geojson.Feature {
	t.Helper()
	for _, f := range features(t, layer) {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("layer %s has no feature %q", layer, id)
	return nil
}

var isoFrequencies = []string{"continual", "daily", "weekly", "fortnightly", "monthly", "quarterly", "biannually", "annually", "asNeeded", "irregular", "notPlanned", "unknown"}
var isoProgress = []string{"completed", "historicalArchive", "obsolete", "onGoing", "planned", "required", "underDevelopment"}
var categories = []layers.Category{layers.CoalResources, layers.MiningOperations, layers.CoalLogistics, layers.Land, layers.Power, layers.Rail, layers.Roads,
	layers.Environment, layers.Water, layers.Settlements, layers.Administrative, layers.Infrastructure, layers.ProposedProjects, layers.GeologyHydrology, layers.SocialInfrastruct}

func TestDemoManifest(t *testing.T) {
	m := Demo()
	if len(m.Layers) < 100 {
		t.Fatalf("demo has %d layers, want at least 100", len(m.Layers))
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	restricted := 0
	for _, e := range m.Layers {
		t.Run(e.ID, func(t *testing.T) {
			if !layers.ValidID(e.ID) || seen[e.ID] {
				t.Errorf("id %q invalid or repeated", e.ID)
			}
			seen[e.ID] = true
			l := e.Layer
			for name, v := range map[string]string{
				"title": l.Title, "title_hi": l.TitleHi, "description": l.Description, "owner": l.Owner,
				"custodian.name": l.Custodian.Name, "custodian.organisation": l.Custodian.Organisation, "custodian.email": l.Custodian.Email, "custodian.phone": l.Custodian.Phone,
				"source_crs": l.SourceCRS, "scale": l.Scale, "accuracy": l.Accuracy, "lineage.statement": l.Lineage.Statement, "lineage.source": l.Lineage.Source,
				"license": l.License, "style.color": l.Style.Color,
			} {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s is empty", name)
				}
			}
			if !slices.Contains(categories, l.Category) {
				t.Errorf("category %q is not one of layers' categories", l.Category)
			}
			if len(l.Keywords) < 3 {
				t.Errorf("only %d keywords", len(l.Keywords))
			}
			if l.SRID != layers.StorageSRID {
				t.Errorf("srid %d", l.SRID)
			}
			if !slices.Contains(isoFrequencies, l.UpdateFrequency) {
				t.Errorf("update frequency %q is not an ISO 19115 MD_MaintenanceFrequencyCode", l.UpdateFrequency)
			}
			if !slices.Contains(isoProgress, l.Status) {
				t.Errorf("status %q is not an ISO 19115 MD_ProgressCode", l.Status)
			}
			if l.RevisedAt == nil || l.MinZoom > l.MaxZoom || l.MaxZoom == 0 {
				t.Errorf("revised_at %v, zoom %d–%d", l.RevisedAt, l.MinZoom, l.MaxZoom)
			}
			if len(l.Attributes) == 0 {
				t.Errorf("no attributes")
			}
			for _, a := range l.Attributes {
				if a.Alias == "" || a.LabelHi == "" || a.Description == "" {
					t.Errorf("attribute %s: alias, Hindi label and description are required", a.Name)
				}
			}
			if e.Generator == nil {
				t.Errorf("no generator")
			}
			if l.Access == layers.Restricted {
				restricted++
			}
		})
	}
	if restricted < 5 {
		t.Errorf("%d restricted layers, want several (resources, boreholes, land records, sidings…)", restricted)
	}
	for _, id := range []string{"geological_resource_estimates", "exploration_boreholes", "land_parcels_cadastral", "railway_sidings", "cba_section4_notifications"} {
		if e, err := m.Layer(id); err != nil || e.Access != layers.Restricted {
			t.Errorf("%s: want a restricted layer (err %v)", id, err)
		}
	}
	for _, s := range []string{"4", "7", "9", "11"} {
		if _, err := m.Layer("cba_section" + s + "_notifications"); err != nil {
			t.Error(err)
		}
	}
}

func TestManifestJSONRoundTrip(t *testing.T) {
	m := Demo()
	var buf bytes.Buffer
	if err := m.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ParseManifest(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, back) {
		t.Fatal("manifest changed in a JSON round trip")
	}
}

func TestParseManifestRejects(t *testing.T) {
	good := func() map[string]any {
		var buf bytes.Buffer
		m := Manifest{Layers: Demo().Layers[:2]}
		if err := m.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	layer := func(v map[string]any, i int) map[string]any { return v["layers"].([]any)[i].(map[string]any) }
	tests := []struct {
		name string
		edit func(v map[string]any)
		want []string // all must appear in the error
	}{
		{"unknown layer field", func(v map[string]any) { layer(v, 1)["colour"] = "red" }, []string{"layer 1", "lignite_fields", `"colour"`}},
		{"unknown top-level field", func(v map[string]any) { v["version"] = 2 }, []string{`"version"`}},
		{"unknown generator field", func(v map[string]any) { layer(v, 0)["generator"].(map[string]any)["density"] = 3 }, []string{"coalfields", `"density"`}},
		{"bad id", func(v map[string]any) { layer(v, 0)["id"] = "Coal-Fields" }, []string{"Coal-Fields", "id"}},
		{"duplicate id", func(v map[string]any) { layer(v, 1)["id"] = "coalfields" }, []string{"coalfields", "duplicate"}},
		{"bad attribute type", func(v map[string]any) {
			layer(v, 0)["attributes"].([]any)[0].(map[string]any)["type"] = "varchar"
		}, []string{"coalfields", "attributes[0].type", "varchar"}},
		{"reserved attribute", func(v map[string]any) {
			layer(v, 0)["attributes"].([]any)[0].(map[string]any)["name"] = "geom"
		}, []string{"coalfields", "reserved"}},
		{"repeated attribute", func(v map[string]any) {
			layer(v, 0)["attributes"].([]any)[1].(map[string]any)["name"] = "name"
		}, []string{"coalfields", "duplicate attribute"}},
		{"unknown geometry type", func(v map[string]any) { layer(v, 0)["geometry_type"] = "Curve" }, []string{"coalfields", "Curve"}},
		{"unknown access", func(v map[string]any) { layer(v, 0)["access"] = "secret" }, []string{"coalfields", "secret"}},
		{"values for a missing attribute", func(v map[string]any) {
			layer(v, 0)["generator"].(map[string]any)["values"] = map[string]any{"colour": []any{"red"}}
		}, []string{"coalfields", "generator.values.colour"}},
		{"no source nor generator", func(v map[string]any) { delete(layer(v, 0), "generator") }, []string{"coalfields", "neither"}},
		{"unknown kind", func(v map[string]any) { layer(v, 0)["generator"].(map[string]any)["kind"] = "volcanoes" }, []string{"coalfields", "volcanoes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := good()
			tc.edit(v)
			b, _ := json.Marshal(v)
			_, err := ParseManifest(bytes.NewReader(b))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	t.Run("validation errors are ErrInvalid", func(t *testing.T) {
		v := good()
		layer(v, 1)["id"] = "coalfields"
		b, _ := json.Marshal(v)
		if _, err := ParseManifest(bytes.NewReader(b)); !errors.Is(err, layers.ErrInvalid) {
			t.Errorf("got %v, want ErrInvalid", err)
		}
	})
	t.Run("a source-only entry is fine", func(t *testing.T) {
		v := good()
		delete(layer(v, 0), "generator")
		layer(v, 0)["source"] = "coalfields.shp"
		layer(v, 0)["source_srid"] = 24379
		b, _ := json.Marshal(v)
		m, err := ParseManifest(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if m.Layers[0].Source != "coalfields.shp" || m.Layers[0].SRID != 24379 || m.Layers[0].Layer.SRID != layers.StorageSRID {
			t.Errorf("got source %q srid %d/%d", m.Layers[0].Source, m.Layers[0].SRID, m.Layers[0].Layer.SRID)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	var buf bytes.Buffer
	if err := (Manifest{Layers: Demo().Layers[:3]}).WriteJSON(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"layers":[]}`))
	f.Add([]byte(`{"layers":[{"id":"x","generator":{"kind":"blocks"}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(bytes.NewReader(b))
		if err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("parsed manifest does not validate: %v", err)
		}
	})
}

// checkValue reports whether v is a valid property value for type typ.
func checkValue(typ layers.AttrType, v any) error {
	if v == nil {
		return nil
	}
	ok := false
	switch typ {
	case layers.Text:
		_, ok = v.(string)
	case layers.Integer:
		_, ok = v.(int)
	case layers.Real:
		_, ok = v.(float64)
	case layers.Boolean:
		_, ok = v.(bool)
	case layers.Date:
		if s, is := v.(string); is {
			_, err := time.Parse(time.DateOnly, s)
			ok = err == nil
		}
	case layers.Timestamp:
		if s, is := v.(string); is {
			_, err := time.Parse(time.RFC3339, s)
			ok = err == nil
		}
	}
	if !ok {
		return fmt.Errorf("%v (%T) is not a %s", v, v, typ)
	}
	return nil
}

// TestFeatures checks every feature of every layer: id, geometry type and
// validity, location, and properties that are exactly the dictionary's.
func TestFeatures(t *testing.T) {
	m := Demo()
	india := orb.Bound{Min: orb.Point{68, 6}, Max: orb.Point{98, 38}}
	total := 0
	for _, e := range m.Layers {
		t.Run(e.ID, func(t *testing.T) {
			fs := features(t, e.ID)
			total += len(fs)
			if len(fs) == 0 {
				t.Fatal("no features")
			}
			ids := map[string]bool{}
			bad := 0
			fail := func(f *geojson.Feature, format string, args ...any) {
				if bad++; bad <= 5 {
					t.Errorf("feature %v: %s", f.ID, fmt.Sprintf(format, args...))
				}
			}
			for _, f := range fs {
				id, _ := f.ID.(string)
				if id == "" || ids[id] {
					fail(f, "id empty or repeated")
				}
				ids[id] = true
				if got := f.Geometry.GeoJSONType(); got != string(e.GeometryType) {
					fail(f, "geometry %s in a %s layer", got, e.GeometryType)
				}
				if !india.Contains(f.Geometry.Bound().Min) || !india.Contains(f.Geometry.Bound().Max) {
					fail(f, "outside India: %v", f.Geometry.Bound())
				}
				if err := validGeometry(f.Geometry); err != nil {
					fail(f, "invalid geometry: %v", err)
				}
				if len(f.Properties) != len(e.Attributes) {
					fail(f, "%d properties for %d attributes", len(f.Properties), len(e.Attributes))
				}
				for _, a := range e.Attributes {
					v, ok := f.Properties[a.Name]
					if !ok {
						fail(f, "no property %s", a.Name)
						continue
					}
					if err := checkValue(a.Type, v); err != nil {
						fail(f, "property %s: %v", a.Name, err)
					}
				}
			}
		})
	}
	t.Logf("%d features in %d layers", total, len(m.Layers))
}

func TestSizes(t *testing.T) {
	maxVertices := func(layer string) (max int) {
		for _, f := range features(t, layer) {
			n := 0
			switch g := f.Geometry.(type) {
			case orb.LineString:
				n = len(g)
			case orb.MultiPolygon:
				for _, p := range g {
					for _, r := range p {
						n += len(r)
					}
				}
			case orb.Polygon:
				for _, r := range g {
					n += len(r)
				}
			}
			if n > max {
				max = n
			}
		}
		return max
	}
	count := func(layer string) int { return len(features(t, layer)) }
	lines := 0
	for _, e := range Demo().Layers {
		if strings.HasPrefix(e.ID, "transmission_lines_") {
			lines += count(e.ID)
		}
	}
	checks := []struct {
		what    string
		got, lo int
		hi      int
	}{
		{"coal blocks", count("coal_blocks"), 550, 700},
		{"transmission lines", lines, 1800, 2600},
		{"rail lines", count("railway_lines_existing") + count("railway_lines_proposed") + count("railway_lines_under_construction") + count("dedicated_freight_corridors"), 350, 450},
		{"villages", count("villages"), 30000, 30000},
		{"boreholes", count("exploration_boreholes"), 20000, 20000},
		{"largest coal block vertices", maxVertices("coal_blocks"), 2000, 7000},
		{"longest 765 kV line vertices", maxVertices("transmission_lines_765kv"), 2500, 5000},
		{"largest reserved forest vertices", maxVertices("reserved_forests"), 2000, 6000},
		{"largest district vertices", maxVertices("district_boundaries"), 2000, 10000},
	}
	for _, c := range checks {
		if c.got < c.lo || c.got > c.hi {
			t.Errorf("%s: %d, want %d–%d", c.what, c.got, c.lo, c.hi)
		}
	}
	multi, holes := 0, 0
	for _, f := range features(t, "coal_blocks") {
		mp := f.Geometry.(orb.MultiPolygon)
		if len(mp) > 1 {
			multi++
		}
		if len(mp[0]) > 1 {
			holes++
		}
	}
	if multi < 10 || holes < 5 {
		t.Errorf("coal blocks: %d multipolygons, %d with holes; want some of each", multi, holes)
	}
}

// Real blocks must be near their real places (within a few km).
func TestNamedBlocks(t *testing.T) {
	want := []struct {
		id, state string
		at        orb.Point
	}{
		{"dhirauli", "Madhya Pradesh", orb.Point{82.33, 23.95}},
		{"pelma", "Chhattisgarh", orb.Point{83.16, 22.30}},
		{"gare-palma-sector-i", "Chhattisgarh", orb.Point{83.38, 22.28}},
		{"gare-palma-sector-ii", "Chhattisgarh", orb.Point{83.49, 22.17}},
		{"sardega", "Odisha", orb.Point{83.80, 22.03}},
		{"tentuloi", "Odisha", orb.Point{84.98, 21.10}},
		{"budhapank", "Odisha", orb.Point{85.22, 20.92}},
	}
	for _, w := range want {
		t.Run(w.id, func(t *testing.T) {
			f := featureByID(t, "coal_blocks", w.id)
			c, _ := planar.CentroidArea(f.Geometry)
			if d := orbgeo.Distance(c, w.at); d > 3000 {
				t.Errorf("centroid %v is %.0f m from %v", c, d, w.at)
			}
			if s := f.Properties["state"]; s != w.state {
				t.Errorf("state %v, want %s", s, w.state)
			}
		})
	}
	// Every named block: present, around its table centre, and clear of the others.
	var shapes []orb.MultiPolygon
	for _, nb := range namedBlocks {
		f := featureByID(t, "coal_blocks", nb.ID)
		mp := f.Geometry.(orb.MultiPolygon)
		if !planar.MultiPolygonContains(mp, nb.Center) {
			t.Errorf("%s does not contain its centre %v", nb.ID, nb.Center)
		}
		if a, _ := f.Properties["area_km2"].(float64); a < 1 || a > 80 {
			t.Errorf("%s: area %v km²", nb.ID, a)
		}
		shapes = append(shapes, mp)
	}
	for i := range shapes {
		for j := i + 1; j < len(shapes); j++ {
			if shapes[i].Bound().Intersects(shapes[j].Bound()) {
				if err := validPolygons(append(append(orb.MultiPolygon{}, shapes[i]...), shapes[j]...)); err != nil {
					t.Errorf("%s and %s overlap: %v", namedBlocks[i].ID, namedBlocks[j].ID, err)
				}
			}
		}
	}
	// Blocks of the whole layer do not overlap either.
	all := features(t, "coal_blocks")
	var mp orb.MultiPolygon
	for _, f := range all {
		mp = append(mp, f.Geometry.(orb.MultiPolygon)...)
	}
	if err := validPolygons(mp); err != nil {
		t.Errorf("coal blocks overlap: %v", err)
	}
}

// Each real-case alignment crosses its named blocks.
func TestAlignmentsCrossTheirBlocks(t *testing.T) {
	want := map[string]string{
		"dhirauli-765kv":           "transmission_lines_proposed_765kv",
		"jharsuguda-dharamjaygarh": "transmission_lines_765kv",
		"pelma-sardega":            "railway_lines_proposed",
		"tentuloi-budhapank":       "railway_lines_proposed",
	}
	for _, al := range alignments {
		if want[al.ID] != al.Layer {
			t.Errorf("%s is in %s", al.ID, al.Layer)
		}
	}
	blocks := features(t, "coal_blocks")
	for _, al := range alignments {
		t.Run(al.ID, func(t *testing.T) {
			line := featureByID(t, al.Layer, al.ID).Geometry.(orb.LineString)
			for _, id := range al.Crosses {
				mp := featureByID(t, "coal_blocks", id).Geometry.(orb.MultiPolygon)
				inside := 0
				for _, p := range line {
					if planar.MultiPolygonContains(mp, p) {
						inside++
					}
				}
				if inside == 0 || !crossesBoundary(line, mp) {
					t.Errorf("does not cross %s (%d vertices inside)", id, inside)
				}
			}
			var crossed []string
			for _, f := range blocks {
				if crossesBoundary(line, f.Geometry.(orb.MultiPolygon)) {
					crossed = append(crossed, f.ID.(string))
				}
			}
			t.Logf("%s (%.1f km) crosses %d blocks: %v", al.ID, orbgeo.Length(line)/1000, len(crossed), crossed)
			if len(crossed) < len(al.Crosses) {
				t.Errorf("crosses %d blocks, want at least %d", len(crossed), len(al.Crosses))
			}
		})
	}
}

func TestNamedFeatures(t *testing.T) {
	for layer, ids := range map[string][]string{
		"substations":          {"jharsuguda-765", "dharamjaygarh-765", "sasan-765", "satna-765"},
		"thermal_power_plants": {"vindhyachal-stps", "sasan-umpp", "talcher-stps"},
		"rivers":               {"son", "mahanadi", "damodar", "godavari"},
		"reservoirs":           {"rihand-gb-pant-sagar", "hirakud"},
		"tiger_reserves":       {"sanjay-dubri-tr", "palamau-tr"},
		"coalfields":           {"singrauli", "mand-raigarh", "korba", "ib-valley", "talcher", "jharia", "raniganj", "north-karanpura", "wardha-valley", "godavari-valley", "sohagpur"},
		"mines_opencast":       {},
		"state_boundaries":     {"state-cg", "state-od", "state-jh", "state-mp"},
	} {
		for _, id := range ids {
			featureByID(t, layer, id)
		}
	}
	// Dhirauli lies inside the Singrauli coalfield and in a Madhya Pradesh district.
	field := featureByID(t, "coalfields", "singrauli").Geometry.(orb.MultiPolygon)
	if !planar.MultiPolygonContains(field, orb.Point{82.33, 23.95}) {
		t.Error("Dhirauli is outside the Singrauli coalfield outline")
	}
}

// Districts tile the lattice without overlaps; states are their unions.
func TestAdministrativeTiling(t *testing.T) {
	districts := features(t, "district_boundaries")
	states := features(t, "state_boundaries")
	for _, set := range []struct {
		name string
		fs   []*geojson.Feature
	}{{"districts", districts}, {"states", states}} {
		// One multipolygon of all of them is valid iff none overlaps another.
		var all orb.MultiPolygon
		for _, f := range set.fs {
			all = append(all, f.Geometry.(orb.MultiPolygon)...)
		}
		if err := tessellation(all); err != nil {
			t.Errorf("%s overlap: %v", set.name, err)
		}
	}
	bounds := make([]orb.Bound, len(districts))
	for i, d := range districts {
		bounds[i] = d.Geometry.Bound()
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	r := newRNG(seed, "tiling")
	for i := 0; i < 300; i++ {
		// away from the lattice lines, where the wiggles move the boundary
		cx, cy := r.intn(21), r.intn(18)
		p := orb.Point{latticeWest + 0.5*float64(cx) + r.between(0.15, 0.35), latticeSouth + 0.5*float64(cy) + r.between(0.15, 0.35)}
		var in *geojson.Feature
		for i, d := range districts {
			if bounds[i].Contains(p) && planar.MultiPolygonContains(d.Geometry.(orb.MultiPolygon), p) {
				in = d
			}
		}
		land := stateAt(p) != 0
		if land != (in != nil) {
			t.Fatalf("%v: land %v, district %v", p, land, in)
		}
		if !land {
			continue
		}
		if in.Properties["state"] != stateName(p) {
			t.Fatalf("%v: district %v is in %v, the state map says %s", p, in.ID, in.Properties["state"], stateName(p))
		}
		for _, s := range states {
			if s.Properties["name"] == stateName(p) && !planar.MultiPolygonContains(s.Geometry.(orb.MultiPolygon), p) {
				t.Fatalf("%v: not inside the state %s", p, stateName(p))
			}
		}
	}
}

func layerHash(t testing.TB, e Entry, seed int64) ([32]byte, int) {
	h := sha256.New()
	n, err := e.WriteGeoJSONSeq(h, seed)
	if err != nil {
		t.Fatal(err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, n
}

func TestDeterministic(t *testing.T) {
	m := Demo()
	for _, id := range []string{"coal_blocks", "district_boundaries", "transmission_lines_765kv", "railway_lines_proposed", "schools", "wildlife_sanctuaries", "mines_opencast", "land_parcels_cadastral"} {
		e, err := m.Layer(id)
		if err != nil {
			t.Fatal(err)
		}
		a, n := layerHash(t, e, 42)
		b, _ := layerHash(t, e, 42)
		c, _ := layerHash(t, e, 43)
		if a != b {
			t.Errorf("%s: two runs with seed 42 differ", id)
		}
		if a == c && id != "district_boundaries" {
			t.Errorf("%s: seeds 42 and 43 give the same %d features", id, n)
		}
	}
	// The named features stay put whatever the seed.
	e, _ := m.Layer("coal_blocks")
	for _, seed := range []int64{1, 2, 99} {
		found := false
		for f, err := range e.Features(seed) {
			if err != nil {
				t.Fatal(err)
			}
			if f.ID == "dhirauli" {
				c, _ := planar.CentroidArea(f.Geometry)
				if d := orbgeo.Distance(c, orb.Point{82.33, 23.95}); d > 3000 {
					t.Errorf("seed %d: Dhirauli %.0f m off", seed, d)
				}
				found = true
			}
		}
		if !found {
			t.Errorf("seed %d: no dhirauli", seed)
		}
	}
}

// The fast GeoJSONSeq writer must say what encoding/json says.
func TestGeoJSONSeqMatchesEncodingJSON(t *testing.T) {
	m := Demo()
	for _, id := range []string{"coal_blocks", "exploration_boreholes", "transmission_lines_765kv", "state_boundaries", "mines_closed", "villages"} {
		e, _ := m.Layer(id)
		var buf bytes.Buffer
		if _, err := e.WriteGeoJSONSeq(&buf, testSeed); err != nil {
			t.Fatal(err)
		}
		lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
		fs := features(t, id)
		if len(lines) != len(fs) {
			t.Fatalf("%s: %d lines for %d features", id, len(lines), len(fs))
		}
		for i := 0; i < len(fs); i += max(1, len(fs)/50) {
			want, err := json.Marshal(fs[i])
			if err != nil {
				t.Fatal(err)
			}
			var a, b any
			if err := json.Unmarshal(lines[i], &a); err != nil {
				t.Fatalf("%s line %d: %v", id, i, err)
			}
			_ = json.Unmarshal(want, &b)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s feature %d: seq line differs from encoding/json:\n%s\n%s", id, i, lines[i][:min(300, len(lines[i]))], want[:min(300, len(want))])
			}
		}
	}
}

func TestFeaturesWithoutGenerator(t *testing.T) {
	e := Demo().Layers[0]
	e.Generator = nil
	for _, err := range e.Features(1) {
		if err == nil {
			t.Fatal("want an error")
		}
		return
	}
	t.Fatal("no error yielded")
}

func TestFeaturesStopEarly(t *testing.T) {
	e, _ := Demo().Layer("villages")
	n := 0
	for range e.Features(1) {
		if n++; n == 10 {
			break
		}
	}
	if n != 10 {
		t.Fatalf("got %d", n)
	}
}

// Star polygons with holes and satellites are valid for any seed.
func TestStarPolygonsValid(t *testing.T) {
	seed := time.Now().UnixNano()
	if v := os.Getenv("DATA_TEST_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseInt(v, 10, 64); err != nil {
			t.Fatalf("DATA_TEST_SEED: %v", err)
		}
	}
	t.Logf("seed %d (set DATA_TEST_SEED to repeat)", seed)
	r := newRNG(seed, "stars")
	for i := 0; i < 300; i++ {
		n := r.rangeInt(5, 3000)
		o := starPolygon(r, orb.Point{r.between(70, 95), r.between(8, 35)}, r.between(0.05, 30), n, r.between(0, 0.5), r.between(1, 3), r.intn(4))
		if err := validPolygons([]orb.Polygon{o.poly}); err != nil {
			t.Fatalf("polygon %d (n=%d): %v", i, n, err)
		}
	}
}

func BenchmarkDemo(b *testing.B) {
	m := Demo()
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			total, bytes := 0, int64(0)
			for _, e := range m.Layers {
				cw := &countWriter{}
				n, err := e.WriteGeoJSONSeq(cw, testSeed)
				if err != nil {
					b.Fatal(err)
				}
				total += n
				bytes += cw.n
			}
			b.ReportMetric(float64(total), "features")
			b.ReportMetric(float64(bytes)/1e6, "MB")
		}
	})
	b.Run("parallel", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			next := make(chan Entry)
			for range 2 {
				wg.Go(func() {
					for e := range next {
						if _, err := e.WriteGeoJSONSeq(io.Discard, testSeed); err != nil {
							b.Error(err)
						}
					}
				})
			}
			for _, e := range m.Layers {
				next <- e
			}
			close(next)
			wg.Wait()
		}
	})
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }
