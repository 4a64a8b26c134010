package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// coalfields are the centres the dataset (bench/gen.sql) is placed around.
var coalfields = [][2]float64{{82.3, 24.0}, {82.7, 22.4}, {85.2, 20.9}, {83.9, 21.9}, {86.4, 23.75},
	{87.1, 23.6}, {83.3, 22.1}, {79.0, 20.0}, {85.0, 23.7}, {87.5, 24.8}}

// tile is one z/x/y of a layer list.
type tile struct {
	layers  string
	z, x, y int
}

func tileOf(lon, lat float64, z int) (x, y int) {
	n := math.Exp2(float64(z))
	x = int((lon + 180) / 360 * n)
	r := lat * math.Pi / 180
	y = int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	return x, y
}

// client sends requests and records their answers.
type client struct {
	base  string
	token string
	http  *http.Client
	rec   *recorder
}

// do sends req, reads the whole answer and records it under route.
func (c *client) do(route string, req *http.Request) (*http.Response, []byte, error) {
	if c.token != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	t0 := time.Now()
	resp, err := c.http.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err != nil && req.Context().Err() != nil {
		return nil, nil, err // the run ended: not the server's failure
	}
	c.rec.add(route, time.Since(t0), resp, err, body)
	return resp, body, err
}

func (c *client) get(ctx context.Context, route, url string, hdr ...string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(route, req)
}

func (c *client) send(ctx context.Context, route, method, url, ctype string, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", ctype)
	return c.do(route, req)
}

// sleep waits d or until ctx ends; false when it ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// tileSource draws the tiles the tile clients ask for: warm ones from a
// fixed set (after their first request, cache hits until an import or
// an edit touches them), cold ones anywhere near the features at any zoom
// (mostly misses).
type tileSource struct {
	warm []tile
	seed []tile // tiles centred on features, to draw cold ones around
	more []string
}

func (s *tileSource) pick(r *rand.Rand) tile {
	if r.Float64() < 0.6 {
		return s.warm[r.IntN(len(s.warm))]
	}
	t := s.seed[r.IntN(len(s.seed))]
	z := max(6, min(15, t.z+r.IntN(5)-2))
	dz := z - t.z
	x, y := t.x, t.y
	if dz > 0 {
		x, y = x<<dz+r.IntN(1<<dz), y<<dz+r.IntN(1<<dz)
	} else if dz < 0 {
		x, y = x>>-dz, y>>-dz
	}
	x += r.IntN(7) - 3
	y += r.IntN(7) - 3
	layers := t.layers
	if r.Float64() < 0.25 {
		layers = s.more[r.IntN(len(s.more))]
	}
	return tile{layers, z, x, y}
}

