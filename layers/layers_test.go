package layers_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/formats"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/layers/layerstest"
)

func TestAccessRule(t *testing.T) {
	pub := &layers.Layer{ID: "rail", Access: layers.Public}
	res := &layers.Layer{ID: "blocks", Access: layers.Restricted}
	for _, tc := range []struct {
		role                  layers.Role
		readPub, readRes, wrt bool
	}{
		{layers.None, true, false, false},
		{layers.Viewer, true, true, false},
		{layers.Planner, true, true, false},
		{layers.Editor, true, true, true},
		{layers.Admin, true, true, true},
	} {
		t.Run(tc.role.String(), func(t *testing.T) {
			p := layers.Principal{Role: tc.role}
			if p.CanRead(pub) != tc.readPub || p.CanRead(res) != tc.readRes || p.CanWrite() != tc.wrt {
				t.Fatalf("read public %v, read restricted %v, write %v", p.CanRead(pub), p.CanRead(res), p.CanWrite())
			}
		})
	}
	if _, err := layers.ParseRole("root"); !errors.Is(err, layers.ErrInvalid) {
		t.Fatalf("ParseRole(root): %v", err)
	}
	if _, err := layers.ParseRole("none"); err == nil {
		t.Fatal("none is not a role a token can have")
	}
}

func TestTokens(t *testing.T) {
	a, ha := layers.NewToken()
	b, _ := layers.NewToken()
	if a == b || len(a) < 40 || string(ha) != string(layers.HashToken(a)) || string(ha) == string(layers.HashToken(b)) {
		t.Fatalf("tokens %q %q", a, b)
	}
}

