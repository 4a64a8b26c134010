package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coalmap/coalmap/layers"
)

// TestServeKilledDuringImport kills `coalmap serve` (SIGKILL) while an HTTP
// import into an existing layer is running, on its embedded cluster. On
// the next start the job is failed with a reason, no staging table is
// left, the layer still serves its old data, and the same import succeeds.
func TestServeKilledDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no subprocess")
	}
	bin := coalmapBinary(t)
	dir, err := os.MkdirTemp("", "coalmap-killed-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) //nolint:errcheck
	t.Cleanup(func() {
		exec.Command(bin, "db", "stop", "--data-dir", dir).Run() //nolint:errcheck
		os.RemoveAll(dir)
	})
	env := append(os.Environ(), "DATABASE_URL=", "COALMAP_DATABASE_URL=")
	start := func(t *testing.T) (*exec.Cmd, string, *bytes.Buffer) {
		addr := freePort(t)
		var logs bytes.Buffer
		cmd := exec.Command(bin, "serve", "--addr", addr, "--data-dir", dir, "--no-demo", "--log-level", "info")
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck
		if err := waitReady(addr, 2*time.Minute); err != nil {
			t.Fatalf("%v\n%s", err, logs.String())
		}
		return cmd, "http://" + addr, &logs
	}
	srv, base, logs := start(t)
	tok := exec.Command(bin, "token", "create", "--role", "editor", "--data-dir", dir)
	tok.Env = env
	out, err := tok.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	token := strings.TrimSpace(string(out))

	upload := func(base, name string, body []byte) string {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/layers/blocks/imports?filename="+name, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("upload: %d %s", resp.StatusCode, b)
		}
		u, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		return u.Path // the next start listens elsewhere
	}
	job := func(base, loc string) (status, msg string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+loc, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var j struct{ Status, Error string }
		if err := json.NewDecoder(resp.Body).Decode(&j); err != nil {
			t.Fatal(err)
		}
		return j.Status, j.Error
	}
	wait := func(base, loc string, done func(string) bool) string {
		t.Helper()
		for range 3000 {
			if s, _ := job(base, loc); done(s) {
				return s
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("job %s never reached the state wanted\n%s", loc, logs.String())
		return ""
	}
	// The old data: two blocks.
	small := collection(square("a", 82.30, 23.90, `{"name":"Dhirauli"}`), square("b", 82.35, 23.90, `{"name":"Bandha"}`))
	if s := wait(base, upload(base, "small.geojson", small), func(s string) bool { return s != "queued" && s != "running" }); s != "succeeded" {
		t.Fatalf("first import: %s", s)
	}
	// The new data: enough features that the import is still running
	// when the process dies.
	big := filepath.Join(t.TempDir(), "big.geojson")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString(`{"type":"FeatureCollection","features":[`) //nolint:errcheck
	const n = 300000
	for i := range n {
		if i > 0 {
			w.WriteString(",\n") //nolint:errcheck
		}
		w.WriteString(square(fmt.Sprintf("f%d", i), 70+float64(i%2500)*0.01, 10+float64(i/2500)*0.01, `{"name":"x"}`)) //nolint:errcheck
	}
	w.WriteString("]}") //nolint:errcheck
	w.Flush()           //nolint:errcheck
	f.Close()
	bigBody, err := os.ReadFile(big)
	if err != nil {
		t.Fatal(err)
	}
	loc := upload(base, "big.geojson", bigBody)
	wait(base, loc, func(s string) bool { return s == "running" })
	time.Sleep(300 * time.Millisecond) // into its reading
	if s, _ := job(base, loc); s != "running" {
		t.Fatalf("the big import is %s already: make it bigger", s)
	}
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait() //nolint:errcheck
	t.Log("serve killed with the import running")

	_, base, logs = start(t)
	status, msg := job(base, loc)
	if status != "failed" || !strings.Contains(msg, "interrupted") {
		t.Fatalf("after the restart the killed job is %s (%q), want failed, interrupted\n%s", status, msg, logs.String())
	}
	t.Logf("killed job: %s: %s", status, msg)
	staging := exec.Command(bin, "db", "url", "--data-dir", dir)
	staging.Env = env
	urlOut, err := staging.Output()
	if err != nil {
		t.Fatal(err)
	}
	psql := exec.Command("psql", "-Atc", `SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'`, strings.TrimSpace(string(urlOut)))
	if got, err := psql.Output(); err != nil || strings.TrimSpace(string(got)) != "0" {
		t.Fatalf("staging tables left: %q %v", got, err)
	}
	countItems := func() int {
		req, _ := http.NewRequest("GET", base+"/collections/blocks/items?limit=10", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p struct{ Features []json.RawMessage }
		json.NewDecoder(resp.Body).Decode(&p) //nolint:errcheck
		return len(p.Features)
	}
	if got := countItems(); got != 2 {
		t.Fatalf("after the restart the layer serves %d features, want the old 2", got)
	}
	// Started again, the import goes through.
	loc = upload(base, "big.geojson", bigBody)
	if s := wait(base, loc, func(s string) bool { return s != "queued" && s != "running" }); s != "succeeded" {
		_, msg := job(base, loc)
		t.Fatalf("the import started again: %s %s", s, msg)
	}
	if got := countItems(); got != 10 {
		t.Fatalf("after the import started again: a page of %d", got)
	}
}

// TestImportsOfKilledServerFailed kills (SIGKILL) one of two servers on a
// shared database while it holds an import stuck in its swap (a lock the
// test holds) and another queued behind it, before that one has any
// staging table: the other server fails both within about two lease
// checks, drops the staging table, and the layer keeps its data.
func TestImportsOfKilledServerFailed(t *testing.T) {
	e := newWriteEnv(t)
	ctx := context.Background()
	addr := freePort(t)
	var logsA bytes.Buffer
	// One import at a time (--max-conns 8): the second queues.
	a := exec.Command(e.bin, "serve", "--database-url", e.url, "--addr", addr, "--no-demo", "--log-level", "warn",
		"--max-conns", "8", "--lease-check", "200ms")
	a.Stdout, a.Stderr = &logsA, &logsA
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Process.Kill(); a.Wait() }) //nolint:errcheck
	if err := waitReady(addr, time.Minute); err != nil {
		t.Fatalf("%v\n%s", err, logsA.String())
	}
	srvA := &server{base: "http://" + addr}
	srvB := startServe(t, e.bin, e.url, "--lease-check", "200ms")
	const id = "lease_probe"
	if _, _, err := e.importHTTP(srvA, id, e.layerFile(id, 1, 20)); err != nil {
		t.Fatal(err)
	}
	upload := func(rev int) int64 {
		t.Helper()
		b, err := os.ReadFile(e.layerFile(id, rev, 20))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", srvA.base+"/layers/"+id+"/imports?filename=r.geojson", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Content-Type", "application/geo+json")
		status, body, _, err := do(req)
		if err != nil || status != http.StatusAccepted {
			t.Fatalf("upload of revision %d: %d %v %s", rev, status, err, body)
		}
		var acc struct{ Job layers.ImportJob }
		if err := json.Unmarshal([]byte(body), &acc); err != nil {
			t.Fatal(err)
		}
		return acc.Job.ID
	}
	job := func(id int64) layers.ImportJob {
		t.Helper()
		status, body, _, err := get(srvB.base+"/imports/"+strconv.FormatInt(id, 10), "Authorization", "Bearer "+e.token)
		var j layers.ImportJob
		if err != nil || status != 200 || json.Unmarshal([]byte(body), &j) != nil {
			t.Fatalf("job %d through the other server: %d %v %s", id, status, err, body)
		}
		return j
	}
	// The layer's catalog row locked: the swap of revision 2 waits.
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `SELECT 1 FROM catalog.layers WHERE id = $1 FOR UPDATE`, id); err != nil {
		t.Fatal(err)
	}
	stuck := upload(2)
	for deadline := time.Now().Add(time.Minute); ; {
		var waiting int
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import of revision 2 never waited for the lock: %+v", job(stuck))
		}
		time.Sleep(20 * time.Millisecond)
	}
	queued := upload(3)
	if j := job(queued); j.Status != layers.ImportQueued {
		t.Fatalf("revision 3: %s, want queued behind revision 2", j.Status)
	}
	if err := a.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	a.Wait() //nolint:errcheck
	killed := time.Now()
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for _, jid := range []int64{stuck, queued} {
		for deadline := time.Now().Add(time.Minute); ; {
			j := job(jid)
			if j.Status == layers.ImportFailed {
				if !strings.Contains(j.Error, "interrupted") {
					t.Errorf("job %d failed with %q, want the interruption named", jid, j.Error)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %d of the killed server is still %s a minute later\n%s", jid, j.Status, srvB.log())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Logf("both jobs of the killed server failed %v after the kill (--lease-check 200ms)", time.Since(killed).Round(time.Millisecond))
	var staging int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'`).Scan(&staging); err != nil || staging != 0 {
		t.Errorf("staging tables left: %d (%v)", staging, err)
	}
	status, body, _, err := get(srvB.base + "/collections/" + id + "/items?limit=100")
	if err != nil || status != 200 || !strings.Contains(body, `"rev":1`) || strings.Contains(body, `"rev":2`) || strings.Contains(body, `"rev":3`) {
		t.Errorf("the layer after the killed imports: %d %v, want revision 1's features only: %.300s", status, err, body)
	}
	// The other server imports the layer as usual.
	if _, _, err := e.importHTTP(srvB, id, e.layerFile(id, 4, 20)); err != nil {
		t.Fatal(err)
	}
}
