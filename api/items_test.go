package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/coalmap/coalmap/layers"
)

type page struct {
	Features []struct {
		ID         string          `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	}
	NumberReturned int `json:"numberReturned"`
	Links          []link
}

func (p page) next() string {
	for _, l := range p.Links {
		if l.Rel == "next" {
			return l.Href
		}
	}
	return ""
}

// TestKeysetPagingUnderConcurrentChanges pages through a layer while rows
// are appended and an already-read row is deleted between pages: every
// original feature must come exactly once, in order (LIMIT/OFFSET paging
// would skip one after the delete).
func TestKeysetPagingUnderConcurrentChanges(t *testing.T) {
	f := newFixture(t, 120)
	ctx := context.Background()
	seen := map[string]int{}
	var order []string
	next := f.ts.URL + "/collections/blocks/items?limit=25"
	for pages := 0; next != ""; pages++ {
		if pages > 20 {
			t.Fatal("paging does not end")
		}
		r := f.get(t, strings.TrimPrefix(next, f.ts.URL))
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var p page
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		if p.NumberReturned != len(p.Features) {
			t.Fatalf("numberReturned %d for %d features", p.NumberReturned, len(p.Features))
		}
		for _, ft := range p.Features {
			seen[ft.ID]++
			order = append(order, ft.ID)
		}
		next = p.next()
		if pages == 1 {
			// Between pages: append 5 rows, delete a row already read.
			if _, err := f.store.Pool().Exec(ctx, `INSERT INTO layers.blocks (fid, feature_id, geom, name)
SELECT m + g, 'new-' || g, ST_Multi(ST_Buffer(ST_Point(82.5, 23.5, 4326), 0.001)), 'appended'
FROM (SELECT max(fid) m FROM layers.blocks) x, generate_series(1, 5) g`); err != nil {
				t.Fatal(err)
			}
			if _, err := f.store.Pool().Exec(ctx, `DELETE FROM layers.blocks WHERE feature_id = 'blk-3'`); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range 120 {
		id := fmt.Sprintf("blk-%d", i)
		if seen[id] != 1 {
			t.Errorf("%s seen %d times", id, seen[id])
		}
	}
	for i := 1; i <= 5; i++ {
		if seen[fmt.Sprintf("new-%d", i)] != 1 {
			t.Errorf("appended row new-%d seen %d times", i, seen[fmt.Sprintf("new-%d", i)])
		}
	}
	if len(order) != 125 || order[0] != "blk-0" || order[119] != "blk-119" || order[124] != "new-5" {
		t.Fatalf("order: %d features, %v … %v", len(order), order[:3], order[len(order)-3:])
	}
}

func TestOffsetPagingLinks(t *testing.T) {
	f := newFixture(t, 30)
	r := f.get(t, "/collections/blocks/items?limit=10&offset=10")
	var p page
	json.Unmarshal(r.body, &p)
	if len(p.Features) != 10 || p.Features[0].ID != "blk-10" || !strings.Contains(p.next(), "offset=20") {
		t.Fatalf("%d features, first %v, next %s", len(p.Features), p.Features[0].ID, p.next())
	}
}

func TestOutputCRS(t *testing.T) {
	f := newFixture(t, 10)
	ctx := context.Background()
	type pt struct{ x, y float64 }
	want := func(srid int) pt {
		var p pt
		if err := f.store.Pool().QueryRow(ctx, `SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1), $1::int) p
