package formats

import (
	"archive/zip"
	"bytes"
	"testing"
)

// FuzzKMZ feeds arbitrary bytes, as the body of a .kmz upload, through
// the archive's protections and the KML reader: only *Error values come
// out, never a panic, and no more than the cap is decompressed.
//
// It works in memory, on a small cap. An earlier version wrote each input
// to a temporary file and opened it by name with the default cap: every
// execution made and removed a directory, and inputs decompressing to
// megabytes of XML made each execution slow. The fuzzing engine does not
// count the executions of its minimisation of a new input (up to
// -fuzzminimizetime, a minute by default), so it seemed to stall for tens
// of seconds at a time.
func FuzzKMZ(f *testing.F) {
	for _, kml := range []string{
		`<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>a</name><Point><coordinates>82.3,23.9</coordinates></Point></Placemark></kml>`,
		`<kml><Document><Folder><Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>82,23 83,23 83,24 82,23</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Folder></Document></kml>`,
		`<kml><Placemark><MultiGeometry><LineString><coordinates>1,2 3</coordinates></LineString></MultiGeometry></Placemark></kml>`,
	} {
		f.Add(zipped(f, map[string]string{"doc.kml": kml}))
	}
	f.Add(zipped(f, map[string]string{"files/a.kml": surveyKML, "b.kml": `<kml/>`, "../evil.kml": `<kml/>`}))
	f.Add(zipped(f, map[string]string{"big.kml": `<kml>` + string(bytes.Repeat([]byte(" "), 200<<10)) + `</kml>`}))
	// A small cap keeps each execution cheap: the minimisation of an
	// input that decompressed to a megabyte took the engine tens of
	// seconds, with no execution counted.
	const limit = 64 << 10
	f.Fuzz(func(t *testing.T, b []byte) {
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return // not a zip: Open says so before any reader runs
		}
		a, err := newArchive(zr, nil, "kmz", limit)
		if err != nil {
			checkErr(t, err)
			return
		}
		r, err := kmzReader(a, &meter{})
		if err != nil {
			checkErr(t, err)
			return
		}
		drain(t, r)
		if a.used > limit+32<<10 { // one read past the cap at most
			t.Fatalf("decompressed %d bytes, beyond the %d-byte cap", a.used, limit)
		}
	})
}

// zipped makes a zip of the named entries, deflated.
func zipped(f *testing.F, entries map[string]string) []byte {
	f.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range entries {
		w, err := zw.Create(name)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			f.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}
