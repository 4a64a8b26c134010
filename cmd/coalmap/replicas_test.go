package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
)

// Reads from a streaming standby, as deployed: a primary and a standby
// made with pg_basebackup -R (the system's PostgreSQL, `coalmap db start
// [--standby-of]`), three `coalmap serve` processes (COALMAP_BIN) with
// --read-database-url on the standby, imports through one of them while
// readers poll all three without pause.

// startDB starts an embedded cluster in dir (a standby of primaryDir when
// given; on TCP at listen when given) with the binary and returns its URL.
func startDB(t *testing.T, bin, dir, primaryDir string, listen ...string) string {
	t.Helper()
	args := []string{"db", "start", "--data-dir", dir, "--ephemeral", "--log-level", "warn"}
	if primaryDir != "" {
		args = append(args, "--standby-of", primaryDir)
	}
	if len(listen) > 0 {
		args = append(args, "--listen", listen[0])
	}
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("db start %s: %v %s", dir, err, stderr)
	}
	return strings.TrimSpace(string(out))
}

func stopDB(t *testing.T, bin, dir string) {
	t.Helper()
	if out, err := exec.Command(bin, "db", "stop", "--data-dir", dir).CombinedOutput(); err != nil {
		t.Fatalf("db stop %s: %v %s", dir, err, out)
	}
}

// observation is one reader's round on one server: the layer's data
// version as the server's TileJSON gave it just before, and the revisions
// (the features' rev attribute) of the tile at that version and of the
// items that followed.
type observation struct {
	server     int
	at         time.Time
	version    int64
	tileRevs   []string
	itemRevs   []string
	err        string
	tileCached string
	// The overlap check against the layer: the version it names and the
	// revisions in the names of the squares it crossed.
	checkVersion int64
	checkRevs    []string
}

// observe reads layer id from server base once.
func observe(i int, base, id string) observation {
	o := observation{server: i, at: time.Now()}
	status, body, _, err := get(base + "/tiles/" + id + ".json")
	if err != nil || status != 200 {
		o.err = fmt.Sprintf("TileJSON: %d %v %.200s", status, err, body)
		return o
	}
	var tj struct {
		Tiles []string `json:"tiles"`
	}
	if err := json.Unmarshal([]byte(body), &tj); err != nil || len(tj.Tiles) != 1 {
		o.err = fmt.Sprintf("TileJSON: %v %.200s", err, body)
		return o
	}
	_, v, _ := strings.Cut(tj.Tiles[0], "?v=")
	if o.version, err = strconv.ParseInt(v, 10, 64); err != nil {
		o.err = fmt.Sprintf("TileJSON URL %s: %v", tj.Tiles[0], err)
		return o
	}
	status, tile, hdr, err := get(base+tilePath(id)+"?v="+v, "Accept-Encoding", "identity")
	if err != nil || status != 200 {
		o.err = fmt.Sprintf("tile: %d %v %.200s", status, err, tile)
		return o
	}
	o.tileCached = hdr.Get("X-Cache")
	ls, err := mvt.Unmarshal([]byte(tile))
	if err != nil {
		o.err = fmt.Sprintf("tile: %v", err)
		return o
	}
	for _, l := range ls {
		for _, f := range l.Features {
			o.tileRevs = append(o.tileRevs, fmt.Sprint(f.Properties["rev"]))
		}
	}
	status, body, _, err = get(base + "/collections/" + id + "/items?limit=5")
	if err != nil || status != 200 {
		o.err = fmt.Sprintf("items: %d %v %.200s", status, err, body)
		return o
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(body), &fc); err != nil {
		o.err = fmt.Sprintf("items: %v", err)
		return o
	}
	for _, f := range fc.Features {
		o.itemRevs = append(o.itemRevs, fmt.Sprint(f.Properties["rev"]))
	}
	// A line along the first row of squares.
	line := `{"type":"LineString","coordinates":[[82.299,23.9007],[82.3205,23.9007]]}`
	req, _ := http.NewRequest("POST", base+"/overlaps/check?row_width_m=10&f=json&against="+id, strings.NewReader(line))
	req.Header.Set("Content-Type", "application/geo+json")
	status, body, _, err = do(req)
	if err != nil || status != 200 {
		o.err = fmt.Sprintf("check: %d %v %.200s", status, err, body)
		return o
	}
	var ck struct {
		Layers []struct {
			Version int64 `json:"version"`
		} `json:"layers"`
		Crossings []struct {
			Name string `json:"name"`
		} `json:"crossings"`
	}
	if err := json.Unmarshal([]byte(body), &ck); err != nil || len(ck.Layers) != 1 {
		o.err = fmt.Sprintf("check: %v %.200s", err, body)
		return o
	}
	o.checkVersion = ck.Layers[0].Version
	for _, c := range ck.Crossings {
		// "<id> rev N #i"
		f := strings.Fields(c.Name)
		if len(f) >= 3 {
			o.checkRevs = append(o.checkRevs, f[2])
		} else {
			o.checkRevs = append(o.checkRevs, c.Name)
		}
	}
	return o
}

