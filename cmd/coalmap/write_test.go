package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/postgis/pgtest"
)

// The write path as users meet it: `coalmap serve` processes (the binary,
// COALMAP_BIN) over one database, imports through the CLI and over HTTP.

// server is a `coalmap serve` process.
type server struct {
	base string
	mu   sync.Mutex
	logs bytes.Buffer
}

func (s *server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.Write(p)
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// startServe starts `coalmap serve` on url (no demo) and waits until it is
// ready; the test's end stops it.
func startServe(t *testing.T, bin, url string, extra ...string) *server {
	t.Helper()
	addr := freePort(t)
	s := &server{base: "http://" + addr}
	cmd := exec.Command(bin, append([]string{"serve", "--database-url", url, "--addr", addr, "--no-demo", "--log-level", "warn"}, extra...)...)
	cmd.Stdout, cmd.Stderr = s, s
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt) //nolint:errcheck
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }() //nolint:errcheck
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill() //nolint:errcheck
		}
	})
	if err := waitReady(addr, time.Minute); err != nil {
		t.Fatalf("%v\n%s", err, s.log())
	}
	return s
}

// writeEnv is a database, its pool, an editor token and a directory of
// files to import.
type writeEnv struct {
	t     *testing.T
	url   string
	pool  *pgxpool.Pool
	token string
	dir   string
	bin   string
}

func newWriteEnv(t *testing.T) *writeEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no subprocess")
	}
	e := &writeEnv{t: t, url: pgtest.URL(t), dir: t.TempDir(), bin: coalmapBinary(t)}
	var err error
	if e.pool, err = postgis.Connect(context.Background(), e.url, 4); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.pool.Close)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"token", "create", "--role", "editor", "--database-url", e.url}, &out, &errb); code != 0 {
		t.Fatalf("token: %s", errb.String())
	}
	e.token = strings.TrimSpace(out.String())
	return e
}