func TestColumnName(t *testing.T) {
	for in, want := range map[string]string{
		"Area (km²)": "area_km", "STATE": "state", "fid": "fid_src", "geom": "geom_src", "feature_id": "feature_id_src",
		"2019 output": "f_2019_output", "": "field", "__x__": "x", "नाम": "field",
	} {
		if got := layers.ColumnName(in); got != want || !layers.ValidColumn(got) {
			t.Errorf("ColumnName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCoerceAndParseValue(t *testing.T) {
	day := time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    any
		t    layers.AttrType
		want any
		bad  bool
	}{
		{int64(3), layers.Text, "3", false},
		{2.5, layers.Text, "2.5", false},
		{3.0, layers.Integer, int64(3), false},
		{3.5, layers.Integer, nil, true},
		{"12", layers.Integer, int64(12), false},
		{int64(2), layers.Real, 2.0, false},
		{"yes", layers.Boolean, true, false},
		{"maybe", layers.Boolean, nil, true},
		{"2020-05-01", layers.Date, day, false},
		{nil, layers.Real, nil, false},
	} {
		got, err := layers.Coerce(tc.v, tc.t)
		if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
			t.Errorf("Coerce(%v, %s) = %v, %v", tc.v, tc.t, got, err)
		}
	}
	if _, err := layers.ParseValue(layers.Attribute{Name: "n", Type: layers.Integer}, "1 OR 1=1"); err == nil {
		t.Error("SQL parsed as an integer")
	}
	if v, err := layers.ParseValue(layers.Attribute{Name: "s", Type: layers.Text}, "x' OR '1'='1"); err != nil || v != "x' OR '1'='1" {
		t.Errorf("text value: %v %v", v, err)
	}
}

func TestPlanImport(t *testing.T) {
	l := *layerstest.Layer("blocks", layers.Public, true)
	l.GeometryType = layers.Polygon
	fields := append([]formats.Field{}, layerstest.GridFields[1:]...) // no "name" in the source
	fields = append(fields, formats.Field{Name: "Grade", Original: "Grade", Type: formats.Text})
	p, err := layers.PlanImport(l, fields, formats.CRS{SRID: 32644}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.SRID != 32644 || p.Layer.GeometryType != layers.MultiPolygon {
		t.Fatalf("srid %d type %s", p.SRID, p.Layer.GeometryType)
	}
	if len(p.Columns) != len(l.Attributes)+1 || p.Columns[0].Source != "" || p.Columns[len(p.Columns)-1].Name != "grade" {
		t.Fatalf("columns %+v", p.Columns)
	}
	if p, _ := layers.PlanImport(l, fields, formats.CRS{SRID: 32644}, 4326); p.SRID != 4326 {
		t.Fatal("--srid does not override the source CRS")
	}
	bad := l
	bad.Attributes = []layers.Attribute{{Name: "geom", Type: layers.Text}}
	if _, err := layers.PlanImport(bad, nil, formats.CRS{}, 0); !errors.Is(err, layers.ErrInvalid) {
		t.Fatalf("reserved attribute name: %v", err)
	}
}

func TestValidate(t *testing.T) {
	ok := layerstest.Layer("coal_blocks", layers.Public, true)
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*layers.Layer){
		"id":            func(l *layers.Layer) { l.ID = "Coal Blocks" },
		"title":         func(l *layers.Layer) { l.Title = "" },
		"geometry_type": func(l *layers.Layer) { l.GeometryType = "Circle" },
		"max_zoom":      func(l *layers.Layer) { l.MaxZoom = 30 },
		"srid":          func(l *layers.Layer) { l.SRID = 3857 },
		"attributes[0].type": func(l *layers.Layer) {
			l.Attributes = []layers.Attribute{{Name: "a", Type: layers.AttrType(99)}}
		},
		"style.color":        func(l *layers.Layer) { l.Style.Color = "banana" },
		"style.fill_color":   func(l *layers.Layer) { l.Style.FillColor = "#12345" },
		"style.fill_opacity": func(l *layers.Layer) { l.Style.FillOpacity = 1.5 },
		"style.line_width":   func(l *layers.Layer) { l.Style.LineWidth = -1 },
		"style.radius":       func(l *layers.Layer) { l.Style.Radius = 80 },
		"style.line_dash[1]": func(l *layers.Layer) { l.Style.LineDash = []int{4, -2} },
		"style.icon":         func(l *layers.Layer) { l.Style.Icon = "../mine" },
	} {
		t.Run(name, func(t *testing.T) {
			l := *ok
			mut(&l)
			var verr *layers.ValidationError
			if err := l.Validate(); !errors.As(err, &verr) || verr.Field != name {
				t.Fatalf("%v", err)
			}
		})
	}
}

func TestChangeJSON(t *testing.T) {
	for name, ch := range map[string]layers.Change{
		"data": {ID: 7, Layer: "coal_blocks", Version: 42, Kind: layers.ChangeData,
			BBox: orb.Bound{Min: orb.Point{82.1, 23.8}, Max: orb.Point{82.5, 24.1}}, LSN: "0/16B3748"},
		"features": {ID: 8, Layer: "sidings", Version: 3, Kind: layers.ChangeFeatures, FeatureIDs: []string{"a", "b"},
			BBox: orb.Bound{Min: orb.Point{80, 20}, Max: orb.Point{80, 20}}},
		"metadata without bbox": {ID: 9, Layer: "sidings", Version: 3, MetadataVersion: 2, Kind: layers.ChangeMetadata},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(ch)
			if err != nil {
				t.Fatal(err)
			}
			var back layers.Change
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, ch) {
				t.Fatalf("%s\ngave %+v\nwant %+v", b, back, ch)
			}
		})
	}
	for _, k := range []layers.ChangeKind{layers.ChangeData, layers.ChangeFeatures, layers.ChangeMetadata, layers.ChangeCreated, layers.ChangeDeleted} {
		if p, err := layers.ParseChangeKind(k.String()); err != nil || p != k {
			t.Errorf("%v: %v %v", k, p, err)
		}
	}
	if _, err := layers.ParseChangeKind("bands"); !errors.Is(err, layers.ErrInvalid) {
		t.Errorf("unknown kind: %v", err)
	}
}
