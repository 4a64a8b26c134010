package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coalmap/coalmap/api"
	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// processServer is one coalmap server of the processes tests: its own
// catalog, overlap engine, run and job runners, over a shared database.
type processServer struct {
	ts     *httptest.Server
	engine *overlaps.Engine
}

// newProcessServers starts n servers over pool's database, each with its own
// runners, and returns them with a viewer's and an editor's token.
func newProcessServers(t *testing.T, pool *pgxpool.Pool, n int) (srvs []processServer, viewer, editor string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store := postgis.NewStore(pool)
	tokens := map[layers.Role]string{}
	for _, role := range []layers.Role{layers.Viewer, layers.Editor} {
		tok, hash := layers.NewToken()
		if _, err := store.CreateToken(ctx, role.String(), role, hash, "test"); err != nil {
			t.Fatal(err)
		}
		tokens[role] = tok
	}
	var waits []func()
	t.Cleanup(func() {
		cancel()
		for _, w := range waits {
			w()
		}
	})
	for range n {
		cat := layers.NewCatalog(store, nil)
		if err := cat.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		engine := overlaps.New(postgis.NewPolygons(pool), overlaps.Config{})
		runStore := postgis.NewRuns(pool)
		runs := overlaps.NewRuns(ctx, engine, runStore, runStore, 1, nil)
		jobs := overlaps.NewJobs(ctx, postgis.NewJobs(pool), overlaps.JobsConfig{}, nil)
		waits = append(waits, runs.Wait, jobs.Wait)
		ts := httptest.NewServer(api.New(api.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
			api.Deps{Catalog: cat, Store: store, Search: store, Features: store, Tokens: store, Overlaps: engine, Runs: runs, Jobs: jobs}))
		t.Cleanup(ts.Close)
		srvs = append(srvs, processServer{ts: ts, engine: engine})
	}
	return srvs, tokens[layers.Viewer], tokens[layers.Editor]
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("%d: not JSON: %s", r.status, r.body)
	}
	return m
}

func call(t *testing.T, method, url, token, body string, hdr ...string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}

