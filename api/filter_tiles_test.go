package api

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/tiles"
)

// fids returns the feature ids of MVT layer name in a tile.
func fids(t *testing.T, body []byte, name string) ([]int64, []map[string]any) {
	t.Helper()
	var ids []int64
	var props []map[string]any
	if len(body) == 0 {
		return nil, nil
	}
	for _, l := range decode(t, body) {
		if l.Name != name {
			continue
		}
		for _, f := range l.Features {
			id, ok := f.ID.(float64) // orb decodes MVT ids as float64
			if !ok {
				t.Fatalf("feature id %v (%T)", f.ID, f.ID)
			}
			ids = append(ids, int64(id))
			props = append(props, f.Properties)
		}
	}
	slices.Sort(ids)
	return ids, props
}

// TestTileFilter: a filtered tile holds exactly the features of the
// unfiltered tile that PostGIS says match the filter; it is cached under
// its own key; a composite tile filters one layer with filter[layer]; and
// TileJSON carries the filter into its tile URLs.
func TestTileFilter(t *testing.T) {
	env := newTileEnv(t, tiles.Config{CacheBytes: 8 << 20}, nil)
	ctx := context.Background()
	tile := maptile.At(orb.Point{82.4, 24.0}, 9)
	path := tilePath("coal_blocks", tile)

	all := env.get(t, path)
	if all.status != 200 {
		t.Fatalf("%d %s", all.status, all.body)
	}
	allIDs, _ := fids(t, all.body, "coal_blocks")

	match := func(sql string) map[int64]bool {
		rows, err := env.pool.Query(ctx, "SELECT fid FROM layers.coal_blocks WHERE "+sql)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[int64]bool{}
		for rows.Next() {
			var id int64
			_ = rows.Scan(&id)
			m[id] = true
		}
		return m
	}
	for _, tt := range []struct{ name, query, sql string }{
		{"text", "filter=" + url.QueryEscape("area_km2 > 8 AND grade <> 'G9'"), "area_km2 > 8 AND grade <> 'G9'"},
		{"json", "filter-lang=cql2-json&filter=" + url.QueryEscape(`{"op":"=","args":[{"property":"producing"},true]}`), "producing"},
		{"spatial", "filter=" + url.QueryEscape("S_INTERSECTS(geom, BBOX(82.0, 23.7, 82.35, 23.95))"),
			"ST_Intersects(geom, ST_MakeEnvelope(82.0, 23.7, 82.35, 23.95, 4326))"},
		{"date", "filter=" + url.QueryEscape("allotted_on < DATE('2015-03-20')"), "allotted_on < '2015-03-20'"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := env.get(t, path+"?"+tt.query)
			if r.status != 200 || r.header.Get("X-Cache") != "miss" {
				t.Fatalf("%d X-Cache %s: %s", r.status, r.header.Get("X-Cache"), r.body)
			}
			got, _ := fids(t, r.body, "coal_blocks")
			m := match(tt.sql)
			var want []int64
			for _, id := range allIDs {
				if m[id] {
					want = append(want, id)
				}
			}
			if !slices.Equal(got, want) || len(want) == 0 || len(want) == len(allIDs) {
				t.Fatalf("filtered tile holds %v, want %v (of %d in the tile)", got, want, len(allIDs))
			}
			again := env.get(t, path+"?"+tt.query)
			if again.header.Get("X-Cache") != "hit" || string(again.body) != string(r.body) {
				t.Fatalf("second request: X-Cache %s", again.header.Get("X-Cache"))
			}
		})
	}
	if r := env.get(t, path); r.header.Get("X-Cache") != "hit" || string(r.body) != string(all.body) {
		t.Fatalf("the unfiltered tile changed: X-Cache %s", r.header.Get("X-Cache"))
	}

	// A composite: only the lines are filtered.
	comp := tilePath("coal_blocks,transmission_lines", tile)
	r := env.get(t, comp+"?"+url.Values{"filter[transmission_lines]": {"voltage_kv = 765"}}.Encode())
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if ids, _ := fids(t, r.body, "coal_blocks"); !slices.Equal(ids, allIDs) {
		t.Fatalf("coal_blocks filtered too: %v", ids)
	}
	lineIDs, props := fids(t, r.body, "transmission_lines")
	if len(lineIDs) == 0 {
		t.Fatal("no 765 kV line in the tile")
	}
	for _, p := range props {
		if v, _ := p["voltage_kv"].(float64); v != 765 {
			if iv, _ := p["voltage_kv"].(int64); iv != 765 {
				t.Fatalf("a line of %v kV in a tile filtered on 765", p["voltage_kv"])
			}
		}
	}
	// A filter on every layer must fit each.
	r = env.get(t, comp+"?filter="+url.QueryEscape("grade = 'G9'"))
	if r.status != 400 || !strings.Contains(string(r.body), "transmission_lines") {
		t.Fatalf("%d %s, want a 400 naming transmission_lines", r.status, r.body)
	}
	r = env.get(t, comp+"?"+url.Values{"filter[sidings]": {"TRUE"}}.Encode())
	if r.status != 400 || !strings.Contains(string(r.body), `"parameter":"filter[sidings]"`) {
		t.Fatalf("%d %s, want a 400 naming filter[sidings]", r.status, r.body)
	}
	r = env.get(t, path+"?filter="+url.QueryEscape("area_km2 > 'x'"))
	if r.status != 400 || !strings.Contains(string(r.body), `"offset":11`) {
		t.Fatalf("%d %s, want a 400 at offset 11", r.status, r.body)
	}

	// TileJSON carries the filter (as canonical cql2-text) into its URLs,
	// and those URLs serve the filtered tile.
	tj := env.get(t, "/tiles/coal_blocks.json?filter-lang=cql2-json&filter="+url.QueryEscape(`{"op":">","args":[{"property":"area_km2"},8]}`))
	var doc struct {
		Tiles []string `json:"tiles"`
	}
	if err := json.Unmarshal(tj.body, &doc); err != nil || tj.status != 200 || len(doc.Tiles) != 1 {
		t.Fatalf("%d %s", tj.status, tj.body)
	}
	u, err := url.Parse(strings.NewReplacer("{z}", "9", "{x}", "0", "{y}", "0").Replace(doc.Tiles[0]))
	if err != nil || u.Query().Get("filter") != `"area_km2" > 8` || u.Query().Has("filter-lang") {
		t.Fatalf("TileJSON tile URL %s", doc.Tiles[0])
	}
	u.Path = path
	r = env.get(t, u.Path+"?"+u.RawQuery)
	got, _ := fids(t, r.body, "coal_blocks")
	m := match("area_km2 > 8")
	for _, id := range got {
		if !m[id] {
			t.Fatalf("feature %d of the TileJSON URL's tile does not match", id)
		}
	}
	if len(got) == 0 {
		t.Fatal("the TileJSON URL's tile is empty")
	}
}
