package formats

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
)

// cwRect is a clockwise (shapefile outer) rectangle ring.
func cwRect(x0, y0, x1, y1 float64) orb.Ring {
	return ring(x0, y0, x0, y1, x1, y1, x1, y0, x0, y0)
}

// ccwRect is a counter-clockwise (shapefile hole) rectangle ring.
func ccwRect(x0, y0, x1, y1 float64) orb.Ring { return reversed(cwRect(x0, y0, x1, y1)) }

// blocksShapefile is the coal-block fixture: UTM 44N polygons near
// Dhirauli, holes listed after other outers, an island in a hole, Hindi
// names in UTF-8 with no .cpg, and a field name cut at 10 characters.
func blocksShapefile() testShapefile {
	geoms := []orb.Geometry{
		// Dhirauli: one outer, one hole.
		orb.Polygon{cwRect(730000, 2648000, 736000, 2652000), ccwRect(732000, 2649000, 733000, 2650000)},
		// Two parts; the hole of the second is listed before its outer.
		orb.MultiPolygon{
			{cwRect(740000, 2648000, 742000, 2650000)},
			{ccwRect(744500, 2648500, 745000, 2649000)},
			{cwRect(744000, 2648000, 746000, 2650000)},
		},
		// An island inside the hole of a larger outer.
		orb.MultiPolygon{
			{cwRect(750000, 2640000, 760000, 2650000)},
			{ccwRect(752000, 2642000, 758000, 2648000)},
			{cwRect(754000, 2644000, 756000, 2646000)},
		},
		nil,
	}
	cols := []dbfCol{
		{"NAME", 'C', 40, 0}, {"NAME_HI", 'C', 60, 0}, {"AREA_KM2", 'N', 12, 3},
		{"BLOCK_NO", 'N', 9, 0}, {"ALLOTTED", 'L', 1, 0}, {"ALLOT_DATE", 'D', 8, 0},
		{"COALFIELD_", 'C', 20, 0},
	}
	rows := [][]string{
		{"Dhirauli", "धिरौली कोयला ब्लॉक", "23.500", "101", "T", "20200817", "Singrauli"},
		{"Pelma", "पेलमा", "8.000", "102", "F", "", "Mand-Raigarh"},
		{"Gare Palma Sector II", "गारे पेल्मा सेक्टर II", "96.000", "103", "?", "00000000", "Mand-Raigarh"},
		{"Unsurveyed", "कोयला", "", "", " ", "", ""},
	}
	s := newTestShapefile(geoms, false, cols, rows)
	prj, err := os.ReadFile(filepath.Join("testdata", "prj", "32644.esri.prj"))
	if err != nil {
		panic(err)
	}
	s[".prj"] = prj
	return s
}

// surveyKML is a forest-clearance style KML: nested folders, altitude,
// ExtendedData and SchemaData, a polygon with a hole, a MultiGeometry.
const surveyKML = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
  <name>Forest clearance</name>
  <Schema name="pillars" id="pillars"><SimpleField name="pillar_no" type="int"/></Schema>
  <Folder>
    <name>Singrauli</name>
    <Folder>
      <name>Dhirauli</name>
      <Placemark id="bp-1">
        <name>BP 1</name>
        <description>Boundary pillar</description>
        <ExtendedData><SchemaData schemaUrl="#pillars"><SimpleData name="pillar_no">1</SimpleData></SchemaData></ExtendedData>
        <Point><coordinates>82.33,23.95,312.5</coordinates></Point>
      </Placemark>
      <Placemark id="fc-1">
        <name>Forest patch</name>
        <ExtendedData>
          <Data name="area_ha"><value>12.5</value></Data>
          <Data name="surveyed"><value>2021-03-04</value></Data>
        </ExtendedData>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          82.30,23.90 82.36,23.90 82.36,23.98 82.30,23.98 82.30,23.90
        </coordinates></LinearRing></outerBoundaryIs>
        <innerBoundaryIs><LinearRing><coordinates>82.32,23.92 82.33,23.92 82.33,23.93 82.32,23.92</coordinates></LinearRing></innerBoundaryIs>
        </Polygon>
      </Placemark>
    </Folder>
  </Folder>
  <Placemark>
    <name>Proposed line</name>
    <ExtendedData><Data name="area_ha"><value>n/a</value></Data></ExtendedData>
    <MultiGeometry>
      <LineString><coordinates>82.1,23.8 82.5,24.1</coordinates></LineString>
      <LineString><coordinates>82.5, 24.1 82.6, 24.2</coordinates></LineString>
    </MultiGeometry>
  </Placemark>
</Document>
</kml>
`

// kmzBytes zips a KML as doc.kml with an image beside it.
func kmzBytes(kml string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range []struct{ name, body string }{{"doc.kml", kml}, {"files/legend.png", "\x89PNG"}} {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		w, _ := zw.CreateHeader(h)
		w.Write([]byte(e.body))
	}
	zw.Close()
	return b.Bytes()
}

// TestFixtures checks (or with -update writes) the generated fixtures in
// testdata/.
func TestFixtures(t *testing.T) {
	for ext, b := range blocksShapefile() {
		t.Run("blocks"+ext, func(t *testing.T) { golden(t, "blocks/blocks"+ext, b) })
	}
	t.Run("survey.kml", func(t *testing.T) { golden(t, "survey.kml", []byte(surveyKML)) })
	t.Run("survey.kmz", func(t *testing.T) { golden(t, "survey.kmz", kmzBytes(surveyKML)) })
}
