// Command edits-bench measures single-feature edits (OGC API – Features
// Part 4) against a running `coalmap serve`, as a client in its own process
// over HTTP:
//
//	(a) PATCH of one attribute, one editor, each after a GET for the ETag:
//	    latency of the PATCH (commit, tile bands patched, the change
//	    acknowledged by every server following the change log);
//	(b) PATCH of the geometry (a block moved by ~100 m), likewise;
//	(c) -c editors at once, each on features of its own: edits a second;
//	(d) -c editors at once on the same feature, each retrying after a 412
//	    with a fresh ETag until its edit is in: 412s per edit, and the
//	    final value is one of theirs (nothing lost silently);
//	(e) the tile cache: every z10–z12 tile of the layer fetched (cached),
//	    one block moved, all fetched again: how many stayed hits.
//
//	coalmap token create --role editor --name bench
//	go run ./bench/edits -url http://127.0.0.1:8080 -token cm_… [-layer coal_blocks] [-n 200] [-c 8]
//
// It edits the layer's features and puts the values back afterwards
// (each edit is in the layer's history).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

var (
	base   = flag.String("url", "http://127.0.0.1:8080", "the service")
	token  = flag.String("token", os.Getenv("COALMAP_TOKEN"), "an editor's token")
	layer  = flag.String("layer", "coal_blocks", "a polygon layer to edit")
	n      = flag.Int("n", 200, "edits of (a) and (b)")
	conc   = flag.Int("c", 8, "editors of (c) and (d)")
	client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
)

