package api

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coalmap/coalmap/data"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// pyQGIS is Debian's Python, the one python3-qgis installs into (not a
// python3 of pyenv or a venv that may come first on PATH).
const pyQGIS = "/usr/bin/python3"

// TestQGISReadsFeaturesAndDrawsTheStyle runs a real QGIS (PyQGIS, headless)
// against the service: scripts/qgis_check.py adds coal_blocks as an OGC API
// – Features layer and counts it against numberMatched, and adds the vector
// tiles with their style from /styles/…, renders the Singrauli coalfield
// and finds the blocks in the picture in the style's colour, where the
// features are. The blocks get the demo catalog's coal_blocks style (the
// ministry's symbology) and the sidings a symbol of the sprite. A machine
// without python3-qgis fails (scripts/install-deps.sh installs it), except
// with -short. The picture is kept in COALMAP_QGIS_OUT when that is set.
func TestQGISReadsFeaturesAndDrawsTheStyle(t *testing.T) {
	probe := exec.Command(pyQGIS, "-c", "import qgis.core")
	probe.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen")
	if out, err := probe.CombinedOutput(); err != nil {
		if testing.Short() {
			t.Skip("-short: no PyQGIS")
		}
		t.Fatalf("PyQGIS is not installed (apt-get install python3-qgis qgis-providers; scripts/install-deps.sh does): %v\n%s", err, out)
	}
	e := newStyleEnv(t, Config{})
	var demo layers.Style
	for _, l := range data.Demo().Layers {
		if l.ID == "coal_blocks" {
			demo = l.Style
		}
	}
	if demo.FillColor == "" {
		t.Fatal("the demo catalog has no coal_blocks style")
	}
	ctx := context.Background()
	blocks, sidings := pgtest.CoalBlocks, pgtest.Sidings
	blocks.Style = demo
	sidings.Style = layers.Style{Color: "#0d47a1", FillColor: "#0d47a1", FillOpacity: 0.9, Radius: 6, Icon: "washery"}
	for _, l := range []*layers.Layer{&blocks, &sidings} {
		if _, err := e.store.PutLayer(ctx, l, "test"); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(string(e.do(t, "GET", "/styles/coal_blocks,sidings").body), `"icon-image":"washery"`) {
		if time.Now().After(deadline) {
			t.Fatal("the catalog did not take the styles")
		}
		time.Sleep(50 * time.Millisecond)
	}

	out := os.Getenv("COALMAP_QGIS_OUT")
	if out == "" {
		out = t.TempDir()
	}
	script, err := filepath.Abs("../scripts/qgis_check.py")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pyQGIS, script, e.ts.URL, out)
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen", "XDG_RUNTIME_DIR="+t.TempDir())
	start := time.Now()
	b, err := cmd.CombinedOutput()
	t.Logf("qgis_check.py (%v):\n%s", time.Since(start).Round(time.Millisecond), b)
	if err != nil {
		t.Fatalf("QGIS check failed: %v", err)
	}
	if !strings.Contains(string(b), "qgis_check: ok") {
		t.Fatal("qgis_check.py did not finish")
	}
}
