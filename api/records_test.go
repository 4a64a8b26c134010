package api

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/data"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

var recordsSeed = flag.Int64("records-seed", 0, "seed of the records test's extents and dates (0: from RECORDS_TEST_SEED or the clock)")

// recordsEnv serves the demo catalog's metadata (126 layers, 16
// restricted) with seeded random extents and revision dates, and the
// processes, on a fresh database.
type recordsEnv struct {
	ts     *httptest.Server
	pool   *pgxpool.Pool
	viewer string
}

func newRecordsEnv(t *testing.T) *recordsEnv {
	t.Helper()
	ctx := context.Background()
	seed := *recordsSeed
	if seed == 0 {
		if v, err := strconv.ParseInt(os.Getenv("RECORDS_TEST_SEED"), 10, 64); err == nil {
			seed = v
		} else {
			seed = time.Now().UnixNano()
		}
	}
	t.Logf("records seed %d (-records-seed or RECORDS_TEST_SEED to repeat)", seed)
	rnd := rand.New(rand.NewSource(seed))
	pool := pgtest.NewPool(t)
	store := postgis.NewStore(pool)
	for _, e := range data.Demo().Layers {
		l := e.Layer
		if _, err := store.PutLayer(ctx, &l, "test"); err != nil {
			t.Fatal(err)
		}
		// An extent inside India, or none (an empty layer); a revision
		// date, or none.
		var ext any
		if rnd.Intn(10) > 0 {
			x, y := 68+rnd.Float64()*28, 6+rnd.Float64()*30
			ext = []float64{x, y, x + rnd.Float64()*3, y + rnd.Float64()*2}
		}
		var revised any
		if rnd.Intn(10) > 0 {
			revised = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rnd.Int63n(int64(10 * 365 * 24 * time.Hour))))
		}
		if _, err := pool.Exec(ctx, `UPDATE catalog.layers SET extent = $2, revised_at = $3 WHERE id = $1`, l.ID, ext, revised); err != nil {
			t.Fatal(err)
		}
	}
	cat := layers.NewCatalog(store, nil)
	if err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	tok, hash := layers.NewToken()
	if _, err := store.CreateToken(ctx, "viewer", layers.Viewer, hash, "test"); err != nil {
		t.Fatal(err)
	}
	engine := overlaps.New(postgis.NewPolygons(pool), overlaps.Config{})
	ts := httptest.NewServer(New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		Deps{Catalog: cat, Store: store, Search: store, Features: store, Tokens: store, Overlaps: engine}))
	t.Cleanup(ts.Close)
	return &recordsEnv{ts: ts, pool: pool, viewer: tok}
}

