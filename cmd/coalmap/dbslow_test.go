package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coalmap/coalmap/postgis/pgtest"
)

// TestDatabaseSlowAndPartitioned puts a TCP proxy the test controls
// between `coalmap serve` and PostgreSQL and, under a steady load of items,
// tiles (every one a render: the cache is off) and overlap checks, makes
// the database slow (a delay on every exchange), stuck (the layer's table
// locked, so that the tile statement timeout and the request timeout
// fire), partitioned (nothing passes, nothing is reset) and cut (every
// connection dropped). Throughout, every answer is a 200/204 or a 503/504
// with Retry-After and no database text, and none takes longer than the
// request timeout allows; after each fault heals every route answers again
// without restarting serve; and once the load stops, serve holds no more
// goroutines than before the faults and the database no connection its
// pools do not account for.
func TestDatabaseSlowAndPartitioned(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no subprocess")
	}
	bin := coalmapBinary(t)
	url := pgtest.URL(t)
	admin := os.Getenv(pgtest.EnvURL)
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	dbName := strings.TrimPrefix(u.Path, "/")
	env := append(os.Environ(), "DATABASE_URL=", "COALMAP_DATABASE_URL=")
	cli := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("coalmap %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	psql := func(conn, sql string) string {
		t.Helper()
		out, err := exec.Command("psql", "-X", "-Atc", sql, conn).CombinedOutput()
		if err != nil {
			t.Fatalf("psql %q: %v\n%s", sql, err, out)
		}
		return strings.TrimSpace(string(out))
	}

	// A grid of 15 × 15 blocks over 0.2°, so that tiles at zoom 14 have
	// data to draw.
	const side = 15
	var feats []string
	for i := range side * side {
		feats = append(feats, square(fmt.Sprintf("b%d", i), 82.2+float64(i%side)*0.013, 23.8+float64(i/side)*0.013, `{"name":"block"}`))
	}
	v1 := filepath.Join(t.TempDir(), "blocks.geojson")
	if err := os.WriteFile(v1, collection(feats...), 0o644); err != nil {
		t.Fatal(err)
	}
	cli("import", "--database-url", url, "--layer", "blocks", v1)
	tok := exec.Command(bin, "token", "create", "--role", "editor", "--database-url", url)
	tok.Env = env
	tb, err := tok.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	token := strings.TrimSpace(string(tb))
	var tilePaths []string
	const z = 14
	x0, y0 := tileXY(82.2, 24.0, z)
	x1, y1 := tileXY(82.4, 23.8, z)
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			tilePaths = append(tilePaths, fmt.Sprintf("/tiles/blocks/%d/%d/%d.mvt", z, x, y))
		}
	}

	proxy, purl := startDBProxy(t, url)
	const requestTimeout = 3 * time.Second
	addr := freePort(t)
	var logs syncBuffer
	srv := exec.Command(bin, "serve", "--database-url", purl, "--addr", addr, "--no-demo", "--log-level", "warn",
		"--request-timeout", requestTimeout.String(), "--tile-statement-timeout", "1s", "--tile-cache-mb", "0",
		"--max-conns", "8", "--tile-conns", "4")
	srv.Env, srv.Stdout, srv.Stderr = env, &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() }) //nolint:errcheck
	if err := waitReady(addr, time.Minute); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	base := "http://" + addr
	client := &http.Client{Timeout: requestTimeout + 10*time.Second}
	do := func(method, path, body string) (faultAnswer, error) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/geo+json")
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return faultAnswer{}, fmt.Errorf("%s %s: %v after %v", method, path, err, time.Since(start))
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		d := time.Since(start)
		if d > requestTimeout+5*time.Second {
			return faultAnswer{}, fmt.Errorf("%s %s: %d after %v, beyond the request timeout %v", method, path, resp.StatusCode, d, requestTimeout)
		}
		return faultAnswer{resp.StatusCode, resp.Header.Get("Retry-After"), string(b), d}, nil
	}
	type route struct{ kind, method, path, body string }
	routeAt := func(n int) route {
		switch n % 4 {
		case 0:
			return route{"items", "GET", fmt.Sprintf("/collections/blocks/items?limit=5&offset=%d", n%200), ""}
		case 1:
			return route{"item", "GET", fmt.Sprintf("/collections/blocks/items/b%d", n%(side*side)), ""}
		case 2:
			return route{"tile", "GET", tilePaths[n%len(tilePaths)], ""}
		}
		return route{"check", "POST", "/overlaps/check?against=blocks", fmt.Sprintf(`{"type":"LineString","coordinates":[[82.19,%g],[82.41,%g]]}`,
			23.805+float64(n%side)*0.013, 23.805+float64(n%side)*0.013)}
	}
	allUp := func() error {
		for n := range 4 {
			r := routeAt(n)
			a, err := do(r.method, r.path, r.body)
			if err != nil {
				return err
			}
			if a.status != 200 && a.status != 204 {
				return fmt.Errorf("%s %s: %d %s", r.method, r.path, a.status, a.body)
			}
		}
		return nil
	}
	var problems []string
	bodies := map[string]string{} // the first answer of each phase, kind and status
	// load runs three clients for d and returns the answers' statuses by
	// kind of route ("tile 503": 4).
	load := func(phase string, d time.Duration) map[string]int {
		var mu sync.Mutex
		counts := map[string]int{}
		end := time.Now().Add(d)
		var wg sync.WaitGroup
		for i := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := i*1000 + i; time.Now().Before(end); n++ {
					r := routeAt(n)
					a, err := do(r.method, r.path, r.body)
					mu.Lock()
					switch {
					case err != nil:
						problems = append(problems, phase+": "+err.Error())
					case a.status >= 500 && a.status != 503 && a.status != 504:
						problems = append(problems, fmt.Sprintf("%s: %s %s: %d %s", phase, r.method, r.path, a.status, a.body))
					case a.status >= 503 && a.retryAfter == "":
						problems = append(problems, fmt.Sprintf("%s: %s %s: %d without Retry-After", phase, r.method, r.path, a.status))
					case a.status >= 500 && dbText(a.body):
						problems = append(problems, fmt.Sprintf("%s: %s %s: database text in %s", phase, r.method, r.path, a.body))
					case a.status != 200 && a.status != 204 && a.status < 500:
						problems = append(problems, fmt.Sprintf("%s: %s %s: %d %s", phase, r.method, r.path, a.status, a.body))
					}
					if err == nil {
						k := fmt.Sprintf("%s %d", r.kind, a.status)
						counts[k]++
						if _, ok := bodies[phase+" "+k]; !ok {
							bodies[phase+" "+k] = fmt.Sprintf("%s after %v", strings.TrimSpace(a.body), a.took.Round(10*time.Millisecond))
						}
					}
					mu.Unlock()
					time.Sleep(10 * time.Millisecond)
				}
			}()
		}
		wg.Wait()
		t.Logf("%s: %v", phase, sortedCounts(counts))
		return counts
	}
	waitHealed := func(phase string) {
		t.Helper()
		back := time.Now()
		var upErr error
		for time.Since(back) < time.Minute {
			if upErr = allUp(); upErr == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if upErr != nil {
			t.Fatalf("%s: a minute after healing: %v\n%s\n%s", phase, upErr, proxy, logs.String())
		}
		t.Logf("%s: every route answers %v after the fault healed", phase, time.Since(back).Round(time.Millisecond))
	}
	metricAt := func(name string) float64 {
		t.Helper()
		a, err := do("GET", "/metrics", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(a.body, "\n") {
			if strings.HasPrefix(line, name+" ") {
				v, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
				return v
			}
		}
		t.Fatalf("/metrics has no %s", name)
		return 0
	}
	serverConns := func() (main, tile int) {
		t.Helper()
		out := psql(admin, fmt.Sprintf(`SELECT count(*) FILTER (WHERE application_name = 'coalmap'), count(*) FILTER (WHERE application_name = 'coalmap-tiles')
			FROM pg_stat_activity WHERE datname = '%s'`, dbName))
		f := strings.Split(out, "|")
		main, _ = strconv.Atoi(f[0])
		tile, _ = strconv.Atoi(f[1])
		return
	}
	// settled waits for the load's traces to go and returns serve's
	// goroutines, and the connections the database sees and the pools hold.
	type snapshot struct{ goroutines, serverMain, serverTile, poolMain, poolTile int }
	snap := func() snapshot {
		client.CloseIdleConnections()
		time.Sleep(500 * time.Millisecond)
		var s snapshot
		s.goroutines = int(metricAt("go_goroutines"))
		s.serverMain, s.serverTile = serverConns()
		s.poolMain, s.poolTile = int(metricAt("coalmap_db_pool_connections")), int(metricAt("coalmap_tile_db_pool_connections"))
		client.CloseIdleConnections()
		return s
	}

	if err := allUp(); err != nil {
		t.Fatalf("before the faults: %v\n%s", err, logs.String())
	}
	warm := load("warm", 2*time.Second)
	for k := range warm {
		if !strings.HasSuffix(k, " 200") && !strings.HasSuffix(k, " 204") {
			t.Fatalf("before the faults: %v\n%s", sortedCounts(warm), logs.String())
		}
	}
	before := snap()
	t.Logf("before the faults: %+v", before)

	// Slow: every exchange held 20 ms each way.
	proxy.setDelay(20 * time.Millisecond)
	load("slow link", 3*time.Second)
	proxy.setDelay(0)
	waitHealed("slow link")

	// Stuck: the layer's table locked by another session (directly, not
	// through the proxy) for 8 s: tile queries meet the 1 s statement
	// timeout, items the 3 s request timeout.
	lock := exec.Command("psql", "-X", "-Atc", `BEGIN; LOCK TABLE layers.blocks IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(8); COMMIT;`, url)
	var lockOut bytes.Buffer
	lock.Stdout, lock.Stderr = &lockOut, &lockOut
	if err := lock.Start(); err != nil {
		t.Fatal(err)
	}
	for psql(url, `SELECT count(*) FROM pg_locks WHERE relation = 'layers.blocks'::regclass AND mode = 'AccessExclusiveLock' AND granted`) == "0" {
		if lock.ProcessState != nil {
			t.Fatalf("the lock ended before it was seen: %s", lockOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	stuck := load("table locked", 6*time.Second)
	if err := lock.Wait(); err != nil {
		t.Fatalf("the lock: %v %s", err, lockOut.String())
	}
	t.Logf("table locked: tile %s; items %s", bodies["table locked tile 503"], bodies["table locked items 503"])
	if stuck["tile 503"] == 0 || stuck["items 503"] == 0 {
		t.Errorf("with the table locked, want tiles and items to answer 503 (statement and request timeouts): %v", sortedCounts(stuck))
	}
	waitHealed("table locked")

	// Partitioned: nothing passes for 5 s; requests end at the request
	// timeout.
	proxy.pause()
	parted := load("partitioned", 5*time.Second)
	ready, err := do("GET", "/readyz", "")
	if err != nil || ready.status != 503 || ready.retryAfter == "" {
		t.Errorf("/readyz while partitioned: %+v %v", ready, err)
	}
	proxy.heal()
	if parted["items 503"] == 0 {
		t.Errorf("while partitioned, want items to answer 503: %v", sortedCounts(parted))
	}
	waitHealed("partitioned")

	// Cut: every connection reset, new ones too, for 2 s.
	proxy.drop()
	cut := load("connections dropped", 2*time.Second)
	proxy.heal()
	if cut["items 503"] == 0 {
		t.Errorf("with connections dropped, want items to answer 503: %v", sortedCounts(cut))
	}
	waitHealed("connections dropped")
	load("healed", 2*time.Second)

	// Nothing leaked: the goroutines come back to within a few of the
	// count before the faults, and the database's connections are the
	// pools' own (plus the change feed's LISTEN connection).
	var after snapshot
	deadline := time.Now().Add(30 * time.Second)
	for {
		after = snap()
		ok := after.goroutines <= before.goroutines+5 && after.serverMain == after.poolMain+1 && after.serverTile == after.poolTile &&
			after.poolMain <= 8 && after.poolTile <= 4
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after the load stopped: %+v, before the faults %+v (a leak)\n%s", after, before, proxy)
		}
	}
	t.Logf("after the faults: %+v; %s", after, proxy)
	for _, p := range problems {
		t.Error(p)
	}
	if t.Failed() {
		t.Logf("serve's log:\n%s", logs.String())
	}
}

// faultAnswer is what a request under a fault got.
type faultAnswer struct {
	status     int
	retryAfter string
	body       string
	took       time.Duration
}

// dbText reports whether an answer shows words of the database or its
// driver.
func dbText(body string) bool {
	for _, w := range []string{"dial", ".s.PGSQL", "SQLSTATE", "pgx", "pgconn", "canceling statement", "relation ", "127.0.0.1"} {
		if strings.Contains(body, w) {
			return true
		}
	}
	return false
}

func sortedCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %d", k, m[k])
	}
	return b.String()
}

// tileXY is the WebMercatorQuad tile holding lon, lat at zoom z.
func tileXY(lon, lat float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	x := int((lon + 180) / 360 * n)
	r := lat * math.Pi / 180
	y := int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	return x, y
}

// syncBuffer is a bytes.Buffer safe for a process's writes and the test's
// reads at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