// checkStale reports whether the check named a version (revision rev)
// with other data: its version and crossings come from one snapshot, so
// they must agree exactly.
func (o observation) checkStale(rev int) bool {
	if len(o.checkRevs) == 0 {
		return true
	}
	for _, r := range o.checkRevs {
		if r != strconv.Itoa(rev) {
			return true
		}
	}
	return false
}

// only reports whether every rev of o (at least one of each) is rev.
func (o observation) only(rev int) bool {
	want := strconv.Itoa(rev)
	if len(o.tileRevs) == 0 || len(o.itemRevs) == 0 || len(o.checkRevs) == 0 {
		return false
	}
	for _, r := range append(append(append([]string{}, o.tileRevs...), o.itemRevs...), o.checkRevs...) {
		if r != want {
			return false
		}
	}
	return true
}

// stale reports whether o answered version v (revision rev) with older
// data: the tile, fetched by its versioned URL, and the items, read after,
// must be rev's or newer. (Newer data under an older version is the race
// of a single database too: a server that has not yet heard of a commit
// reads after it. What replicas must never add is the reverse.)
func (o observation) stale(rev int) bool {
	for _, r := range append(append([]string{}, o.tileRevs...), o.itemRevs...) {
		if n, err := strconv.Atoi(r); err != nil || n < rev {
			return true
		}
	}
	return len(o.tileRevs) == 0 || len(o.itemRevs) == 0
}

// poller polls every server without pause until stopped.
type poller struct {
	mu   sync.Mutex
	obs  []observation
	stop chan struct{}
	wg   sync.WaitGroup
}

func pollAll(servers []*server, id string) *poller {
	p := &poller{stop: make(chan struct{})}
	for i, s := range servers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for {
				select {
				case <-p.stop:
					return
				default:
				}
				o := observe(i, s.base, id)
				p.mu.Lock()
				p.obs = append(p.obs, o)
				p.mu.Unlock()
			}
		}()
	}
	return p
}

func (p *poller) end() []observation {
	close(p.stop)
	p.wg.Wait()
	return p.obs
}

