package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
	"github.com/coalmap/coalmap/tiles"
)

// fullEnv is a server with every part mounted (features, edits, imports,
// tiles, overlaps, runs, processes and jobs, records) over the fixture
// layers, behind a handler that records, for each request, the route
// pattern that served it.
type fullEnv struct {
	ts     *httptest.Server
	srv    *Server
	tokens map[layers.Role]string

	mu       sync.Mutex
	patterns map[string]string // X-Check-Id → chi route pattern
}

func newFullEnv(t *testing.T) *fullEnv {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dbURL := pgtest.URL(t)
	pool, err := postgis.Connect(ctx, dbURL, 12)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	pgtest.CreateCoalLayers(t, pool)
	for _, id := range []string{"coal_blocks", "transmission_lines"} {
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
	r, err := postgis.NewTileRenderer(ctx, dbURL, postgis.RendererOptions{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	svc := tiles.NewService(cat, r, tiles.Config{CacheBytes: 16 << 20})
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
	done := make(chan struct{})
	go func() { cat.Follow(ctx, store, time.Minute); close(done) }() //nolint:errcheck
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
	runStore := postgis.NewRuns(pool)
	runs := overlaps.NewRuns(ctx, engine, runStore, runStore, 1, nil)
	jobs := overlaps.NewJobs(ctx, postgis.NewJobs(pool), overlaps.JobsConfig{}, nil)
	imports := layers.NewImports(ctx, store, store, layers.ImportsConfig{}, nil)
	t.Cleanup(func() { cancel(); runs.Wait(); jobs.Wait(); imports.Close(); <-done })
	e := &fullEnv{tokens: map[layers.Role]string{}, patterns: map[string]string{}}
	for _, role := range []layers.Role{layers.Viewer, layers.Editor, layers.Admin} {
		tok, hash := layers.NewToken()
		if _, err := store.CreateToken(ctx, role.String()+"-token", role, hash, "test"); err != nil {
			t.Fatal(err)
		}
		e.tokens[role] = tok
	}
	e.srv = New(Config{Logger: discard, Registry: prometheus.NewRegistry(), Version: "test"},
		Deps{Ready: func(context.Context) error { return nil }, Catalog: cat, Store: store, Search: store, Features: store, Tokens: store,
			Tiles: svc, Overlaps: engine, Runs: runs, Jobs: jobs, Imports: imports})
	e.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// chi fills a route context it finds in the request's context:
		// read its pattern once the request is served.
		// Recorded as the answer starts: the client may have it all
		// before the handler returns.
		rctx := chi.NewRouteContext()
		rw := &patternWriter{ResponseWriter: w, record: func() {
			e.mu.Lock()
			e.patterns[r.Header.Get("X-Check-Id")] = rctx.RoutePattern()
			e.mu.Unlock()
		}}
		e.srv.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rctx)))
	}))
	t.Cleanup(e.ts.Close)
	return e
}

// patternWriter calls record once, when the answer starts.
type patternWriter struct {
	http.ResponseWriter
	record func()
	once   sync.Once
}

func (w *patternWriter) WriteHeader(code int) {
	w.once.Do(w.record)
	w.ResponseWriter.WriteHeader(code)
}

func (w *patternWriter) Write(b []byte) (int, error) {
	w.once.Do(w.record)
	return w.ResponseWriter.Write(b)
}

// loadDoc fetches /api and loads it with kin-openapi.
func (e *fullEnv) loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	resp, err := http.Get(e.ts.URL + "/api")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.oai.openapi+json") {
		t.Fatalf("/api: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("loading the document: %v", err)
	}
	return doc
}

// TestOpenAPIValid: the document validates with kin-openapi (a maintained
// OpenAPI 3 validator), and it describes every route the router serves
// (keepMounted makes the converse true).
func TestOpenAPIValid(t *testing.T) {
	e := newFullEnv(t)
	doc := e.loadDoc(t)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	described := map[string]bool{}
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			described[strings.ToLower(method)+" "+routeKey(path)] = true
			if op.OperationID == "" {
				t.Errorf("%s %s has no operationId", method, path)
			} else if prev, dup := ids[op.OperationID]; dup {
				t.Errorf("operationId %s for %s and %s", op.OperationID, prev, path)
			}
			ids[op.OperationID] = path
			for code, resp := range op.Responses.Map() {
				if resp.Value == nil || resp.Value.Description == nil {
					t.Errorf("%s %s %s: no description", method, path, code)
				}
			}
		}
	}
	var missing []string
	_ = chi.Walk(e.srv.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !described[strings.ToLower(method)+" "+routeKey(route)] {
			missing = append(missing, method+" "+route)
		}
		return nil
	})
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes the document does not describe:\n%s", strings.Join(missing, "\n"))
	}
	if len(described) < 50 {
		t.Fatalf("only %d operations described", len(described))
	}
}

