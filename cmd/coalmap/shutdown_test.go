package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coalmap/coalmap/postgis/pgtest"
)

// TestIdleServeExitsOnSIGTERM starts an idle `coalmap serve` (on a shared
// server and on its own embedded cluster), sends SIGTERM once it is ready
// and requires a clean exit that did not wait out the shutdown timeout:
// background work is cancelled at once, only requests in flight are
// waited for. The time taken is logged, not asserted.
func TestIdleServeExitsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no subprocess")
	}
	bin := coalmapBinary(t)
	for _, tc := range []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"database-url", func(t *testing.T) []string { return []string{"--database-url", pgtest.URL(t)} }},
		{"embedded cluster", func(t *testing.T) []string {
			dir, err := os.MkdirTemp("", "coalmap-shutdown-")
			if err != nil {
				t.Fatal(err)
			}
			os.Chmod(dir, 0o755) //nolint:errcheck
			t.Cleanup(func() { os.RemoveAll(dir) })
			return []string{"--data-dir", dir}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := freePort(t)
			var logs bytes.Buffer
			const timeout = 8 * time.Second
			cmd := exec.Command(bin, append([]string{"serve", "--addr", addr, "--no-demo", "--log-level", "debug",
				"--shutdown-timeout", timeout.String()}, tc.args(t)...)...)
			cmd.Env = append(os.Environ(), "DATABASE_URL=", "COALMAP_DATABASE_URL=")
			cmd.Stdout, cmd.Stderr = &logs, &logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			t.Cleanup(func() { cmd.Process.Kill() }) //nolint:errcheck
			if err := waitReady(addr, 2*time.Minute); err != nil {
				t.Fatalf("%v\n%s", err, logs.String())
			}
			start := time.Now()
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
				}
			case <-time.After(3 * timeout):
				t.Fatalf("still running %v after SIGTERM\n%s", 3*timeout, logs.String())
			}
			t.Logf("idle serve (%s) exited %v after SIGTERM", tc.name, time.Since(start).Round(time.Millisecond))
			if out := logs.String(); strings.Contains(out, "shutdown timeout") || !strings.Contains(out, "shutdown: database closed") {
				t.Errorf("the shutdown waited out its timeout or did not close the database:\n%s", out)
			}
		})
	}
}