type recordsPage struct {
	Features []struct {
		ID         string         `json:"id"`
		Type       string         `json:"type"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
		Links      []link         `json:"links"`
	} `json:"features"`
	NumberMatched  int `json:"numberMatched"`
	NumberReturned int `json:"numberReturned"`
	Facets         map[string][]struct {
		Value string
		Count int
	} `json:"facets"`
	Links []link `json:"links"`
}

func (e *recordsEnv) get(t *testing.T, path, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// search follows every page of a search and returns the ids in order, the
// numberMatched of the first page, and its facets.
func (e *recordsEnv) search(t *testing.T, query, token string) ([]string, int, recordsPage) {
	t.Helper()
	path := "/collections/catalog/items?limit=7"
	if query != "" {
		path += "&" + query
	}
	var ids []string
	var first recordsPage
	for i := 0; path != ""; i++ {
		status, body := e.get(t, path, token)
		var p recordsPage
		if status != 200 || json.Unmarshal(body, &p) != nil {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		if i == 0 {
			first = p
		}
		if p.NumberReturned != len(p.Features) || p.NumberMatched != first.NumberMatched {
			t.Fatalf("%s: numberReturned %d for %d records, numberMatched %d", path, p.NumberReturned, len(p.Features), p.NumberMatched)
		}
		for _, f := range p.Features {
			ids = append(ids, f.ID)
		}
		path = ""
		for _, l := range p.Links {
			if l.Rel == "next" {
				u, _ := url.Parse(l.Href)
				path = u.RequestURI()
			}
		}
		if i > 100 {
			t.Fatal("no end to the next links")
		}
	}
	return ids, first.NumberMatched, first
}

// oracle returns the ids of the dataset records the SQL condition cond
// selects (with args), for a caller with or without a token, in id order,
// then the process records whose description (from /processes) matches
// procRe, if any.
func (e *recordsEnv) oracle(t *testing.T, token bool, cond string, args ...any) []string {
	t.Helper()
	q := `SELECT id FROM catalog.layers WHERE (access = 'public' OR $1) AND (` + cond + `) ORDER BY id`
	rows, err := e.pool.Query(context.Background(), q, append([]any{token}, args...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// processTexts are the processes' ids, titles, descriptions and keywords,
// as /processes describes them.
func (e *recordsEnv) processTexts(t *testing.T) map[string][]string {
	t.Helper()
	_, body := e.get(t, "/processes", "")
	var list struct {
		Processes []struct {
			ID, Title, Description string
			Keywords               []string
		}
	}
	if err := json.Unmarshal(body, &list); err != nil || len(list.Processes) == 0 {
		t.Fatalf("/processes: %s", body)
	}
	out := map[string][]string{}
	for _, p := range list.Processes {
		out["process-"+p.ID] = append([]string{p.Title, p.Description}, p.Keywords...)
	}
	return out
}

// pgRegex is the PostgreSQL regular expression of a q term: its words in
// order, separated by any white space.
func pgRegex(term string) string {
	words := strings.Fields(term)
	for i, w := range words {
		var b strings.Builder
		for _, r := range w {
			if strings.ContainsRune(`\.^$*+?()[]{}|-`, r) {
				b.WriteRune('\\')
			}
			b.WriteRune(r)
		}
		words[i] = b.String()
	}
	return strings.Join(words, `\s+`)
}

// qCond is the SQL condition of q over the searched fields.
const qCond = `EXISTS (SELECT 1 FROM unnest($2::text[]) re WHERE
    title ~* re OR title_hi ~* re OR description ~* re OR category ~* re OR replace(category, '_', ' ') ~* re OR owner ~* re
    OR coalesce(custodian->>'name', '') ~* re OR coalesce(custodian->>'organisation', '') ~* re
    OR coalesce(lineage->>'statement', '') ~* re OR coalesce(lineage->>'source', '') ~* re
    OR EXISTS (SELECT 1 FROM unnest(keywords) k WHERE k ~* re))`

// TestRecordsSearch: searches by q, bbox, datetime, type, ids, keywords and
// category find the records PostGIS's own query of the catalog finds,
// restricted layers only with a token, on every page.
func TestRecordsSearch(t *testing.T) {
	e := newRecordsEnv(t)
	ctx := context.Background()
	procs := e.processTexts(t)
	procMatch := func(terms []string) []string {
		var out []string
		for id, texts := range procs {
			var hit bool
			for _, term := range terms {
				if err := e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM unnest($1::text[]) x WHERE x ~* $2)`, texts, pgRegex(term)).Scan(&hit); err != nil {
					t.Fatal(err)
				}
				if hit {
					break
				}
			}
			if hit {
				out = append(out, id)
			}
		}
		slices.Sort(out)
		return out
	}
	// Keywords and categories of the catalog itself: the most and least
	// common.
	var common, rare, cat1, cat2 string
	if err := e.pool.QueryRow(ctx, `SELECT k FROM catalog.layers, unnest(keywords) k GROUP BY k ORDER BY count(*) DESC, k LIMIT 1`).Scan(&common); err != nil {
		t.Fatal(err)
	}
	if err := e.pool.QueryRow(ctx, `SELECT k FROM catalog.layers, unnest(keywords) k GROUP BY k ORDER BY count(*), k LIMIT 1`).Scan(&rare); err != nil {
		t.Fatal(err)
	}
	if err := e.pool.QueryRow(ctx, `SELECT min(category), max(category) FROM catalog.layers`).Scan(&cat1, &cat2); err != nil {
		t.Fatal(err)
	}
	// A point inside a public layer's extent.
	var cx, cy float64
	if err := e.pool.QueryRow(ctx, `SELECT (extent[1] + extent[3]) / 2, (extent[2] + extent[4]) / 2 FROM catalog.layers
	    WHERE access = 'public' AND extent IS NOT NULL ORDER BY id LIMIT 1`).Scan(&cx, &cy); err != nil {
		t.Fatal(err)
	}
	qs := func(terms ...string) []string {
		var out []string
		for _, term := range terms {
			out = append(out, pgRegex(term))
		}
		return out
	}
	type search struct {
		name, query string
		cond        string
		args        []any
		procs       []string // the process records expected
	}
	searches := []search{
		{"everything", "", "true", nil, slices.Sorted(func(yield func(string) bool) {
			for id := range procs {
				if !yield(id) {
					return
				}
			}
		})},
		{"q one word", "q=coal", qCond, []any{qs("coal")}, procMatch([]string{"coal"})},
		{"q phrase", "q=" + url.QueryEscape("coal   blocks"), qCond, []any{qs("coal blocks")}, procMatch([]string{"coal blocks"})},
		{"q any of two", "q=" + url.QueryEscape("forest,railway siding"), qCond, []any{qs("forest", "railway siding")}, procMatch([]string{"forest", "railway siding"})},
		{"q Hindi", "q=" + url.QueryEscape("कोयला"), qCond, []any{qs("कोयला")}, nil},
		{"q custodian, any case", "q=cmpdi", qCond, []any{qs("cmpdi")}, nil},
		{"q overlap (processes)", "q=overlap", qCond, []any{qs("overlap")}, procMatch([]string{"overlap"})},
		{"q nothing", "q=zzqqxx", qCond, []any{qs("zzqqxx")}, nil},
		{"bbox", "bbox=80,20,86,26", `extent[1] <= 86 AND extent[3] >= 80 AND extent[2] <= 26 AND extent[4] >= 20`, nil, nil},
		{"bbox around a layer", fmt.Sprintf("bbox=%g,%g,%g,%g", cx-0.2, cy-0.2, cx+0.2, cy+0.2),
			`extent[1] <= $2 + 0.2 AND extent[3] >= $2 - 0.2 AND extent[2] <= $3 + 0.2 AND extent[4] >= $3 - 0.2`, []any{cx, cy}, nil},
		{"keyword common", "keywords=" + url.QueryEscape(common), `EXISTS (SELECT 1 FROM unnest(keywords) k WHERE lower(k) = lower($2))`, []any{common}, nil},
		{"keywords any of two", "keywords=" + url.QueryEscape(strings.ToUpper(common)+","+rare),
			`EXISTS (SELECT 1 FROM unnest(keywords) k WHERE lower(k) = ANY($2))`, []any{[]string{strings.ToLower(common), strings.ToLower(rare)}}, nil},
		{"category", "category=" + cat1, `category = $2`, []any{cat1}, nil},
		{"categories", "category=" + cat1 + "," + cat2, `category IN ($2, $3)`, []any{cat1, cat2}, nil},
		{"datetime interval", "datetime=2018-01-01T00:00:00Z/2021-06-30T00:00:00Z",
			`revised_at BETWEEN '2018-01-01T00:00:00Z' AND '2021-06-30T00:00:00Z'`, nil, nil},
		{"datetime open start", "datetime=../2017-01-01", `revised_at <= '2017-01-01T23:59:59.999999Z'`, nil, nil},
		{"datetime open end", "datetime=2024-01-01T00:00:00Z/..", `revised_at >= '2024-01-01T00:00:00Z'`, nil, nil},
		{"type dataset", "type=dataset", "true", nil, nil},
		{"type service", "type=service", "false", nil, slices.Sorted(func(yield func(string) bool) {
			for id := range procs {
				if !yield(id) {
					return
				}
			}
		})},
		{"ids", "ids=coal_blocks,no_such,railway_sidings", `id IN ('coal_blocks', 'railway_sidings')`, nil, nil},
		{"externalIds", "externalIds=x", "false", nil, nil},
		{"q, bbox and category", "q=coal&bbox=70,10,95,35&category=" + cat1,
			qCond + ` AND extent[1] <= 95 AND extent[3] >= 70 AND extent[2] <= 35 AND extent[4] >= 10 AND category = $3`,
			[]any{qs("coal"), cat1}, nil},
	}
	// Searches that must find something whatever the seed.
	mustFind := map[string]bool{"q phrase": true, "q any of two": true, "q Hindi": true, "q custodian, any case": true, "q overlap (processes)": true,
		"bbox around a layer": true, "keyword common": true, "keywords any of two": true, "category": true, "datetime interval": true,
		"type service": true, "ids": true}
	for _, s := range searches {
		for _, token := range []string{"", e.viewer} {
			who := "anonymous"
			if token != "" {
				who = "viewer"
			}
			t.Run(s.name+"/"+who, func(t *testing.T) {
				want := append(e.oracle(t, token != "", s.cond, s.args...), s.procs...)
				got, matched, _ := e.search(t, s.query, token)
				if strings.Join(got, ",") != strings.Join(want, ",") || matched != len(want) {
					t.Fatalf("%s: got %d (numberMatched %d)\n%v\nwant %d\n%v", s.query, len(got), matched, got, len(want), want)
				}
				if mustFind[s.name] && len(want) == 0 {
					t.Fatalf("%s: the oracle finds nothing: a search that tests nothing", s.query)
				}
			})
		}
	}
	// The restricted layers are there for a viewer and nowhere else.
	restricted := e.oracle(t, true, `access = 'restricted'`)
	if len(restricted) == 0 {
		t.Fatal("the demo catalog has no restricted layer")
	}
	all, _, _ := e.search(t, "", "")
	for _, id := range restricted {
		if slices.Contains(all, id) {
			t.Errorf("restricted %s listed anonymously", id)
		}
		if status, _ := e.get(t, "/collections/catalog/items/"+id, ""); status != 404 {
			t.Errorf("restricted record %s anonymously: %d", id, status)
		}
		if status, _ := e.get(t, "/collections/catalog/items/"+id, e.viewer); status != 200 {
			t.Errorf("restricted record %s with a token: %d", id, status)
		}
	}
}