// call is one request of the conformance test.
type call struct {
	method, path string
	role         layers.Role
	body         string
	hdr          []string
	status       int  // the status expected
	bad          bool // the request breaks the document on purpose: only the answer must conform
}

var registerDecoders sync.Once

// TestOpenAPIConformance: real requests to a running server, and its
// answers (successes and errors), conform to the document: each request is
// validated against the operation of the route that served it, each answer
// against that operation's response for its status and media type.
func TestOpenAPIConformance(t *testing.T) {
	registerDecoders.Do(func() {
		for _, m := range []string{mediaGeoJSON, mediaSchema, "application/vnd.oai.openapi+json"} {
			openapi3filter.RegisterBodyDecoder(m, openapi3filter.JSONBodyDecoder)
		}
		openapi3filter.RegisterBodyDecoder("application/vnd.mapbox-vector-tile", openapi3filter.FileBodyDecoder)
		openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	})
	e := newFullEnv(t)
	doc := e.loadDoc(t)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	line := `{"type":"Feature","id":"proposed","geometry":{"type":"LineString","coordinates":[[82.0,23.705],[82.45,23.71]]},"properties":{}}`
	zero := `{"type":"LineString","coordinates":[[82.1,23.8],[82.1,23.8]]}`
	var runID, jobID, importID, etag string
	// The sprite and glyphs are there once make build has built them.
	assets := 404
	if resp, err := http.Get(e.ts.URL + "/fonts"); err == nil {
		var f struct{ Built bool }
		json.NewDecoder(resp.Body).Decode(&f)
		resp.Body.Close()
		if f.Built {
			assets = 200
		}
	}
	calls := []call{
		{method: "GET", path: "/healthz", status: 200},
		{method: "GET", path: "/readyz", status: 200},
		{method: "GET", path: "/metrics", status: 200},
		{method: "GET", path: "/map", status: 200},
		{method: "GET", path: "/", status: 200},
		{method: "GET", path: "/?f=xml", status: 400, bad: true},
		{method: "GET", path: "/conformance", status: 200},
		{method: "GET", path: "/api", status: 200},
		{method: "GET", path: "/collections", status: 200},
		{method: "GET", path: "/collections?q=coal&category=coal_resources", status: 200},
		{method: "GET", path: "/collections", role: layers.Viewer, status: 200},
		{method: "GET", path: "/collections/coal_blocks", status: 200},
		{method: "GET", path: "/collections/defence_land", status: 404},
		{method: "GET", path: "/collections/coal_blocks/queryables", status: 200},
		{method: "GET", path: "/collections/coal_blocks/items?limit=3", status: 200},
		{method: "GET", path: "/collections/coal_blocks/items?limit=2&bbox=82,23.7,82.2,23.9&properties=name,grade", status: 200},
		{method: "GET", path: "/collections/coal_blocks/items?f=csv&limit=2", status: 200},
		{method: "GET", path: "/collections/coal_blocks/items?grade=G11&limit=2&crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/32644"), status: 200},
		{method: "GET", path: "/collections/coal_blocks/items?colour=red", status: 400},
		{method: "GET", path: "/collections/coal_blocks/items/CB-1", status: 200},
		{method: "GET", path: "/collections/coal_blocks/items/CB-999", status: 404},
		{method: "OPTIONS", path: "/collections/coal_blocks/items", role: layers.Editor, status: 204},
		{method: "OPTIONS", path: "/collections/coal_blocks/items/CB-1", status: 204},
		{method: "POST", path: "/collections/coal_blocks/items", role: layers.Editor, hdr: []string{"Content-Type", mediaGeoJSON},
			body:   `{"type":"Feature","id":"CB-NEW","geometry":{"type":"Polygon","coordinates":[[[82.9,23.9],[82.95,23.9],[82.95,23.95],[82.9,23.95],[82.9,23.9]]]},"properties":{"name":"New block","grade":"G9"}}`,
			status: 201},
		{method: "POST", path: "/collections/coal_blocks/items", hdr: []string{"Content-Type", mediaGeoJSON}, body: `{"type":"Feature"}`, status: 401, bad: true},
		{method: "PATCH", path: "/collections/coal_blocks/items/CB-NEW", role: layers.Editor, hdr: []string{"Content-Type", mediaMergePatch},
			body: `{"properties":{"grade":"G13"}}`, status: 428, bad: true},
		{method: "PATCH", path: "/collections/coal_blocks/items/CB-NEW", role: layers.Editor, hdr: []string{"Content-Type", mediaMergePatch, "If-Match", "{etag}"},
			body: `{"properties":{"grade":"G13"}}`, status: 200},
		{method: "PUT", path: "/collections/coal_blocks/items/CB-NEW", role: layers.Editor, hdr: []string{"Content-Type", mediaGeoJSON, "If-Match", `"stale"`},
			body:   `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[82.9,23.9],[82.96,23.9],[82.96,23.95],[82.9,23.95],[82.9,23.9]]]},"properties":{"name":"New block"}}`,
			status: 412},
		{method: "DELETE", path: "/collections/coal_blocks/items/CB-NEW", role: layers.Editor, hdr: []string{"If-Match", "{etag}"}, status: 204},
		{method: "GET", path: "/collections/coal_blocks/edits?limit=5", role: layers.Admin, status: 200},
		{method: "GET", path: "/collections/coal_blocks/edits", role: layers.Editor, status: 403},
		{method: "PUT", path: "/collections/sidings", role: layers.Editor, hdr: []string{"Content-Type", mediaJSON},
			body: `{"title":"Railway sidings","keywords":["rail","siding"]}`, status: 200},
		{method: "PUT", path: "/collections/sidings", role: layers.Editor, hdr: []string{"Content-Type", mediaJSON}, body: `{"colour":"red"}`, status: 400, bad: true},
		{method: "POST", path: "/layers/new_points/imports?filename=points.geojson&title=New+points", role: layers.Editor,
			hdr:    []string{"Content-Type", mediaGeoJSON},
			body:   `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[82.3,23.9]},"properties":{"name":"a"}}]}`,
			status: 202},
		{method: "GET", path: "/imports/{import}", role: layers.Editor, status: 200},
		{method: "GET", path: "/imports/999999", status: 404},
		{method: "GET", path: "/collections/coal_blocks/imports", status: 200},
		{method: "DELETE", path: "/collections/new_points", role: layers.Editor, status: 204},

		{method: "GET", path: tilePath("coal_blocks", z12), status: 200},
		{method: "GET", path: "/tiles/coal_blocks,transmission_lines/12/0/0.mvt", status: 204},
		{method: "GET", path: "/tiles/coal_blocks/30/0/0.mvt", status: 400, bad: true},
		{method: "GET", path: "/tiles/coal_blocks,transmission_lines.json", status: 200},
		{method: "GET", path: tilePath("coal_blocks", z12) + "?filter=" + url.QueryEscape("grade = 'G11'"), status: 200},
		{method: "GET", path: "/styles", status: 200},
		{method: "GET", path: "/styles/coal_blocks,transmission_lines?lang=hi", status: 200},
		{method: "GET", path: "/styles/defence_land", status: 404},
		{method: "GET", path: "/styles/sprite.json", status: assets},
		{method: "GET", path: "/fonts", status: 200},
		{method: "GET", path: "/fonts/" + url.PathEscape("Noto Sans Regular") + "/0-255.pbf", status: assets},
		{method: "GET", path: "/tiles/defence_land.json", status: 404},
		{method: "GET", path: "/tileMatrixSets", status: 200},
		{method: "GET", path: "/tileMatrixSets/WorldCRS84Quad", status: 200},
		{method: "GET", path: "/tileMatrixSets/WebMercatorQuad", status: 200},
		{method: "GET", path: "/collections/coal_blocks/tiles", status: 200},
		{method: "GET", path: "/collections/coal_blocks/tiles/WorldCRS84Quad", status: 200},
		{method: "GET", path: fmt.Sprintf("/collections/coal_blocks/tiles/WebMercatorQuad/12/%d/%d", z12.Y, z12.X), status: 200},
		{method: "GET", path: "/collections/coal_blocks/tiles/WorldCRS84Quad/9/188/745", status: 200},
		{method: "GET", path: "/collections/coal_blocks/tiles/WorldCRS84Quad/9/188/745?filter=" + url.QueryEscape("grade = 'G9'"), status: 200},
		{method: "GET", path: "/collections/coal_blocks/tiles/WorldCRS84Quad/9/0/0", status: 404},
		{method: "GET", path: "/tiles", status: 200},
		{method: "GET", path: "/tiles/WebMercatorQuad?collections=coal_blocks,sidings", status: 200},
		{method: "GET", path: "/tiles/WorldCRS84Quad/9/188/745?collections=coal_blocks,transmission_lines", status: 200},

		{method: "POST", path: "/overlaps/check?row_width_m=46&clearance_m=500", hdr: []string{"Content-Type", mediaGeoJSON}, body: line, status: 200},
		{method: "POST", path: "/overlaps/check?f=geojson&voltage_kv=400", hdr: []string{"Content-Type", mediaGeoJSON}, body: line, status: 200},
		{method: "POST", path: "/overlaps/check?f=csv&rail=true", hdr: []string{"Content-Type", mediaGeoJSON}, body: line, status: 200},
		{method: "POST", path: "/overlaps/check", hdr: []string{"Content-Type", mediaGeoJSON}, body: zero, status: 422},
		{method: "POST", path: "/overlaps/check?row_width_m=wide", hdr: []string{"Content-Type", mediaGeoJSON}, body: line, status: 400, bad: true},
		{method: "POST", path: "/overlaps/reroute?clearance_m=100", hdr: []string{"Content-Type", mediaGeoJSON}, body: line, status: 200},
		{method: "POST", path: "/overlaps/reroute?f=geojson", hdr: []string{"Content-Type", mediaGeoJSON}, body: line, status: 200},
		{method: "POST", path: "/overlaps/runs", role: layers.Editor, hdr: []string{"Content-Type", mediaJSON},
			body: `{"lines":["transmission_lines"],"polygons":["coal_blocks"],"row_width_m":46}`, status: 202},
		{method: "POST", path: "/overlaps/runs", hdr: []string{"Content-Type", mediaJSON}, body: `{"lines":["transmission_lines"]}`, status: 401, bad: true},
		{method: "GET", path: "/overlaps/runs", status: 200},
		{method: "GET", path: "/overlaps/runs/{run}", status: 200},
		{method: "GET", path: "/overlaps/runs/{run}/results?f=json", status: 200},
		{method: "GET", path: "/overlaps/runs/{run}/results?f=csv", status: 200},
		{method: "GET", path: "/overlaps/runs/{run}/results?f=geojson", status: 200},
		{method: "DELETE", path: "/overlaps/runs/{run}", role: layers.Editor, status: 204},

		{method: "GET", path: "/processes", status: 200},
		{method: "GET", path: "/processes/overlap-check", status: 200},
		{method: "GET", path: "/processes/no-such", status: 404},
		{method: "POST", path: "/processes/overlap-check/execution", hdr: []string{"Content-Type", mediaJSON},
			body: `{"inputs":{"alignment":` + line + `,"row_width_m":46}}`, status: 200},
		{method: "POST", path: "/processes/reroute/execution", hdr: []string{"Content-Type", mediaJSON},
			body: `{"inputs":{"alignment":` + line + `},"response":"document"}`, status: 200},
		{method: "POST", path: "/processes/overlap-check/execution", hdr: []string{"Content-Type", mediaJSON, "Prefer", "respond-async"},
			body: `{"inputs":{"alignment":` + line + `}}`, status: 201},
		{method: "POST", path: "/processes/overlap-check/execution", hdr: []string{"Content-Type", mediaJSON}, body: `{"inputs":{}}`, status: 400, bad: true},
		{method: "GET", path: "/jobs", status: 200},
		{method: "GET", path: "/jobs/{job}", status: 200},
		{method: "GET", path: "/jobs/{job}/results", status: 200},
		{method: "GET", path: "/jobs/00000000-0000-0000-0000-000000000000", status: 404},
		{method: "DELETE", path: "/jobs/{job}", role: layers.Editor, status: 200},

		{method: "GET", path: "/collections/catalog", status: 200},
		{method: "GET", path: "/collections/catalog/items?q=coal&limit=2", status: 200},
		{method: "GET", path: "/collections/catalog/items?type=service", status: 200},
		{method: "GET", path: "/collections/catalog/items/coal_blocks", status: 200},
		{method: "GET", path: "/collections/catalog/items/defence_land", status: 404},
		{method: "GET", path: "/collections/catalog/items?bbox=1,2", status: 400, bad: true},
	}
	// Routes of the route planner, when this build serves them.
	if doc.Paths.Find("/routes") != nil {
		calls = append(calls,
			call{method: "GET", path: "/overlaps/corridors", status: 200},
			call{method: "POST", path: "/routes", hdr: []string{"Content-Type", mediaJSON}, body: `{"alignment":` + line + `,"k":2}`, status: 200},
			call{method: "POST", path: "/routes", hdr: []string{"Content-Type", mediaJSON}, body: `{"k":9}`, status: 400, bad: true})
	}
	for i, c := range calls {
		c.path = strings.NewReplacer("{run}", runID, "{job}", jobID, "{import}", importID).Replace(c.path)
		for j := range c.hdr {
			if c.hdr[j] == "{etag}" {
				c.hdr[j] = etag
			}
		}
		name := fmt.Sprintf("%02d %s %s", i, c.method, c.path)
		status, header, body := e.check(t, doc, name, c)
		if status != c.status {
			t.Errorf("%s: status %d, want %d: %s", name, status, c.status, body)
			continue
		}
		if status >= 300 {
			continue
		}
		// What later calls need.
		switch {
		case c.method == "POST" && strings.HasPrefix(c.path, "/collections/coal_blocks/items"):
			etag = header.Get("ETag")
		case c.method == "PATCH" && status == 200:
			etag = header.Get("ETag")
		case c.method == "POST" && strings.HasPrefix(c.path, "/layers/"):
			var a struct{ Job struct{ ID int64 } }
			json.Unmarshal(body, &a)
			importID = fmt.Sprint(a.Job.ID)
			e.wait(t, "/imports/"+importID, `"status":"succeeded"`, e.tokens[layers.Editor])
		case c.method == "POST" && c.path == "/overlaps/runs":
			var r struct{ ID int64 }
			json.Unmarshal(body, &r)
			runID = fmt.Sprint(r.ID)
			e.wait(t, "/overlaps/runs/"+runID, `"status":"succeeded"`, "")
		case status == 201 && strings.HasPrefix(c.path, "/processes/"):
			var st struct{ JobID string }
			json.Unmarshal(body, &st)
			jobID = st.JobID
			e.wait(t, "/jobs/"+jobID, `"status":"successful"`, "")
		}
	}
}

