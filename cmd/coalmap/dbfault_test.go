package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestDatabaseStoppedAndStarted stops and starts the PostgreSQL server
// under `coalmap serve` while a steady load of items, tiles and overlap
// checks runs: while it is down every answer is a 503 with Retry-After or a
// cached 200 (never a 500, never a hang past the request timeout) and
// /readyz says why; once it is back every route answers again without
// restarting serve, and a change made by another process reaches serve
// through LISTEN (the periodic reload is set far beyond the test).
// Recovery times are logged. Two cases: a server given by --database-url,
// which the test stops and starts (coalmap db stop/start); and serve's own
// embedded cluster, whose server the test stops (a fast shutdown, as
// pg_ctl stop does) and serve starts again by itself.
func TestDatabaseStoppedAndStarted(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no subprocess")
	}
	t.Run("database-url", func(t *testing.T) { databaseStoppedAndStarted(t, false) })
	t.Run("embedded", func(t *testing.T) { databaseStoppedAndStarted(t, true) })
}

func databaseStoppedAndStarted(t *testing.T, embedded bool) {
	bin := coalmapBinary(t)
	dir, err := os.MkdirTemp("", "coalmap-dbfault-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) //nolint:errcheck
	env := append(os.Environ(), "DATABASE_URL=", "COALMAP_DATABASE_URL=")
	db := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"db"}, args...)...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("coalmap db %v: %v %s", args, err, stderr)
		}
		return strings.TrimSpace(string(out))
	}
	t.Cleanup(func() {
		exec.Command(bin, "db", "stop", "--data-dir", dir).Run() //nolint:errcheck
		os.RemoveAll(dir)
	})
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
	// where names the database to the commands: the URL of the server
	// the test runs, or the data directory of serve's own cluster.
	var where []string
	var url string
	if !embedded {
		url = db("start", "--data-dir", dir, "--ephemeral", "--log-level", "warn")
		where = []string{"--database-url", url}
	} else {
		where = []string{"--data-dir", dir}
	}
	files := t.TempDir()
	v1 := filepath.Join(files, "v1.geojson")
	os.WriteFile(v1, collection(square("a", 82.30, 23.90, `{"name":"Dhirauli"}`), square("b", 82.35, 23.90, `{"name":"Bandha"}`)), 0o644) //nolint:errcheck

	const requestTimeout = 5 * time.Second
	addr := freePort(t)
	var logs syncBuffer
	srv := exec.Command(bin, append([]string{"serve", "--addr", addr, "--no-demo", "--log-level", "warn",
		"--request-timeout", requestTimeout.String(), "--catalog-refresh", "1h"}, where...)...)
	srv.Env, srv.Stdout, srv.Stderr = env, &logs, &logs
	if !embedded {
		cli(append(append([]string{"import", "--layer", "blocks"}, where...), v1)...)
		cli("db", "stop", "--data-dir", dir) // serve starts on a server that was stopped once
		url = db("start", "--data-dir", dir, "--ephemeral", "--log-level", "warn")
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() }) //nolint:errcheck
	if err := waitReady(addr, 2*time.Minute); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	if embedded {
		// Through serve's cluster, which the command attaches to.
		cli(append(append([]string{"import", "--layer", "blocks"}, where...), v1)...)
	}
	tokOut := exec.Command(bin, append([]string{"token", "create", "--role", "editor"}, where...)...)
	tokOut.Env = env
	tb, err := tokOut.Output()
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tb))

	base := "http://" + addr
	client := &http.Client{Timeout: requestTimeout + 10*time.Second}
	type answer struct {
		status     int
		retryAfter string
		body       string
	}
	do := func(method, path, body string) (answer, error) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/geo+json")
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return answer{}, fmt.Errorf("%s %s: %v after %v", method, path, err, time.Since(start))
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if d := time.Since(start); d > requestTimeout+5*time.Second {
			return answer{}, fmt.Errorf("%s %s: %d after %v, beyond the request timeout %v", method, path, resp.StatusCode, d, requestTimeout)
		}
		return answer{resp.StatusCode, resp.Header.Get("Retry-After"), string(b)}, nil
	}
	routes := []struct{ method, path, body string }{
		{"GET", "/collections/blocks/items?limit=10", ""},
		{"GET", "/collections/blocks/items/a", ""},
		{"GET", "/tiles/blocks/12/2984/1767.mvt", ""},
		{"GET", "/collections/blocks/tiles/WebMercatorQuad/13/3535/5968", ""},
		{"POST", "/overlaps/check?against=blocks", `{"type":"LineString","coordinates":[[82.29,23.905],[82.40,23.905]]}`},
	}
	allUp := func() error {
		for _, r := range routes {
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
	if err := allUp(); err != nil {
		t.Fatalf("before the stop: %v", err)
	}

	// The steady load, all through the test.
	var mu sync.Mutex
	var problems []string
	counts := map[int]int{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := i; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				r := routes[n%len(routes)]
				a, err := do(r.method, r.path, r.body)
				mu.Lock()
				switch {
				case err != nil:
					problems = append(problems, err.Error())
				case a.status >= 500 && a.status != 503:
					problems = append(problems, fmt.Sprintf("%s %s: %d %s", r.method, r.path, a.status, a.body))
				case a.status == 503 && a.retryAfter == "":
					problems = append(problems, fmt.Sprintf("%s %s: 503 without Retry-After", r.method, r.path))
				case a.status == 503 && (strings.Contains(a.body, "dial") || strings.Contains(a.body, ".s.PGSQL")):
					problems = append(problems, fmt.Sprintf("%s %s: database text in %s", r.method, r.path, a.body))
				}
				counts[a.status]++
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}

	time.Sleep(500 * time.Millisecond)
	// A probe sends no token (a token's check needs the database too).
	ready := func() answer {
		t.Helper()
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, resp.Header.Get("Retry-After"), string(b)}
	}
	downReady := func(a answer) bool {
		return a.status == 503 && a.retryAfter != "" && strings.Contains(a.body, "database cannot be reached")
	}
	stopped := time.Now()
	if !embedded {
		cli("db", "stop", "--data-dir", dir)
		t.Logf("database stopped in %v", time.Since(stopped).Round(time.Millisecond))
		time.Sleep(3 * time.Second) // requests meet the stopped database
		if a := ready(); !downReady(a) {
			t.Errorf("/readyz with the database down: %d Retry-After %q %s", a.status, a.retryAfter, a.body)
		}
		a, err := do("GET", "/collections/blocks/items?limit=10", "")
		if err != nil || a.status != 503 {
			t.Errorf("items with the database down: %+v %v", a, err)
		}
		db("start", "--data-dir", dir, "--ephemeral", "--log-level", "warn")
	} else {
		// A fast shutdown of serve's own server, as pg_ctl stop -m fast
		// does; serve sees it gone and starts it again.
		pid := postmasterPID(t, dir)
		if err := syscall.Kill(pid, syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		var seen answer
		for time.Since(stopped) < time.Minute {
			if a := ready(); downReady(a) {
				seen = a
				break
			} else if a.status == 200 && time.Since(stopped) > 10*time.Second {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if seen.status != 503 {
			t.Errorf("/readyz never said the database was down after its server was stopped\n%s", logs.String())
		}
		for alive := true; alive; {
			alive = syscall.Kill(pid, 0) == nil
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("database stopped in %v", time.Since(stopped).Round(time.Millisecond))
	}
	back := time.Now()
	var upErr error
	for time.Since(back) < 60*time.Second {
		if upErr = allUp(); upErr == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if upErr != nil {
		t.Fatalf("a minute after the database came back: %v\n%s", upErr, logs.String())
	}
	if embedded {
		t.Logf("every route answers %v after the server ended (serve started it again)", time.Since(stopped).Round(time.Millisecond))
	} else {
		t.Logf("every route answers %v after the database's return", time.Since(back).Round(time.Millisecond))
	}
	if a := ready(); a.status != 200 {
		t.Errorf("/readyz after the return: %+v", a)
	}

	// A change made by another process: serve learns of it through LISTEN
	// (its periodic reload is an hour away).
	v2 := filepath.Join(files, "v2.geojson")
	os.WriteFile(v2, collection(square("a", 82.30, 23.90, `{"name":"Dhirauli"}`), square("b", 82.35, 23.90, `{"name":"Bandha"}`), //nolint:errcheck
		square("c", 82.40, 23.90, `{"name":"Third"}`)), 0o644)
	changed := time.Now()
	cli(append(append([]string{"import", "--layer", "blocks"}, where...), v2)...)
	var seen bool
	for time.Since(changed) < 60*time.Second && !seen {
		if a, err := do("GET", "/collections/blocks", ""); err == nil && a.status == 200 {
			var c struct {
				FeatureCount int `json:"feature_count"`
			}
			json.Unmarshal([]byte(a.body), &c) //nolint:errcheck
			seen = c.FeatureCount == 3
		}
		if !seen {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !seen {
		t.Fatalf("the catalog never saw the import made after the database's return (LISTEN not re-established)\n%s", logs.String())
	}
	t.Logf("the change reached serve %v after the import command ended", time.Since(changed).Round(time.Millisecond))

	close(stop)
	wg.Wait()
	t.Logf("answers under load: %v", counts)
	for _, p := range problems {
		t.Error(p)
	}
}
