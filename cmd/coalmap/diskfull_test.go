package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coalmap/coalmap/postgis/pgtest"
)

// TestImportDiskFull fills, during an HTTP import, first the disk that
// holds serve's uploads (--upload-dir on a 256 KiB tmpfs), then the disk
// that holds the database's new tables (a tablespace on a 64 KiB tmpfs,
// the database's default_tablespace). Each import fails with a 507 or a
// failed job whose message says that no space is left and where, the
// partial upload or staging table is removed, the layer keeps its old data
// and serve keeps serving; once room is made the same upload succeeds.
// The test mounts the file systems itself (it runs as root, as CI does)
// and fails if it cannot.
func TestImportDiskFull(t *testing.T) {
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
	psql := func(conn, sql string) string {
		t.Helper()
		out, err := exec.Command("psql", "-X", "-v", "ON_ERROR_STOP=1", "-Atc", sql, conn).CombinedOutput()
		if err != nil {
			t.Fatalf("psql %q: %v\n%s", sql, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	umount := func(dir string) {
		t.Helper()
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	}
	mount := func(dir, size string) {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
			t.Fatalf("this test makes small file systems and needs to mount them (run it as root): mount tmpfs on %s: %v %s", dir, err, out)
		}
		t.Cleanup(func() { umount(dir) }) // after the database's cleanup below
	}

	// The old data: two blocks.
	files := t.TempDir()
	v1 := filepath.Join(files, "v1.geojson")
	os.WriteFile(v1, collection(square("a", 82.30, 23.90, `{"name":"Dhirauli"}`), square("b", 82.35, 23.90, `{"name":"Bandha"}`)), 0o644) //nolint:errcheck
	if out, err := exec.Command(bin, "import", "--database-url", url, "--layer", "blocks", v1).CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	tok := exec.Command(bin, "token", "create", "--role", "editor", "--database-url", url)
	tok.Env = env
	tb, err := tok.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	token := strings.TrimSpace(string(tb))

	// The small disks: one for uploads, one for the database's new tables
	// (owned by the server's system user, as a tablespace must be).
	mnt, err := os.MkdirTemp("", "coalmap-diskfull-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(mnt, 0o755) //nolint:errcheck // the database server's user reaches its tablespace through it
	t.Cleanup(func() { os.RemoveAll(mnt) })
	uploads, tsDir := filepath.Join(mnt, "uploads"), filepath.Join(mnt, "tablespace")
	mount(uploads, "256k")
	mount(tsDir, "64k")
	var st syscall.Stat_t
	if err := syscall.Stat(psql(admin, "SHOW data_directory"), &st); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(tsDir, int(st.Uid), int(st.Gid)); err != nil {
		t.Fatal(err)
	}
	os.Chmod(tsDir, 0o700) //nolint:errcheck
	ts := "ts_" + dbName
	psql(admin, fmt.Sprintf(`CREATE TABLESPACE %s LOCATION '%s'`, ts, tsDir))
	t.Cleanup(func() {
		// The database first (it may hold tables in the tablespace), then
		// the tablespace, then the disks.
		exec.Command("psql", "-X", "-Atc", fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, dbName), admin).Run() //nolint:errcheck
		if out, err := exec.Command("psql", "-X", "-Atc", `DROP TABLESPACE IF EXISTS `+ts, admin).CombinedOutput(); err != nil {
			t.Errorf("drop tablespace: %v %s", err, out)
		}
	})
	psql(admin, fmt.Sprintf(`ALTER DATABASE %s SET default_tablespace = %s`, dbName, ts))

	addr := freePort(t)
	var logs syncBuffer
	srv := exec.Command(bin, "serve", "--database-url", url, "--addr", addr, "--no-demo", "--log-level", "info", "--upload-dir", uploads)
	srv.Env, srv.Stdout, srv.Stderr = env, &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() }) //nolint:errcheck
	if err := waitReady(addr, time.Minute); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	base := "http://" + addr
	call := func(method, path string, body []byte) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	// still checks that the layer serves its two old blocks, its tiles
	// and the service's readiness.
	still := func(when string) {
		t.Helper()
		status, body := call("GET", "/collections/blocks/items?limit=100", nil)
		var page struct{ Features []json.RawMessage }
		if status != 200 || json.Unmarshal(body, &page) != nil || len(page.Features) != 2 {
			t.Fatalf("%s: items: %d, %d features, want the old 2\n%s", when, status, len(page.Features), body)
		}
		x, y := tileXY(82.305, 23.905, 12)
		if status, body := call("GET", fmt.Sprintf("/tiles/blocks/12/%d/%d.mvt", x, y), nil); status != 200 {
			t.Fatalf("%s: tile: %d %s", when, status, body)
		}
		if status, body := call("GET", "/readyz", nil); status != 200 {
			t.Fatalf("%s: /readyz: %d %s", when, status, body)
		}
	}
	many := func(n int) []byte {
		var fs []string
		for i := range n {
			fs = append(fs, square(fmt.Sprintf("n%d", i), 82.2+float64(i%40)*0.013, 23.8+float64(i/40)*0.013, `{"name":"new block"}`))
		}
		return collection(fs...)
	}
	wantWords := func(what, msg string) {
		t.Helper()
		if !strings.Contains(msg, "no space left") || strings.Contains(msg, mnt) || dbText(msg) {
			t.Errorf("%s: the message should say no space is left, in the user's words (no path, no database text): %q", what, msg)
		}
	}

	// 1. The upload does not fit the upload directory's disk.
	big := many(1500) // about 400 KB
	if len(big) < 300<<10 {
		t.Fatalf("the upload is %d bytes: not enough to fill 256 KiB", len(big))
	}
	status, body := call("POST", "/layers/blocks/imports?filename=big.geojson", big)
	var e struct{ Error string }
	json.Unmarshal(body, &e) //nolint:errcheck
	if status != http.StatusInsufficientStorage {
		t.Errorf("an upload beyond the upload disk: %d %s, want 507", status, body)
	}
	wantWords("the upload's answer", e.Error)
	t.Logf("upload disk full: %d %s", status, e.Error)
	if left, _ := os.ReadDir(uploads); len(left) != 0 {
		t.Errorf("the upload directory keeps %d entries after the failed upload", len(left))
	}
	still("after the upload disk filled")

	// 2. The upload fits, the database's disk for the new table does not.
	small := many(600) // about 160 KB
	status, body = call("POST", "/layers/blocks/imports?filename=new.geojson", small)
	if status != http.StatusAccepted {
		t.Fatalf("upload: %d %s", status, body)
	}
	var accepted struct{ Job struct{ ID int64 } }
	json.Unmarshal(body, &accepted) //nolint:errcheck
	job := func() (string, string) {
		t.Helper()
		_, body := call("GET", fmt.Sprintf("/imports/%d", accepted.Job.ID), nil)
		var j struct{ Status, Error string }
		json.Unmarshal(body, &j) //nolint:errcheck
		return j.Status, j.Error
	}
	var jstatus, jmsg string
	for {
		if jstatus, jmsg = job(); jstatus != "queued" && jstatus != "running" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if jstatus != "failed" {
		t.Fatalf("the import into a full tablespace: %s %q\n%s", jstatus, jmsg, logs.String())
	}
	wantWords("the failed job", jmsg)
	if !strings.Contains(jmsg, "database") {
		t.Errorf("the failed job should say it is the database's disk: %q", jmsg)
	}
	t.Logf("database disk full: job %s: %s", jstatus, jmsg)
	if got := psql(url, fmt.Sprintf(`SELECT count(*) FROM pg_class WHERE reltablespace = (SELECT oid FROM pg_tablespace WHERE spcname = '%s')`, ts)); got != "0" {
		t.Errorf("%s tables or indexes left in the full tablespace", got)
	}
	if got := psql(url, `SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'`); got != "0" {
		t.Errorf("%s staging tables left", got)
	}
	still("after the database disk filled")

	// 3. Room made (the disks grown), the same uploads go through.
	for _, dir := range []string{uploads, tsDir} {
		if out, err := exec.Command("mount", "-o", "remount,size=64m", dir).CombinedOutput(); err != nil {
			t.Fatalf("remount %s: %v %s", dir, err, out)
		}
	}
	status, body = call("POST", "/layers/blocks/imports?filename=big.geojson", big)
	if status != http.StatusAccepted {
		t.Fatalf("the upload once room is made: %d %s", status, body)
	}
	json.Unmarshal(body, &accepted) //nolint:errcheck
	for {
		if jstatus, jmsg = job(); jstatus != "queued" && jstatus != "running" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if jstatus != "succeeded" {
		t.Fatalf("the import once room is made: %s %q\n%s", jstatus, jmsg, logs.String())
	}
	_, body = call("GET", "/collections/blocks", nil)
	var c struct {
		FeatureCount int `json:"feature_count"`
	}
	if json.Unmarshal(body, &c); c.FeatureCount != 1500 { //nolint:errcheck
		t.Errorf("after the import: %d features, want 1500", c.FeatureCount)
	}
}
