package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"time"
)

// blocksGeoJSON is a FeatureCollection of n star-shaped (simple, valid)
// polygons around the coalfields, different for every seed.
func blocksGeoJSON(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range n {
		cf := coalfields[r.IntN(len(coalfields))]
		cx, cy := cf[0]+(r.Float64()-0.5)*2, cf[1]+(r.Float64()-0.5)*1.4
		r0 := 0.005 + r.Float64()*0.03
		nv := 24 + r.IntN(100)
		p1 := r.Float64() * 6.3
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"Feature","id":"sb-%d","properties":{"name":"Soak block %d","round":%d,"area_km2":%.2f,"grade":"G%d"},"geometry":{"type":"Polygon","coordinates":[[`,
			i, i, seed, math.Pi*math.Pow(r0*100, 2), 1+r.IntN(17))
		for k := range nv {
			a := 2 * math.Pi * float64(k) / float64(nv)
			rr := r0 * (1 + 0.25*math.Sin(3*a+p1))
			fmt.Fprintf(&b, "[%.6f,%.6f],", cx+rr*math.Cos(a), cy+0.8*rr*math.Sin(a))
		}
		fmt.Fprintf(&b, "[%.6f,%.6f]]]}}", cx+r0*(1+0.25*math.Sin(p1)), cy)
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

// importOnce uploads a new version of the layer and waits for its job.
// The job's time from upload to its end is recorded as "import (job)".
func (c *client) importOnce(ctx context.Context, layer string, round int, features int) error {
	t0 := time.Now()
	url := fmt.Sprintf("%s/layers/%s/imports?filename=soak-%d.geojson&title=Soak+blocks", c.base, layer, round)
	resp, body, err := c.send(ctx, "POST /layers/{id}/imports", http.MethodPost, url, "application/geo+json",
		blocksGeoJSON(features, uint64(round)))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("import %d: %d %.300s", round, resp.StatusCode, body)
	}
	var started struct {
		Job struct {
			ID int64 `json:"id"`
		} `json:"job"`
	}
	if err := json.Unmarshal(body, &started); err != nil {
		return fmt.Errorf("import %d: %v", round, err)
	}
	for {
		if !sleep(ctx, 250*time.Millisecond) {
			return ctx.Err()
		}
		resp, body, err := c.get(ctx, "GET /imports/{job}", fmt.Sprintf("%s/imports/%d", c.base, started.Job.ID))
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			continue
		}
		var j struct {
			Status string `json:"status"`
			Error  string `json:"error"`
		}
		if err := json.Unmarshal(body, &j); err != nil {
			return err
		}
		switch j.Status {
		case "queued", "running":
			continue
		case "succeeded", "unchanged":
			c.rec.mu.Lock()
			s := c.rec.stats("import (upload to visible everywhere)")
			s.ms = append(s.ms, float64(time.Since(t0).Microseconds())/1000)
			s.status[200]++
			c.rec.mu.Unlock()
			return nil
		default:
			c.rec.mu.Lock()
			s := c.rec.stats("import (upload to visible everywhere)")
			s.status[500]++
			s.fiveXX++
			c.rec.note(fmt.Sprintf("import %d: %s: %s", round, j.Status, j.Error))
			c.rec.mu.Unlock()
			return nil
		}
	}
}

// importWorker replaces the layer every period with a new version.
func (c *client) importWorker(ctx context.Context, layer string, first int, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for round := first; ; round++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := c.importOnce(ctx, layer, round, 800); err != nil && ctx.Err() == nil {
			c.rec.mu.Lock()
			c.rec.note(err.Error())
			c.rec.mu.Unlock()
		}
	}
}

// writeLines writes n long transmission lines as one GeoJSON
// FeatureCollection, streamed: random walks with a slowly turning heading
// across central and eastern India, about `vertices` vertices each.
func writeLines(path string, n, vertices int, seed int64) error {
	if path == "" {
		return fmt.Errorf("-out: a file to write is needed")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(uint64(seed), 11))
	owners := []string{"PGCIL", "NTPC", "MPPTCL", "CSPTCL", "OPTCL", "JUSNL", "WBSETCL", "MSETCL"}
	volts := []int{132, 220, 400, 765}
	w.WriteString(`{"type":"FeatureCollection","name":"transmission_lines_2gb","features":[` + "\n")
	var num []byte
	for i := range n {
		nv := vertices/2 + r.IntN(vertices+1)
		lon, lat := 78+r.Float64()*9, 19+r.Float64()*6
		h := r.Float64() * 2 * math.Pi
		if i > 0 {
			w.WriteString(",\n")
		}
		fmt.Fprintf(w, `{"type":"Feature","id":"TL2G-%d","properties":{"name":"Line %d","voltage_kv":%d,"owner":"%s","circuits":%d,"commissioned":"%d-%02d-01"},"geometry":{"type":"LineString","coordinates":[`,
			i, i, volts[r.IntN(len(volts))], owners[r.IntN(len(owners))], 1+r.IntN(2), 1980+r.IntN(45), 1+r.IntN(12))
		for k := range nv {
			if k > 0 {
				w.WriteByte(',')
			}
			h += (r.Float64() - 0.5) * 0.3
			lon = math.Max(68.5, math.Min(97.5, lon+0.002*math.Cos(h)))
			lat = math.Max(6.5, math.Min(37.5, lat+0.002*math.Sin(h)))
			num = num[:0]
			num = append(num, '[')
			num = appendCoord(num, lon)
			num = append(num, ',')
			num = appendCoord(num, lat)
			num = append(num, ']')
			w.Write(num)
		}
		w.WriteString("]}}")
	}
	w.WriteString("\n]}\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// appendCoord writes a coordinate with six decimals (about 0.1 m).
func appendCoord(b []byte, v float64) []byte {
	n := int64(math.Round(v * 1e6))
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	ip, fp := n/1000000, n%1000000
	b = appendInt(b, ip)
	b = append(b, '.')
	s := appendInt(nil, fp)
	for range 6 - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}

func appendInt(b []byte, n int64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}
