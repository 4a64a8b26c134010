package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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