func main() {
	flag.Parse()
	if *token == "" {
		fail(fmt.Errorf("-token: an editor's token is needed"))
	}
	ids := featureIDs(max(*n, *conc*20))
	fmt.Printf("%s, layer %s (%d features read)\n\n", *base, *layer, len(ids))

	// (a) attributes.
	lat := make([]time.Duration, 0, *n)
	for i := range *n {
		id := ids[i%len(ids)]
		tag, f := get(id)
		d, status := patch(id, tag, fmt.Sprintf(`{"properties":{"remarks":%q}}`, fmt.Sprintf("bench %d", i)))
		if status != 200 {
			fail(fmt.Errorf("(a) PATCH %s: %d", id, status))
		}
		lat = append(lat, d)
		restore(id, f)
	}
	report("(a) PATCH one attribute", lat)

	// (b) geometry.
	lat = lat[:0]
	for i := range *n {
		id := ids[i%len(ids)]
		tag, f := get(id)
		moved := shift(f.Geometry, 0.001)
		d, status := patch(id, tag, `{"geometry":`+string(moved)+`}`)
		if status != 200 {
			fail(fmt.Errorf("(b) PATCH %s: %d", id, status))
		}
		lat = append(lat, d)
		restore(id, f)
	}
	report("(b) PATCH the geometry (moved ~100 m)", lat)

	// (c) editors on features of their own.
	var wg sync.WaitGroup
	per := 20
	start := time.Now()
	var mu sync.Mutex
	lat = lat[:0]
	for w := range *conc {
		wg.Go(func() {
			for i := range per {
				id := ids[(w*per+i)%len(ids)]
				tag, _ := get(id)
				d, status := patch(id, tag, fmt.Sprintf(`{"properties":{"remarks":"editor %d edit %d"}}`, w, i))
				if status != 200 {
					fail(fmt.Errorf("(c) PATCH %s: %d", id, status))
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	report(fmt.Sprintf("(c) %d editors, own features", *conc), lat)
	fmt.Printf("    %d edits in %v: %.0f edits/s (each with its GET)\n\n", *conc*per, took.Round(time.Millisecond), float64(*conc*per)/took.Seconds())

	// (d) editors on one feature.
	id := ids[0]
	_, orig := get(id)
	stale := 0
	values := make([]string, *conc)
	for w := range *conc {
		values[w] = fmt.Sprintf("contended %d", w)
		wg.Go(func() {
			for {
				tag, _ := get(id)
				_, status := patch(id, tag, fmt.Sprintf(`{"properties":{"remarks":%q}}`, values[w]))
				if status == 200 {
					return
				}
				if status != http.StatusPreconditionFailed {
					fail(fmt.Errorf("(d) PATCH %s: %d", id, status))
				}
				mu.Lock()
				stale++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	_, f := get(id)
	final, _ := f.Properties["remarks"].(string)
	if !slices.Contains(values, final) {
		fail(fmt.Errorf("(d) final value %q is none of the editors'", final))
	}
	fmt.Printf("(d) %d editors on one feature: every edit applied once, %d answered 412 first (%.1f a edit); final value %q\n\n",
		*conc, stale, float64(stale)/float64(*conc), final)
	restore(id, orig)

	// (e) tiles.
	tilesOf := layerTiles()
	for _, tl := range tilesOf {
		tile(tl)
	}
	hitsBefore := 0
	for _, tl := range tilesOf {
		if tile(tl) == "hit" {
			hitsBefore++
		}
	}
	tag, f := get(ids[1])
	if _, status := patch(ids[1], tag, `{"geometry":`+string(shift(f.Geometry, 0.001))+`}`); status != 200 {
		fail(fmt.Errorf("(e) PATCH: %d", status))
	}
	hits := 0
	for _, tl := range tilesOf {
		if tile(tl) == "hit" {
			hits++
		}
	}
	restore(ids[1], f)
	fmt.Printf("(e) %d tiles z10–z12 over the layer, all cached (%d hits on a second pass); after moving one block: %d still hits, %d drawn again\n",
		len(tilesOf), hitsBefore, hits, len(tilesOf)-hits)
}

type feature struct {
	ID         any             `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties map[string]any  `json:"properties"`
}

func featureIDs(want int) []string {
	var ids []string
	next := fmt.Sprintf("%s/collections/%s/items?limit=%d", *base, *layer, want)
	body := do("GET", next, "", nil)
	var fc struct{ Features []feature }
	if err := json.Unmarshal(body, &fc); err != nil {
		fail(err)
	}
	for _, f := range fc.Features {
		ids = append(ids, fmt.Sprint(f.ID))
	}
	if len(ids) == 0 {
		fail(fmt.Errorf("no features in %s", *layer))
	}
	return ids
}

func get(id string) (string, feature) {
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/collections/%s/items/%s", *base, *layer, id), nil)
	resp, err := client.Do(req)
	if err != nil {
		fail(err)
	}
	defer resp.Body.Close()
	var f feature
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil {
		fail(err)
	}
	return resp.Header.Get("ETag"), f
}

func patch(id, tag, body string) (time.Duration, int) {
	req, _ := http.NewRequest("PATCH", fmt.Sprintf("%s/collections/%s/items/%s", *base, *layer, id), strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+*token)
	req.Header.Set("Content-Type", "application/merge-patch+json")
	req.Header.Set("If-Match", tag)
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		fail(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(t0), resp.StatusCode
}

// restore puts a feature back as it was read.
func restore(id string, f feature) {
	tag, _ := get(id)
	props, _ := json.Marshal(f.Properties)
	if _, status := patch(id, tag, `{"geometry":`+string(f.Geometry)+`,"properties":`+string(props)+`}`); status != 200 {
		fail(fmt.Errorf("restore %s: %d", id, status))
	}
}

// shift moves a GeoJSON geometry by d degrees east.
func shift(g json.RawMessage, d float64) json.RawMessage {
	var v struct {
		Type        string
		Coordinates any
	}
	if err := json.Unmarshal(g, &v); err != nil {
		fail(err)
	}
	var walk func(any) any
	walk = func(x any) any {
		a, ok := x.([]any)
		if !ok {
			return x
		}
		if len(a) >= 2 {
			if lon, ok := a[0].(float64); ok {
				a[0] = lon + d
				return a
			}
		}
		for i := range a {
			a[i] = walk(a[i])
		}
		return a
	}
	v.Coordinates = walk(v.Coordinates)
	b, _ := json.Marshal(map[string]any{"type": v.Type, "coordinates": v.Coordinates})
	return b
}

// layerTiles lists the z10–z12 tiles over the layer's extent.
func layerTiles() []maptile.Tile {
	var c struct {
		Extent struct{ Spatial struct{ Bbox [][]float64 } }
	}
	if err := json.Unmarshal(do("GET", *base+"/collections/"+*layer, "", nil), &c); err != nil || len(c.Extent.Spatial.Bbox) == 0 {
		fail(fmt.Errorf("the layer's extent: %v", err))
	}
	b := c.Extent.Spatial.Bbox[0]
	var out []maptile.Tile
	for z := maptile.Zoom(10); z <= 12; z++ {
		lo := maptile.At(orb.Point{b[0], b[3]}, z)
		hi := maptile.At(orb.Point{b[2], b[1]}, z)
		for x := lo.X; x <= hi.X; x++ {
			for y := lo.Y; y <= hi.Y; y++ {
				out = append(out, maptile.New(x, y, z))
			}
		}
	}
	return out
}

func tile(t maptile.Tile) string {
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/tiles/%s/%d/%d/%d.mvt", *base, *layer, t.Z, t.X, t.Y), nil)
	resp, err := client.Do(req)
	if err != nil {
		fail(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.Header.Get("X-Cache")
}

func do(method, url, body string, hdr map[string]string) []byte {
	req, _ := http.NewRequest(method, url, bytes.NewReader([]byte(body)))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		fail(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		fail(fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b))
	}
	return b
}

func report(name string, lat []time.Duration) {
	s := slices.Clone(lat)
	slices.Sort(s)
	q := func(p float64) time.Duration {
		return s[int(math.Min(float64(len(s)-1), p*float64(len(s))))].Round(10 * time.Microsecond)
	}
	fmt.Printf("%s: %d edits, p50 %v, p95 %v, p99 %v, max %v\n", name, len(s), q(0.5), q(0.95), q(0.99), s[len(s)-1].Round(10*time.Microsecond))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "edits-bench:", err)
	os.Exit(1)
}