// TestRecordsFacets: the facet counts are those of the records matched,
// as SQL counts them.
func TestRecordsFacets(t *testing.T) {
	e := newRecordsEnv(t)
	_, _, page := e.search(t, "q=coal", "")
	rows, err := e.pool.Query(context.Background(), `SELECT category, count(*) FROM catalog.layers WHERE (access = 'public' OR $1) AND (`+qCond+`) GROUP BY category`,
		false, []string{pgRegex("coal")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			t.Fatal(err)
		}
		want[c] = n
	}
	got := map[string]int{}
	for _, f := range page.Facets["category"] {
		got[f.Value] = f.Count
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) == 0 {
		t.Fatalf("category facets %v, want %v", got, want)
	}
	var n int
	for _, f := range page.Facets["type"] {
		n += f.Count
	}
	if n != page.NumberMatched {
		t.Fatalf("type facets add up to %d, numberMatched %d", n, page.NumberMatched)
	}
	if len(page.Facets["keywords"]) == 0 {
		t.Fatal("no keyword facets")
	}
}

// TestRecordContent: a record carries the IS 16439 / ISO 19115 fields of
// its catalog entry and links to the layer's features, tiles and style;
// the catalog collection describes itself; bad parameters are named.
func TestRecordContent(t *testing.T) {
	e := newRecordsEnv(t)
	ctx := context.Background()
	var id string
	var want struct {
		title, titleHi, desc, scale, acc, freq, lic, lineage, custodian, sourceCRS string
		ext                                                                        []float64
	}
	if err := e.pool.QueryRow(ctx, `SELECT id, title, title_hi, description, scale, accuracy, update_frequency, license,
	    lineage->>'statement', custodian->>'organisation', source_crs, extent
	  FROM catalog.layers WHERE access = 'public' AND extent IS NOT NULL AND title_hi <> '' AND scale <> '' ORDER BY id LIMIT 1`).
		Scan(&id, &want.title, &want.titleHi, &want.desc, &want.scale, &want.acc, &want.freq, &want.lic, &want.lineage, &want.custodian,
			&want.sourceCRS, &want.ext); err != nil {
		t.Fatal(err)
	}
	status, body := e.get(t, "/collections/catalog/items/"+id, "")
	var rec struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Geometry struct {
			Type        string         `json:"type"`
			Coordinates [][][2]float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			Type, Title, TitleHi, Description, Scale, Accuracy, UpdateFrequency, License string
			Lineage                                                                      struct{ Statement string }
			Contacts                                                                     []struct {
				Organization string
				Roles        []string
			}
			CRS    struct{ Source, Storage string }
			Extent struct {
				Spatial struct{ BBox [][]float64 }
			}
		} `json:"properties"`
		Links []link `json:"links"`
	}
	if status != 200 || json.Unmarshal(body, &rec) != nil {
		t.Fatalf("%d %s", status, body)
	}
	// encoding/json matches title_hi to TitleHi only by tag: read it apart.
	var raw struct {
		Properties map[string]any `json:"properties"`
	}
	json.Unmarshal(body, &raw)
	p := rec.Properties
	if rec.ID != id || rec.Type != "Feature" || p.Type != "dataset" || p.Title != want.title || raw.Properties["title_hi"] != want.titleHi ||
		p.Description != want.desc || p.Scale != want.scale || p.Accuracy != want.acc || raw.Properties["update_frequency"] != want.freq ||
		p.License != want.lic || p.Lineage.Statement != want.lineage || p.CRS.Source != want.sourceCRS || !strings.HasSuffix(p.CRS.Storage, "CRS84") {
		t.Fatalf("record %s:\n%s\nwant %+v", id, body, want)
	}
	if len(p.Contacts) == 0 || p.Contacts[0].Organization != want.custodian || p.Contacts[0].Roles[0] != "custodian" {
		t.Fatalf("contacts %+v, custodian %q", p.Contacts, want.custodian)
	}
	if fmt.Sprint(p.Extent.Spatial.BBox[0]) != fmt.Sprint(want.ext) || rec.Geometry.Type != "Polygon" ||
		rec.Geometry.Coordinates[0][2] != [2]float64{want.ext[2], want.ext[3]} {
		t.Fatalf("extent %v, geometry %+v, want %v", p.Extent, rec.Geometry, want.ext)
	}
	hrefs := map[string]string{}
	for _, l := range rec.Links {
		u, _ := url.Parse(l.Href)
		hrefs[l.Rel+" "+l.Type] = u.Path
	}
	for key, path := range map[string]string{
		"items application/geo+json":                                       "/collections/" + id + "/items",
		relTilesetsVec + " application/json":                               "/collections/" + id + "/tiles",
		"stylesheet application/vnd.mapbox.style+json":                     "/styles/" + id,
		"alternate application/vnd.mapbox.tile+json":                       "/tiles/" + id + ".json",
		"describedby application/json":                                     "/collections/" + id,
		"self application/geo+json":                                        "/collections/catalog/items/" + id,
		"http://www.opengis.net/def/rel/ogc/1.0/queryables " + mediaSchema: "/collections/" + id + "/queryables",
	} {
		if hrefs[key] != path {
			t.Errorf("link %s: %q, want %q", key, hrefs[key], path)
		}
	}
	// The features link answers (the layer exists, empty).
	if status, body := e.get(t, "/collections/"+id+"/items?limit=1", ""); status != 200 {
		t.Errorf("the record's items link: %d %s", status, body)
	}

	status, body = e.get(t, "/collections/catalog", "")
	var coll map[string]any
	if status != 200 || json.Unmarshal(body, &coll) != nil || coll["itemType"] != "record" || coll["type"] != "Catalog" || coll["extent"] == nil {
		t.Fatalf("catalog collection: %d %s", status, body)
	}
	status, body = e.get(t, "/conformance", "")
	for _, c := range recordsConformance {
		if !strings.Contains(string(body), c) {
			t.Errorf("conformance lacks %s", c)
		}
	}
	for _, c := range []struct{ query, param string }{
		{"bbox=1,2,3", "bbox"}, {"bbox=10,10,5,5", "bbox"}, {"limit=0", "limit"}, {"offset=-1", "offset"},
		{"datetime=soon", "datetime"}, {"datetime=2020-01-01/2019-01-01", "datetime"}, {"sortby=title", "sortby"}, {"q=,", "q"},
	} {
		status, body := e.get(t, "/collections/catalog/items?"+c.query, "")
		if status != 400 || !strings.Contains(string(body), `"parameter":"`+c.param+`"`) {
			t.Errorf("%s: %d %s", c.query, status, body)
		}
	}
	if status, _ := e.get(t, "/collections/catalog/items/no_such_layer", ""); status != 404 {
		t.Errorf("unknown record: %d", status)
	}
}

// TestGDALReadsRecords: GDAL's OAPIF driver opens the record collection by
// its URL and copies every record the caller may see.
func TestGDALReadsRecords(t *testing.T) {
	ogr2ogr, err := exec.LookPath("ogr2ogr")
	if err != nil {
		if testing.Short() {
			t.Skip("-short: no ogr2ogr")
		}
		t.Fatal("ogr2ogr not found: install gdal-bin (scripts/install-deps.sh)")
	}
	e := newRecordsEnv(t)
	_, matched, _ := e.search(t, "", "")
	dst := filepath.Join(t.TempDir(), "records.json")
	cmd := exec.Command(ogr2ogr, "-f", "GeoJSON", dst, "OAPIF:"+e.ts.URL+"/collections/catalog")
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
	titles := map[any]bool{}
	for _, f := range fc.Features {
		titles[f.Properties["title"]] = true
	}
	if len(fc.Features) != matched || len(titles) < matched-1 {
		t.Fatalf("GDAL copied %d records (%d titles), the catalog has %d", len(fc.Features), len(titles), matched)
	}
}
