// Command failover-bench measures a failover as the servers live it: it
// imports a probe layer through one server, runs the failover command
// (scripts/cluster.sh failover: stop the primary, promote the standby),
// then, from the promotion, imports the probe's next revision through the
// same server (retrying while no primary answers) and polls every server
// until each answers the new revision's features at the new data version.
// It is a client over loopback, in a process of its own.
//
//	go run ./bench/failover -servers http://127.0.0.1:18481,http://127.0.0.1:18482,http://127.0.0.1:18483 \
//	    -token "$TOKEN" -failover "scripts/cluster.sh failover /tmp/cl"
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

func main() {
	servers := flag.String("servers", "", "comma list of the servers' base URLs")
	token := flag.String("token", "", "an editor's token")
	failover := flag.String("failover", "", "shell command that stops the primary and promotes the standby")
	layer := flag.String("layer", "failover_probe", "the probe layer's id")
	flag.Parse()
	if *servers == "" || *token == "" || *failover == "" {
		fmt.Fprintln(os.Stderr, "failover-bench: -servers, -token and -failover are required")
		os.Exit(2)
	}
	b := &bench{servers: strings.Split(*servers, ","), token: *token, layer: *layer, cl: &http.Client{Timeout: time.Minute}}
	rev := time.Now().Unix() // a revision no earlier run used
	if _, err := b.importRev(rev); err != nil {
		fail(err)
	}
	if err := b.waitAll(rev, 0, time.Now()); err != nil {
		fail(err)
	}

	start := time.Now()
	cmd := exec.Command("sh", "-c", *failover)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fail(fmt.Errorf("%s: %w", *failover, err))
	}
	promoted := time.Now()
	rev++
	attempts := 0
	var version int64
	for {
		attempts++
		v, err := b.importRev(rev)
		if err == nil {
			version = v
			break
		}
		if time.Since(promoted) > 2*time.Minute {
			fail(fmt.Errorf("no import succeeded within 2 minutes of the promotion: %w", err))
		}
		time.Sleep(100 * time.Millisecond)
	}
	imported := time.Now()
	if err := b.waitAll(rev, version, promoted); err != nil {
		fail(err)
	}
	fmt.Printf("# failover, %d servers, %s\n", len(b.servers), time.Now().UTC().Format(time.RFC3339))
	fmt.Printf("failover command (stop the primary, promote the standby): %v\n", promoted.Sub(start).Round(time.Millisecond))
	fmt.Printf("from the promotion, an import through %s succeeded after: %v (%d attempts)\n", b.servers[0], imported.Sub(promoted).Round(time.Millisecond), attempts)
	for i, d := range b.took {
		fmt.Printf("from the promotion, %s answered the new data (version %d) after: %v\n", b.servers[i], version, d.Round(time.Millisecond))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "failover-bench:", err)
	os.Exit(1)
}

type bench struct {
	servers []string
	token   string
	layer   string
	cl      *http.Client
	took    []time.Duration
}

// probe is the layer's revision rev: three squares whose rev attribute
// says which import they came from.
func (b *bench) probe(rev int64) []byte {
	var fs []string
	for i := 0; i < 3; i++ {
		x := 82.30 + float64(i)*0.01
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","id":"sq%d","properties":{"rev":%d},"geometry":{"type":"Polygon","coordinates":[[[%g,23.9],[%g,23.9],[%g,23.905],[%g,23.905],[%g,23.9]]]}}`,
			i, rev, x, x+0.005, x+0.005, x, x))
	}
	return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`)
}

// importRev imports revision rev through the first server and returns
// the data version it made.
func (b *bench) importRev(rev int64) (int64, error) {
	req, _ := http.NewRequest("POST", b.servers[0]+"/layers/"+b.layer+"/imports?filename=probe.geojson", bytes.NewReader(b.probe(rev)))
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("Content-Type", "application/geo+json")
	status, body, err := b.do(req)
	if err != nil {
		return 0, err
	}
	if status != http.StatusAccepted {
		return 0, fmt.Errorf("upload: %d %.200s", status, body)
	}
	var acc struct {
		Job struct {
			ID int64 `json:"id"`
		} `json:"job"`
	}
	if err := json.Unmarshal(body, &acc); err != nil {
		return 0, err
	}
	for {
		req, _ := http.NewRequest("GET", b.servers[0]+"/imports/"+strconv.FormatInt(acc.Job.ID, 10), nil)
		req.Header.Set("Authorization", "Bearer "+b.token)
		status, body, err := b.do(req)
		if err != nil {
			return 0, err
		}
		var j struct {
			Status string `json:"status"`
			Error  string `json:"error"`
			Report struct {
				DataVersion int64 `json:"data_version"`
			} `json:"report"`
		}
		if status != 200 || json.Unmarshal(body, &j) != nil {
			return 0, fmt.Errorf("job %d: %d %.200s", acc.Job.ID, status, body)
		}
		switch j.Status {
		case "succeeded":
			return j.Report.DataVersion, nil
		case "failed", "cancelled":
			return 0, fmt.Errorf("job %d %s: %s", acc.Job.ID, j.Status, j.Error)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitAll polls every server until its items are revision rev's and its
// TileJSON names version (when not 0), recording how long after since.
func (b *bench) waitAll(rev, version int64, since time.Time) error {
	b.took = make([]time.Duration, len(b.servers))
	done := make(chan error, len(b.servers))
	for i, s := range b.servers {
		go func() {
			deadline := time.Now().Add(2 * time.Minute)
			for time.Now().Before(deadline) {
				if b.answers(s, rev, version) {
					b.took[i] = time.Since(since)
					done <- nil
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			done <- fmt.Errorf("%s never answered revision %d", s, rev)
		}()
	}
	var first error
	for range b.servers {
		if err := <-done; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (b *bench) answers(base string, rev, version int64) bool {
	if version != 0 {
		req, _ := http.NewRequest("GET", base+"/tiles/"+b.layer+".json", nil)
		status, body, err := b.do(req)
		if err != nil || status != 200 || !strings.Contains(string(body), "?v="+strconv.FormatInt(version, 10)+`"`) {
			return false
		}
	}
	req, _ := http.NewRequest("GET", base+"/collections/"+b.layer+"/items?limit=10", nil)
	status, body, err := b.do(req)
	if err != nil || status != 200 {
		return false
	}
	var fc struct {
		Features []struct {
			Properties struct {
				Rev int64 `json:"rev"`
			} `json:"properties"`
		} `json:"features"`
	}
	if json.Unmarshal(body, &fc) != nil || len(fc.Features) == 0 {
		return false
	}
	for _, f := range fc.Features {
		if f.Properties.Rev != rev {
			return false
		}
	}
	return true
}

func (b *bench) do(req *http.Request) (int, []byte, error) {
	resp, err := b.cl.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}
