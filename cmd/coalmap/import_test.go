package main

import (
	"archive/zip"
	"bytes"
	"context"
	le "encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// importEnv runs `coalmap import` in-process against a fresh database.
type importEnv struct {
	t    *testing.T
	url  string
	dir  string
	pool *pgxpool.Pool
}

func newImportEnv(t *testing.T) *importEnv {
	t.Helper()
	url := pgtest.URL(t)
	pool, err := postgis.Connect(context.Background(), url, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &importEnv{t: t, url: url, dir: t.TempDir(), pool: pool}
}

// file writes name in the env's directory and returns its path.
func (e *importEnv) file(name string, content []byte) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, content, 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

type importRun struct {
	code           int
	stdout, stderr string
	reports        []struct {
		Layer  string               `json:"layer"`
		Report *layers.ImportResult `json:"report"`
		Error  string               `json:"error"`
	}
}

func (e *importEnv) run(args ...string) importRun {
	e.t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"import", "--database-url", e.url, "--json"}, args...), &out, &errb)
	r := importRun{code: code, stdout: out.String(), stderr: errb.String()}
	if out.Len() > 0 {
		if err := json.Unmarshal(out.Bytes(), &r.reports); err != nil {
			e.t.Fatalf("stdout is not the JSON reports (%v):\n%s\n%s", err, out.String(), errb.String())
		}
	}
	return r
}

func (r importRun) report(t *testing.T) *layers.ImportResult {
	t.Helper()
	if len(r.reports) != 1 || r.reports[0].Report == nil {
		t.Fatalf("want one report, got %s\n%s", r.stdout, r.stderr)
	}
	return r.reports[0].Report
}

// state is a layer's data version and row count.
func (e *importEnv) state(layer string) (version, rows int64) {
	e.t.Helper()
	ctx := context.Background()
	if err := e.pool.QueryRow(ctx, `SELECT data_version FROM catalog.layers WHERE id = $1`, layer).Scan(&version); err != nil {
		return -1, -1
	}
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM layers.`+layer).Scan(&rows); err != nil {
		e.t.Fatal(err)
	}
	return version, rows
}

func (e *importEnv) stagingTables() int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// square is a GeoJSON polygon feature of side 0.01° at (x, y).
func square(id string, x, y float64, props string) string {
	return fmt.Sprintf(`{"type":"Feature","id":%q,"properties":%s,"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
		id, props, x, y, x+0.01, y, x+0.01, y+0.01, x, y+0.01, x, y)
}

func collection(features ...string) []byte {
	return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(features, ",\n") + "]}")
}

