package data

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	return want
}

// The manifest's JSON form is kept in testdata for review: a change to the
// catalog shows up in the diff.
func TestDemoManifestGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Demo().WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if want := golden(t, "demo.json", buf.Bytes()); !bytes.Equal(buf.Bytes(), want) {
		t.Error("the demo manifest differs from testdata/demo.json (run with -update if the change is meant)")
	}
}

// Feature counts and SHA-256 of each layer's GeoJSONSeq for DefaultSeed: the
// output must not change by accident. Hashes are compared on amd64 only:
// Go may fuse floating-point operations on other architectures, which can
// move a coordinate by one unit of its last (1e-6°) digit.
func TestFeaturesGolden(t *testing.T) {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "generator-version %d\n", GeneratorVersion)
	for _, e := range Demo().Layers {
		sum, n := layerHash(t, e, DefaultSeed)
		fmt.Fprintf(&buf, "%s %d %x\n", e.ID, n, sum)
	}
	want := golden(t, "features.golden", buf.Bytes())
	gotLines, wantLines := strings.Split(buf.String(), "\n"), strings.Split(string(want), "\n")
	if len(gotLines) != len(wantLines) {
		t.Fatalf("%d layers, golden has %d", len(gotLines)-1, len(wantLines)-1)
	}
	for i := range gotLines {
		g, w := strings.Fields(gotLines[i]), strings.Fields(wantLines[i])
		if len(g) != len(w) || (len(g) == 2 && g[1] != w[1]) || (len(g) == 3 && (g[0] != w[0] || g[1] != w[1])) {
			t.Errorf("got %q, golden %q", gotLines[i], wantLines[i])
			continue
		}
		if runtime.GOARCH == "amd64" && len(g) == 3 && g[2] != w[2] {
			t.Errorf("%s: output changed (hash %s, golden %s); if meant, bump GeneratorVersion and run with -update", g[0], g[2][:12], w[2][:12])
		}
	}
}