// layerFile writes revision rev of layer id: n squares near Dhirauli whose
// name and rev attributes say the revision, so that every revision draws a
// different tile; odd revisions have a column more (so a re-import changes
// the table's columns).
func (e *writeEnv) layerFile(id string, rev, n int) string {
	var fs []string
	extra := ""
	if rev%2 == 1 {
		extra = fmt.Sprintf(`,"extra_%d":"x"`, rev)
	}
	for i := range n {
		x := 82.30 + float64(i%10)*0.002
		y := 23.90 + float64(i/10)*0.002
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","id":"%s-%d","properties":{"name":"%s rev %d #%d","rev":%d%s},`+
			`"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
			id, i, id, rev, i, rev, extra, x, y, x+0.0015, y, x+0.0015, y+0.0015, x, y+0.0015, x, y))
	}
	p := filepath.Join(e.dir, fmt.Sprintf("%s-r%d.geojson", id, rev))
	if err := os.WriteFile(p, collection(fs...), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// importCLI imports a file with `coalmap import --json` (in this process)
// and returns its report; err is the report's error.
func (e *writeEnv) importCLI(id, file string) (*layers.ImportResult, string, error) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"import", "--database-url", e.url, "--json", "--layer", id, file}, &out, &errb)
	var reps []struct {
		Report *layers.ImportResult `json:"report"`
		Error  string               `json:"error"`
	}
	if err := json.Unmarshal(out.Bytes(), &reps); err != nil || len(reps) != 1 {
		return nil, out.String(), fmt.Errorf("exit %d, stdout not one JSON report (%v): %s %s", code, err, out.String(), errb.String())
	}
	if code != 0 || reps[0].Error != "" {
		return reps[0].Report, out.String(), fmt.Errorf("exit %d: %s", code, reps[0].Error)
	}
	return reps[0].Report, out.String(), nil
}

// importHTTP uploads a file to a server and waits until its job has ended;
// it returns the job and the bodies of the answers.
func (e *writeEnv) importHTTP(s *server, id, file string) (layers.ImportJob, []string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return layers.ImportJob{}, nil, err
	}
	req, _ := http.NewRequest("POST", s.base+"/layers/"+id+"/imports?filename="+filepath.Base(file), bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/geo+json")
	status, body, _, err := do(req)
	if err != nil {
		return layers.ImportJob{}, nil, err
	}
	bodies := []string{body}
	if status != http.StatusAccepted {
		return layers.ImportJob{}, bodies, fmt.Errorf("upload: %d %s", status, body)
	}
	var acc struct{ Job layers.ImportJob }
	if err := json.Unmarshal([]byte(body), &acc); err != nil {
		return layers.ImportJob{}, bodies, err
	}
	for pause := 5 * time.Millisecond; ; pause = min(2*pause, 100*time.Millisecond) {
		req, _ := http.NewRequest("GET", s.base+"/imports/"+strconv.FormatInt(acc.Job.ID, 10), nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		status, body, _, err := do(req)
		if err != nil {
			return layers.ImportJob{}, bodies, err
		}
		bodies = append(bodies[:1], body)
		var j layers.ImportJob
		if status != 200 || json.Unmarshal([]byte(body), &j) != nil {
			return j, bodies, fmt.Errorf("job: %d %s", status, body)
		}
		if j.Status.Done() {
			if j.Status != layers.ImportSucceeded {
				return j, bodies, fmt.Errorf("job %d %s: %s", j.ID, j.Status, j.Error)
			}
			return j, bodies, nil
		}
		time.Sleep(pause)
	}
}

var client = &http.Client{Timeout: time.Minute}

// do sends req and returns the status, the body and the headers.
func do(req *http.Request) (int, string, http.Header, error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header, err
}

func get(url string, header ...string) (int, string, http.Header, error) {
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(req)
}

// probeTile is a z12 tile over the squares of layerFile.
var probeTile = maptile.At(orb.Point{82.305, 23.905}, 12)

func tilePath(id string) string {
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", id, probeTile.Z, probeTile.X, probeTile.Y)
}

// getTile fetches a layer's probe tile uncompressed, so that its ETag can
// be checked against its bytes.
func getTile(base, id, ifNoneMatch string) (status int, etag string, body string, err error) {
	h := []string{"Accept-Encoding", "identity"}
	if ifNoneMatch != "" {
		h = append(h, "If-None-Match", ifNoneMatch)
	}
	status, body, hdr, err := get(base+tilePath(id), h...)
	if err != nil {
		return 0, "", "", err
	}
	return status, hdr.Get("ETag"), body, nil
}

// etagOf is the strong ETag the server gives a tile's bytes.
func etagOf(body string) string {
	sum := sha256.Sum256([]byte(body))
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// loadCPU keeps every core busy until stop is called.
func loadCPU() (stop func()) {
	var quit atomic.Bool
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := 1.0
			for i := 0; !quit.Load(); i++ {
				x = x*1.0000001 + 1e-9
				if i%1_000_000 == 0 {
					runtime.Gosched()
				}
			}
			_ = x
		}()
	}
	return func() { quit.Store(true); wg.Wait() }
}

// readerLog collects what readers saw that they must never see.
type readerLog struct {
	mu       sync.Mutex
	problems []string
	requests atomic.Int64
}

func (l *readerLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.problems) < 50 {
		l.problems = append(l.problems, fmt.Sprintf(format, args...))
	}
}

// readOnce asks a server for a layer's items, TileJSON and probe tile, and
// logs what no reader may see of a layer that exists: a 5xx, a 404, a
// feature without properties, a tile whose ETag is not that of its bytes.
func readOnce(base, id string, l *readerLog) {
	l.requests.Add(3)
	status, body, _, err := get(base + "/collections/" + id + "/items?limit=5")
	switch {
	case err != nil:
		l.add("%s items of %s: %v", base, id, err)
	case status != 200:
		l.add("%s items of %s: %d %s", base, id, status, body)
	default:
		var fc struct {
			Features []struct {
				Properties map[string]any `json:"properties"`
			} `json:"features"`
		}
		if err := json.Unmarshal([]byte(body), &fc); err != nil || len(fc.Features) == 0 {
			l.add("%s items of %s: %v %.200s", base, id, err, body)
		}
		for _, f := range fc.Features {
			if len(f.Properties) == 0 {
				l.add("%s items of %s: a feature without properties: %.300s", base, id, body)
				break
			}
		}
	}
	if status, body, _, err := get(base + "/tiles/" + id + ".json"); err != nil || status != 200 {
		l.add("%s TileJSON of %s: %d %v %.200s", base, id, status, err, body)
	}
	status, etag, body, err := getTile(base, id, "")
	switch {
	case err != nil:
		l.add("%s tile of %s: %v", base, id, err)
	case status != 200:
		l.add("%s tile of %s: %d %.200s", base, id, status, body)
	case etag != etagOf(body):
		l.add("%s tile of %s: ETag %s is not that of its bytes (%s)", base, id, etag, etagOf(body))
	}
}

// TestReadersNeverSeeAWriteHalfDone imports new layers and re-imports
// existing ones, through the CLI and over HTTP, while two serve processes
// answer readers that poll every existing layer's items, TileJSON and a
// tile without pause, with every core of the machine kept busy. Readers
// never get a 5xx, a 404 for a layer that exists, a feature without
// properties, or a tile under another tile's ETag; and once an import has
// reported success, both servers answer with the new version: its data
// version in the catalog, a tile that is not the old one (the old ETag is
// no longer a 304), the new features.
func TestReadersNeverSeeAWriteHalfDone(t *testing.T) {
	e := newWriteEnv(t)
	seed := seedFor(t)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	for _, id := range []string{"base_a", "base_b"} {
		if _, out, err := e.importCLI(id, e.layerFile(id, 0, 20)); err != nil {
			t.Fatalf("%s: %v\n%s", id, err, out)
		}
	}
	servers := []*server{startServe(t, e.bin, e.url), startServe(t, e.bin, e.url)}

	var existing sync.Map // layer id → its revision
	existing.Store("base_a", 0)
	existing.Store("base_b", 0)
	var rl readerLog
	ctx, stopReaders := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, s := range servers {
		for range 2 {
			wg.Go(func() {
				for ctx.Err() == nil {
					var ids []string
					existing.Range(func(k, _ any) bool { ids = append(ids, k.(string)); return true })
					for _, id := range ids {
						readOnce(s.base, id, &rl)
					}
				}
			})
		}
	}
	stopCPU := loadCPU()

	// afterSuccess checks both servers right after an import reported
	// success for layer id at version v (oldTag: the probe tile's ETag
	// before, "" for a new layer).
	afterSuccess := func(how, id string, rev int, v int64, oldTag string) {
		t.Helper()
		for _, s := range servers {
			status, body, _, err := get(s.base + "/collections/" + id)
			var c struct {
				DataVersion int64 `json:"data_version"`
			}
			if err != nil || status != 200 || json.Unmarshal([]byte(body), &c) != nil || c.DataVersion != v {
				t.Errorf("%s %s: right after success %s has %d %v data_version %d, want %d", how, id, s.base, status, err, c.DataVersion, v)
			}
			status, etag, tile, err := getTile(s.base, id, oldTag)
			if err != nil || status != 200 || etag == oldTag || etag != etagOf(tile) {
				t.Errorf("%s %s: right after success %s's tile: %d %v, ETag %s (before: %s)", how, id, s.base, status, err, etag, oldTag)
			}
			status, body, _, err = get(s.base + "/collections/" + id + "/items?limit=1")
			if err != nil || status != 200 || !strings.Contains(body, fmt.Sprintf("rev %d ", rev)) {
				t.Errorf("%s %s: right after success %s's items: %d %v %.300s", how, id, s.base, status, err, body)
			}
		}
	}
	const rounds = 8
	revs := map[string]int{"base_a": 0, "base_b": 0}
	var waited []time.Duration // after each commit, until both servers had it
	for i := range rounds {
		viaHTTP := i%2 == 1
		var id, oldTag string
		if i%4 < 2 {
			id = fmt.Sprintf("new_%d", i)
		} else {
			id = []string{"base_a", "base_b"}[rng.IntN(2)]
			_, oldTag, _, _ = getTile(servers[0].base, id, "")
		}
		rev := revs[id] + 1
		if _, ok := revs[id]; !ok {
			rev = 0
		}
		revs[id] = rev
		file := e.layerFile(id, rev, 20)
		var v int64
		how := "CLI"
		if viaHTTP {
			how = "HTTP"
			j, _, err := e.importHTTP(servers[rng.IntN(2)], id, file)
			if err != nil {
				t.Fatalf("%s import of %s: %v", how, id, err)
			}
			v = j.Report.DataVersion
			if vis := j.Report.Visibility; vis == nil || vis.Listeners < 2 || !vis.Visible() {
				t.Errorf("%s import of %s: visibility %+v, want both servers", how, id, vis)
			} else {
				waited = append(waited, vis.Waited)
			}
		} else {
			rep, out, err := e.importCLI(id, file)
			if err != nil {
				t.Fatalf("%s import of %s: %v\n%s", how, id, err, out)
			}
			v = rep.DataVersion
			if vis := rep.Visibility; vis == nil || vis.Listeners < 2 || !vis.Visible() {
				t.Errorf("%s import of %s: visibility %+v, want both servers", how, id, vis)
			} else {
				waited = append(waited, vis.Waited)
			}
		}
		afterSuccess(how, id, rev, v, oldTag)
		existing.Store(id, rev)
	}
	stopReaders()
	wg.Wait()
	stopCPU()
	t.Logf("seed %d: %d imports, %d reader requests on 2 servers with the CPU loaded; both servers had each import %v after its commit",
		seed, rounds, rl.requests.Load(), waited)
	for _, p := range rl.problems {
		t.Error(p)
	}
	for _, s := range servers {
		if strings.Contains(s.log(), "level=ERROR") {
			t.Errorf("%s logged errors:\n%s", s.base, s.log())
		}
	}
}

// seedFor is the test's random seed: COALMAP_TEST_SEED, else the time.
func seedFor(t *testing.T) int64 {
	if v := os.Getenv("COALMAP_TEST_SEED"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("COALMAP_TEST_SEED %q", v)
		}
		return n
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d (COALMAP_TEST_SEED to repeat)", seed)
	return seed
}

// TestImportStress runs 50 imports of new layers and 50 re-imports of
// existing ones, half over HTTP and half through the CLI, four at a time,
// while serve builds tile bands, reloads its catalog and rebuilds the
// overlap engine's R-trees (a loop of overlap checks and tiles against the
// layers being replaced): every import succeeds (no deadlock, no internal
// error), and afterwards every layer is whole — catalog entry, table,
// attributes and data agree — with nothing left in staging.
func TestImportStress(t *testing.T) {
	e := newWriteEnv(t)
	seed := seedFor(t)
	rng := rand.New(rand.NewPCG(uint64(seed), 2))
	existing := []string{"old_0", "old_1", "old_2", "old_3", "old_4"}
	for _, id := range existing {
		if _, out, err := e.importCLI(id, e.layerFile(id, 0, 10)); err != nil {
			t.Fatalf("%s: %v\n%s", id, err, out)
		}
	}
	s := startServe(t, e.bin, e.url)

	type task struct {
		id   string
		rev  int
		http bool
	}
	var tasks []task
	for i := range 50 {
		tasks = append(tasks, task{id: fmt.Sprintf("stress_%d", i), http: i%2 == 0})
	}
	for i := range 50 {
		tasks = append(tasks, task{id: existing[i%len(existing)], rev: 1 + i/len(existing), http: i%2 == 1})
	}
	rng.Shuffle(len(tasks), func(i, j int) { tasks[i], tasks[j] = tasks[j], tasks[i] })
	files := make([]string, len(tasks))
	for i, tk := range tasks {
		files[i] = e.layerFile(tk.id, tk.rev, 10)
	}

	// Background work: overlap checks (R-tree loads after each re-import)
	// and tiles (renders; the keeper builds bands after each import).
	ctx, stop := context.WithCancel(context.Background())
	var bg sync.WaitGroup
	var bgProblems readerLog
	bg.Go(func() {
		line := `{"type":"LineString","coordinates":[[82.29,23.905],[82.33,23.905]]}`
		for ctx.Err() == nil {
			id := existing[rng.IntN(len(existing))]
			req, _ := http.NewRequest("POST", s.base+"/overlaps/check?against="+id, strings.NewReader(line))
			req.Header.Set("Content-Type", "application/geo+json")
			if status, body, _, err := do(req); err != nil || status != 200 {
				bgProblems.add("check against %s: %d %v %.200s", id, status, err, body)
			}
			readOnce(s.base, id, &bgProblems)
		}
	})

	start := time.Now()
	work := make(chan int)
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range work {
				tk := tasks[i]
				var err error
				if tk.http {
					_, _, err = e.importHTTP(s, tk.id, files[i])
				} else {
					_, _, err = e.importCLI(tk.id, files[i])
				}
				if err != nil {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%s (http %v): %v", tk.id, tk.http, err))
					mu.Unlock()
				}
			}
		})
	}
	for i := range tasks {
		work <- i
	}
	close(work)
	wg.Wait()
	took := time.Since(start)
	stop()
	bg.Wait()
	t.Logf("seed %d: %d imports in %v", seed, len(tasks), took.Round(time.Millisecond))
	for _, f := range failures {
		t.Error(f)
	}
	for _, p := range bgProblems.problems {
		t.Error(p)
	}
	if l := s.log(); len(failures) > 0 || strings.Contains(l, "deadlock") || strings.Contains(l, "level=ERROR") {
		t.Errorf("serve logged errors:\n%s", l)
	}

	// Nothing half-made: every catalog entry has its table with the
	// dictionary's columns, the count it claims and attributes; every layer
	// table has its entry; staging is empty; each new layer was announced
	// by one change of kind created.
	c := context.Background()
	var half []string
	rows, err := e.pool.Query(c, `SELECT l.id, jsonb_array_length(l.attributes), l.feature_count,
	    (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = to_regclass('layers.' || quote_ident(l.id)) AND a.attnum > 3 AND NOT a.attisdropped)
	  FROM catalog.layers l ORDER BY l.id`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var id string
		var attrs, cols, count int64
		if err := rows.Scan(&id, &attrs, &count, &cols); err != nil {
			t.Fatal(err)
		}
		n++
		var got int64
		if err := e.pool.QueryRow(c, fmt.Sprintf(`SELECT count(*) FROM layers.%q`, id)).Scan(&got); err != nil {
			half = append(half, fmt.Sprintf("%s: %v", id, err))
			continue
		}
		if attrs == 0 || attrs != cols || got != count || count != 10 {
			half = append(half, fmt.Sprintf("%s: %d attributes, %d columns, %d rows for a count of %d", id, attrs, cols, got, count))
		}
	}
	if n != 55 {
		t.Errorf("%d layers in the catalog, want 55", n)
	}
	var orphans, staging, created int
	e.pool.QueryRow(c, `SELECT count(*) FROM pg_tables t WHERE t.schemaname = 'layers' AND NOT EXISTS (SELECT 1 FROM catalog.layers l WHERE l.id = t.tablename)`).Scan(&orphans)
	e.pool.QueryRow(c, `SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'`).Scan(&staging)
	e.pool.QueryRow(c, `SELECT count(*) FROM catalog.changes WHERE kind = 'created' AND layer_id LIKE 'stress\_%'`).Scan(&created)
	if orphans != 0 || staging != 0 || created != 50 {
		t.Errorf("%d layer tables without a catalog entry, %d staging tables, %d creations announced (want 0, 0, 50)", orphans, staging, created)
	}
	for _, h := range half {
		t.Error("half-made: " + h)
	}
}

// databaseWords are what PostgreSQL's and the driver's messages say and a
// client must never read.
var databaseWords = []string{"SQLSTATE", "relation", "syntax error", "violates", "pq:", "ERROR:", "pgx", "postgis:"}

// TestAnswersCarryNoDatabaseText drives the error paths of the write side
// and of the readers — the database refusing a commit, a table or column
// gone behind the server's back, bad input of every kind — and reads every
// answer (HTTP bodies, job reports, the CLI's --json report) for the
// database's words. The failure the database is made to raise quotes all of
// them, so that any leak shows.
func TestAnswersCarryNoDatabaseText(t *testing.T) {
	e := newWriteEnv(t)
	c := context.Background()
	for _, id := range []string{"blocks", "nocol", "gone"} {
		if _, out, err := e.importCLI(id, e.layerFile(id, 0, 5)); err != nil {
			t.Fatalf("%s: %v\n%s", id, err, out)
		}
	}
	// Make the database refuse any commit about layer "doomed", in words
	// that quote everything a leak would show.
	if _, err := e.pool.Exec(c, `CREATE FUNCTION public.doom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.layer_id = 'doomed' THEN
    RAISE EXCEPTION 'relation "layers.doomed" violates pq: syntax error (pgx postgis:)';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER doom BEFORE INSERT ON catalog.changes FOR EACH ROW EXECUTE FUNCTION public.doom()`); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, e.bin, e.url)

	var answers []string
	check := func(what, body string) {
		t.Helper()
		answers = append(answers, what)
		for _, w := range databaseWords {
			if strings.Contains(body, w) {
				t.Errorf("%s: the answer carries %q:\n%s", what, w, body)
			}
		}
	}
	// The database refuses the import's commit: the CLI's report…
	rep, out, err := e.importCLI("doomed", e.layerFile("doomed", 0, 5))
	if err == nil || rep == nil || rep.Status != layers.ImportFailed {
		t.Fatalf("an import the database refuses: %v %+v", err, rep)
	}
	check("coalmap import --json of a refused commit", out)
	// …and the HTTP job's.
	j, bodies, err := e.importHTTP(s, "doomed", e.layerFile("doomed", 1, 5))
	if err == nil || j.Status != layers.ImportFailed {
		t.Fatalf("an upload the database refuses: %v %+v", err, j)
	}
	for _, b := range bodies {
		check("upload of a refused commit", b)
	}
	status, body, _, _ := get(s.base + "/collections/doomed/imports")
	if status != 404 {
		check("history of the refused layer", body)
	}
	// Bad input through both doors: duplicate ids, text the database
	// cannot store, an unknown CRS, a malformed file.
	bad := map[string]string{
		"dup.geojson":   string(collection(square("a", 82.3, 23.9, `{}`), square("a", 82.32, 23.9, `{}`))),
		"nul.geojson":   string(collection(square("a", 82.3, 23.9, `{"name":"a\u0000b"}`))),
		"crs.geojson":   `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::999999"}},"features":[` + square("a", 1, 2, `{}`) + `]}`,
		"trunc.geojson": `{"type":"FeatureCollection","features":[{"type":"Feature",`,
	}
	for name, content := range bad {
		p := filepath.Join(e.dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, out, err := e.importCLI("blocks", p)
		if err == nil {
			t.Errorf("CLI import of %s succeeded", name)
		}
		check("coalmap import --json of "+name, out)
		_, bodies, err := e.importHTTP(s, "blocks", p)
		if err == nil {
			t.Errorf("upload of %s succeeded", name)
		}
		for _, b := range bodies {
			check("upload of "+name, b)
		}
	}
	// Tables changed behind the server's back: a dropped column, a dropped
	// table.
	if _, err := e.pool.Exec(c, `ALTER TABLE layers.nocol DROP COLUMN name; DROP TABLE layers.gone`); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/collections/nocol/items", "/collections/nocol/items?f=csv", "/collections/nocol/items/nocol-1",
		"/collections/gone/items", "/collections/gone/items/gone-1", tilePath("nocol"), tilePath("gone"),
		"/collections/blocks/items?bbox=1,2,x", "/collections/blocks/items?limit=-1", "/collections/blocks/items?name=%00",
		"/imports/abc", "/imports/999999", "/collections/nope/imports", "/tiles/nope.json",
	} {
		_, body, _, err := get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		check("GET "+path, body)
	}
	for _, r := range []struct{ method, path, body string }{
		{"PUT", "/collections/blocks", `{"min_zoom": 30}`},
		{"PUT", "/collections/blocks", `{"attributes": []}`},
		{"DELETE", "/collections/nope", ""},
		{"POST", "/layers/Bad-Id/imports", "{}"},
		{"POST", "/overlaps/check?against=gone", `{"type":"LineString","coordinates":[[82.29,23.905],[82.33,23.905]]}`},
	} {
		req, _ := http.NewRequest(r.method, s.base+r.path, strings.NewReader(r.body))
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Content-Type", "application/json")
		_, body, _, err := do(req)
		if err != nil {
			t.Fatal(err)
		}
		check(r.method+" "+r.path, body)
	}
	t.Logf("%d answers read", len(answers))
}
