package formats

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestKMLSurvey(t *testing.T) {
	for _, name := range []string{"survey.kml", "survey.kmz"} {
		t.Run(name, func(t *testing.T) {
			// A sample of 2 types area_ha as Real; the third placemark's
			// "n/a" widens it to Text while reading.
			src := mustOpen(t, filepath.Join("testdata", name), Options{SampleSize: 2})
			if c := src.CRS(); c.SRID != 4326 || c.From != "KML (always 4326)" {
				t.Errorf("CRS = %+v", c)
			}
			fs := readAll(t, src)
			if len(fs) != 3 {
				t.Fatalf("%d features", len(fs))
			}
			tests := []struct {
				name      string
				got, want any
			}{
				{"id", fs[0].ID, "bp-1"},
				{"name", fs[0].Properties["name"], "BP 1"},
				{"description", fs[0].Properties["description"], "Boundary pillar"},
				{"folder path", fs[0].Properties["folder"], "Singrauli/Dhirauli"},
				{"top-level folder", fs[2].Properties["folder"], nil},
				{"SimpleData typed", fs[0].Properties["pillar_no"], int64(1)},
				{"Data real", fs[1].Properties["area_ha"], 12.5},
				{"Data date", fs[1].Properties["surveyed"], time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)},
				{"widened to text", fs[2].Properties["area_ha"], "n/a"},
				{"point, altitude dropped", fs[0].Geometry, orb.Point{82.33, 23.95}},
				{"polygon with hole", len(fs[1].Geometry.(orb.Polygon)), 2},
				{"multigeometry, space after comma", fs[2].Geometry, orb.MultiLineString{{{82.1, 23.8}, {82.5, 24.1}}, {{82.5, 24.1}, {82.6, 24.2}}}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if !reflect.DeepEqual(tt.got, tt.want) {
						t.Errorf("got %#v, want %#v", tt.got, tt.want)
					}
				})
			}
			st := src.Stats()
			if st.ZDropped != 1 || !reflect.DeepEqual(st.Widened, []string{"area_ha"}) {
				t.Errorf("Stats = %+v", st)
			}
		})
	}
}

