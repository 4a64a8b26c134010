package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/tiles"
)

// This file checks what readers see after an edit: tiles, overlap checks
// and GDAL.

// tileContent is a decoded tile: per layer, each feature's geometry (tile
// coordinates) and properties by id; the order features come in is left
// out, as a rebuilt table may store them in another.
func tileContent(t *testing.T, b []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range decode(t, b) {
		for _, f := range l.Features {
			g, _ := json.Marshal(f.Geometry)
			p, _ := json.Marshal(f.Properties)
			out[fmt.Sprintf("%s/%v", l.Name, f.ID)] = string(g) + " " + string(p)
		}
	}
	return out
}

func sameContent(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// fresh renders a tile with no cache, as the data is now.
func (e *editEnv) fresh(t *testing.T, layer string, tl maptile.Tile) []byte {
	t.Helper()
	svc := tiles.NewService(e.cat, e.render, tiles.Config{})
	res, err := svc.Tile(context.Background(), tiles.Request{Layers: []string{layer}, Tile: tl})
	if err != nil {
		t.Fatal(err)
	}
	return res.MVT
}

// TestEditTiles edits a block and a siding: the next tile of the area
// shows the edit, at full resolution and in the generalised bands, and a
// tile far away stays a cache hit with the same ETag; every tile served
// equals a fresh render, and the patched bands equal bands rebuilt whole.
func TestEditTiles(t *testing.T) {
	e := newEditEnv(t)
	ctx := context.Background()
	for _, tc := range []struct {
		layer, id string
		// near: tiles over the feature, at a full-resolution zoom and a
		// generalised one; far: tiles the edit cannot touch.
		near, far []maptile.Tile
		patch     string
	}{
		{"coal_blocks", "CB-0",
			[]maptile.Tile{maptile.At(orb.Point{82.01, 23.707}, 14), maptile.At(orb.Point{82.01, 23.707}, 9)},
			[]maptile.Tile{maptile.At(orb.Point{82.71, 24.107}, 14), maptile.At(orb.Point{82.71, 24.107}, 9)},
			`{"geometry":{"type":"Polygon","coordinates":[[[82.005,23.702],[82.03,23.702],[82.03,23.72],[82.005,23.72],[82.005,23.702]]]},"properties":{"name":"Moved"}}`},
		{"sidings", "SD-21",
			[]maptile.Tile{maptile.At(orb.Point{82.04, 23.76}, 14), maptile.At(orb.Point{82.04, 23.76}, 9)},
			[]maptile.Tile{maptile.At(orb.Point{82.763, 24.24}, 14), maptile.At(orb.Point{82.763, 24.24}, 9)},
			`{"geometry":{"type":"Point","coordinates":[82.0455,23.7623]}}`},
	} {
		t.Run(tc.layer, func(t *testing.T) {
			path := func(tl maptile.Tile) string { return tilePath(tc.layer, tl) }
			before := map[maptile.Tile]response{}
			for _, tl := range append(append([]maptile.Tile{}, tc.near...), tc.far...) {
				r := e.do(t, "GET", path(tl), layers.None, "")
				if r.status != 200 {
					t.Fatalf("tile %v: %d %s", tl, r.status, r.body)
				}
				if again := e.do(t, "GET", path(tl), layers.None, ""); again.header.Get("X-Cache") != "hit" {
					t.Fatalf("tile %v not cached", tl)
				}
				before[tl] = r
			}
			r := e.do(t, "PATCH", "/collections/"+tc.layer+"/items/"+tc.id, layers.Editor, tc.patch,
				"If-Match", e.etag(t, tc.layer, tc.id), "Content-Type", mediaMergePatch)
			if r.status != 200 {
				t.Fatalf("patch: %d %s", r.status, r.body)
			}
			for _, tl := range tc.far {
				r := e.do(t, "GET", path(tl), layers.None, "")
				if r.header.Get("X-Cache") != "hit" || r.header.Get("ETag") != before[tl].header.Get("ETag") {
					t.Fatalf("far tile %v after the edit: X-Cache %s, ETag %s (was %s)", tl, r.header.Get("X-Cache"),
						r.header.Get("ETag"), before[tl].header.Get("ETag"))
				}
				if !sameContent(tileContent(t, r.body), tileContent(t, e.fresh(t, tc.layer, tl))) {
					t.Fatalf("far tile %v kept in the cache differs from a fresh render", tl)
				}
			}
			for _, tl := range tc.near {
				r := e.do(t, "GET", path(tl), layers.None, "")
				if r.header.Get("X-Cache") != "miss" || r.header.Get("ETag") == before[tl].header.Get("ETag") {
					t.Fatalf("near tile %v after the edit: X-Cache %s, ETag %s (was %s)", tl, r.header.Get("X-Cache"),
						r.header.Get("ETag"), before[tl].header.Get("ETag"))
				}
				got := tileContent(t, r.body)
				if sameContent(got, tileContent(t, before[tl].body)) {
					t.Fatalf("near tile %v does not show the edit", tl)
				}
				if !sameContent(got, tileContent(t, e.fresh(t, tc.layer, tl))) {
					t.Fatalf("near tile %v differs from a fresh render", tl)
				}
			}
			// The bands were patched, not dropped: still current, and the
			// same as bands built whole from the edited table.
			ok, err := e.store.BandsCurrent(ctx, tc.layer)
			if err != nil || !ok {
				t.Fatalf("bands current after the edit: %v %v", ok, err)
			}
			patched := map[maptile.Tile]map[string]string{}
			for _, tl := range append(append([]maptile.Tile{}, tc.near...), tc.far...) {
				patched[tl] = tileContent(t, e.fresh(t, tc.layer, tl))
			}
			if err := postgis.PrepareLayerTiles(ctx, e.pool, tc.layer); err != nil {
				t.Fatal(err)
			}
			for tl, want := range patched {
				if got := tileContent(t, e.fresh(t, tc.layer, tl)); !sameContent(got, want) {
					t.Fatalf("tile %v from the patched bands differs from bands rebuilt whole:\n%v\n%v", tl, want, got)
				}
			}
		})
	}
}

// TestEditOverlaps moves a block onto an alignment: the next overlap check
// reports the crossing, with PostGIS's length, without the engine reloading
// the layer; a delete takes it away again.
func TestEditOverlaps(t *testing.T) {
	e := newEditEnv(t)
	ctx := context.Background()
	const line = `{"type":"LineString","coordinates":[[82.55,23.62],[82.65,23.62]]}`
	check := func() (crossed map[string]float64) {
		t.Helper()
		r := e.do(t, "POST", "/overlaps/check?against=coal_blocks&row_width_m=46", layers.None, line)
		if r.status != 200 {
			t.Fatalf("check: %d %s", r.status, r.body)
		}
		var rep struct {
			Crossings []struct {
				ID      string  `json:"id"`
				LengthM float64 `json:"length_m"`
			} `json:"crossings"`
		}
		if err := json.Unmarshal(r.body, &rep); err != nil {
			t.Fatal(err)
		}
		crossed = map[string]float64{}
		for _, c := range rep.Crossings {
			crossed[c.ID] = c.LengthM
		}
		return crossed
	}
	if c := check(); len(c) != 0 {
		t.Fatalf("before the edit the line crosses %v", c)
	}
	loads := e.engine.Builds()
	r := e.do(t, "PATCH", "/collections/coal_blocks/items/CB-5", layers.Editor,
		`{"geometry":{"type":"Polygon","coordinates":[[[82.59,23.61],[82.61,23.605],[82.615,23.63],[82.59,23.63],[82.59,23.61]]]}}`,
		"If-Match", e.etag(t, "coal_blocks", "CB-5"), "Content-Type", mediaMergePatch)
	if r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	c := check()
	var want float64
	if err := e.pool.QueryRow(ctx, `SELECT ST_Length(ST_Intersection(ST_GeomFromGeoJSON($1)::geometry, geom)::geography)
FROM layers.coal_blocks WHERE feature_id = 'CB-5'`, line).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if got, ok := c["CB-5"]; !ok || len(c) != 1 || math.Abs(got-want) > math.Max(1, want*0.001) {
		t.Fatalf("after moving CB-5 onto the line: %v, PostGIS says %.1f m", c, want)
	}
	if n := e.engine.Builds(); n != loads {
		t.Fatalf("engine: %d layer loads (was %d): want the edit applied in place", n, loads)
	}
	// A new block on the line, then the moved one deleted.
	r = e.do(t, "POST", "/collections/coal_blocks/items", layers.Editor,
		`{"type":"Feature","id":"CB-ON-LINE","geometry":{"type":"Polygon","coordinates":[[[82.56,23.61],[82.57,23.61],[82.57,23.63],[82.56,23.63],[82.56,23.61]]]},"properties":{"name":"On the line"}}`)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	r = e.do(t, "DELETE", "/collections/coal_blocks/items/CB-5", layers.Editor, "", "If-Match", e.etag(t, "coal_blocks", "CB-5"))
	if r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	c = check()
	if _, ok := c["CB-ON-LINE"]; !ok || len(c) != 1 || math.Abs(c["CB-ON-LINE"]-1020) > 30 {
		t.Fatalf("after the create and delete: %v", c)
	}
	if n := e.engine.Builds(); n != loads {
		t.Fatalf("engine: %d layer loads (was %d): want the edits applied in place", n, loads)
	}
}

// TestEditGDALReads: GDAL's OAPIF driver is read-only (GDAL 3.6 here, and
// still in 3.10), so edits are made over plain HTTP; GDAL then reads the
// layer with every edit in it.
func TestEditGDALReads(t *testing.T) {
	ogr2ogr, err := exec.LookPath("ogr2ogr")
	if err != nil {
		if testing.Short() {
			t.Skip("-short: no ogr2ogr")
		}
		t.Fatal("ogr2ogr not found: install gdal-bin (scripts/install-deps.sh)")
	}
	e := newEditEnv(t)
	if r := e.do(t, "POST", "/collections/coal_blocks/items", layers.Editor, newBlock); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r := e.do(t, "PATCH", "/collections/coal_blocks/items/CB-3", layers.Editor, `{"properties":{"name":"Renamed by an edit"}}`,
		"If-Match", e.etag(t, "coal_blocks", "CB-3"), "Content-Type", mediaMergePatch); r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", "/collections/coal_blocks/items/CB-4", layers.Editor, "", "If-Match", e.etag(t, "coal_blocks", "CB-4")); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	dst := filepath.Join(t.TempDir(), "out.json")
	cmd := exec.Command(ogr2ogr, "-f", "GeoJSON", dst, "OAPIF:"+e.ts.URL, "coal_blocks")
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=60", "CPL_DEBUG=OFF")
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
	names := map[string]int{}
	for _, f := range fc.Features {
		names[fmt.Sprint(f.Properties["name"])]++
	}
	want := e.count(t, `SELECT count(*) FROM layers.coal_blocks`)
	if len(fc.Features) != want || names["Mahan East"] != 1 || names["Renamed by an edit"] != 1 || names["Block 3"] != 0 || names["Block 4"] != 0 {
		t.Fatalf("GDAL read %d features (the table holds %d); names %v", len(fc.Features), want, names)
	}
	if !strings.Contains(string(b), "Mahan East") {
		t.Fatal("created feature missing")
	}
}
