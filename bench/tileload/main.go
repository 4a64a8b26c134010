// Command tileload fetches a list of tiles from a tile server once, as a
// browser does (Accept-Encoding: gzip), as a client in its own process
// over HTTP, with -c requests at a time, and prints what it took:
//
//	go run ./bench/tileload -list tiles.txt -c 16 \
//	    -url 'http://127.0.0.1:8080/tiles/{layer}/{z}/{x}/{y}.mvt'
//
// The list has one tile a line, "layer z x y". The URL template names the
// server's tile path ({layer}, {z}, {x}, {y}; pg_tileserv's is
// /layers.{layer}/{z}/{x}/{y}.pbf). It prints one line of totals and a
// line per zoom, and with -json the same as one JSON object:
//
//	wall seconds, tiles a second, latency p50 / p99 / max, the bytes on
//	the wire (gzip) in all and of the largest tile, and the answers that
//	were neither 200 nor 204.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type tile struct {
	layer, z, x, y string
}

type result struct {
	zoom   string
	took   time.Duration
	bytes  int
	status int
	err    error
}

// Summary is what the command prints.
type Summary struct {
	Tiles      int                `json:"tiles"`
	Conns      int                `json:"conns"`
	Wall       float64            `json:"wall_s"`
	PerSecond  float64            `json:"tiles_per_s"`
	P50ms      float64            `json:"p50_ms"`
	P99ms      float64            `json:"p99_ms"`
	Maxms      float64            `json:"max_ms"`
	Bytes      int64              `json:"bytes"`
	MaxBytes   int                `json:"max_tile_bytes"`
	Failed     int                `json:"failed"`
	ByZoom     map[string]ZoomSum `json:"by_zoom"`
	FirstError string             `json:"first_error,omitempty"`
}

// ZoomSum sums the tiles of one zoom.
type ZoomSum struct {
	Tiles    int     `json:"tiles"`
	P50ms    float64 `json:"p50_ms"`
	Maxms    float64 `json:"max_ms"`
	MaxBytes int     `json:"max_tile_bytes"`
}

func main() {
	list := flag.String("list", "", "the tiles, one \"layer z x y\" a line")
	url := flag.String("url", "http://127.0.0.1:8080/tiles/{layer}/{z}/{x}/{y}.mvt", "the URL template")
	conns := flag.Int("c", 1, "requests at a time")
	asJSON := flag.Bool("json", false, "print JSON")
	timeout := flag.Duration("timeout", 120*time.Second, "per request")
	token := flag.String("token", "", "a bearer token, sent with every request (restricted layers answer 404 without one)")
	flag.Parse()
	tiles, err := readList(*list)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tileload:", err)
		os.Exit(2)
	}
	client := &http.Client{Timeout: *timeout, Transport: &http.Transport{
		MaxIdleConnsPerHost: *conns, DisableCompression: true}}

	results := make([]result, len(tiles))
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range *conns {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(tiles) {
					return
				}
				results[i] = fetch(client, *url, *token, tiles[i])
			}
		})
	}
	wg.Wait()
	s := summarise(results, *conns, time.Since(start))
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(s) //nolint:errcheck
		return
	}
	fmt.Printf("%d tiles, %d at a time: %.2f s, %.1f tiles/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %.1f MB, largest %.1f KB, %d failed\n",
		s.Tiles, s.Conns, s.Wall, s.PerSecond, s.P50ms, s.P99ms, s.Maxms, float64(s.Bytes)/1e6, float64(s.MaxBytes)/1e3, s.Failed)
	zooms := make([]string, 0, len(s.ByZoom))
	for z := range s.ByZoom {
		zooms = append(zooms, z)
	}
	slices.SortFunc(zooms, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	for _, z := range zooms {
		zs := s.ByZoom[z]
		fmt.Printf("  z%-2s %5d tiles  p50 %8.1f ms  max %8.1f ms  largest %8.1f KB\n", z, zs.Tiles, zs.P50ms, zs.Maxms, float64(zs.MaxBytes)/1e3)
	}
	if s.FirstError != "" {
		fmt.Println("  first failure:", s.FirstError)
	}
}

func readList(path string) ([]tile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []tile
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 {
			continue
		}
		if len(fs) != 4 {
			return nil, fmt.Errorf("%s: want \"layer z x y\", got %q", path, sc.Text())
		}
		out = append(out, tile{fs[0], fs[1], fs[2], fs[3]})
	}
	return out, sc.Err()
}

func fetch(client *http.Client, tmpl, token string, t tile) result {
	u := strings.NewReplacer("{layer}", t.layer, "{z}", t.z, "{x}", t.x, "{y}", t.y).Replace(tmpl)
	r := result{zoom: t.z}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		r.err = err
		return r
	}
	req.Header.Set("Accept-Encoding", "gzip")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		r.err, r.took = err, time.Since(t0)
		return r
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	r.took, r.bytes, r.status, r.err = time.Since(t0), int(n), resp.StatusCode, err
	if r.err == nil && r.status != http.StatusOK && r.status != http.StatusNoContent {
		r.err = fmt.Errorf("%s: %s", u, resp.Status)
	}
	return r
}

func summarise(rs []result, conns int, wall time.Duration) Summary {
	s := Summary{Tiles: len(rs), Conns: conns, Wall: wall.Seconds(), PerSecond: float64(len(rs)) / wall.Seconds(),
		ByZoom: map[string]ZoomSum{}}
	all := make([]time.Duration, 0, len(rs))
	byZoom := map[string][]time.Duration{}
	for _, r := range rs {
		all = append(all, r.took)
		byZoom[r.zoom] = append(byZoom[r.zoom], r.took)
		s.Bytes += int64(r.bytes)
		s.MaxBytes = max(s.MaxBytes, r.bytes)
		zs := s.ByZoom[r.zoom]
		zs.Tiles++
		zs.MaxBytes = max(zs.MaxBytes, r.bytes)
		zs.Maxms = max(zs.Maxms, ms(r.took))
		s.ByZoom[r.zoom] = zs
		if r.err != nil {
			s.Failed++
			if s.FirstError == "" {
				s.FirstError = r.err.Error()
			}
		}
	}
	s.P50ms, s.P99ms, s.Maxms = ms(pct(all, 0.5)), ms(pct(all, 0.99)), ms(pct(all, 1))
	for z, ds := range byZoom {
		zs := s.ByZoom[z]
		zs.P50ms = ms(pct(ds, 0.5))
		s.ByZoom[z] = zs
	}
	return s
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(p*float64(len(ds))+0.5) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
