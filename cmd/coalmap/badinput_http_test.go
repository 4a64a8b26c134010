package main

import (
	"archive/zip"
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
	"testing"
	"time"
)

// importServer is a `coalmap serve` process on a test's database, with an
// editor's token, for imports over HTTP.
type importServer struct {
	base, token string
}

func startImportServer(t *testing.T, dbURL string) *importServer {
	t.Helper()
	bin := coalmapBinary(t)
	env := append(os.Environ(), "DATABASE_URL=", "COALMAP_DATABASE_URL=")
	tok := exec.Command(bin, "token", "create", "--role", "editor", "--database-url", dbURL)
	tok.Env = env
	out, err := tok.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	addr := freePort(t)
	var logs syncBuffer
	cmd := exec.Command(bin, "serve", "--database-url", dbURL, "--addr", addr, "--no-demo", "--log-level", "warn")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck
	if err := waitReady(addr, time.Minute); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	return &importServer{base: "http://" + addr, token: strings.TrimSpace(string(out))}
}

// importFile uploads body as name into layer with the query q and follows
// the job: it returns the answer's status and error when the upload is
// refused at once, -1 and the job's error when the job fails, and 200
// when it succeeds.
func (s *importServer) importFile(t *testing.T, layer, name, q string, body []byte) (int, string) {
	t.Helper()
	u := s.base + "/layers/" + url.PathEscape(layer) + "/imports?filename=" + url.QueryEscape(name)
	if q != "" {
		u += "&" + q
	}
	call := func(method, u string, body []byte) (int, []byte) {
		req, _ := http.NewRequest(method, u, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	status, b := call("POST", u, body)
	if status != http.StatusAccepted {
		var e struct{ Error string }
		json.Unmarshal(b, &e) //nolint:errcheck
		return status, e.Error + " " + string(b)
	}
	var a struct{ Job struct{ ID int64 } }
	if err := json.Unmarshal(b, &a); err != nil || a.Job.ID == 0 {
		t.Fatalf("202 without a job: %s", b)
	}
	for range 3000 {
		_, b := call("GET", fmt.Sprintf("%s/imports/%d", s.base, a.Job.ID), nil)
		var j struct{ Status, Error string }
		json.Unmarshal(b, &j) //nolint:errcheck
		switch j.Status {
		case "queued", "running":
			time.Sleep(20 * time.Millisecond)
			continue
		case "failed":
			return -1, j.Error
		}
		return 200, j.Status
	}
	t.Fatalf("job %d never ended", a.Job.ID)
	return 0, ""
}

// httpImportQuery turns the command's import flags into the route's query
// parameters; ok is false for a flag the route has no parameter for.
func httpImportQuery(args []string) (q string, ok bool) {
	v := url.Values{}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--srid":
			i++
			v.Set("srid", args[i])
		case "--allow-outside":
			v.Set("allow_outside", "true")
		default:
			return "", false
		}
	}
	return v.Encode(), true
}

// httpWord is how an error over HTTP names what the command's error calls
// a flag.
func httpWord(w string) string {
	switch w {
	case "--srid":
		return "srid="
	case "--source-layer":
		return "source_layer="
	case "--allow-outside":
		return "allow_outside=true"
	}
	return w
}

// uploadOf is what a user would upload for the import of path: the file,
// or for a shapefile the zip of its folder.
func uploadOf(t *testing.T, path string) (string, []byte) {
	t.Helper()
	if !strings.EqualFold(filepath.Ext(path), ".shp") {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.Base(path), b
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, en := range entries {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(path), en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(en.Name())
		w.Write(b) //nolint:errcheck
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + ".zip", buf.Bytes()
}

// twoLayerGPKG writes a GeoPackage of two feature layers with ogr2ogr
// (gdal-bin, which scripts/install-deps.sh installs) and returns its path.
func twoLayerGPKG(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(dir, "gpkg-src.geojson")
	if err := os.WriteFile(src, collection(square("a", 82.3, 23.9, `{"name":"a"}`)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "two.gpkg")
	os.Remove(out)
	for i, name := range []string{"first", "second"} {
		args := []string{"-f", "GPKG", out, src, "-nln", name}
		if i > 0 {
			args = append([]string{"-update"}, args...)
		}
		if b, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr (gdal-bin) makes the GeoPackage: %v %s", err, b)
		}
	}
	return out
}