func TestKMLErrors(t *testing.T) {
	doc := func(body string) string {
		return `<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>` + body + `</Document></kml>`
	}
	pm := func(geom string) string { return `<Placemark>` + geom + `</Placemark>` }
	ok := pm(`<Point><coordinates>82,23</coordinates></Point>`)
	tests := []struct {
		name   string
		body   string
		atOpen bool
		target error
		index  int
		frags  []string
	}{
		{"external entity", `<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><kml><Placemark><name>&xxe;</name></Placemark></kml>`,
			false, ErrUnsafeXML, -1, []string{"DOCTYPE with ENTITY declarations refused"}},
		{"entity bomb", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><kml/>`,
			false, ErrUnsafeXML, -1, []string{"ENTITY"}},
		{"undefined entity", doc(`<Placemark><name>&xxe;</name></Placemark>`), false, nil, 0, []string{"malformed Placemark"}},
		{"malformed xml", doc(ok) + "<kml><Placemark></kml>", false, nil, -2, []string{"malformed", "line 1"}},
		{"unclosed ring", doc(pm(`<Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 1,0 1,1 0,1</coordinates></LinearRing></outerBoundaryIs></Polygon>`)),
			false, ErrInvalidGeometry, 0, []string{"feature 0", "not closed"}},
		{"bad coordinate", doc(ok + pm(`<LineString><coordinates>82,23 82;24</coordinates></LineString>`)), false, ErrInvalidGeometry, 1, []string{"feature 1", "82;24"}},
		{"NaN coordinate", doc(pm(`<Point><coordinates>NaN,23</coordinates></Point>`)), false, ErrInvalidGeometry, 0, []string{"NaN"}},
		{"empty", "   ", false, ErrEmpty, -1, []string{"no XML element"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := openString(t, "a.kml", tt.body, Options{SampleSize: 1})
			if !tt.atOpen {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer src.Close()
				_, err = readErr(src)
			}
			wantError(t, err, tt.target, tt.index, tt.frags...)
		})
	}
}

func TestKMZ(t *testing.T) {
	t.Run("kml not named doc.kml", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "a.kmz")
		zipFiles(t, p, []string{"sub/other.kml", "survey.kml"}, map[string][]byte{"sub/other.kml": []byte("<kml/>"), "survey.kml": []byte(surveyKML)})
		if fs := readAll(t, mustOpen(t, p, Options{})); len(fs) != 3 {
			t.Errorf("%d features", len(fs))
		}
	})
	t.Run("zip slip", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "a.kmz")
		zipFiles(t, p, []string{"doc.kml", "../../x"}, map[string][]byte{"doc.kml": []byte(surveyKML), "../../x": nil})
		_, err := Open(p, Options{})
		wantError(t, err, ErrUnsafeArchive, -1, "zip slip")
	})
	t.Run("bomb", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "a.kmz")
		big := bytes.Repeat([]byte(" "), 1<<20)
		zipFiles(t, p, []string{"doc.kml"}, map[string][]byte{"doc.kml": append([]byte(surveyKML), big...)})
		_, err := Open(p, Options{MaxUncompressed: 64 << 10})
		wantError(t, err, ErrTooLarge, -1, "cap")
	})
	t.Run("no kml", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "a.kmz")
		zipFiles(t, p, []string{"a.png"}, map[string][]byte{"a.png": []byte("x")})
		_, err := Open(p, Options{})
		wantError(t, err, ErrEmpty, -1, "no .kml")
	})
	t.Run("kmz sniffed from a .zip", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "survey.zip")
		os.WriteFile(p, kmzBytes(surveyKML), 0o644)
		if fs := readAll(t, mustOpen(t, p, Options{})); len(fs) != 3 {
			t.Errorf("%d features", len(fs))
		}
	})
}

func TestKMLEncoding(t *testing.T) {
	body := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><kml><Placemark><name>Sarda\xe9</name></Placemark></kml>"
	src, err := openString(t, "a.kml", body, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fs := readAll(t, src)
	if fs[0].Properties["name"] != "Sardaé" {
		t.Errorf("name = %q", fs[0].Properties["name"])
	}
}

func TestKMLDataNamedLikeElements(t *testing.T) {
	body := `<kml><Placemark><name>P</name><ExtendedData><Data name="name"><value>x</value></Data><Data name="name"><value>y</value></Data><Data name=""><value>z</value></Data></ExtendedData></Placemark></kml>`
	src, err := openString(t, "a.kml", body, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	p := readAll(t, src)[0].Properties
	if p["name"] != "P" || p["name_2"] != "x" || p["name_3"] != "y" || len(p) != 5 {
		t.Errorf("properties %v", p)
	}
}

func TestKMLDescriptionTable(t *testing.T) {
	desc := `<![CDATA[<html><body><table border="1"><tr><th colspan="2">Dhirauli</th></tr>
<tr bgcolor="#E3E3F3"><td>BLOCK_NAME</td><td>Dhirauli</td></tr>
<tr><td>AREA_SQKM</td><td>23.5</td></tr>
<tr><td>STATE</td><td>Madhya&nbsp;Pradesh &amp; UP</td></tr>
<tr><td><table><tr><td>nested</td><td>x</td></tr></table></td></tr>
<tr><TD>Coalfield</TD><TD>Singrauli<br>North</TD></tr>
</table></body></html>]]>`
	body := `<kml><Placemark><name>Dhirauli</name><description>` + desc + `</description><Point><coordinates>82.33,23.95</coordinates></Point></Placemark></kml>`
	src, err := openString(t, "a.kml", body, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	p := readAll(t, src)[0].Properties
	want := map[string]any{"BLOCK_NAME": "Dhirauli", "AREA_SQKM": 23.5, "STATE": "Madhya Pradesh & UP", "nested": "x", "Coalfield": "Singrauli North"}
	for k, v := range want {
		if !reflect.DeepEqual(p[k], v) {
			t.Errorf("%s = %#v, want %#v", k, p[k], v)
		}
	}
	if len(p) != 3+len(want) {
		t.Errorf("properties %v", p)
	}
}

func FuzzKML(f *testing.F) {
	f.Add([]byte(surveyKML))
	f.Add([]byte(`<kml><Placemark><description><![CDATA[<table><tr><td>A</td><td>1</td></tr></table>]]></description></Placemark></kml>`))
	f.Add([]byte(`<kml><Placemark><MultiGeometry><MultiGeometry><Point><coordinates>1,2,3</coordinates></Point></MultiGeometry></MultiGeometry></Placemark></kml>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		drain(t, newKMLReader(bytes.NewReader(b), nil))
	})
}

func TestKMLFolderPathIgnoresPlacemarkNames(t *testing.T) {
	body := `<kml><Document><name>Doc</name><Folder><name>A</name><Placemark><name>P</name></Placemark><Folder><Placemark/></Folder></Folder></Document></kml>`
	src, err := openString(t, "a.kml", body, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fs := readAll(t, src)
	if fs[0].Properties["folder"] != "A" || fs[1].Properties["folder"] != "A" || !strings.EqualFold(fs[0].Properties["name"].(string), "p") {
		t.Errorf("properties %v %v", fs[0].Properties, fs[1].Properties)
	}
}