// sameJSON reports whether a and b encode the same JSON value.
func sameJSON(t *testing.T, a, b any) bool {
	t.Helper()
	norm := func(v any) any {
		raw, ok := v.([]byte)
		if !ok {
			var err error
			if raw, err = json.Marshal(v); err != nil {
				t.Fatal(err)
			}
		}
		var out any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("not JSON: %s", raw)
		}
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// follow polls a job through server base until it has ended (the deadline
// only keeps a broken job from hanging the test) and returns its status.
func follow(t *testing.T, base, id, token string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := call(t, "GET", base+"/jobs/"+id, token, "")
		if r.status != 200 {
			t.Fatalf("job %s: %d %s", id, r.status, r.body)
		}
		st := r.json(t)
		switch st["status"] {
		case "successful", "failed", "dismissed":
			return st
		case "accepted", "running":
		default:
			t.Fatalf("job %s: status %v", id, st["status"])
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %v", id, st["status"])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func execute(process string, inputs map[string]any, extra ...string) string {
	b, _ := json.Marshal(inputs)
	s := `{"inputs":` + string(b)
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

var acrossLine = map[string]any{"type": "LineString", "coordinates": [][]float64{{82.28, 23.95}, {82.48, 23.95}}}

func TestProcessesDescriptions(t *testing.T) {
	pool := pgtest.NewPool(t)
	overlapFixture(t, pool)
	srvs, _, _ := newProcessServers(t, pool, 1)
	base := srvs[0].ts.URL

	conf := call(t, "GET", base+"/conformance", "", "")
	for _, c := range []string{"ogcapi-processes-1/1.0/conf/core", "ogcapi-processes-1/1.0/conf/ogc-process-description",
		"ogcapi-processes-1/1.0/conf/json", "ogcapi-processes-1/1.0/conf/job-list", "ogcapi-processes-1/1.0/conf/dismiss"} {
		if !bytes.Contains(conf.body, []byte(c)) {
			t.Errorf("conformance lacks %s", c)
		}
	}
	if r := call(t, "GET", base+"/", "", ""); !bytes.Contains(r.body, []byte(`"http://www.opengis.net/def/rel/ogc/1.0/processes"`)) {
		t.Errorf("landing page has no processes link: %s", r.body)
	}
	var list struct {
		Processes []struct {
			ID                string   `json:"id"`
			Version           string   `json:"version"`
			JobControlOptions []string `json:"jobControlOptions"`
			Links             []struct{ Href, Rel string }
		} `json:"processes"`
	}
	if err := json.Unmarshal(call(t, "GET", base+"/processes", "", "").body, &list); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"overlap-check": "sync-execute,async-execute,dismiss", "reroute": "sync-execute,async-execute,dismiss",
		"routes": "sync-execute,async-execute,dismiss", "layer-overlaps": "async-execute,dismiss"}
	if len(list.Processes) != len(want) {
		t.Fatalf("%+v", list)
	}
	for _, p := range list.Processes {
		if want[p.ID] != strings.Join(p.JobControlOptions, ",") || p.Version == "" || len(p.Links) < 2 {
			t.Errorf("%s: %+v", p.ID, p)
		}
		d := call(t, "GET", base+"/processes/"+p.ID, "", "").json(t)
		ins, _ := d["inputs"].(map[string]any)
		outs, _ := d["outputs"].(map[string]any)
		if d["id"] != p.ID || len(ins) == 0 || len(outs) != 1 {
			t.Errorf("%s description: %v", p.ID, d)
		}
		for name, in := range ins {
			m := in.(map[string]any)
			if m["schema"] == nil || m["minOccurs"] == nil || m["maxOccurs"] == nil {
				t.Errorf("%s input %s: %v", p.ID, name, m)
			}
		}
	}
	r := call(t, "GET", base+"/processes/no-such", "", "")
	if m := r.json(t); r.status != 404 || m["type"] != "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-process" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := call(t, "POST", base+"/processes/no-such/execution", "", `{"inputs":{}}`); r.status != 404 {
		t.Fatalf("execute an unknown process: %d", r.status)
	}
}

// TestProcessExecution: the check and the reroute run synchronously and as
// jobs followed through another server, and give what the engine gives
// when called directly.
func TestProcessExecution(t *testing.T) {
	pool := pgtest.NewPool(t)
	overlapFixture(t, pool)
	srvs, viewer, _ := newProcessServers(t, pool, 2)
	a, b := srvs[0].ts.URL, srvs[1].ts.URL
	ctx := context.Background()

	doc, _ := json.Marshal(acrossLine)
	aligns, err := overlaps.ParseAlignments(doc)
	if err != nil {
		t.Fatal(err)
	}
	opts := overlaps.Options{Layers: []string{"coal_blocks"}, Corridor: overlaps.Corridor{VoltageKV: 400}, ClearanceM: 2000}
	wantCheck, err := srvs[0].engine.Check(ctx, aligns, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(wantCheck.Crossings) == 0 {
		t.Fatalf("the fixture should give crossings: %+v", wantCheck)
	}
	wantReroute, err := srvs[0].engine.Reroute(ctx, aligns[0], opts)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]any{"alignment": acrossLine, "against": []string{"coal_blocks"}, "voltage_kv": 400, "clearance_m": 2000}
	// The routes process takes the members of a /routes body.
	routesIn := map[string]any{"alignment": acrossLine, "k": 2, "corridor": map[string]any{"voltage_kv": 765, "circuit": "dc"},
		"clearance_m": 100, "hard": []string{"coal_blocks"},
		"soft": map[string]any{"polygons": []any{}, "crossings": []any{}, "parallel": []any{}, "angle_point_km": 0.3}}
	body, _ := json.Marshal(routesIn)
	rreq, err := overlaps.ParseRouteRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	wantRoutes, err := srvs[0].engine.Routes(ctx, rreq)
	if err != nil {
		t.Fatal(err)
	}
	if len(wantRoutes.Routes) < 2 {
		t.Fatalf("the fixture should give the original and an alternative: %+v", wantRoutes)
	}
	cases := []struct {
		process, output string
		in              map[string]any
		want            any
	}{
		{"overlap-check", "report", in, wantCheck},
		{"reroute", "result", in, wantReroute},
		{"routes", "routes", routesIn, wantRoutes},
	}
	for _, c := range cases {
		in := c.in
		t.Run(c.process+" sync", func(t *testing.T) {
			r := call(t, "POST", a+"/processes/"+c.process+"/execution", "", execute(c.process, in))
			if r.status != 200 || !sameJSON(t, r.body, c.want) {
				t.Fatalf("%d %s", r.status, r.body)
			}
			r = call(t, "POST", a+"/processes/"+c.process+"/execution", "", execute(c.process, in, `"response":"document"`, `"outputs":{"`+c.output+`":{"transmissionMode":"value"}}`),
				"Prefer", "respond-sync")
			if r.status != 200 || !sameJSON(t, r.body, map[string]any{c.output: c.want}) {
				t.Fatalf("document: %d %s", r.status, r.body)
			}
		})
		t.Run(c.process+" async, followed through another server", func(t *testing.T) {
			r := call(t, "POST", a+"/processes/"+c.process+"/execution", "", execute(c.process, in), "Prefer", "respond-async")
			st := r.json(t)
			id, _ := st["jobID"].(string)
			if r.status != 201 || r.header.Get("Location") != a+"/jobs/"+id || r.header.Get("Preference-Applied") != "respond-async" ||
				st["processID"] != c.process || (st["status"] != "accepted" && st["status"] != "running" && st["status"] != "successful") {
				t.Fatalf("%d %v %s", r.status, r.header, r.body)
			}
			end := follow(t, b, id, "")
			if end["status"] != "successful" || end["progress"] != float64(100) || end["finished"] == nil {
				t.Fatalf("%v", end)
			}
			res := call(t, "GET", b+"/jobs/"+id+"/results", "", "")
			if res.status != 200 || !sameJSON(t, res.body, map[string]any{c.output: c.want}) {
				t.Fatalf("results %d %s", res.status, res.body)
			}
		})
	}

	t.Run("a job that fails keeps the error the synchronous call gives", func(t *testing.T) {
		zero := map[string]any{"alignment": map[string]any{"type": "LineString", "coordinates": [][]float64{{82.3, 23.9}, {82.3, 23.9}}}}
		sync := call(t, "POST", a+"/processes/overlap-check/execution", "", execute("overlap-check", zero))
		if sync.status != 422 {
			t.Fatalf("sync %d %s", sync.status, sync.body)
		}
		r := call(t, "POST", a+"/processes/overlap-check/execution", "", execute("overlap-check", zero), "Prefer", "respond-async")
		id, _ := r.json(t)["jobID"].(string)
		if end := follow(t, b, id, ""); end["status"] != "failed" || end["message"] != sync.json(t)["error"] {
			t.Fatalf("%v, sync said %s", end, sync.body)
		}
		res := call(t, "GET", b+"/jobs/"+id+"/results", "", "")
		if res.status != 422 || res.json(t)["error"] != sync.json(t)["error"] {
			t.Fatalf("results of the failed job: %d %s", res.status, res.body)
		}
	})

	t.Run("bad input names it", func(t *testing.T) {
		for _, c := range []struct {
			body, want string
			status     int
		}{
			{execute("overlap-check", map[string]any{}), "input alignment: required", 400},
			{execute("overlap-check", map[string]any{"alignment": acrossLine, "row_width": 46}), "input row_width: unknown input", 400},
			{execute("overlap-check", map[string]any{"alignment": acrossLine, "clearance_m": "far"}), "input clearance_m: want a number", 400},
			{execute("overlap-check", map[string]any{"alignment": acrossLine, "clearance_m": -1}), "input clearance_m: must not be negative", 400},
			{execute("overlap-check", map[string]any{"alignment": acrossLine, "voltage_kv": 765, "circuit": "triple"}), "circuit", 400},
			{execute("overlap-check", map[string]any{"alignment": acrossLine, "circuit": 3}), "input circuit: want a string", 400},
			{execute("overlap-check", map[string]any{"alignment": acrossLine, "against": []string{"sensitive_zones"}}), "no such collection", 404},
			{execute("overlap-check", map[string]any{"alignment": map[string]any{"href": "http://elsewhere/line.geojson"}}), "references", 400},
			{execute("overlap-check", map[string]any{"alignment": 5}), "input alignment", 400},
			{execute("reroute", map[string]any{"alignment": map[string]any{"type": "FeatureCollection", "features": []any{
				map[string]any{"type": "Feature", "geometry": acrossLine, "properties": map[string]any{}},
				map[string]any{"type": "Feature", "geometry": acrossLine, "properties": map[string]any{}}}}}),
				"input alignment: a reroute takes exactly one alignment", 400},
			{execute("overlap-check", map[string]any{"alignment": acrossLine}, `"response":"inline"`), "response: want raw or document", 400},
			{execute("overlap-check", map[string]any{"alignment": acrossLine}, `"outputs":{"map":{}}`), "outputs: overlap-check has no output", 400},
			{execute("overlap-check", map[string]any{"alignment": acrossLine}, `"subscriber":{"successUri":"http://x/"}`), "subscriber", 400},
			{`{"inputs": [1]}`, "the execute request", 400},
			{`not json`, "the execute request", 400},
		} {
			process := "overlap-check"
			if strings.Contains(c.body, "FeatureCollection") {
				process = "reroute"
			}
			r := call(t, "POST", a+"/processes/"+process+"/execution", "", c.body)
			if r.status != c.status || !strings.Contains(r.json(t)["error"].(string), c.want) {
				t.Errorf("%s: %d %s, want %d %q", c.body, r.status, r.body, c.status, c.want)
			}
		}
		// The routes process answers as POST /routes does, naming the field.
		r := call(t, "POST", a+"/processes/routes/execution", "", execute("routes", map[string]any{"alignment": acrossLine, "k": 9}))
		if r.status != 400 || !strings.HasPrefix(r.json(t)["error"].(string), "k: ") {
			t.Fatalf("routes with k 9: %d %s", r.status, r.body)
		}
		r = call(t, "POST", a+"/processes/routes/execution", "", execute("routes", map[string]any{"alignment": acrossLine, "hard": []string{"sensitive_zones"}}))
		if r.status != 400 || !strings.Contains(r.json(t)["error"].(string), `unknown layer "sensitive_zones"`) {
			t.Fatalf("routes over a restricted layer without a token: %d %s", r.status, r.body)
		}
		// With a token the restricted layer is there.
		r = call(t, "POST", a+"/processes/overlap-check/execution", viewer,
			execute("overlap-check", map[string]any{"alignment": acrossLine, "against": []string{"sensitive_zones"}}))
		if r.status != 200 {
			t.Fatalf("with a token: %d %s", r.status, r.body)
		}
	})
}

// TestProcessJobs: the job list, a restricted job's invisibility, the
// layer-overlaps process as an overlap run, dismissal, and a job whose
// server stopped.
func TestProcessJobs(t *testing.T) {
	pool := pgtest.NewPool(t)
	overlapFixture(t, pool)
	srvs, viewer, editor := newProcessServers(t, pool, 2)
	a, b := srvs[0].ts.URL, srvs[1].ts.URL
	ctx := context.Background()

	// A job over the restricted layer, made with a token.
	r := call(t, "POST", a+"/processes/overlap-check/execution", viewer,
		execute("overlap-check", map[string]any{"alignment": acrossLine, "against": []string{"sensitive_zones"}}), "Prefer", "respond-async")
	secret, _ := r.json(t)["jobID"].(string)
	follow(t, b, secret, viewer)
	// A public one.
	r = call(t, "POST", a+"/processes/overlap-check/execution", "", execute("overlap-check", map[string]any{"alignment": acrossLine}), "Prefer", "respond-async")
	public, _ := r.json(t)["jobID"].(string)
	follow(t, b, public, "")

	ids := func(token, query string) []string {
		r := call(t, "GET", b+"/jobs"+query, token, "")
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var l struct {
			Jobs []struct{ JobID string }
		}
		json.Unmarshal(r.body, &l)
		var out []string
		for _, j := range l.Jobs {
			out = append(out, j.JobID)
		}
		return out
	}
	if got := ids("", ""); len(got) != 1 || got[0] != public {
		t.Fatalf("anonymous job list %v", got)
	}
	if got := ids(viewer, ""); len(got) != 2 || got[0] != public || got[1] != secret {
		t.Fatalf("viewer's job list %v (newest first)", got)
	}
	for _, path := range []string{"/jobs/" + secret, "/jobs/" + secret + "/results"} {
		r := call(t, "GET", b+path, "", "")
		if r.status != 404 || r.json(t)["type"] != "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job" {
			t.Fatalf("%s anonymous: %d %s", path, r.status, r.body)
		}
	}
	if r := call(t, "GET", b+"/jobs/not-a-job", "", ""); r.status != 404 {
		t.Fatalf("unknown job: %d", r.status)
	}

	t.Run("layer-overlaps runs as an overlap run", func(t *testing.T) {
		body := execute("layer-overlaps", map[string]any{"lines": []string{"tx_400kv"}, "polygons": []string{"coal_blocks"}, "row_width_m": 46, "clearance_m": 500})
		if r := call(t, "POST", a+"/processes/layer-overlaps/execution", "", body); r.status != 401 {
			t.Fatalf("without a token: %d", r.status)
		}
		if r := call(t, "POST", a+"/processes/layer-overlaps/execution", viewer, body); r.status != 403 {
			t.Fatalf("with a viewer's token: %d", r.status)
		}
		r := call(t, "POST", a+"/processes/layer-overlaps/execution", editor, body)
		id, _ := r.json(t)["jobID"].(string)
		if r.status != 201 || !strings.HasPrefix(id, "run-") || r.header.Get("Location") != a+"/jobs/"+id {
			t.Fatalf("%d %v %s", r.status, r.header, r.body)
		}
		if end := follow(t, b, id, ""); end["status"] != "successful" || end["processID"] != "layer-overlaps" {
			t.Fatalf("%v", end)
		}
		res := call(t, "GET", b+"/jobs/"+id+"/results", "", "")
		var got struct {
			Pairs struct {
				Rows []struct {
					LineID    string  `json:"line_id"`
					Kind      string  `json:"kind"`
					PolygonID string  `json:"polygon_id"`
					LengthM   float64 `json:"length_m"`
					Crossings int     `json:"crossings"`
				} `json:"rows"`
			} `json:"pairs"`
		}
		if res.status != 200 || json.Unmarshal(res.body, &got) != nil {
			t.Fatalf("%d %s", res.status, res.body)
		}
		// The direct engine call over the same lines.
		_, lines, err := postgis.NewRuns(pool).Lines(ctx, "tx_400kv")
		if err != nil {
			t.Fatal(err)
		}
		for i := range lines {
			lines[i].Corridor = overlaps.Corridor{}
		}
		var want []string
		err = srvs[0].engine.Run(ctx, lines, overlaps.RunOptions{Layers: []string{"coal_blocks"}, Corridor: overlaps.Corridor{RowWidthM: 46}, ClearanceM: 500},
			func(row overlaps.Row) error {
				want = append(want, fmt.Sprintf("%s %s %s %.3f %d", row.LineID, row.Kind, row.PolygonID, row.LengthM, row.Crossings))
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		var have []string
		for _, row := range got.Pairs.Rows {
			have = append(have, fmt.Sprintf("%s %s %s %.3f %d", row.LineID, row.Kind, row.PolygonID, row.LengthM, row.Crossings))
		}
		if len(want) == 0 || strings.Join(have, "\n") != strings.Join(want, "\n") {
			t.Fatalf("job rows:\n%s\nengine rows:\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
		}
		if got := ids("", "?processID=layer-overlaps"); len(got) != 1 || got[0] != id {
			t.Fatalf("processID filter: %v", got)
		}
		if got := ids("", "?status=successful&processID=overlap-check"); len(got) != 1 || got[0] != public {
			t.Fatalf("status filter: %v", got)
		}
		if r := call(t, "DELETE", b+"/jobs/"+id, "", ""); r.status != 401 {
			t.Fatalf("dismiss a run without a token: %d", r.status)
		}
		if r := call(t, "DELETE", b+"/jobs/"+id, editor, ""); r.status != 200 || r.json(t)["status"] != "dismissed" {
			t.Fatalf("dismiss: %d %s", r.status, r.body)
		}
		if r := call(t, "GET", a+"/jobs/"+id, "", ""); r.status != 404 {
			t.Fatalf("dismissed run: %d", r.status)
		}
	})

	t.Run("dismiss a process job", func(t *testing.T) {
		r := call(t, "POST", a+"/processes/reroute/execution", viewer, execute("reroute", map[string]any{"alignment": acrossLine}), "Prefer", "respond-async")
		id, _ := r.json(t)["jobID"].(string)
		if r := call(t, "DELETE", b+"/jobs/"+id, "", ""); r.status != 401 {
			t.Fatalf("dismiss someone's job anonymously: %d", r.status)
		}
		if r := call(t, "DELETE", b+"/jobs/"+id, viewer, ""); r.status != 200 || r.json(t)["status"] != "dismissed" {
			t.Fatalf("dismiss one's own job: %d %s", r.status, r.body)
		}
		if r := call(t, "GET", a+"/jobs/"+id+"/results", "", ""); r.status != 404 {
			t.Fatalf("results of a dismissed job: %d", r.status)
		}
	})

	t.Run("a job whose server stopped reads as failed", func(t *testing.T) {
		var id string
		if err := pool.QueryRow(ctx, `INSERT INTO catalog.process_jobs (process, status, started_at, lease_until)
			VALUES ('overlap-check', 'running', now() - interval '1 hour', now() - interval '1 minute') RETURNING id::text`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		st := call(t, "GET", b+"/jobs/"+id, "", "").json(t)
		if st["status"] != "failed" || !strings.Contains(st["message"].(string), "stopped") {
			t.Fatalf("%v", st)
		}
		if r := call(t, "GET", b+"/jobs/"+id+"/results", "", ""); r.status != 500 || r.json(t)["type"] == nil {
			t.Fatalf("results: %d %s", r.status, r.body)
		}
		// Results of a job still going are not ready.
		if err := pool.QueryRow(ctx, `INSERT INTO catalog.process_jobs (process, status, lease_until)
			VALUES ('overlap-check', 'accepted', now() + interval '1 hour') RETURNING id::text`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		r := call(t, "GET", b+"/jobs/"+id+"/results", "", "")
		if r.status != 404 || r.json(t)["type"] != "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/result-not-ready" {
			t.Fatalf("not ready: %d %s", r.status, r.body)
		}
	})
}
