package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"no command", nil, nil, 2, "Usage"},
		{"unknown command", []string{"frobnicate"}, nil, 2, `unknown command "frobnicate"`},
		{"bad addr", []string{"serve", "--addr", "nonsense"}, nil, 2, "--addr"},
		{"negative timeout", []string{"serve", "--write-timeout", "-1s"}, nil, 2, "--write-timeout must be positive"},
		{"bad env", []string{"serve"}, map[string]string{"COALMAP_MAX_CONNS": "many"}, 2, "COALMAP_MAX_CONNS"},
		{"bad log format", []string{"migrate", "--log-format", "xml", "--database-url", "postgres://x@127.0.0.1:1/x"}, nil, 1, "--log-format"},
		{"stray argument", []string{"migrate", "extra"}, nil, 2, `unexpected argument "extra"`},
		{"db without action", []string{"db"}, nil, 2, "missing action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, &out, &errb)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.code, errb.String())
			}
			if !strings.Contains(out.String()+errb.String(), tc.want) {
				t.Errorf("output %q lacks %q", out.String()+errb.String(), tc.want)
			}
		})
	}
}

// binary returns the coalmap binary that scripts/test.sh built, or builds one.
func binary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("COALMAP_BIN"); p != "" {
		return p
	}
	p := filepath.Join(t.TempDir(), "coalmap")
	out, err := exec.Command("go", "build", "-o", p, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return p
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeLifecycle runs the binary as a user would, on the embedded cluster:
// first start and restart reach /readyz, SIGTERM exits 0 and leaves no server.
func TestServeLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded cluster")
	}
	bin := binary(t)
	dir, err := os.MkdirTemp("", "coalmap-serve-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })

	for _, round := range []string{"first start", "restart"} {
		t.Run(round, func(t *testing.T) {
			addr := freePort(t)
			var logs bytes.Buffer
			// Debug logs time each step of the shutdown, shown should it be slow.
			cmd := exec.Command(bin, "serve", "--addr", addr, "--data-dir", dir, "--log-level", "debug")
			cmd.Env = append(os.Environ(), "DATABASE_URL=", "COALMAP_DATABASE_URL=")
			cmd.Stdout, cmd.Stderr = &logs, &logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			start := time.Now()
			// The first start also loads the demo catalog (under a minute
			// alone; the other test packages share the machine).
			if err := waitReady(addr, 5*time.Minute); err != nil {
				t.Fatalf("%v\n%s", err, logs.String())
			}
			t.Logf("%s: /readyz 200 after %v", round, time.Since(start).Round(time.Millisecond))
			checkDemoCatalog(t, "http://"+addr)
			if round == "first start" {
				checkOGRInfoListsCatalog(t, "http://"+addr)
			}

			second := exec.Command(bin, "serve", "--addr", freePort(t), "--data-dir", dir)
			second.Env = cmd.Env
			out, err := second.CombinedOutput()
			if err == nil || !strings.Contains(string(out), "data directory in use") {
				t.Errorf("second serve on the same data dir: err %v, output %s", err, out)
			}

			pid := postmasterPID(t, dir)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			stop := time.Now()
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
				}
				t.Logf("%s: exited %v after SIGTERM", round, time.Since(stop).Round(time.Millisecond))
			case <-time.After(10 * time.Second):
				t.Fatalf("still running 10 s after SIGTERM\n%s", logs.String())
			}
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
				stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
				if !strings.Contains(string(stat), ") Z") {
					t.Fatalf("postgres pid %d still running after serve exited", pid)
				}
			}
		})
	}
}

func waitReady(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("/readyz not 200 within %v", limit)
}

func postmasterPID(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "pg", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	fmt.Sscanf(string(b), "%d", &pid)
	return pid
}

// checkDemoCatalog checks that /collections lists at least 100 layers with
// complete metadata, none of them restricted (the caller has no token).
func checkDemoCatalog(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Get(base + "/collections")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		Collections []struct {
			ID, Title, TitleHi, Description, Category, Owner, Access, License string
			Keywords                                                          []string
			Attributes                                                        []struct{ Name, Type string }
			FeatureCount                                                      int64 `json:"feature_count"`
			DataVersion                                                       int64 `json:"data_version"`
			Extent                                                            *struct {
				Spatial struct{ Bbox [][]float64 }
			}
			Lineage struct {
				Source, Checksum string
			}
			Links []struct{ Rel string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if len(v.Collections) < 100 {
		t.Fatalf("/collections lists %d layers, want at least 100", len(v.Collections))
	}
	for _, c := range v.Collections {
		switch {
		case c.Title == "" || c.Description == "" || c.Category == "" || c.Owner == "" || len(c.Keywords) == 0 || c.License == "":
			t.Errorf("%s: descriptive metadata missing: %+v", c.ID, c)
		case len(c.Attributes) == 0:
			t.Errorf("%s: no attribute dictionary", c.ID)
		case c.FeatureCount == 0 || c.DataVersion == 0 || c.Extent == nil || c.Lineage.Checksum == "":
			t.Errorf("%s: not loaded: count %d version %d extent %v lineage %+v", c.ID, c.FeatureCount, c.DataVersion, c.Extent, c.Lineage)
		case c.Access != "public":
			t.Errorf("%s: a %s layer listed to an anonymous caller", c.ID, c.Access)
		}
	}
}

// checkOGRInfoListsCatalog runs GDAL's OAPIF client (what QGIS uses) on the
// served demo catalog: it must list at least 100 layers.
func checkOGRInfoListsCatalog(t *testing.T, base string) {
	t.Helper()
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Fatal("ogrinfo not found: install gdal-bin (scripts/install-deps.sh)")
	}
	out, err := exec.Command(ogrinfo, "-ro", "-so", "OAPIF:"+base).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		if i := strings.Index(line, ": "); i > 0 && strings.TrimLeft(line[:i], "0123456789") == "" {
			n++
		}
	}
	if n < 100 {
		t.Fatalf("ogrinfo lists %d layers, want at least 100:\n%s", n, out)
	}
	t.Logf("ogrinfo lists %d layers", n)
}