// tileWorker fetches tiles until ctx ends, as a map client does (gzip),
// with an OGC-addressed tile now and then.
func (c *client) tileWorker(ctx context.Context, src *tileSource, r *rand.Rand, pause time.Duration, label string) {
	for ctx.Err() == nil {
		t := src.pick(r)
		var url, route string
		if !strings.Contains(t.layers, ",") && r.Float64() < 0.1 {
			// Outside the layer's extent an OGC tile is a 404, as the
			// standard asks.
			url = fmt.Sprintf("%s/collections/%s/tiles/WebMercatorQuad/%d/%d/%d", c.base, t.layers, t.z, t.y, t.x)
			route = "GET ogc tile"
		} else {
			url = fmt.Sprintf("%s/tiles/%s/%d/%d/%d.mvt", c.base, t.layers, t.z, t.x, t.y)
			route = "GET tile"
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		// The cache's answer names the route: hits and misses apart.
		t0 := time.Now()
		resp, err := c.http.Do(req)
		var body []byte
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err != nil && ctx.Err() != nil {
			return
		}
		if err == nil {
			switch resp.Header.Get("X-Cache") {
			case "hit":
				route += " (cache hit)"
			case "miss":
				route += " (cache miss)"
			}
		}
		c.rec.add(label+route, time.Since(t0), resp, err, body)
		if !sleep(ctx, pause) {
			return
		}
	}
}

// itemsWorker pages through a layer's items in a random box, following
// the next links, and fetches one item now and then.
func (c *client) itemsWorker(ctx context.Context, r *rand.Rand, layers []string) {
	for ctx.Err() == nil {
		l := layers[r.IntN(len(layers))]
		cf := coalfields[r.IntN(len(coalfields))]
		w, h := 0.2+r.Float64()*0.8, 0.15+r.Float64()*0.5
		x0, y0 := cf[0]+(r.Float64()-0.5)*2, cf[1]+(r.Float64()-0.5)*1.4
		limit := 100
		if l == "transmission_lines" {
			limit = 10 // lines of up to 5,000 vertices
		}
		url := fmt.Sprintf("%s/collections/%s/items?limit=%d&bbox=%.4f,%.4f,%.4f,%.4f", c.base, l, limit, x0, y0, x0+w, y0+h)
		var lastID string
		for page := 0; page < 10 && url != ""; page++ {
			route := "GET items (first page)"
			if page > 0 {
				route = "GET items (next page)"
			}
			resp, body, err := c.get(ctx, route, url)
			if err != nil || resp.StatusCode != http.StatusOK {
				break
			}
			var fc struct {
				Features []struct {
					ID any `json:"id"`
				} `json:"features"`
				Links []struct{ Rel, Href string } `json:"links"`
			}
			if json.Unmarshal(body, &fc) != nil {
				c.rec.mu.Lock()
				c.rec.note("items: not JSON: " + url)
				c.rec.mu.Unlock()
				break
			}
			if n := len(fc.Features); n > 0 {
				lastID = fmt.Sprint(fc.Features[n-1].ID)
			}
			url = ""
			for _, k := range fc.Links {
				if k.Rel == "next" {
					url = k.Href
				}
			}
			if !sleep(ctx, 100*time.Millisecond) {
				return
			}
		}
		if lastID != "" {
			c.get(ctx, "GET item", fmt.Sprintf("%s/collections/%s/items/%s", c.base, l, lastID)) //nolint:errcheck
		}
		if !sleep(ctx, 300*time.Millisecond) {
			return
		}
	}
}

// alignment is a random line of 2–6 vertices near a coalfield, length
// about 10–45 km.
func alignment(r *rand.Rand) [][2]float64 {
	cf := coalfields[r.IntN(len(coalfields))]
	p := [2]float64{cf[0] + (r.Float64()-0.5)*1.6, cf[1] + (r.Float64()-0.5)*1.1}
	h := r.Float64() * 2 * math.Pi
	n := 2 + r.IntN(5)
	step := (0.1 + r.Float64()*0.3) / float64(n-1)
	line := [][2]float64{p}
	for range n - 1 {
		h += (r.Float64() - 0.5) * 0.8
		p = [2]float64{p[0] + step*math.Cos(h), p[1] + step*math.Sin(h)}
		line = append(line, p)
	}
	return line
}

func lineJSON(line [][2]float64) []byte {
	b, _ := json.Marshal(map[string]any{"type": "LineString", "coordinates": line})
	return b
}

// checkWorker sends ad-hoc overlap checks.
func (c *client) checkWorker(ctx context.Context, r *rand.Rand, against string, pause time.Duration) {
	for ctx.Err() == nil {
		f := ""
		if r.Float64() < 0.2 {
			f = "&f=geojson"
		}
		url := fmt.Sprintf("%s/overlaps/check?against=%s&row_width_m=46&clearance_m=100%s", c.base, against, f)
		c.send(ctx, "POST /overlaps/check", http.MethodPost, url, "application/geo+json", lineJSON(alignment(r))) //nolint:errcheck
		if !sleep(ctx, pause) {
			return
		}
	}
}

// routeWorker alternates a reroute and a POST /routes every period.
func (c *client) routeWorker(ctx context.Context, r *rand.Rand, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for i := 0; ; i++ {
		line := alignment(r)
		if i%2 == 0 {
			c.send(ctx, "POST /overlaps/reroute", http.MethodPost, c.base+"/overlaps/reroute?against=coal_blocks&row_width_m=46", //nolint:errcheck
				"application/geo+json", lineJSON(line))
		} else {
			body, _ := json.Marshal(map[string]any{
				"alignment": json.RawMessage(lineJSON(line)), "k": 3, "mode": []string{"free", "keep"}[r.IntN(2)],
				"corridor": map[string]any{"row_width_m": 46}, "hard": []string{"coal_blocks"},
				"soft": map[string]any{"crossings": []map[string]any{{"layer": "rail_lines", "penalty_km": 0.5}}, "angle_point_km": 0.2}})
			c.send(ctx, "POST /routes", http.MethodPost, c.base+"/routes", "application/json", body) //nolint:errcheck
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// editWorker changes a layer's description every period (a metadata
// change: a change event that touches neither tiles nor the engine), and
// reads the catalog and a TileJSON as the web map does.
func (c *client) editWorker(ctx context.Context, r *rand.Rand, layers []string, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for i := 0; ; i++ {
		l := layers[i%len(layers)]
		body, _ := json.Marshal(map[string]any{"description": fmt.Sprintf("Soak edit %d at %s", i, time.Now().UTC().Format(time.RFC3339)),
			"keywords": []string{"soak", fmt.Sprint(r.IntN(1000))}})
		c.send(ctx, "PUT /collections/{id}", http.MethodPut, c.base+"/collections/"+l, "application/json", body) //nolint:errcheck
		c.get(ctx, "GET /collections", c.base+"/collections")                                                    //nolint:errcheck
		c.get(ctx, "GET /tiles/{layers}.json", c.base+"/tiles/"+strings.Join(layers, ",")+".json")               //nolint:errcheck
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
