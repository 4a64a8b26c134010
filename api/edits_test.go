package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
	"github.com/coalmap/coalmap/tiles"
)

// editEnv serves the Singrauli fixtures (pgtest.CreateCoalLayers, with tile
// bands built) as serve does: a catalog following the change feed, with the
// tile cache and the overlap engine subscribed to it, and tokens of each
// role.
type editEnv struct {
	ts     *httptest.Server
	pool   *pgxpool.Pool
	store  *postgis.Store
	cat    *layers.Catalog
	render tiles.Renderer
	tiles  *tiles.Service
	engine *overlaps.Engine
	tokens map[layers.Role]string
}

func newEditEnv(t *testing.T) *editEnv {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	url := pgtest.URL(t)
	pool, err := postgis.Connect(ctx, url, 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	t.Cleanup(cancel) // before the pool closes: Follow holds a connection
	pgtest.CreateCoalLayers(t, pool)
	for _, id := range []string{"coal_blocks", "sidings"} {
		if err := postgis.PrepareLayerTiles(ctx, pool, id); err != nil {
			t.Fatal(err)
		}
	}
	store := postgis.NewStore(pool)
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat := layers.NewCatalog(store, discard)
	if err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := postgis.NewTileRenderer(ctx, url, postgis.RendererOptions{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	svc := tiles.NewService(cat, r, tiles.Config{CacheBytes: 64 << 20})
	ocfg := overlaps.DefaultConfig()
	ocfg.CurrentVersion = func(id string) (int64, bool) {
		l, ok := cat.Layer(id)
		if !ok {
			return 0, false
		}
		return l.DataVersion, true
	}
	engine := overlaps.New(postgis.NewPolygons(pool), ocfg)
	cat.OnChange(svc.Apply)
	cat.OnChange(engine.Apply)
	go cat.Follow(ctx, store, time.Minute) //nolint:errcheck
	// Edits wait for the listeners to acknowledge: wait for this one to
	// be listening.
	for {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM catalog.listeners`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	e := &editEnv{pool: pool, store: store, cat: cat, render: r, tiles: svc, engine: engine, tokens: map[layers.Role]string{}}
	for _, role := range []layers.Role{layers.Viewer, layers.Planner, layers.Editor, layers.Admin} {
		tok, hash := layers.NewToken()
		if _, err := store.CreateToken(ctx, role.String()+"-token", role, hash, "test"); err != nil {
			t.Fatal(err)
		}
		e.tokens[role] = tok
	}
	srv := New(Config{Logger: slog.New(slog.NewTextHandler(testLog{t}, nil)), Registry: prometheus.NewRegistry(), Version: "test"},
		Deps{Catalog: cat, Store: store, Search: store, Features: store, Tokens: store, Tiles: svc, Overlaps: engine})
	e.ts = httptest.NewServer(srv)
	t.Cleanup(e.ts.Close)
	return e
}

// do sends a request as role with the headers given as name, value pairs.
func (e *editEnv) do(t *testing.T, method, path string, role layers.Role, body string, hdr ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if role != layers.None {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	if body != "" {
		req.Header.Set("Content-Type", mediaGeoJSON)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

// etag GETs a feature and returns its ETag.
func (e *editEnv) etag(t *testing.T, layer, id string) string {
	t.Helper()
	r := e.do(t, "GET", "/collections/"+layer+"/items/"+id, layers.Admin, "")
	if r.status != 200 || r.header.Get("ETag") == "" {
		t.Fatalf("GET %s/%s: %d, ETag %q: %s", layer, id, r.status, r.header.Get("ETag"), r.body)
	}
	return r.header.Get("ETag")
}

// row reads a feature straight from its table: the oracle the API's answers
// are checked against.
type row struct {
	found bool
	name  *string
	area  *float64
	valid bool
	wkt   string
}

func (e *editEnv) row(t *testing.T, id string) row {
	t.Helper()
	var r row
	err := e.pool.QueryRow(context.Background(), `SELECT name, area_km2, coalesce(ST_IsValid(geom), true), coalesce(ST_AsText(geom, 9), '')
FROM layers.coal_blocks WHERE feature_id = $1`, id).Scan(&r.name, &r.area, &r.valid, &r.wkt)
	if err == pgx.ErrNoRows {
		return r
	}
	if err != nil {
		t.Fatal(err)
	}
	r.found = true
	return r
}

func (e *editEnv) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

const newBlock = `{"type":"Feature","id":"CB-NEW","geometry":{"type":"Polygon","coordinates":[[[82.30,23.60],[82.32,23.60],[82.32,23.62],[82.30,23.62],[82.30,23.60]]]},
"properties":{"name":"Mahan East","area_km2":4.5,"grade":"G11","producing":false,"allotted_on":"2024-02-01"}}`

// noDatabaseText fails when an answer carries PostgreSQL's words.
func noDatabaseText(t *testing.T, r response) {
	t.Helper()
	for _, w := range []string{"SQLSTATE", "ERROR:", "pq:", "pgx", "syntax error", "relation \"", "violates"} {
		if strings.Contains(string(r.body), w) {
			t.Fatalf("the answer shows database text %q: %s", w, r.body)
		}
	}
}

func TestEditLifecycle(t *testing.T) {
	e := newEditEnv(t)
	before := e.count(t, `SELECT count(*) FROM layers.coal_blocks`)

	// Create: 201, Location, ETag; the feature is stored as sent.
	r := e.do(t, "POST", "/collections/coal_blocks/items", layers.Editor, newBlock)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	loc := r.header.Get("Location")
	if !strings.HasSuffix(loc, "/collections/coal_blocks/items/CB-NEW") || r.header.Get("ETag") == "" {
		t.Fatalf("create: Location %q, ETag %q", loc, r.header.Get("ETag"))
	}
	created := r.header.Get("ETag")
	if got := e.row(t, "CB-NEW"); !got.found || *got.name != "Mahan East" || *got.area != 4.5 ||
		got.wkt != "MULTIPOLYGON(((82.3 23.6,82.32 23.6,82.32 23.62,82.3 23.62,82.3 23.6)))" {
		t.Fatalf("stored: %+v", got)
	}
	if n := e.count(t, `SELECT count(*) FROM layers.coal_blocks`); n != before+1 {
		t.Fatalf("%d features after a create, want %d", n, before+1)
	}
	// The GET of the new feature gives the same ETag; another CRS another.
	if tag := e.etag(t, "coal_blocks", "CB-NEW"); tag != created {
		t.Fatalf("GET ETag %s, create answered %s", tag, created)
	}
	r3857 := e.do(t, "GET", "/collections/coal_blocks/items/CB-NEW?crs=http://www.opengis.net/def/crs/EPSG/0/3857", layers.None, "")
	if tag := r3857.header.Get("ETag"); tag == "" || tag == created {
		t.Fatalf("EPSG:3857 ETag %q (CRS84's %s): each representation needs its own", tag, created)
	}
	// Either representation's ETag names the version an edit is made
	// against.
	r = e.do(t, "PATCH", "/collections/coal_blocks/items/CB-NEW", layers.Editor, `{"properties":{"producing":true}}`,
		"If-Match", r3857.header.Get("ETag"), "Content-Type", mediaMergePatch)
	if r.status != 200 || r.header.Get("ETag") == created {
		t.Fatalf("PATCH with the EPSG:3857 ETag: %d %s", r.status, r.body)
	}
	created = r.header.Get("ETag")
	// A second create with the same id is a conflict.
	if r := e.do(t, "POST", "/collections/coal_blocks/items", layers.Editor, newBlock); r.status != http.StatusConflict {
		t.Fatalf("create again: %d %s", r.status, r.body)
	}
	// Without an id the service picks one.
	r = e.do(t, "POST", "/collections/coal_blocks/items", layers.Editor, strings.Replace(newBlock, `"id":"CB-NEW",`, "", 1))
	if r.status != http.StatusCreated || !strings.Contains(r.header.Get("Location"), "/items/") {
		t.Fatalf("create without id: %d %s", r.status, r.body)
	}

	// Replace needs If-Match: 428 without, 412 with a stale one.
	replaced := strings.Replace(strings.Replace(newBlock, "Mahan East", "Mahan East II", 1), "4.5", "5.25", 1)
	path := "/collections/coal_blocks/items/CB-NEW"
	for _, tc := range []struct {
		name, ifMatch string
		want          int
	}{
		{"no If-Match", "", http.StatusPreconditionRequired},
		{"star", "*", http.StatusPreconditionRequired},
		{"stale", `"0123456789abcdef0123456789abcdef"`, http.StatusPreconditionFailed},
		{"weak", "W/" + created, http.StatusPreconditionFailed},
	} {
		var hdr []string
		if tc.ifMatch != "" {
			hdr = []string{"If-Match", tc.ifMatch}
		}
		for _, method := range []string{"PUT", "PATCH", "DELETE"} {
			body := replaced
			if method == "DELETE" {
				body = ""
			}
			if r := e.do(t, method, path, layers.Editor, body, hdr...); r.status != tc.want {
				t.Fatalf("%s %s: %d %s, want %d", method, tc.name, r.status, r.body, tc.want)
			}
		}
	}
	if got := e.row(t, "CB-NEW"); *got.name != "Mahan East" {
		t.Fatalf("a refused edit changed the feature: %+v", got)
	}
	r = e.do(t, "PUT", path, layers.Editor, replaced, "If-Match", created)
	if r.status != 200 || !strings.Contains(string(r.body), `"Mahan East II"`) {
		t.Fatalf("replace: %d %s", r.status, r.body)
	}
	afterPut := r.header.Get("ETag")
	if afterPut == created || afterPut != e.etag(t, "coal_blocks", "CB-NEW") {
		t.Fatalf("replace: ETag %s (was %s, GET says %s)", afterPut, created, e.etag(t, "coal_blocks", "CB-NEW"))
	}
	if got := e.row(t, "CB-NEW"); *got.name != "Mahan East II" || *got.area != 5.25 {
		t.Fatalf("replaced: %+v", got)
	}
	// The old ETag is stale now.
	if r := e.do(t, "PUT", path, layers.Editor, newBlock, "If-Match", created); r.status != http.StatusPreconditionFailed {
		t.Fatalf("replace with the old ETag: %d %s", r.status, r.body)
	}

	// Update: a merge patch sets what it names, clears what it nulls,
	// leaves the rest (the geometry, to the bit).
	geomBefore := e.row(t, "CB-NEW").wkt
	r = e.do(t, "PATCH", path, layers.Editor, `{"properties":{"name":"Mahan East III","grade":null}}`,
		"If-Match", afterPut, "Content-Type", mediaMergePatch)
	if r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	var g string
	if err := e.pool.QueryRow(context.Background(), `SELECT coalesce(grade, '<null>') FROM layers.coal_blocks WHERE feature_id = 'CB-NEW'`).Scan(&g); err != nil {
		t.Fatal(err)
	}
	if got := e.row(t, "CB-NEW"); *got.name != "Mahan East III" || *got.area != 5.25 || g != "<null>" || got.wkt != geomBefore {
		t.Fatalf("patched: %+v grade %s (geometry before %s)", got, g, geomBefore)
	}
	afterPatch := r.header.Get("ETag")
	r = e.do(t, "PATCH", path, layers.Editor, `{"geometry":{"type":"Polygon","coordinates":[[[82.31,23.61],[82.33,23.61],[82.33,23.63],[82.31,23.63],[82.31,23.61]]]}}`,
		"If-Match", afterPatch, "Content-Type", mediaMergePatch)
	if r.status != 200 {
		t.Fatalf("patch geometry: %d %s", r.status, r.body)
	}
	if got := e.row(t, "CB-NEW"); got.wkt != "MULTIPOLYGON(((82.31 23.61,82.33 23.61,82.33 23.63,82.31 23.63,82.31 23.61)))" || *got.name != "Mahan East III" {
		t.Fatalf("patched geometry: %+v", got)
	}

	// Delete: 204, then 404.
	r = e.do(t, "DELETE", path, layers.Editor, "", "If-Match", r.header.Get("ETag"))
	if r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if got := e.row(t, "CB-NEW"); got.found {
		t.Fatal("deleted feature still stored")
	}
	if r := e.do(t, "GET", path, layers.None, ""); r.status != 404 {
		t.Fatalf("GET after delete: %d", r.status)
	}
	if r := e.do(t, "DELETE", path, layers.Editor, "", "If-Match", afterPatch); r.status != 404 {
		t.Fatalf("delete again: %d %s", r.status, r.body)
	}
	// Every edit moved the data version by one and was one change.
	var version, changes int64
	if err := e.pool.QueryRow(context.Background(), `SELECT data_version, (SELECT count(*) FROM catalog.changes WHERE layer_id = 'coal_blocks' AND kind = 'features')
FROM catalog.layers WHERE id = 'coal_blocks'`).Scan(&version, &changes); err != nil {
		t.Fatal(err)
	}
	if changes != 7 || version != 1+7 {
		t.Fatalf("after 7 edits: %d features changes, data version %d", changes, version)
	}
}

// TestEditConcurrentPatches sends two PATCHes made against the same ETag at
// once, many times: exactly one wins, the other gets 412, and the stored
// value is the winner's.
func TestEditConcurrentPatches(t *testing.T) {
	e := newEditEnv(t)
	path := "/collections/coal_blocks/items/CB-7"
	for round := range 12 {
		tag := e.etag(t, "coal_blocks", "CB-7")
		var wg sync.WaitGroup
		start := make(chan struct{})
		status := make([]int, 2)
		for i := range 2 {
			wg.Go(func() {
				<-start
				body := fmt.Sprintf(`{"properties":{"name":"round %d planner %d"}}`, round, i)
				status[i] = e.do(t, "PATCH", path, layers.Editor, body, "If-Match", tag, "Content-Type", mediaMergePatch).status
			})
		}
		close(start)
		wg.Wait()
		won := -1
		for i, s := range status {
			switch {
			case s == 200 && won < 0:
				won = i
			case s == 200:
				t.Fatalf("round %d: both PATCHes made against %s succeeded", round, tag)
			case s != http.StatusPreconditionFailed:
				t.Fatalf("round %d: status %d", round, s)
			}
		}
		if won < 0 {
			t.Fatalf("round %d: no PATCH won: %v", round, status)
		}
		if got := e.row(t, "CB-7"); *got.name != fmt.Sprintf("round %d planner %d", round, won) {
			t.Fatalf("round %d: stored %q, the winner was planner %d", round, *got.name, won)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM catalog.feature_edits WHERE feature_id = 'CB-7'`); n != 12 {
		t.Fatalf("%d audit records for 12 successful edits", n)
	}
}

func TestEditAccess(t *testing.T) {
	e := newEditEnv(t)
	tag := e.etag(t, "coal_blocks", "CB-1")
	secretTag := e.etag(t, "defence_land", "DL-0")
	patch := `{"properties":{"name":"x"}}`
	for _, tc := range []struct {
		name   string
		method string
		path   string
		role   layers.Role
		body   string
		ifm    string
		want   int
	}{
		{"anonymous, public layer", "PATCH", "/collections/coal_blocks/items/CB-1", layers.None, patch, tag, 401},
		{"viewer", "PATCH", "/collections/coal_blocks/items/CB-1", layers.Viewer, patch, tag, 403},
		{"planner", "PUT", "/collections/coal_blocks/items/CB-1", layers.Planner, newBlock, tag, 403},
		{"viewer creates", "POST", "/collections/coal_blocks/items", layers.Viewer, newBlock, "", 403},
		{"anonymous creates", "POST", "/collections/coal_blocks/items", layers.None, newBlock, "", 401},
		{"anonymous, restricted layer", "PATCH", "/collections/defence_land/items/DL-0", layers.None, patch, secretTag, 404},
		{"anonymous deletes, restricted", "DELETE", "/collections/defence_land/items/DL-0", layers.None, "", secretTag, 404},
		{"anonymous creates, restricted", "POST", "/collections/defence_land/items", layers.None, `{"type":"Feature","geometry":null,"properties":{}}`, "", 404},
		{"viewer, restricted", "PATCH", "/collections/defence_land/items/DL-0", layers.Viewer, patch, secretTag, 403},
		{"editor, restricted", "PATCH", "/collections/defence_land/items/DL-0", layers.Editor, patch, secretTag, 200},
		{"editor, no such layer", "PATCH", "/collections/nowhere/items/x", layers.Editor, patch, tag, 404},
		{"editor, no such feature", "PATCH", "/collections/coal_blocks/items/CB-999", layers.Editor, patch, tag, 404},
		{"editor, history", "GET", "/collections/coal_blocks/edits", layers.Editor, "", "", 403},
		{"anonymous, history", "GET", "/collections/coal_blocks/edits", layers.None, "", "", 401},
		{"anonymous, history, restricted", "GET", "/collections/defence_land/edits", layers.None, "", "", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.ifm != "" {
				hdr = []string{"If-Match", tc.ifm}
			}
			r := e.do(t, tc.method, tc.path, tc.role, tc.body, hdr...)
			if r.status != tc.want {
				t.Fatalf("%d %s, want %d", r.status, r.body, tc.want)
			}
			if tc.want == 404 && tc.role == layers.None && !strings.HasPrefix(string(r.body), `{"error":"no such collection: defence_land"}`) {
				t.Fatalf("a restricted layer's 404 is not an unknown layer's: %s", r.body)
			}
		})
	}
	if got := e.row(t, "CB-1"); *got.name != "Block 1" {
		t.Fatalf("a refused edit changed CB-1: %+v", got)
	}
	// OPTIONS says what the caller may do (QGIS reads Allow to offer
	// editing).
	for _, tc := range []struct {
		role layers.Role
		path string
		want string
	}{
		{layers.None, "/collections/coal_blocks/items", "GET, OPTIONS"},
		{layers.Editor, "/collections/coal_blocks/items", "GET, POST, OPTIONS"},
		{layers.Editor, "/collections/coal_blocks/items/CB-1", "GET, PUT, PATCH, DELETE, OPTIONS"},
		{layers.Viewer, "/collections/coal_blocks/items/CB-1", "GET, OPTIONS"},
	} {
		r := e.do(t, "OPTIONS", tc.path, tc.role, "")
		if r.status != http.StatusNoContent || r.header.Get("Allow") != tc.want {
			t.Fatalf("OPTIONS %s as %v: %d Allow %q, want %q", tc.path, tc.role, r.status, r.header.Get("Allow"), tc.want)
		}
	}
	if r := e.do(t, "OPTIONS", "/collections/defence_land/items", layers.None, ""); r.status != 404 {
		t.Fatalf("OPTIONS on a restricted layer, anonymous: %d", r.status)
	}
}

// TestEditValidation sends what an import would refuse or repair: each is
// refused with what and where, and nothing is stored; a repairable
// geometry is repaired as an import repairs it.
func TestEditValidation(t *testing.T) {
	e := newEditEnv(t)
	tag := e.etag(t, "coal_blocks", "CB-2")
	path := "/collections/coal_blocks/items/CB-2"
	stored := e.row(t, "CB-2")
	feature := func(geom, props string) string {
		return fmt.Sprintf(`{"type":"Feature","id":"CB-2","geometry":%s,"properties":%s}`, geom, props)
	}
	square := `{"type":"Polygon","coordinates":[[[82.2,23.7],[82.22,23.7],[82.22,23.715],[82.2,23.715],[82.2,23.7]]]}`
	props := `{"name":"Block 2","area_km2":7}`
	bowtie := `{"type":"Polygon","coordinates":[[[82.2,23.7],[82.22,23.715],[82.22,23.7],[82.2,23.715],[82.2,23.7]]]}`
	for _, tc := range []struct {
		name     string
		method   string
		query    string
		body     string
		hdr      []string
		want     int
		field    string // detail.field
		say      string // in the message
		location bool
	}{
		{"unknown property", "PUT", "", feature(square, `{"name":"x","colour":"red"}`), nil, 400, "colour", `"colour" is not an attribute of coal_blocks`, false},
		{"unknown property in a patch", "PATCH", "", `{"properties":{"seam":"III"}}`, nil, 400, "seam", `"seam" is not an attribute`, false},
		{"wrong type", "PUT", "", feature(square, `{"name":"x","area_km2":"large"}`), nil, 400, "area_km2", `large (string) is not a valid real`, false},
		{"wrong boolean", "PATCH", "", `{"properties":{"producing":"perhaps"}}`, nil, 400, "producing", "perhaps (string) is not a valid boolean", false},
		{"bad date", "PATCH", "", `{"properties":{"allotted_on":"yesterday"}}`, nil, 400, "allotted_on", "yesterday (string) is not a valid date", false},
		{"line into a polygon layer", "PUT", "", feature(`{"type":"LineString","coordinates":[[82.2,23.7],[82.3,23.8]]}`, props), nil, 422, "geometry", "a LineString does not fit a MultiPolygon layer", false},
		{"unclosed ring", "PUT", "", feature(`{"type":"Polygon","coordinates":[[[82.2,23.7],[82.22,23.7],[82.22,23.715],[82.2,23.715]]]}`, props), nil, 422, "geometry", "ring 0 not closed", false},
		{"self-intersection, reject", "PUT", "?invalid=reject", feature(bowtie, props), nil, 422, "geometry", "invalid geometry: Self-intersection", true},
		{"outside India", "PUT", "", feature(`{"type":"Polygon","coordinates":[[[12.2,41.7],[12.22,41.7],[12.22,41.715],[12.2,41.715],[12.2,41.7]]]}`, props), nil, 422, "geometry", "outside India", false},
		{"UTM read as degrees", "PUT", "", feature(`{"type":"Polygon","coordinates":[[[534000,2650000],[536000,2650000],[536000,2652000],[534000,2652000],[534000,2650000]]]}`, props), nil, 422, "geometry", "outside longitude −180…180, latitude −90…90", false},
		{"UTM read as degrees, allow_outside", "PUT", "?allow_outside=true", feature(`{"type":"Polygon","coordinates":[[[534000,2650000],[536000,2650000],[536000,2652000],[534000,2652000],[534000,2650000]]]}`, props), nil, 422, "geometry", "never stored, allow_outside or not", false},
		{"lon 200 lat 95, allow_outside", "PUT", "?allow_outside=true", feature(`{"type":"Polygon","coordinates":[[[200,85],[200.1,85],[200.1,95],[200,85]]]}`, props), nil, 422, "geometry", "bounds [200, 85, 200.1, 95]", false},
		{"unknown Content-Crs", "PUT", "", feature(square, props), []string{"Content-Crs", "http://www.opengis.net/def/crs/EPSG/0/2154"}, 422, "crs", "is not a CRS this service reads", false},
		{"two features", "PUT", "", `{"type":"FeatureCollection","features":[]}`, nil, 400, "type", `want "Feature"`, false},
		{"id changed", "PUT", "", strings.Replace(feature(square, props), `"id":"CB-2"`, `"id":"CB-3"`, 1), nil, 400, "id", "an id cannot be changed", false},
		{"not JSON", "PUT", "", `{"type":"Feature",`, nil, 400, "body", "not a JSON object", false},
		{"empty patch", "PATCH", "", `{}`, nil, 400, "body", "changes nothing", false},
		{"bad option", "PUT", "?invalid=ignore", feature(square, props), nil, 400, "", "invalid", false},
		{"bad media type", "PUT", "", feature(square, props), []string{"Content-Type", "text/plain"}, 415, "", "Content-Type", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := append([]string{"If-Match", tag}, tc.hdr...)
			if tc.method == "PATCH" {
				hdr = append(hdr, "Content-Type", mediaMergePatch)
			}
			r := e.do(t, tc.method, path+tc.query, layers.Editor, tc.body, hdr...)
			noDatabaseText(t, r)
			if r.status != tc.want {
				t.Fatalf("%d %s, want %d", r.status, r.body, tc.want)
			}
			var body struct {
				Error  string         `json:"error"`
				Detail map[string]any `json:"detail"`
			}
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatalf("not a JSON error: %s", r.body)
			}
			if !strings.Contains(body.Error, tc.say) {
				t.Fatalf("error %q does not say %q", body.Error, tc.say)
			}
			if tc.field != "" && body.Detail["field"] != tc.field {
				t.Fatalf("detail %v: want field %q", body.Detail, tc.field)
			}
			if loc, ok := body.Detail["location"].([]any); tc.location && (!ok || len(loc) != 2) {
				t.Fatalf("detail %v: want a location", body.Detail)
			}
			if got := e.row(t, "CB-2"); got.found != stored.found || *got.name != *stored.name || got.wkt != stored.wkt {
				t.Fatalf("a refused edit changed the feature: %+v, was %+v", got, stored)
			}
		})
	}
	if n := e.count(t, `SELECT count(*) FROM catalog.feature_edits`); n != 0 {
		t.Fatalf("%d audit records of refused edits", n)
	}

	// The location of a self-intersection is where PostGIS finds it.
	var x, y float64
	if err := e.pool.QueryRow(context.Background(), `SELECT ST_X(location(d)), ST_Y(location(d)) FROM
(SELECT ST_IsValidDetail(ST_GeomFromGeoJSON($1)) d) s`, bowtie).Scan(&x, &y); err != nil {
		t.Fatal(err)
	}
	r := e.do(t, "PUT", path+"?invalid=reject", layers.Editor, feature(bowtie, props), "If-Match", tag)
	var body struct {
		Detail struct{ Location []float64 } `json:"detail"`
	}
	json.Unmarshal(r.body, &body)
	if len(body.Detail.Location) != 2 || body.Detail.Location[0] != x || body.Detail.Location[1] != y {
		t.Fatalf("location %v, PostGIS says [%v %v]", body.Detail.Location, x, y)
	}

	// By default, as an import, the bow-tie is repaired: stored valid, the
	// repair named in the answer and the audit.
	r = e.do(t, "PUT", path, layers.Editor, feature(bowtie, props), "If-Match", tag)
	if r.status != 200 || !strings.Contains(r.header.Get(headerRepaired), "invalid geometry: Self-intersection") {
		t.Fatalf("repair: %d %s (%s %q)", r.status, r.body, headerRepaired, r.header.Get(headerRepaired))
	}
	got := e.row(t, "CB-2")
	var sameAsImport bool
	if err := e.pool.QueryRow(context.Background(), `SELECT ST_Equals(geom, ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_GeomFromGeoJSON($1), 'method=structure'), 3)))
FROM layers.coal_blocks WHERE feature_id = 'CB-2'`, bowtie).Scan(&sameAsImport); err != nil {
		t.Fatal(err)
	}
	if !got.valid || !sameAsImport {
		t.Fatalf("repaired geometry: valid %v, the import's repair %v: %s", got.valid, sameAsImport, got.wkt)
	}
	if n := e.count(t, `SELECT count(*) FROM catalog.feature_edits WHERE repaired LIKE 'invalid geometry: Self-intersection%'`); n != 1 {
		t.Fatalf("%d audit records name the repair", n)
	}

	// A geometry in UTM 44N (Content-Crs) is stored reprojected, as PostGIS
	// transforms it; EPSG:4326 by URI is latitude first.
	tag = r.header.Get("ETag")
	utm := `{"type":"Polygon","coordinates":[[[534000,2650000],[536000,2650000],[536000,2652000],[534000,2652000],[534000,2650000]]]}`
	r = e.do(t, "PUT", path, layers.Editor, feature(utm, props), "If-Match", tag, "Content-Crs", "http://www.opengis.net/def/crs/EPSG/0/32644")
	if r.status != 200 {
		t.Fatalf("UTM: %d %s", r.status, r.body)
	}
	var equal bool
	if err := e.pool.QueryRow(context.Background(), `SELECT ST_Equals(geom, ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 32644), 4326)))
FROM layers.coal_blocks WHERE feature_id = 'CB-2'`, utm).Scan(&equal); err != nil {
		t.Fatal(err)
	}
	if !equal {
		t.Fatalf("UTM geometry not stored as PostGIS transforms it: %s", e.row(t, "CB-2").wkt)
	}
	latFirst := `{"type":"Polygon","coordinates":[[[23.7,82.2],[23.7,82.22],[23.715,82.22],[23.715,82.2],[23.7,82.2]]]}`
	r = e.do(t, "PUT", path, layers.Editor, feature(latFirst, props), "If-Match", r.header.Get("ETag"), "Content-Crs", "<http://www.opengis.net/def/crs/EPSG/0/4326>")
	if r.status != 200 || e.row(t, "CB-2").wkt != "MULTIPOLYGON(((82.2 23.7,82.22 23.7,82.22 23.715,82.2 23.715,82.2 23.7)))" {
		t.Fatalf("EPSG:4326 latitude first: %d %s: %s", r.status, r.body, e.row(t, "CB-2").wkt)
	}
}

