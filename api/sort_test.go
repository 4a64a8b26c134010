package api

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"
)

var sortSeed = flag.Uint64("sort-seed", 0, "seed of TestSortedPagingUnderConcurrentInserts (0: from the clock)")

// TestSortedPagingUnderConcurrentInserts pages through a filtered layer
// sorted by two keys (one descending, both with NULLs) while rows are
// inserted and deleted between pages: every row that exists throughout
// comes exactly once, nothing twice, and the rows come in the sort order
// (NULL last ascending, first descending, fid breaking ties).
func TestSortedPagingUnderConcurrentInserts(t *testing.T) {
	seed := *sortSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -sort-seed %d)", seed, seed)
	rnd := rand.New(rand.NewPCG(seed, 1))
	f := filterFixture(t)
	ctx := context.Background()
	pool := f.store.Pool()

	type row struct {
		fid   int64
		state *string
		area  *float64
	}
	fids := map[string]int64{}
	rows, err := pool.Query(ctx, `SELECT feature_id, fid FROM layers.blocks`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var fid int64
		if err := rows.Scan(&id, &fid); err != nil {
			t.Fatal(err)
		}
		fids[id] = fid
	}
	rows.Close()
	original := len(fids)

	states := []any{"Odisha", "Madhya Pradesh", "Chhattisgarh", "Jharkhand", nil}
	inserted := []string{}
	next := "/collections/blocks/items?limit=9&sortby=" + url.QueryEscape("state,-area_km2") + "&filter=" + url.QueryEscape("seam_count <> 6")
	var seen []row
	count := map[string]int{}
	for pages := 0; next != ""; pages++ {
		if pages > 200 {
			t.Fatal("paging does not end")
		}
		r := f.get(t, next)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", next, r.status, r.body)
		}
		var p page
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		for _, ft := range p.Features {
			count[ft.ID]++
			var rw row
			rw.fid = fids[ft.ID]
			if s, ok := ft.Properties["state"].(string); ok {
				rw.state = &s
			}
			if a, ok := ft.Properties["area_km2"].(float64); ok {
				rw.area = &a
			}
			seen = append(seen, rw)
		}
		next = strings.TrimPrefix(p.next(), f.ts.URL)
		// Between pages: three new rows with random keys (some sort before
		// the cursor, some after), and one earlier insert deleted.
		for range 3 {
			id := fmt.Sprintf("new-%d", len(inserted))
			var area any
			if rnd.IntN(4) > 0 {
				area = float64(rnd.IntN(60)) + 0.5
			}
			var fid int64
			if err := pool.QueryRow(ctx, `INSERT INTO layers.blocks (fid, feature_id, geom, name, state, area_km2, seam_count)
SELECT max(fid) + 1, $1, ST_Multi(ST_Buffer(ST_Point(82.5, 23.5, 4326), 0.001)), 'inserted', $2, $3, $4 FROM layers.blocks
RETURNING fid`, id, states[rnd.IntN(len(states))], area, rnd.IntN(6)).Scan(&fid); err != nil {
				t.Fatal(err)
			}
			fids[id] = fid
			inserted = append(inserted, id)
		}
		if len(inserted) > 4 {
			victim := inserted[rnd.IntN(len(inserted)-3)]
			if _, err := pool.Exec(ctx, `DELETE FROM layers.blocks WHERE feature_id = $1`, victim); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Every row there throughout (the originals matching the filter):
	// exactly once. Nothing twice.
	var want int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM layers.blocks WHERE seam_count <> 6 AND feature_id LIKE 'blk-%'`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	got := 0
	for id, n := range count {
		if n > 1 {
			t.Errorf("%s came %d times", id, n)
		}
		if strings.HasPrefix(id, "blk-") {
			got++
		}
	}
	if got != want || original == 0 {
		t.Fatalf("%d of the %d rows there throughout came back", got, want)
	}
	// The order holds across pages.
	cmpRow := func(a, b row) int {
		c := 0
		switch {
		case a.state == nil && b.state == nil:
		case a.state == nil:
			c = 1
		case b.state == nil:
			c = -1
		default:
			c = cmp.Compare(*a.state, *b.state)
		}
		if c != 0 {
			return c
		}
		switch { // descending, NULL first
		case a.area == nil && b.area == nil:
		case a.area == nil:
			return -1
		case b.area == nil:
			return 1
		default:
			if c = cmp.Compare(*b.area, *a.area); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.fid, b.fid)
	}
	for i := 1; i < len(seen); i++ {
		if cmpRow(seen[i-1], seen[i]) >= 0 {
			t.Fatalf("row %d (fid %d) comes after fid %d out of order", i, seen[i].fid, seen[i-1].fid)
		}
	}
	t.Logf("%d rows read in sorted pages of 9, %d inserted meanwhile", len(seen), len(inserted))
}

func TestSortables(t *testing.T) {
	f := newFixture(t, 30)
	r := f.get(t, "/collections/blocks/sortables")
	if r.status != 200 || r.header.Get("Content-Type") != mediaSchema {
		t.Fatalf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	props := r.json(t)["properties"].(map[string]any)
	for _, n := range []string{"name", "state", "area_km2", "seam_count", "operational", "allotted_on"} {
		if props[n] == nil {
			t.Errorf("sortables lack %s: %s", n, r.body)
		}
	}
	if props["geom"] != nil {
		t.Errorf("geometry listed as sortable")
	}
	if r := f.get(t, "/collections/secret/sortables"); r.status != 404 {
		t.Errorf("restricted layer's sortables: %d", r.status)
	}
	// Sorted by name descending, on one page: the order PostgreSQL gives.
	r = f.get(t, "/collections/blocks/items?limit=100&sortby=-name")
	var p page
	if err := json.Unmarshal(r.body, &p); err != nil || r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	rows, err := f.store.Pool().Query(context.Background(), `SELECT feature_id FROM layers.blocks ORDER BY name DESC, fid`)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		want = append(want, id)
	}
	rows.Close()
	for i, ft := range p.Features {
		if ft.ID != want[i] {
			t.Fatalf("feature %d is %s, want %s", i, ft.ID, want[i])
		}
	}
	for _, tt := range []struct{ q, param string }{
		{"sortby=owner", "sortby"},
		{"sortby=geom", "sortby"},
		{"sortby=name,,state", "sortby"},
		{"sortby=name,-name", "sortby"},
		{"sortby=name&cursor=" + EncodeCursor(5), "cursor"},
		{"sortby=state&cursor=" + encodeSortCursor(nil, nil, 3), "cursor"},
	} {
		r := f.get(t, "/collections/blocks/items?"+tt.q)
		if r.status != 400 || !strings.Contains(string(r.body), `"parameter":"`+tt.param+`"`) {
			t.Errorf("%s: %d %s, want a 400 naming %s", tt.q, r.status, r.body, tt.param)
		}
	}
}
