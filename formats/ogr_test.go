package formats

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requireGDAL fails the test when ogr2ogr is missing; only -short turns
// that into a skip.
func requireGDAL(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		if testing.Short() {
			t.Skip("ogr2ogr not on PATH (-short)")
		}
		t.Fatal("ogr2ogr not on PATH: apt-get install gdal-bin (or run with -short)")
	}
}

// ogrGeoJSONSeq runs ogr2ogr on src and returns its GeoJSONSeq output.
func ogrGeoJSONSeq(t *testing.T, src, layer string, args ...string) string {
	t.Helper()
	argv := append(append([]string{"-f", "GeoJSONSeq"}, args...), "/vsistdout/", src)
	if layer != "" {
		argv = append(argv, layer)
	}
	cmd := exec.Command("ogr2ogr", argv...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ogr2ogr: %v: %s", err, stderr.String())
	}
	return string(out)
}

// minimalDXF is a DXF with one LINE on layer 0, as consultants send them
// (no CRS).
const minimalDXF = "0\nSECTION\n2\nENTITIES\n0\nLINE\n8\n0\n10\n733000.0\n20\n2650000.0\n11\n734000.0\n21\n2651000.0\n0\nENDSEC\n0\nEOF\n"

func TestOGR(t *testing.T) {
	requireGDAL(t)
	t.Run("dxf has no CRS", func(t *testing.T) {
		src, err := openString(t, "alignment.dxf", minimalDXF, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		fs := readAll(t, src)
		if len(fs) != 1 || fs[0].Geometry.GeoJSONType() != "LineString" {
			t.Fatalf("features = %v", fs)
		}
		if c := src.CRS(); c.SRID != 0 {
			t.Errorf("CRS = %+v, want unknown", c)
		}
		if fs[0].Properties["Layer"] != "0" {
			t.Errorf("properties = %v", fs[0].Properties)
		}
	})
	t.Run("dxf with srid is reprojected", func(t *testing.T) {
		src, err := openString(t, "alignment.dxf", minimalDXF, Options{SRID: 32644})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		fs := readAll(t, src)
		pt := fs[0].Geometry.Bound().Min
		if c := src.CRS(); c.SRID != 4326 || pt[0] < 82 || pt[0] > 84 || pt[1] < 23 || pt[1] > 25 {
			t.Errorf("CRS %+v, first point %v: want EPSG:4326 near Dhirauli", c, pt)
		}
	})
	t.Run("forced ogr route reprojects a shapefile", func(t *testing.T) {
		src := mustOpen(t, filepath.Join("testdata", "blocks", "blocks.shp"), Options{Format: "ogr"})
		fs := readAll(t, src)
		if len(fs) != 4 || src.CRS().SRID != 4326 {
			t.Fatalf("%d features, CRS %+v", len(fs), src.CRS())
		}
		if c := fs[0].Geometry.Bound().Center(); c[0] < 83 || c[0] > 83.5 {
			t.Errorf("centre %v not near Dhirauli", c)
		}
	})
	t.Run("zip of a GeoJSON goes through GDAL", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "blocks.zip")
		zipFiles(t, p, []string{"data/blocks.geojson"}, map[string][]byte{"data/blocks.geojson": mustRead(t, filepath.Join("testdata", "blocks.geojson"))})
		src := mustOpen(t, p, Options{})
		fs := readAll(t, src)
		if len(fs) != 4 || src.CRS().SRID != 4326 || fs[0].Properties["name_hi"] != "धिरौली" {
			t.Errorf("%d features, CRS %+v", len(fs), src.CRS())
		}
	})
	t.Run("unreadable file", func(t *testing.T) {
		_, err := openString(t, "junk.xyz", "this is not geodata\n", Options{})
		wantError(t, err, ErrUnsupported, -1, "GDAL cannot open")
	})
}

func TestOGRMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	p := filepath.Join(t.TempDir(), "a.dxf")
	os.WriteFile(p, []byte(minimalDXF), 0o644)
	_, err := Open(p, Options{})
	e := wantError(t, err, ErrNoGDAL, -1, "apt-get install gdal-bin")
	if !strings.Contains(e.Error(), "ogr2ogr") {
		t.Errorf("error %q does not name ogr2ogr", e)
	}
}