func TestEditAudit(t *testing.T) {
	e := newEditEnv(t)
	r := e.do(t, "POST", "/collections/coal_blocks/items", layers.Editor, newBlock)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	r = e.do(t, "PATCH", "/collections/coal_blocks/items/CB-NEW", layers.Admin, `{"properties":{"area_km2":6}}`,
		"If-Match", r.header.Get("ETag"), "Content-Type", mediaMergePatch)
	if r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	r = e.do(t, "DELETE", "/collections/coal_blocks/items/CB-NEW", layers.Editor, "", "If-Match", r.header.Get("ETag"))
	if r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	r = e.do(t, "GET", "/collections/coal_blocks/edits?feature=CB-NEW", layers.Admin, "")
	if r.status != 200 {
		t.Fatalf("history: %d %s", r.status, r.body)
	}
	var h struct {
		Edits []struct {
			ID          int64           `json:"id"`
			FeatureID   string          `json:"feature_id"`
			Op          string          `json:"operation"`
			Actor       string          `json:"actor"`
			TokenID     int64           `json:"token_id"`
			At          time.Time       `json:"at"`
			DataVersion int64           `json:"data_version"`
			Before      json.RawMessage `json:"before"`
			After       json.RawMessage `json:"after"`
		}
	}
	if err := json.Unmarshal(r.body, &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Edits) != 3 {
		t.Fatalf("%d edits: %s", len(h.Edits), r.body)
	}
	type feature struct {
		ID       string
		Geometry struct {
			Type        string
			Coordinates json.RawMessage
		}
		Properties map[string]any
	}
	parse := func(raw json.RawMessage) *feature {
		if string(raw) == "null" || raw == nil {
			return nil
		}
		var f feature
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
		return &f
	}
	del, upd, cre := h.Edits[0], h.Edits[1], h.Edits[2]
	for i, tc := range []struct {
		op, actor     string
		before, after bool
	}{{"delete", "editor-token", true, false}, {"update", "admin-token", true, true}, {"create", "editor-token", false, true}} {
		ed := h.Edits[i]
		if ed.Op != tc.op || !strings.HasSuffix(ed.Actor, ":"+tc.actor) || ed.TokenID == 0 || ed.At.IsZero() || ed.FeatureID != "CB-NEW" ||
			(parse(ed.Before) != nil) != tc.before || (parse(ed.After) != nil) != tc.after {
			t.Fatalf("edit %d: %+v", i, ed)
		}
	}
	if upd.DataVersion != cre.DataVersion+1 || del.DataVersion != upd.DataVersion+1 {
		t.Fatalf("data versions %d, %d, %d", cre.DataVersion, upd.DataVersion, del.DataVersion)
	}
	if b, a := parse(upd.Before), parse(upd.After); b.Properties["area_km2"] != 4.5 || a.Properties["area_km2"] != 6.0 ||
		a.Properties["name"] != "Mahan East" || string(a.Geometry.Coordinates) != string(b.Geometry.Coordinates) || a.Geometry.Type != "MultiPolygon" {
		t.Fatalf("update before %+v after %+v", b, a)
	}
	if b := parse(del.Before); b.ID != "CB-NEW" || b.Properties["area_km2"] != 6.0 {
		t.Fatalf("delete before %+v", b)
	}
	// Paging, newest first.
	r = e.do(t, "GET", "/collections/coal_blocks/edits?limit=2", layers.Admin, "")
	var p struct {
		Edits []struct{ ID int64 }
		Links []link
	}
	json.Unmarshal(r.body, &p)
	next := ""
	for _, l := range p.Links {
		if l.Rel == "next" {
			next = l.Href
		}
	}
	if len(p.Edits) != 2 || next == "" {
		t.Fatalf("page 1: %s", r.body)
	}
	r = e.do(t, "GET", strings.TrimPrefix(next, e.ts.URL), layers.Admin, "")
	json.Unmarshal(r.body, &p)
	if len(p.Edits) != 1 || p.Edits[0].ID != h.Edits[2].ID {
		t.Fatalf("page 2: %s", r.body)
	}
}

