package formats

import (
	"errors"
	"io"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestInvalidGeometryIsPerFeature checks, for every reader, that a
// feature refused for its geometry does not end the stream.
func TestInvalidGeometryIsPerFeature(t *testing.T) {
	gj := func(geom string) string { return `{"type":"Feature","properties":{"a":1},"geometry":` + geom + `}` }
	okPt := `{"type":"Point","coordinates":[82.3,23.9]}`
	bad := `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`
	kmlPM := func(coords string) string {
		return `<Placemark><LineString><coordinates>` + coords + `</coordinates></LineString></Placemark>`
	}
	tests := []struct {
		name string
		file string
		body string
		shp  testShapefile
	}{
		{"geojson", "a.geojson", `{"type":"FeatureCollection","features":[` + gj(okPt) + "," + gj(bad) + "," + gj(okPt) + `]}`, nil},
		{"geojson parse error", "a.geojson", `{"type":"FeatureCollection","features":[` + gj(okPt) + "," + gj(`{"type":"Point","coordinates":[1]}`) + "," + gj(okPt) + `]}`, nil},
		{"geojsonseq", "a.geojsonl", gj(okPt) + "\n" + gj(bad) + "\n" + gj(okPt) + "\n", nil},
		{"csv", "a.csv", "lon,lat\n1,2\nx,2\n3,4\n", nil},
		{"csv wkt", "a.csv", "wkt\nPOINT(1 2)\nPOINT(NaN 2)\nPOINT(3 4)\n", nil},
		{"kml", "a.kml", `<kml>` + kmlPM("1,2 3,4") + kmlPM("1,2") + kmlPM("1,2 3,4") + `</kml>`, nil},
		{"shapefile", "", "", newTestShapefile([]orb.Geometry{orb.Point{1, 2}, orb.Point{math.Inf(1), 2}, orb.Point{3, 4}}, false,
			[]dbfCol{{"N", 'N', 2, 0}}, [][]string{{"1"}, {"2"}, {"3"}})},
		{"shapefile parse error", "", "", func() testShapefile {
			s := newTestShapefile([]orb.Geometry{orb.Point{1, 2}, orb.Point{5, 6}, orb.Point{3, 4}}, false,
				[]dbfCol{{"N", 'N', 2, 0}}, [][]string{{"1"}, {"2"}, {"3"}})
			s[".shp"][100+28+8] = 31 // the second record becomes a MultiPatch
			return s
		}()},
	}
	for _, tt := range tests {
		for _, sample := range []int{1, 1000} {
			t.Run(tt.name, func(t *testing.T) {
				var src Source
				var err error
				if tt.shp != nil {
					src, err = Open(tt.shp.write(t, t.TempDir(), "x"), Options{SampleSize: sample})
				} else {
					src, err = openString(t, tt.file, tt.body, Options{SampleSize: sample})
				}
				if err != nil {
					t.Fatal(err)
				}
				defer src.Close()
				var got []string
				for range 10 {
					f, err := src.Next()
					if err == io.EOF {
						break
					}
					switch {
					case err == nil:
						got = append(got, "ok")
						if f.Index == 1 {
							t.Errorf("feature 1 returned")
						}
					case errors.Is(err, ErrInvalidGeometry):
						wantError(t, err, ErrInvalidGeometry, 1)
						got = append(got, "invalid")
					default:
						t.Fatalf("unexpected error %v", err)
					}
				}
				if len(got) != 3 || got[0] != "ok" || got[1] != "invalid" || got[2] != "ok" {
					t.Errorf("sequence %v, want ok invalid ok", got)
				}
				if st := src.Stats(); st.Features != 2 || st.InvalidGeometries != 1 {
					t.Errorf("Stats = %+v", st)
				}
			})
		}
	}
}