// zipOf makes a zip holding the named entries.
func zipOf(t *testing.T, entries map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "formats", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestImportBadInput runs every kind of bad input the issue lists through
// `coalmap import` into a layer that already has data: each gets a clear
// error naming what and where, and the layer keeps its data and version.
func TestImportBadInput(t *testing.T) {
	e := newImportEnv(t)
	good := e.file("good.geojson", collection(
		square("a", 82.30, 23.90, `{"name":"Dhirauli"}`), square("b", 82.35, 23.90, `{"name":"Bandha"}`)))
	if r := e.run("--layer", "blocks", "--title", "Coal blocks", good); r.code != 0 {
		t.Fatalf("good import: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	v0, n0 := e.state("blocks")
	if v0 != 1 || n0 != 2 {
		t.Fatalf("after the good import: version %d rows %d", v0, n0)
	}

	shp, shx, dbf, prj := readTestdata(t, "blocks/blocks.shp"), readTestdata(t, "blocks/blocks.shx"), readTestdata(t, "blocks/blocks.dbf"), readTestdata(t, "blocks/blocks.prj")
	// A .dbf that claims one record fewer and is one record shorter.
	short := append([]byte(nil), dbf...)
	nrec := le.LittleEndian.Uint32(short[4:8])
	recLen := int(le.LittleEndian.Uint16(short[10:12]))
	le.LittleEndian.PutUint32(short[4:8], nrec-1)
	short = append(short[:len(short)-1-recLen], 0x1a)

	cases := []struct {
		name  string
		file  func() string
		args  []string
		want  []string // in the error
		allOf bool
	}{
		{name: "malformed JSON names the byte offset", file: func() string {
			return e.file("bad.geojson", []byte(`{"type":"FeatureCollection","features":[`+square("x", 82.3, 23.9, "{}")+`,{"type":"Feature","geometry":{"type":"Point","coordinates":[82.3,23.9]},"properties":{"a":1,}}]}`))
		}, want: []string{"offset", "feature 1"}},
		{name: "a ring that does not close", file: func() string {
			return e.file("open.geojson", collection(`{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[82.3,23.9],[82.4,23.9],[82.4,24.0],[82.3,24.0]]]}}`))
		}, want: []string{"feature 0", "clos"}},
		{name: "infinite coordinates", file: func() string {
			return e.file("inf.geojson", collection(`{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1e999,23.9]}}`))
		}, want: []string{"feature 0"}},
		{name: "NaN coordinates in a CSV", file: func() string {
			return e.file("nan.csv", []byte("name,wkt\nblock 1,\"SRID=4326;POLYGON((82.3 23.9,82.4 23.9,82.4 24,82.3 23.9))\"\nblock 2,\"SRID=4326;POLYGON((82.3 23.9,NaN 23.9,82.4 24,82.3 23.9))\"\n"))
		}, want: []string{"feature 1", "NaN"}},
		{name: "an empty file", file: func() string { return e.file("empty.geojson", nil) }, want: []string{"empty"}},
		{name: "a zip with ../ paths (zip slip)", file: func() string {
			return e.file("slip.zip", zipOf(t, map[string][]byte{"../../evil.shp": shp, "../../evil.shx": shx, "../../evil.dbf": dbf}))
		}, want: []string{"zip slip"}},
		{name: "a zip bomb", file: func() string {
			return e.file("bomb.zip", zipOf(t, map[string][]byte{"blocks.shp": shp, "blocks.shx": shx, "blocks.prj": prj, "blocks.dbf": append(append([]byte(nil), dbf...), make([]byte, 8<<20)...)}))
		}, args: []string{"--max-uncompressed", "1000000"}, want: []string{"too large"}},
		{name: "a KML with an external entity", file: func() string {
			return e.file("xxe.kml", []byte(`<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&xxe;</name><Point><coordinates>82.3,23.9</coordinates></Point></Placemark></kml>`))
		}, want: []string{"entit"}},
		{name: "a shapefile without .dbf", file: func() string {
			e.file("nodbf/blocks.shx", shx)
			e.file("nodbf/blocks.prj", prj)
			return e.file("nodbf/blocks.shp", shp)
		}, want: []string{".dbf"}},
		{name: "a shapefile whose .dbf has another length", file: func() string {
			e.file("short/blocks.shx", shx)
			e.file("short/blocks.prj", prj)
			e.file("short/blocks.dbf", short)
			return e.file("short/blocks.shp", shp)
		}, want: []string{"record"}},
		{name: "mixed geometry types name the feature", file: func() string {
			return e.file("mixed.geojson", collection(square("m1", 82.3, 23.9, "{}"),
				`{"type":"Feature","id":"m2","properties":{},"geometry":{"type":"Point","coordinates":[82.3,23.9]}}`))
		}, want: []string{"feature 1", "Point does not fit a MultiPolygon layer"}},
		{name: "an unknown CRS asks for --srid", file: func() string {
			e.file("noprj/blocks.shx", shx)
			e.file("noprj/blocks.dbf", dbf)
			return e.file("noprj/blocks.shp", shp)
		}, want: []string{"unknown", "--srid"}},
		{name: "duplicate ids name both features", file: func() string {
			return e.file("dup.geojson", collection(square("k", 82.3, 23.9, "{}"), square("j", 82.31, 23.9, "{}"), square("k", 82.32, 23.9, "{}")))
		}, want: []string{"feature 2", `"k"`, "feature 0"}},
		{name: "data outside India (a wrong CRS) is refused", file: func() string {
			return e.file("utm-as-4326.geojson", collection(square("u", 500000, 2650000, "{}")))
		}, want: []string{"1 of 1 feature(s) have coordinates outside longitude", "CRS is probably wrong", "--srid", `feature 0 (id "u")`}},
		{name: "a few features outside India are named, the CRS not blamed", file: func() string {
			return e.file("one-abroad.geojson", collection(square("in1", 82.3, 23.9, "{}"), square("in2", 82.31, 23.9, "{}"),
				square("in3", 82.32, 23.9, "{}"), square("rome", 12.5, 41.9, "{}"), square("in4", 82.33, 23.9, "{}")))
		}, want: []string{"1 of 5 feature(s) lie outside India", `feature 3 (id "rome")`, "extent [12.5", "--allow-outside"}},
		{name: "coordinates beyond longitude/latitude, even with --allow-outside", file: func() string {
			return e.file("lon200.csv", []byte("name,wkt\nblock 1,\"SRID=4326;POLYGON((82.3 23.9,82.4 23.9,82.4 24,82.3 23.9))\"\n"+
				"block 2,\"SRID=4326;POLYGON((200 85,200.1 85,200.1 95,200 85))\"\n"))
		}, args: []string{"--allow-outside"}, want: []string{"1 of 2 feature(s) have coordinates outside longitude", "feature 1", "extent [200, 85, 200.1, 95]", "never stored", "correct or remove"}},
		{name: "an unknown SRID", file: func() string { return good }, args: []string{"--srid", "999999"},
			want: []string{"999999"}},
		{name: "a ring of too few points names the feature", file: func() string {
			return e.file("thin.geojson", collection(square("ok", 82.3, 23.9, "{}"),
				`{"type":"Feature","id":"thin","properties":{},"geometry":{"type":"Polygon","coordinates":[[[82.3,23.9],[82.4,23.9],[82.3,23.9]]]}}`))
		}, want: []string{"feature 1"}},
		{name: "unreadable WKT in a CSV names the feature", file: func() string {
			return e.file("badwkt.csv", []byte("name,wkt\nblock 1,\"SRID=4326;POLYGON((82.3 23.9,82.4 23.9,82.4 24,82.3 23.9))\"\nblock 2,\"SRID=4326;POLYGON((82.3 23.9, 82.4\"\n"))
		}, want: []string{"feature 1"}},
		{name: "latitude beyond 90 in lon/lat columns", file: func() string {
			return e.file("lat95.csv", []byte("name,lon,lat\nsiding 1,82.3,23.9\nsiding 2,82.3,95\n"))
		}, args: []string{"--layer", "sidings"}, want: []string{"feature 1", "latitude"}},
		{name: "a KMZ without a KML document", file: func() string {
			return e.file("nokml.kmz", zipOf(t, map[string][]byte{"readme.txt": []byte("no map here")}))
		}, want: []string{"no .kml document"}},
		{name: "a GeoPackage of two layers asks which", file: func() string {
			return twoLayerGPKG(t, e.dir)
		}, want: []string{"2 feature layers", "--source-layer", "source_layer="}},
		{name: "a .prj that is not a CRS", file: func() string {
			e.file("badprj/blocks.shx", shx)
			e.file("badprj/blocks.dbf", dbf)
			e.file("badprj/blocks.prj", []byte("PROJCS[\"nonsense\",GEOGCS[\"x\"]]]]"))
			return e.file("badprj/blocks.shp", shp)
		}, want: []string{"malformed", "prj", "--srid"}},
	}
	for _, tc := range cases {
		layer := "blocks"
		args := tc.args
		if len(args) >= 2 && args[0] == "--layer" {
			layer, args = args[1], args[2:]
		}
		v0, n0 := e.state(layer)
		t.Run("cli/"+tc.name, func(t *testing.T) {
			r := e.run(append(append([]string{"--layer", layer}, args...), tc.file())...)
			msg := r.stdout + r.stderr
			if r.code != 1 {
				t.Fatalf("exit %d, want 1:\n%s", r.code, msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("the error does not say %q:\n%s", w, msg)
				}
			}
			if v, n := e.state(layer); v != v0 || n != n0 {
				t.Fatalf("the layer changed: version %d→%d, rows %d→%d", v0, v, n0, n)
			}
			if n := e.stagingTables(); n != 0 {
				t.Fatalf("%d staging tables left", n)
			}
		})
	}
	// The same files through HTTP: a 4xx at once, or an accepted job that
	// fails, saying the same; nothing stored.
	srv := startImportServer(t, e.url)
	for _, tc := range cases {
		layer := "blocks"
		args := tc.args
		if len(args) >= 2 && args[0] == "--layer" {
			layer, args = args[1], args[2:]
		}
		q, ok := httpImportQuery(args)
		if !ok {
			continue // a flag of the command alone (--max-uncompressed: the server's is --max-upload × 8)
		}
		v0, n0 := e.state(layer)
		t.Run("http/"+tc.name, func(t *testing.T) {
			name, body := uploadOf(t, tc.file())
			status, msg := srv.importFile(t, layer, name, q, body)
			if status != http.StatusBadRequest && status != http.StatusUnprocessableEntity && status != http.StatusRequestEntityTooLarge && status != -1 {
				t.Fatalf("%d %s, want a 4xx or a failed job", status, msg)
			}
			for _, w := range tc.want {
				// The command's flag or the query parameter, whichever
				// the message names.
				if !strings.Contains(msg, w) && !strings.Contains(msg, httpWord(w)) {
					t.Errorf("the error does not say %q:\n%s", w, msg)
				}
			}
			if dbText(msg) {
				t.Errorf("database text in %s", msg)
			}
			if v, n := e.state(layer); v != v0 || n != n0 {
				t.Fatalf("the layer changed: version %d→%d, rows %d→%d", v0, v, n0, n)
			}
			if n := e.stagingTables(); n != 0 {
				t.Fatalf("%d staging tables left", n)
			}
		})
	}
	// Query parameters refused before any upload is read, each named.
	for _, tc := range []struct{ layer, query, param string }{
		{"blocks", "srid=abc", "srid"},
		{"blocks", "srid=-4326", "srid"},
		{"blocks", "invalid=maybe", "invalid"},
		{"blocks", "allow_outside=perhaps", "allow_outside"},
		{"blocks", "format=xls", "format"},
		{"Bad-Layer", "", "layer"},
	} {
		t.Run("http/parameter "+tc.param+" "+tc.query, func(t *testing.T) {
			status, msg := srv.importFile(t, tc.layer, "good.geojson", tc.query, []byte(`{"type":"FeatureCollection","features":[]}`))
			if status != http.StatusBadRequest || !strings.Contains(msg, tc.param) {
				t.Errorf("%d %s, want 400 naming %s", status, msg, tc.param)
			}
			if v, n := e.state("blocks"); v != v0 || n != n0 {
				t.Fatalf("the layer changed: version %d→%d, rows %d→%d", v0, v, n0, n)
			}
		})
	}
	t.Run("an unreadable .prj is passed over with --srid", func(t *testing.T) {
		r := e.run("--layer", "prjfix", "--srid", "32644", filepath.Join(e.dir, "badprj", "blocks.shp"))
		if r.code != 0 {
			t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
		}
		if _, n := e.state("prjfix"); n <= 0 {
			t.Fatalf("%d rows", n)
		}
	})
	t.Run("a failed import of a new layer leaves no layer", func(t *testing.T) {
		r := e.run("--layer", "fresh", e.file("dup2.geojson", collection(square("k", 82.3, 23.9, "{}"), square("k", 82.31, 23.9, "{}"))))
		if r.code != 1 {
			t.Fatalf("exit %d", r.code)
		}
		if v, _ := e.state("fresh"); v != -1 {
			t.Fatal("the layer was left in the catalog")
		}
	})
}

// TestImportReports checks what imports that succeed say they did.
func TestImportReports(t *testing.T) {
	e := newImportEnv(t)
	ctx := context.Background()
	bowtie := `{"type":"Feature","id":"bow","properties":{"name":"bow tie"},"geometry":{"type":"Polygon","coordinates":[[[82.3,23.9],[82.4,24.0],[82.4,23.9],[82.3,24.0],[82.3,23.9]]]}}`
	invalid := e.file("invalid.geojson", collection(square("ok", 82.5, 23.9, `{"name":"fine"}`), bowtie))

	t.Run("invalid geometries are repaired and counted", func(t *testing.T) {
		r := e.run("--layer", "repaired", invalid)
		rep := r.report(t)
		if r.code != 0 || rep.Read != 2 || rep.Features != 2 || rep.Repaired != 1 || len(rep.Repairs) != 1 || rep.Repairs[0].Feature != 1 {
			t.Fatalf("exit %d, report %+v\n%s", r.code, rep, r.stderr)
		}
		var valid bool
		e.pool.QueryRow(ctx, `SELECT bool_and(ST_IsValid(geom)) FROM layers.repaired`).Scan(&valid)
		if !valid {
			t.Fatal("an invalid geometry was stored")
		}
	})
	t.Run("--invalid=reject names each bad feature", func(t *testing.T) {
		r := e.run("--layer", "rejected", "--invalid", "reject", invalid)
		rep := r.report(t)
		if r.code != 0 || rep.Read != 2 || rep.Features != 1 || rep.Rejected != 1 || len(rep.Rejections) != 1 {
			t.Fatalf("exit %d, report %+v", r.code, rep)
		}
		if x := rep.Rejections[0]; x.Feature != 1 || x.ID != "bow" || !strings.Contains(x.Reason, "Self-intersection") {
			t.Fatalf("rejection %+v", x)
		}
		if _, n := e.state("rejected"); n != 1 {
			t.Fatalf("%d rows", n)
		}
	})
	t.Run("--invalid=reject leaves out features the reader refuses, and goes on", func(t *testing.T) {
		f := e.file("unclosed.geojson", collection(square("good", 82.3, 23.9, "{}"),
			`{"type":"Feature","id":"open","properties":{},"geometry":{"type":"Polygon","coordinates":[[[82.3,23.9],[82.4,23.9],[82.4,24.0],[82.3,24.0]]]}}`,
			square("after", 82.5, 23.9, "{}")))
		r := e.run("--layer", "unclosed", "--invalid", "reject", f)
		rep := r.report(t)
		if r.code != 0 || rep.Read != 3 || rep.Features != 2 || rep.Rejected != 1 || len(rep.Rejections) != 1 || rep.Rejections[0].Feature != 1 {
			t.Fatalf("exit %d, report %+v\n%s", r.code, rep, r.stderr)
		}
	})
	t.Run("3D coordinates are dropped and reported", func(t *testing.T) {
		f := e.file("z.geojson", []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[82.3,23.9,250],[82.4,23.95,260]]}},
{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[82.3,23.8],[82.4,23.85]]}}]}`))
		r := e.run("--layer", "survey", f)
		rep := r.report(t)
		if r.code != 0 || rep.ZDropped != 1 || rep.Features != 2 {
			t.Fatalf("exit %d, report %+v", r.code, rep)
		}
		var dims int
		e.pool.QueryRow(ctx, `SELECT max(ST_NDims(geom)) FROM layers.survey`).Scan(&dims)
		if dims != 2 {
			t.Fatalf("%d dimensions stored", dims)
		}
	})
	t.Run("attribute names that are SQL keywords", func(t *testing.T) {
		f := e.file("kw.geojson", collection(square("q", 82.3, 23.9, `{"select":"x","from":2,"Order By":3.5,"fid":"own","group":true}`)))
		r := e.run("--layer", "keywords", f)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		var sel, fidSrc string
		var from int64
		var order float64
		if err := e.pool.QueryRow(ctx, `SELECT "select", "from", order_by, fid_src FROM layers.keywords`).Scan(&sel, &from, &order, &fidSrc); err != nil {
			t.Fatal(err)
		}
		if sel != "x" || from != 2 || order != 3.5 || fidSrc != "own" {
			t.Fatalf("%q %d %v %q", sel, from, order, fidSrc)
		}
		store := postgis.NewStore(e.pool)
		l, _ := store.Layer(ctx, "keywords")
		if a, ok := l.AttributeByName("order_by"); !ok || a.Alias != "Order By" {
			t.Fatalf("the original name is not kept as the alias: %+v", l.Attributes)
		}
	})
	t.Run("a shapefile in a projected CRS, with its encoding", func(t *testing.T) {
		dir := filepath.Join("..", "..", "formats", "testdata", "blocks", "blocks.shp")
		r := e.run("--layer", "shp", dir)
		rep := r.report(t)
		if r.code != 0 || rep.CRS != "EPSG:32644" || rep.CRSFrom != "file .prj" || rep.Encoding == "" || rep.Checksum == "" || !strings.HasPrefix(rep.Checksum, "sha256:") {
			t.Fatalf("exit %d, report %+v", r.code, rep)
		}
		var name string
		e.pool.QueryRow(ctx, `SELECT name_hi FROM layers.shp WHERE name_hi <> '' LIMIT 1`).Scan(&name)
		if !strings.ContainsRune(name, 'ि') && name != "" {
			t.Fatalf("Hindi did not survive: %q", name)
		}
	})
	t.Run("an unknown CRS given with --srid", func(t *testing.T) {
		src := filepath.Join("..", "..", "formats", "testdata", "blocks")
		for _, n := range []string{"blocks.shp", "blocks.shx", "blocks.dbf"} {
			b, _ := os.ReadFile(filepath.Join(src, n))
			e.file("noprj/"+n, b)
		}
		r := e.run("--layer", "noprj", "--srid", "32644", filepath.Join(e.dir, "noprj", "blocks.shp"))
		if rep := r.report(t); r.code != 0 || rep.CRS != "EPSG:32644" || rep.CRSFrom != "--srid" {
			t.Fatalf("exit %d, report %+v", r.code, rep)
		}
	})
	t.Run("a .prj the readers do not know is matched by name in spatial_ref_sys", func(t *testing.T) {
		src := filepath.Join("..", "..", "formats", "testdata")
		for _, n := range []string{"blocks.shp", "blocks.shx", "blocks.dbf"} {
			b, _ := os.ReadFile(filepath.Join(src, "blocks", n))
			e.file("zone40/"+n, b)
		}
		prj, _ := os.ReadFile(filepath.Join(src, "prj", "unknown.esri.prj")) // WGS_1984_UTM_Zone_40N
		e.file("zone40/blocks.prj", prj)
		shp := filepath.Join(e.dir, "zone40", "blocks.shp")
		// UTM 44N coordinates read as zone 40N land west of India: refused…
		r := e.run("--layer", "zone40", shp)
		if r.code != 1 || !strings.Contains(r.stdout, "outside India") || !strings.Contains(r.stdout, "EPSG:32640") {
			t.Fatalf("exit %d\n%s", r.code, r.stdout)
		}
		// …unless allowed.
		r = e.run("--layer", "zone40", "--allow-outside", shp)
		if rep := r.report(t); r.code != 0 || rep.CRS != "EPSG:32640" || !strings.Contains(rep.CRSFrom, "spatial_ref_sys") {
			t.Fatalf("exit %d, report %+v", r.code, rep)
		}
	})
	t.Run("outside India with --allow-outside", func(t *testing.T) {
		f := e.file("abroad.geojson", collection(square("z", 10, 50, "{}")))
		if r := e.run("--layer", "abroad", "--allow-outside", f); r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stdout+r.stderr)
		}
	})
	t.Run("an unchanged file is a no-op that says so", func(t *testing.T) {
		r := e.run("--layer", "repaired", invalid)
		rep := r.report(t)
		if r.code != 0 || !rep.Unchanged || rep.Status != layers.ImportUnchanged || rep.DataVersion != 1 {
			t.Fatalf("exit %d, report %+v", r.code, rep)
		}
		var out bytes.Buffer
		run(ctx, []string{"import", "--database-url", e.url, "--layer", "repaired", invalid}, &out, &bytes.Buffer{})
		if !strings.Contains(out.String(), "unchanged") {
			t.Fatalf("the human report does not say unchanged: %s", out.String())
		}
		// Other options make another import.
		r = e.run("--layer", "repaired", "--invalid", "reject", invalid)
		if rep := r.report(t); r.code != 0 || rep.Unchanged || rep.DataVersion != 2 {
			t.Fatalf("with other options: exit %d, report %+v", r.code, rep)
		}
		store := postgis.NewStore(e.pool)
		jobs, err := store.LayerImports(ctx, "repaired", 10)
		if err != nil || len(jobs) != 4 || jobs[0].Status != layers.ImportSucceeded || jobs[1].Status != layers.ImportUnchanged || jobs[0].Report == nil {
			t.Fatalf("history: %+v %v", jobs, err)
		}
	})
}

// TestImportManifest imports a manifest in parallel: one layer fails, the
// others land, the exit is non-zero and the summary names each.
func TestImportManifest(t *testing.T) {
	e := newImportEnv(t)
	e.file("data/a.geojson", collection(square("a1", 82.3, 23.9, `{"name":"A"}`)))
	e.file("data/b.geojson", collection(square("b1", 82.4, 23.9, `{"name":"B"}`), square("b1", 82.5, 23.9, `{"name":"B"}`)))
	e.file("data/c.csv", []byte("name,lon,lat\nsiding,82.33,23.95\n"))
	entry := func(id, gt, src string) string {
		return fmt.Sprintf(`{"id":%q,"title":"Layer %s","description":"test","category":"coal_resources","owner":"MoC","geometry_type":%q,"source":%q,"keywords":[],"attributes":[],"access":"public","min_zoom":0,"max_zoom":16,"style":{"color":"#000"},"custodian":{},"lineage":{},"feature_count":0,"data_version":0,"srid":4326,"created_at":"0001-01-01T00:00:00Z","updated_at":"0001-01-01T00:00:00Z"}`, id, id, gt, src)
	}
	m := e.file("manifest.json", []byte(`{"layers":[`+entry("la", "MultiPolygon", "data/a.geojson")+","+entry("lb", "MultiPolygon", "data/b.geojson")+","+entry("lc", "Point", "data/c.csv")+`]}`))
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"import", "--database-url", e.url, "--manifest", m, "--jobs", "3"}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out.String(), errb.String())
	}
	s := out.String()
	for _, w := range []string{"LAYER", "la", "succeeded", "lb", "failed", "lc", `"b1"`} {
		if !strings.Contains(s, w) {
			t.Errorf("the summary lacks %q:\n%s", w, s)
		}
	}
	if v, n := e.state("la"); v != 1 || n != 1 {
		t.Errorf("la: version %d rows %d", v, n)
	}
	if v, n := e.state("lc"); v != 1 || n != 1 {
		t.Errorf("lc: version %d rows %d", v, n)
	}
	var title string
	e.pool.QueryRow(context.Background(), `SELECT title FROM catalog.layers WHERE id = 'la'`).Scan(&title)
	if title != "Layer la" {
		t.Errorf("the manifest's metadata was not applied: %q", title)
	}
	if !strings.Contains(errb.String(), "la:") || strings.Contains(errb.String(), "\x1b[") {
		t.Errorf("plain progress lines expected off a terminal:\n%s", errb.String())
	}
}

// coalmapBinary is the coalmap binary for subprocess tests: $COALMAP_BIN
// (scripts/test.sh builds it), else one built now.
func coalmapBinary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("COALMAP_BIN"); b != "" {
		return b
	}
	bin := filepath.Join(t.TempDir(), "coalmap")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestImportKilled kills `coalmap import` (SIGKILL) in the middle of its
// COPY: the layer keeps its previous version exactly, and the next start
// drops the staging table and fails the job.
func TestImportKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no subprocess")
	}
	bin := coalmapBinary(t)
	e := newImportEnv(t)
	ctx := context.Background()
	good := e.file("good.geojson", collection(square("a", 82.30, 23.90, `{"name":"A"}`), square("b", 82.35, 23.90, `{"name":"B"}`)))
	if r := e.run("--layer", "blocks", good); r.code != 0 {
		t.Fatalf("good import: %s%s", r.stdout, r.stderr)
	}
	var fp []string
	for i := range 150_000 {
		fp = append(fp, square(fmt.Sprintf("k%d", i), 80+float64(i%1000)*0.005, 20+float64(i/1000)*0.005, `{"name":"killed"}`))
	}
	big := e.file("big.geojson", collection(fp...))

	cmd := exec.Command(bin, "import", "--database-url", e.url, "--layer", "blocks", big)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Wait until the COPY into the staging table has rows in flight.
	for {
		var copying bool
		if err := e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_progress_copy p JOIN pg_class c ON c.oid = p.relid
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'staging' AND p.tuples_processed > 0)`).Scan(&copying); err != nil {
			t.Fatal(err)
		}
		if copying {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the import ended (%v) before it could be killed mid-COPY:\n%s", err, stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited

	if v, n := e.state("blocks"); v != 1 || n != 2 {
		t.Fatalf("after kill -9: version %d rows %d, want the previous 1 and 2", v, n)
	}
	var names []string
	e.pool.QueryRow(ctx, `SELECT array_agg(feature_id ORDER BY fid) FROM layers.blocks`).Scan(&names)
	if strings.Join(names, ",") != "a,b" {
		t.Fatalf("the previous features changed: %v", names)
	}
	// The server notices the dead connections on its own; wait for it.
	for {
		var held int
		e.pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1`, 0x636d).Scan(&held)
		if held == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := e.stagingTables(); n == 0 {
		t.Fatal("no staging table left by the killed import: the test did not kill it mid-COPY")
	}

	// The next start cleans up.
	other := e.file("other.geojson", collection(square("o", 82.4, 23.9, "{}")))
	r := e.run("--layer", "other", other)
	// The layer's staging table and the tile bands it was building.
	if r.code != 0 || !regexp.MustCompile(`dropped [1-9][0-9]* staging table`).MatchString(r.stderr) {
		t.Fatalf("next start: exit %d\n%s", r.code, r.stderr)
	}
	if n := e.stagingTables(); n != 0 {
		t.Fatalf("%d staging tables after the next start", n)
	}
	store := postgis.NewStore(e.pool)
	jobs, err := store.LayerImports(ctx, "blocks", 1)
	if err != nil || len(jobs) != 1 || jobs[0].Status != layers.ImportFailed || !strings.Contains(jobs[0].Error, "interrupted") {
		t.Fatalf("the killed import's job: %+v %v", jobs, err)
	}
}
