package api

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGDALReadsEveryFeature checks the service with the client QGIS uses:
// GDAL's OAPIF driver lists the collections and copies a 10,000-feature
// layer completely by following the next links. A missing GDAL is a
// failure (scripts/install-deps.sh installs gdal-bin), except with -short.
func TestGDALReadsEveryFeature(t *testing.T) {
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		if testing.Short() {
			t.Skip("-short: no ogrinfo")
		}
		t.Fatal("ogrinfo not found: install gdal-bin (scripts/install-deps.sh)")
	}
	ogr2ogr, err := exec.LookPath("ogr2ogr")
	if err != nil {
		t.Fatal("ogr2ogr not found: install gdal-bin (scripts/install-deps.sh)")
	}
	const n = 10000
	f := newFixture(t, n)
	env := append(os.Environ(), "GDAL_HTTP_TIMEOUT=60", "CPL_DEBUG=OFF")

	start := time.Now()
	cmd := exec.Command(ogrinfo, "-ro", "-so", "OAPIF:"+f.ts.URL)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "blocks") || strings.Contains(string(out), "secret") {
		t.Fatalf("ogrinfo lists the wrong layers (want blocks, not the restricted secret):\n%s", out)
	}
	t.Logf("ogrinfo: %v", time.Since(start))

	start = time.Now()
	dst := filepath.Join(t.TempDir(), "out.json")
	cmd = exec.Command(ogr2ogr, "-f", "GeoJSON", dst, "OAPIF:"+f.ts.URL, "blocks")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	names := map[any]bool{}
	for _, ft := range fc.Features {
		names[ft.Properties["name"]] = true
	}
	if len(fc.Features) != n || len(names) != n {
		t.Fatalf("ogr2ogr copied %d features (%d distinct), want %d", len(fc.Features), len(names), n)
	}
	t.Logf("ogr2ogr copied %d features in %v", n, time.Since(start))
}