// testLog writes a server's log to the test's.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// TestEditDiscovery: the conformance classes of Part 4 are declared and the
// OpenAPI document describes the edit routes, as clients look for them.
func TestEditDiscovery(t *testing.T) {
	e := newEditEnv(t)
	r := e.do(t, "GET", "/conformance", layers.None, "")
	for _, c := range []string{"create-replace-delete", "update", "optimistic-locking-etags", "features"} {
		if !strings.Contains(string(r.body), `"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/`+c+`"`) {
			t.Errorf("conformance lacks Part 4 %s: %s", c, r.body)
		}
	}
	r = e.do(t, "GET", "/api", layers.None, "")
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string           `json:"operationId"`
			Parameters  []map[string]any `json:"parameters"`
			Responses   map[string]any   `json:"responses"`
		}
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, method, op, status string }{
		{"/collections/{collectionId}/items", "post", "createFeature", "201"},
		{"/collections/{collectionId}/items/{featureId}", "put", "replaceFeature", "412"},
		{"/collections/{collectionId}/items/{featureId}", "patch", "updateFeature", "428"},
		{"/collections/{collectionId}/items/{featureId}", "delete", "deleteFeature", "204"},
		{"/collections/{collectionId}/edits", "get", "getEdits", "200"},
	} {
		op, ok := doc.Paths[tc.path][tc.method]
		if !ok || op.OperationID != tc.op || op.Responses[tc.status] == nil {
			t.Errorf("%s %s: %+v", tc.method, tc.path, op)
		}
	}
	ifMatch := false
	for _, p := range doc.Paths["/collections/{collectionId}/items/{featureId}"]["put"].Parameters {
		ifMatch = ifMatch || (p["name"] == "If-Match" && p["in"] == "header" && p["required"] == true)
	}
	if !ifMatch {
		t.Error("PUT does not declare If-Match as a required header")
	}
}