// waitAll polls every server until each answers version v with rev's data
// only; it returns how long after since each took.
func waitAll(t *testing.T, servers []*server, id string, rev int, since time.Time) []time.Duration {
	t.Helper()
	took := make([]time.Duration, len(servers))
	var wg sync.WaitGroup
	failed := make([]string, len(servers))
	for i, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			deadline := time.Now().Add(time.Minute)
			for {
				o := observe(i, s.base, id)
				if o.err == "" && o.only(rev) {
					took[i] = time.Since(since).Round(time.Millisecond)
					return
				}
				if time.Now().After(deadline) {
					failed[i] = fmt.Sprintf("server %d never answered revision %d: %+v\n%s", i, rev, o, s.log())
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	for _, f := range failed {
		if f != "" {
			t.Fatal(f)
		}
	}
	return took
}

// checkNeverStale fails for an answer of version v whose data is not v's
// (revOf maps the versions seen to the revision imported as it), and
// returns the errors seen per server.
func checkNeverStale(t *testing.T, obs []observation, revOf map[int64]int) map[int]int {
	t.Helper()
	errs := map[int]int{}
	bad := 0
	for _, o := range obs {
		if o.err != "" {
			errs[o.server]++
			t.Logf("server %d at %s: %s", o.server, o.at.Format("15:04:05.000"), o.err)
			continue
		}
		rev, ok := revOf[o.version]
		if !ok {
			t.Errorf("server %d answered version %d, which no import made (%v)", o.server, o.version, revOf)
			continue
		}
		if o.stale(rev) && bad < 10 {
			bad++
			t.Errorf("server %d: version %d is revision %d, answered with tile revisions %v and items %v (%s)",
				o.server, o.version, rev, o.tileRevs, o.itemRevs, o.tileCached)
		}
		crev, ok := revOf[o.checkVersion]
		if !ok {
			t.Errorf("server %d: the check named version %d, which no import made (%v)", o.server, o.checkVersion, revOf)
		} else if o.checkStale(crev) && bad < 10 {
			bad++
			t.Errorf("server %d: the check named version %d (revision %d) and crossed %v", o.server, o.checkVersion, crev, o.checkRevs)
		}
	}
	return errs
}

// versionOf is the data version a server gives layer id.
func versionOf(t *testing.T, s *server, id string) int64 {
	t.Helper()
	o := observe(0, s.base, id)
	if o.err != "" {
		t.Fatal(o.err)
	}
	return o.version
}

// metric returns the sum of a metric's samples on a server.
func metric(t *testing.T, s *server, name string) float64 {
	t.Helper()
	_, body, _, err := get(s.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, name+" ") || strings.HasPrefix(line, name+"{") {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			sum += v
		}
	}
	return sum
}

// waitReplicaState waits until every server's /readyz shows the replica in
// state.
func waitReplicaState(t *testing.T, servers []*server, state postgis.ReplicaState) {
	t.Helper()
	for i, s := range servers {
		deadline := time.Now().Add(time.Minute)
		for {
			_, body, _, _ := get(s.base + "/readyz")
			if strings.Contains(body, `"state":"`+string(state)+`"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("server %d: replica never %s: %s", i, state, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no subprocess")
	}
	bin := coalmapBinary(t)
	root, err := os.MkdirTemp("", "coalmap-replicas-")
	if err != nil {
		t.Fatal(err)
	}
	// The postgres user runs the servers when the tests run as root.
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	pdir, sdir := filepath.Join(root, "primary"), filepath.Join(root, "standby")
	t.Cleanup(func() {
		exec.Command(bin, "db", "stop", "--data-dir", sdir).Run() //nolint:errcheck
		exec.Command(bin, "db", "stop", "--data-dir", pdir).Run() //nolint:errcheck
		os.RemoveAll(root)
	})
	// On TCP, as on separate machines; the servers' URL names both
	// (libpq's multi-host form), for the failover at the end.
	paddr, saddr := freePort(t), freePort(t)
	single := startDB(t, bin, pdir, "", paddr)
	standby := startDB(t, bin, sdir, pdir, saddr)
	primary := multiHost(t, single, paddr, saddr)

	// The first server migrates the primary; the others start after it.
	extra := []string{"--read-database-url", standby, "--replica-wait", "250ms", "--replica-check", "200ms"}
	servers := []*server{startServe(t, bin, primary, extra...)}
	servers = append(servers, startServe(t, bin, primary, extra...), startServe(t, bin, primary, extra...))
	e := &writeEnv{t: t, url: primary, dir: t.TempDir(), bin: bin}
	var out, errb strings.Builder
	if code := run(context.Background(), []string{"token", "create", "--role", "editor", "--database-url", primary}, &out, &errb); code != 0 {
		t.Fatalf("token: %s", errb.String())
	}
	e.token = strings.TrimSpace(out.String())

	t.Run("bad read URLs are refused at start", func(t *testing.T) {
		// Another cluster, migrated (PostGIS and the catalog there), with
		// the same database name: told apart by its system identifier.
		odir := filepath.Join(root, "other")
		other := startDB(t, bin, odir, "")
		t.Cleanup(func() { exec.Command(bin, "db", "stop", "--data-dir", odir).Run() }) //nolint:errcheck
		if out, err := exec.Command(bin, "migrate", "--database-url", other).CombinedOutput(); err != nil {
			t.Fatalf("migrate: %v %s", err, out)
		}
		noPostGIS := strings.Replace(single, "/coalmap?", "/postgres?", 1)
		for _, c := range []struct{ url, want string }{
			{noPostGIS, "PostGIS is not installed there"},
			{other, "another cluster (system identifier"},
		} {
			cmd := exec.Command(bin, "serve", "--database-url", primary, "--read-database-url", c.url,
				"--addr", freePort(t), "--no-demo")
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), "--read-database-url") || !strings.Contains(string(out), c.want) {
				t.Errorf("serve with --read-database-url %s: %v, want a refusal naming the flag and %q:\n%s", c.url, err, c.want, out)
			}
		}
		// The primary itself as a read URL: accepted, with a warning.
		s := startServe(t, bin, primary, "--read-database-url", primary, "--log-level", "warn")
		if !strings.Contains(s.log(), "read database is a primary") {
			t.Errorf("no warning for a read URL that is a primary:\n%s", s.log())
		}
	})

	const id = "replica_probe"
	revOf := map[int64]int{}
	// imp imports revision rev through server via, with readers polling
	// every server from before the upload until every server has it.
	imp := func(phase string, via, rev int) map[int]int {
		t.Helper()
		p := pollAll(servers, id)
		start := time.Now()
		job, _, err := e.importHTTP(servers[via], id, e.layerFile(id, rev, 30))
		if err != nil {
			p.end()
			t.Fatalf("%s: import of revision %d: %v", phase, rev, err)
		}
		done := time.Now()
		// The job, started through one server, followed through another.
		other := servers[(via+1)%len(servers)]
		status, body, _, err := get(other.base+"/imports/"+strconv.FormatInt(job.ID, 10), "Authorization", "Bearer "+e.token)
		if err != nil || status != 200 || !strings.Contains(body, `"succeeded"`) {
			t.Errorf("%s: job %d through another server: %d %v %.300s", phase, job.ID, status, err, body)
		}
		revOf[versionOf(t, servers[via], id)] = rev
		took := waitAll(t, servers, id, rev, done)
		obs := p.end()
		t.Logf("%s: revision %d imported in %v; each server answered it %v after the import's end; %d answers polled",
			phase, rev, done.Sub(start).Round(time.Millisecond), took, len(obs))
		return checkNeverStale(t, obs, revOf)
	}

	// Revision 1 creates the layer (no reader yet: it does not exist).
	if _, _, err := e.importHTTP(servers[0], id, e.layerFile(id, 1, 30)); err != nil {
		t.Fatal(err)
	}
	revOf[versionOf(t, servers[0], id)] = 1
	waitAll(t, servers, id, 1, time.Now())

	if errs := imp("streaming", 1, 2); len(errs) > 0 {
		t.Errorf("streaming: errors %v", errs)
	}
	// As below: read on (bounded) until a read has gone to the standby.
	for deadline := time.Now().Add(20 * time.Second); metric(t, servers[0], "coalmap_replica_reads_total")+metric(t, servers[1], "coalmap_replica_reads_total") == 0; {
		if time.Now().After(deadline) {
			t.Error("no read went to the replica within 20 s")
			break
		}
		observe(1, servers[1].base, id)
		time.Sleep(100 * time.Millisecond)
	}

	// Replay paused: the new version is not on the standby, reads of it go
	// to the primary after the wait.
	spool, err := postgis.Connect(context.Background(), standby, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer spool.Close()
	if _, err := spool.Exec(context.Background(), `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	fallbacks := metric(t, servers[2], "coalmap_replica_fallbacks_total")
	if errs := imp("replay paused", 2, 3); len(errs) > 0 {
		t.Errorf("replay paused: errors %v", errs)
	}
	if got := metric(t, servers[2], "coalmap_replica_fallbacks_total"); got <= fallbacks {
		t.Errorf("replay paused: no read fell back to the primary (%v then %v)", fallbacks, got)
	}
	if _, err := spool.Exec(context.Background(), `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	spool.Close()

	// The standby stopped, an import, the standby back.
	p := pollAll(servers, id)
	time.Sleep(200 * time.Millisecond)
	stopDB(t, bin, sdir)
	waitReplicaState(t, servers, postgis.ReplicaDown)
	obs := p.end()
	for srv, n := range checkNeverStale(t, obs, revOf) {
		if n > 1 {
			t.Errorf("standby stopped: server %d had %d errors; at most the request in flight may fail", srv, n)
		}
	}
	if errs := imp("standby down", 0, 4); len(errs) > 0 {
		t.Errorf("standby down: errors %v", errs)
	}
	startDB(t, bin, sdir, pdir, saddr)
	waitReplicaState(t, servers, postgis.ReplicaUp)
	before := metric(t, servers[1], "coalmap_replica_reads_total")
	if errs := imp("standby back", 1, 5); len(errs) > 0 {
		t.Errorf("standby back: errors %v", errs)
	}
	// Reads of the new version go to the standby once it has replayed it;
	// on a loaded machine the import's own polling may all have fallen
	// back to the primary first, so read on until one goes to the standby
	// (bounded: the health check sees the replay within a second or two).
	for deadline := time.Now().Add(20 * time.Second); metric(t, servers[1], "coalmap_replica_reads_total") <= before; {
		if time.Now().After(deadline) {
			t.Error("standby back: no read went to the replica again within 20 s")
			break
		}
		observe(1, servers[1].base, id)
		time.Sleep(100 * time.Millisecond)
	}

	// The primary restarted: every server reconnects, listens again and
	// has the next import, without a restart of its own.
	stopDB(t, bin, pdir)
	startDB(t, bin, pdir, "", paddr)
	for i, s := range servers {
		if err := waitReady(strings.TrimPrefix(s.base, "http://"), time.Minute); err != nil {
			t.Fatalf("server %d after the primary's restart: %v\n%s", i, err, s.log())
		}
	}
	// The version is the job's: a server whose listener is still
	// reconnecting may not have it yet (the import waits only for the
	// listeners connected).
	var imported bool
	for attempt := 0; attempt < 50 && !imported; attempt++ {
		// The first upload may meet a connection the restart closed.
		if job, _, err := e.importHTTP(servers[2], id, e.layerFile(id, 6, 30)); err == nil {
			imported = true
			revOf[job.Report.DataVersion] = 6
		} else {
			t.Logf("after the primary's restart: %v", err)
			time.Sleep(200 * time.Millisecond)
		}
	}
	if !imported {
		t.Fatal("no import succeeded after the primary's restart")
	}
	took := waitAll(t, servers, id, 6, time.Now())
	t.Logf("primary restarted: every server has revision 6 (%v)", took)

	// Failover: the primary stopped, the standby promoted. Every server
	// finds the new primary through its multi-host URL, follows its
	// changes, and has an import made through one of them; its read URL
	// is now a primary too (warned). Readers poll throughout: errors while
	// no primary is up are expected, old data under a new version never.
	// A planned failover: the standby has streamed everything (after the
	// primary's restart its WAL receiver reconnects within seconds), so
	// the stop's last WAL reaches it and no commit is lost.
	caughtUp(t, single, standby)
	p = pollAll(servers, id)
	stopDB(t, bin, pdir)
	promoted := time.Now()
	if out, err := exec.Command(bin, "db", "promote", "--data-dir", sdir).CombinedOutput(); err != nil {
		p.end()
		t.Fatalf("promote: %v %s", err, out)
	}
	imported = false
	for attempt := 0; attempt < 100 && !imported; attempt++ {
		if job, _, err := e.importHTTP(servers[0], id, e.layerFile(id, 7, 30)); err == nil {
			imported = true
			revOf[job.Report.DataVersion] = 7
		} else {
			t.Logf("after the failover: %v", err)
			time.Sleep(200 * time.Millisecond)
		}
	}
	if !imported {
		p.end()
		t.Fatal("no import succeeded after the failover")
	}
	took = waitAll(t, servers, id, 7, promoted)
	obs = p.end()
	errs := checkNeverStale(t, obs, revOf)
	t.Logf("failover: from the promotion, each server answered revision 7 (imported through server 0) after %v; %d answers polled, errors per server %v",
		took, len(obs), errs)
	for i, s := range servers {
		status, body, _, _ := get(s.base + "/readyz")
		if status != 200 || !strings.Contains(body, `"standby":false`) || !strings.Contains(body, `"state":"up"`) {
			t.Errorf("server %d after the failover: /readyz %d %s, want ready with its read database up and a primary", i, status, body)
		}
		if !strings.Contains(s.log(), "read database is now a primary") {
			t.Errorf("server %d: no warning that its read database became a primary:\n%s", i, s.log())
		}
	}
	// A job started through one server, followed through another, on the
	// new primary.
	job, _, err := e.importHTTP(servers[1], id, e.layerFile(id, 8, 30))
	if err != nil {
		t.Fatal(err)
	}
	status, body, _, err := get(servers[2].base+"/imports/"+strconv.FormatInt(job.ID, 10), "Authorization", "Bearer "+e.token)
	if err != nil || status != 200 || !strings.Contains(body, `"succeeded"`) {
		t.Errorf("after the failover: job %d through another server: %d %v %.300s", job.ID, status, err, body)
	}
	revOf[job.Report.DataVersion] = 8
	waitAll(t, servers, id, 8, time.Now())

	// An unplanned failover that loses a commit: a new standby of the new
	// primary (where the old primary was), stopped while revision 9 is
	// imported (every server has it, and caches it under its version),
	// then the primary lost and the standby promoted without it. The next
	// import makes the same data version again with revision 10's data:
	// every server must notice that the history was rewound (the change
	// it saw last is not in the new primary's log), drop what it cached,
	// and answer revision 10, not revision 9 under the same version.
	if err := os.RemoveAll(pdir); err != nil {
		t.Fatal(err)
	}
	startDB(t, bin, pdir, sdir, paddr)
	caughtUp(t, standby, strings.Replace(standby, saddr, paddr, 1))
	stopDB(t, bin, pdir)
	job9, _, err := e.importHTTP(servers[0], id, e.layerFile(id, 9, 30))
	if err != nil {
		t.Fatal(err)
	}
	waitAll(t, servers, id, 9, time.Now())
	stopDB(t, bin, sdir)
	startDB(t, bin, pdir, sdir, paddr)
	if out, err := exec.Command(bin, "db", "promote", "--data-dir", pdir).CombinedOutput(); err != nil {
		t.Fatalf("promote: %v %s", err, out)
	}
	var job10 layers.ImportJob
	for attempt := 0; ; attempt++ {
		if job10, _, err = e.importHTTP(servers[1], id, e.layerFile(id, 10, 30)); err == nil {
			break
		}
		if attempt == 100 {
			t.Fatalf("no import succeeded after the second failover: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if job10.Report.DataVersion != job9.Report.DataVersion {
		t.Logf("the lost commit's version %d was not handed out again (%d): the case is not exercised", job9.Report.DataVersion, job10.Report.DataVersion)
	}
	took = waitAll(t, servers, id, 10, time.Now())
	t.Logf("failover that lost revision 9 (version %d): revision 10 (version %d) answered by every server %v after its import", job9.Report.DataVersion, job10.Report.DataVersion, took)
	for i, s := range servers {
		if !strings.Contains(s.log(), "the database lost changes this server had seen") {
			t.Errorf("server %d: no error logged for the lost changes:\n%s", i, s.log())
		}
	}
}

// caughtUp waits until the standby has replayed the primary's WAL up to
// where it is now.
func caughtUp(t *testing.T, primary, standby string) {
	t.Helper()
	ctx := context.Background()
	pp, err := postgis.Connect(ctx, primary, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer pp.Close()
	sp, err := postgis.Connect(ctx, standby, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	var at string
	if err := pp.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&at); err != nil {
		t.Fatal(err)
	}
	want, _ := postgis.ParseLSN(at)
	for deadline := time.Now().Add(time.Minute); ; {
		var replay string
		if err := sp.QueryRow(ctx, `SELECT coalesce(pg_last_wal_replay_lsn(), '0/0')::text`).Scan(&replay); err != nil {
			t.Fatal(err)
		}
		if got, _ := postgis.ParseLSN(replay); got >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby has replayed %s, not the primary's %s, after a minute", replay, at)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// multiHost turns the TCP URL of one cluster into the multi-host URL of
// hosts (libpq's and pgx's form) that connects to whichever is the primary.
func multiHost(t *testing.T, single string, hosts ...string) string {
	t.Helper()
	u, err := url.Parse(single)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = strings.Join(hosts, ",")
	q := u.Query()
	q.Set("target_session_attrs", "read-write")
	u.RawQuery = q.Encode()
	return u.String()
}