// wait polls path until its body holds want (the deadline only keeps a
// broken job from hanging the test).
func (e *fullEnv) wait(t *testing.T, path, want, token string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if bytes.Contains(b, []byte(want)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never held %s: %s", path, want, b)
		}
	}
}

// check sends c, then validates the request and the answer against the
// operation of the route that served it.
func (e *fullEnv) check(t *testing.T, doc *openapi3.T, name string, c call) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if c.body != "" {
		rd = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, e.ts.URL+c.path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(c.hdr); i += 2 {
		req.Header.Set(c.hdr[i], c.hdr[i+1])
	}
	if c.role != layers.None {
		req.Header.Set("Authorization", "Bearer "+e.tokens[c.role])
	}
	req.Header.Set("X-Check-Id", name)
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	e.mu.Lock()
	pattern := e.patterns[name]
	e.mu.Unlock()

	var path string
	var item *openapi3.PathItem
	for p, it := range doc.Paths.Map() {
		if routeKey(p) == routeKey(pattern) {
			path, item = p, it
		}
	}
	if item == nil || item.GetOperation(c.method) == nil {
		t.Errorf("%s: served by %q, which the document does not describe", name, pattern)
		return resp.StatusCode, resp.Header, body
	}
	// The request as the server saw it, for the validator.
	vreq, _ := http.NewRequest(c.method, e.ts.URL+c.path, strings.NewReader(c.body))
	vreq.Header = req.Header.Clone()
	route := &routers.Route{Spec: doc, Path: path, PathItem: item, Method: c.method, Operation: item.GetOperation(c.method)}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: pathParams(path, vreq.URL.Path), Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	ctx := context.Background()
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && !c.bad {
		t.Errorf("%s: the request does not conform: %v", name, err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		b := body
		if len(b) > 300 {
			b = b[:300]
		}
		t.Errorf("%s: the answer %d %s does not conform: %v\n%s", name, resp.StatusCode, resp.Header.Get("Content-Type"), err, b)
	}
	return resp.StatusCode, resp.Header, body
}

// pathVar matches one variable of a path segment template, with what comes
// before and after it in the segment.
var pathVar = regexp.MustCompile(`^(.*)\{([^}]+)\}(.*)$`)

// pathParams reads the variables of template from path.
func pathParams(template, path string) map[string]string {
	out := map[string]string{}
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	for i := range ts {
		m := pathVar.FindStringSubmatch(ts[i])
		if m == nil || i >= len(ps) {
			continue
		}
		v := strings.TrimSuffix(strings.TrimPrefix(ps[i], m[1]), m[3])
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		out[m[2]] = v
	}
	return out
}