FROM layers.blocks WHERE feature_id = 'blk-5') x`, srid).Scan(&p.x, &p.y); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		crs    string
		srid   int
		latLon bool
		tol    float64
	}{
		{"", 4326, false, 1e-7},
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326, false, 1e-7},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", 4326, true, 1e-7},
		{"http://www.opengis.net/def/crs/EPSG/0/3857", 3857, false, 1e-3},
		{"http://www.opengis.net/def/crs/EPSG/0/32644", 32644, false, 1e-3},
		{"EPSG:32645", 32645, false, 1e-3},
	} {
		t.Run(fmt.Sprint(tc.srid, tc.latLon), func(t *testing.T) {
			for _, path := range []string{"/collections/blocks/items?limit=1&seam_count=5", "/collections/blocks/items/blk-5"} {
				q := ""
				if tc.crs != "" {
					q = "crs=" + url.QueryEscape(tc.crs)
				}
				sep := "?"
				if strings.Contains(path, "?") {
					sep = "&"
				}
				r := f.get(t, path+sep+q)
				if r.status != 200 {
					t.Fatalf("%s: %d %s", path, r.status, r.body)
				}
				wantCRS := tc.crs
				if wantCRS == "" || wantCRS == "EPSG:32645" {
					wantCRS = map[string]string{"": crs84URI, "EPSG:32645": epsgURIBase + "32645"}[tc.crs]
				}
				if got := r.header.Get("Content-Crs"); got != "<"+wantCRS+">" {
					t.Errorf("Content-Crs %q, want <%s>", got, wantCRS)
				}
				var g struct {
					Coordinates [][][][]float64
				}
				raw := r.body
				if strings.Contains(path, "items?") {
					var p page
					json.Unmarshal(r.body, &p)
					raw = p.Features[0].Geometry
				} else {
					var ft struct{ Geometry json.RawMessage }
					json.Unmarshal(r.body, &ft)
					raw = ft.Geometry
				}
				if err := json.Unmarshal(raw, &g); err != nil || len(g.Coordinates) == 0 {
					t.Fatalf("geometry %s: %v", raw, err)
				}
				got := g.Coordinates[0][0][0]
				w := want(tc.srid)
				if tc.latLon {
					w = pt{w.y, w.x}
				}
				if math.Abs(got[0]-w.x) > tc.tol || math.Abs(got[1]-w.y) > tc.tol {
					t.Fatalf("%s: first vertex %v, PostGIS says %v", path, got, w)
				}
			}
		})
	}
}

func TestCSV(t *testing.T) {
	f := newFixture(t, 12)
	r := f.get(t, "/collections/blocks/items?f=csv&limit=5&properties=name,area_km2&state=Odisha")
	if r.status != 200 || r.header.Get("Content-Type") != mediaCSV {
		t.Fatalf("%d %s", r.status, r.header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || strings.Join(recs[0], ",") != "id,name,area_km2,wkt" {
		t.Fatalf("csv %q", recs)
	}
	if recs[1][0] != "blk-0" || recs[1][1] != "Block 0" || recs[1][2] != "0.5" || !strings.HasPrefix(recs[1][3], "MULTIPOLYGON(((82 23.8,") {
		t.Fatalf("row %q", recs[1])
	}
	if r.header.Get("Link") != "" {
		t.Fatalf("a last page with a next link: %s", r.header.Get("Link"))
	}
	r = f.get(t, "/collections/blocks/items?f=csv&limit=5")
	if !strings.Contains(r.header.Get("Link"), `rel="next"`) || !strings.Contains(r.header.Get("Link"), "f=csv") {
		t.Fatalf("Link %q", r.header.Get("Link"))
	}
}

func TestPutAndDeleteCollection(t *testing.T) {
	f := newFixture(t, 5)
	body := `{"title": "Coal blocks (CMPDI 2025)", "keywords": ["coal", "block", "cmpdi"], "access": "restricted"}`
	for _, tc := range []struct {
		role   layers.Role
		status int
	}{{layers.None, 401}, {layers.Viewer, 403}, {layers.Planner, 403}, {layers.Editor, 200}} {
		if r := f.do(t, "PUT", "/collections/blocks", tc.role, body); r.status != tc.status {
			t.Fatalf("PUT as %s: %d, want %d: %s", tc.role, r.status, tc.status, r.body)
		}
	}
	if r := f.get(t, "/collections/blocks"); r.status != 404 {
		t.Fatalf("a layer made restricted is still public: %d", r.status)
	}
	r := f.do(t, "GET", "/collections/blocks", layers.Viewer, "")
	if v := r.json(t); v["title"] != "Coal blocks (CMPDI 2025)" || v["access"] != "restricted" || v["owner"] != "Ministry of Coal" {
		t.Fatalf("after PUT: %s", r.body)
	}
	audit, _ := f.store.Audit(context.Background(), "blocks", 1)
	if len(audit) != 1 || audit[0].Action != "layer.update" || !strings.HasPrefix(audit[0].Actor, "token:") || !strings.HasSuffix(audit[0].Actor, ":editor") {
		t.Fatalf("audit %+v", audit)
	}
	for _, tc := range []struct{ name, body, field string }{
		{"unknown field", `{"colour": "red"}`, "colour"},
		{"bad zoom", `{"min_zoom": 30}`, "min_zoom"},
		{"bad access", `{"access": "secret"}`, ""},
		{"not JSON", `{`, "body"},
		{"other id", `{"id": "other"}`, "id"},
		{"column type change", `{"attributes": [{"name": "name", "type": "integer"}]}`, "attributes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, "PUT", "/collections/blocks", layers.Editor, tc.body)
			if r.status != 400 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if tc.field != "" && !strings.Contains(string(r.body), tc.field) {
				t.Fatalf("does not name %s: %s", tc.field, r.body)
			}
		})
	}
	if r := f.do(t, "DELETE", "/collections/secret", layers.Viewer, ""); r.status != 403 {
		t.Fatalf("DELETE as viewer: %d", r.status)
	}
	if r := f.do(t, "DELETE", "/collections/secret", layers.Editor, ""); r.status != 204 {
		t.Fatalf("DELETE as editor: %d %s", r.status, r.body)
	}
	if r := f.do(t, "GET", "/collections/secret", layers.Admin, ""); r.status != 404 {
		t.Fatalf("after DELETE: %d", r.status)
	}
}
