package layers

import (
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

var blocks = &Layer{ID: "coal_blocks", GeometryType: MultiPolygon, Attributes: []Attribute{
	{Name: "name", Type: Text}, {Name: "area_km2", Type: Real, Alias: "Area"}, {Name: "producing", Type: Boolean},
	{Name: "allotted_on", Type: Date}, {Name: "seams", Type: Integer},
}}

const square = `{"type":"Polygon","coordinates":[[[82.2,23.7],[82.22,23.7],[82.22,23.715],[82.2,23.715],[82.2,23.7]]]}`

func TestPrepareEditRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		op    EditOp
		body  string
		geom  bool // a *GeometryError, else a *ValidationError
		field string
		say   string
	}{
		{"unknown property", EditReplace, `{"type":"Feature","geometry":` + square + `,"properties":{"colour":"red"}}`, false, "colour", `"colour" is not an attribute of coal_blocks`},
		{"wrong type", EditCreate, `{"type":"Feature","geometry":` + square + `,"properties":{"area_km2":"big"}}`, false, "area_km2", "big (string) is not a valid real"},
		{"fraction for an integer", EditUpdate, `{"properties":{"seams":2.5}}`, false, "seams", "2.5 (float64) is not a valid integer"},
		{"point into polygons", EditCreate, `{"type":"Feature","geometry":{"type":"Point","coordinates":[82,23]},"properties":{}}`, true, "geometry", "a Point does not fit a MultiPolygon layer"},
		{"unclosed ring", EditReplace, `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[82,23],[83,23],[83,24],[82,24]]]},"properties":{}}`, true, "geometry", "ring 0 not closed"},
		{"NaN-free but short ring", EditReplace, `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[82,23],[83,23],[82,23]]]},"properties":{}}`, true, "geometry", "ring 0 has 3 points"},
		{"a collection", EditCreate, `{"type":"FeatureCollection","features":[]}`, false, "type", `want "Feature"`},
		{"no type", EditReplace, `{"geometry":null,"properties":{}}`, false, "type", "missing"},
		{"other id", EditReplace, `{"type":"Feature","id":"B","geometry":null,"properties":{}}`, false, "id", "an id cannot be changed"},
		{"broken JSON", EditCreate, `{"type":"Feature","geometry":`, false, "body", "not a JSON object"},
		{"properties not an object", EditCreate, `{"type":"Feature","geometry":null,"properties":[1]}`, false, "properties", "properties is not an object"},
		{"unknown CRS", EditCreate, `{"type":"Feature","crs":{"type":"name","properties":{"name":"urn:x:nowhere"}},"geometry":null,"properties":{}}`, true, "crs", "unknown"},
		{"empty patch", EditUpdate, `{"links":[]}`, false, "body", "changes nothing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PrepareEdit(blocks, EditRequest{Op: tc.op, ID: "A", Body: []byte(tc.body)})
			var gerr *GeometryError
			var verr *ValidationError
			switch {
			case tc.geom && errors.As(err, &gerr):
				if gerr.Field != tc.field || !strings.Contains(gerr.Error(), tc.say) {
					t.Fatalf("%v (field %s)", err, gerr.Field)
				}
			case !tc.geom && errors.As(err, &verr):
				if verr.Field != tc.field || !strings.Contains(verr.Error(), tc.say) || verr.Feature != -1 {
					t.Fatalf("%v (field %s, feature %d)", err, verr.Field, verr.Feature)
				}
			default:
				t.Fatalf("error %v (%T)", err, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatal("not ErrInvalid")
			}
		})
	}
}

func TestPrepareEdit(t *testing.T) {
	t.Run("replace sets every attribute, typed; the alias names one", func(t *testing.T) {
		e, err := PrepareEdit(blocks, EditRequest{Op: EditReplace, ID: "A", Body: []byte(`{"type":"Feature","id":"A","geometry":` + square +
			`,"properties":{"name":"Dhirauli","Area":12,"allotted_on":"2015-03-01"}}`)})
		if err != nil {
			t.Fatal(err)
		}
		if !e.SetGeometry || len(e.Columns) != 5 || e.SRID != StorageSRID {
			t.Fatalf("%+v", e)
		}
		if e.Values[0] != "Dhirauli" || e.Values[1] != 12.0 || e.Values[2] != nil || e.Values[4] != nil {
			t.Fatalf("values %v", e.Values)
		}
		g, err := wkb.Unmarshal(e.Geometry)
		if err != nil {
			t.Fatal(err)
		}
		if mp, ok := g.(orb.MultiPolygon); !ok || len(mp) != 1 || mp[0][0][1] != (orb.Point{82.22, 23.7}) {
			t.Fatalf("geometry %v: want the polygon as a MultiPolygon", g)
		}
	})
	t.Run("a patch sets what it names", func(t *testing.T) {
		e, err := PrepareEdit(blocks, EditRequest{Op: EditUpdate, ID: "A", Body: []byte(`{"properties":{"producing":true,"name":null}}`)})
		if err != nil {
			t.Fatal(err)
		}
		if e.SetGeometry || len(e.Columns) != 2 || e.Columns[0].Name != "name" || e.Values[0] != nil || e.Columns[1].Name != "producing" || e.Values[1] != true {
			t.Fatalf("%+v", e)
		}
	})
	t.Run("properties null clears them all", func(t *testing.T) {
		e, err := PrepareEdit(blocks, EditRequest{Op: EditUpdate, ID: "A", Body: []byte(`{"properties":null}`)})
		if err != nil || len(e.Columns) != 5 || e.SetGeometry {
			t.Fatalf("%+v %v", e, err)
		}
		for _, v := range e.Values {
			if v != nil {
				t.Fatalf("values %v", e.Values)
			}
		}
	})
	t.Run("a geometry patch, latitude first", func(t *testing.T) {
		e, err := PrepareEdit(blocks, EditRequest{Op: EditUpdate, ID: "A", SRID: 4326, LatLon: true,
			Body: []byte(`{"geometry":{"type":"Polygon","coordinates":[[[23.7,82.2],[23.7,82.22],[23.715,82.22],[23.7,82.2]]]}}`)})
		if err != nil {
			t.Fatal(err)
		}
		g, _ := wkb.Unmarshal(e.Geometry)
		if !e.SetGeometry || len(e.Columns) != 0 || g.(orb.MultiPolygon)[0][0][1] != (orb.Point{82.22, 23.7}) || e.CRSFrom != "Content-Crs" {
			t.Fatalf("%+v %v", e, g)
		}
	})
	t.Run("geometry null", func(t *testing.T) {
		e, err := PrepareEdit(blocks, EditRequest{Op: EditUpdate, ID: "A", Body: []byte(`{"geometry":null}`)})
		if err != nil || !e.SetGeometry || e.Geometry != nil {
			t.Fatalf("%+v %v", e, err)
		}
	})
	t.Run("create takes the body's id", func(t *testing.T) {
		e, err := PrepareEdit(blocks, EditRequest{Op: EditCreate, Body: []byte(`{"type":"Feature","id":17,"geometry":null,"properties":{}}`)})
		if err != nil || e.ID != "17" {
			t.Fatalf("%+v %v", e, err)
		}
	})
	t.Run("delete needs no body", func(t *testing.T) {
		e, err := PrepareEdit(blocks, EditRequest{Op: EditDelete, ID: "A", IfMatch: []string{"v"}})
		if err != nil || e.ID != "A" || e.IfMatch[0] != "v" {
			t.Fatalf("%+v %v", e, err)
		}
	})
}
