package formats

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// benchRead opens path and reads every feature b.N times, reporting
// features/s, vertices/s and allocations.
func benchRead(b *testing.B, path string, opt Options, features, vertices int) {
	b.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		src, err := Open(path, opt)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		src.Close()
		if n != features {
			b.Fatalf("read %d features, want %d", n, features)
		}
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(features*b.N)/s, "features/s")
	b.ReportMetric(float64(vertices*b.N)/s, "vertices/s")
}

// BenchmarkGeoJSONRead reads a FeatureCollection of 10,000 polygons of
// 100 vertices: a million vertices.
func BenchmarkGeoJSONRead(b *testing.B) {
	p, _ := writeLargeGeoJSON(b, 10000, 100)
	benchRead(b, p, Options{}, 10000, 10000*100)
}

// BenchmarkGeoJSONSeqRead reads the same million vertices as GeoJSONSeq.
func BenchmarkGeoJSONSeqRead(b *testing.B) {
	src, _ := writeLargeGeoJSON(b, 10000, 100)
	body, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	s := strings.TrimSuffix(strings.TrimPrefix(string(body), `{"type":"FeatureCollection","features":[`), "]}\n")
	s = strings.ReplaceAll(s, `}},{"type":"Feature"`, "}}\n\x1e{\"type\":\"Feature\"")
	p := filepath.Join(b.TempDir(), "large.geojsonl")
	if err := os.WriteFile(p, []byte("\x1e"+s+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	benchRead(b, p, Options{}, 10000, 10000*100)
}

// BenchmarkShapefileRead reads 10,000 polygons of 100 vertices with four
// attributes.
func BenchmarkShapefileRead(b *testing.B) {
	geoms := make([]orb.Geometry, 10000)
	rows := make([][]string, len(geoms))
	for i := range geoms {
		r := make(orb.Ring, 100)
		for j := range 99 {
			a := float64(j) / 99 * 6.283185307179586
			r[98-j] = orb.Point{730000 + float64(i%100)*100 + 40*cos(a), 2648000 + float64(i/100)*100 + 40*sin(a)}
		}
		r[99] = r[0]
		geoms[i] = orb.Polygon{r}
		rows[i] = []string{fmt.Sprintf("block %d", i), "कोयला ब्लॉक", fmt.Sprintf("%d.5", i), fmt.Sprint(i)}
	}
	cols := []dbfCol{{"NAME", 'C', 20, 0}, {"NAME_HI", 'C', 40, 0}, {"AREA", 'N', 12, 2}, {"NO", 'N', 9, 0}}
	p := newTestShapefile(geoms, false, cols, rows).write(b, b.TempDir(), "bench")
	benchRead(b, p, Options{}, 10000, 10000*100)
}

// BenchmarkCSVRead reads 100,000 boundary pillars with typed columns.
func BenchmarkCSVRead(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("pillar_no,block,lon,lat,surveyed,height_m\n")
	for i := range 100000 {
		fmt.Fprintf(&sb, "%d,Dhirauli,%.6f,%.6f,2021-03-04,%d.5\n", i+1, 82.3+float64(i%1000)*1e-4, 23.9+float64(i/1000)*1e-4, 300+i%50)
	}
	p := filepath.Join(b.TempDir(), "pillars.csv")
	os.WriteFile(p, []byte(sb.String()), 0o644)
	benchRead(b, p, Options{}, 100000, 100000)
}

// BenchmarkKMLRead reads 10,000 placemarks with 100-vertex polygons and
// ExtendedData.
func BenchmarkKMLRead(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>blocks</name>`)
	for i := range 10000 {
		fmt.Fprintf(&sb, `<Placemark id="p%d"><name>block %d</name><ExtendedData><Data name="area"><value>%d.5</value></Data></ExtendedData><Polygon><outerBoundaryIs><LinearRing><coordinates>`, i, i, i)
		for j := range 99 {
			a := float64(j) / 99 * 6.283185307179586
			fmt.Fprintf(&sb, "%.6f,%.6f,0 ", 82+0.0004*cos(a), 23+0.0004*sin(a))
		}
		fmt.Fprintf(&sb, "%.6f,%.6f,0", 82.0004, 23.0)
		sb.WriteString(`</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>`)
	}
	sb.WriteString(`</Folder></Document></kml>`)
	p := filepath.Join(b.TempDir(), "blocks.kml")
	os.WriteFile(p, []byte(sb.String()), 0o644)
	benchRead(b, p, Options{}, 10000, 10000*100)
}
