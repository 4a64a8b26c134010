package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/tiles"
)

// seedConfig is `coalmap tiles seed`: warm a running server's cache over a
// bounding box and zoom range, or write those tiles to a PMTiles archive.
type seedConfig struct {
	bbox        string
	zooms       string
	url         string
	pmtiles     string
	concurrency int
	maxFeatures int

	bound      orb.Bound
	zmin, zmax int
}

func (c *seedConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.bbox, "bbox", "68,6,98,38", "area to seed, W,S,E,N in degrees (default: India)")
	fs.StringVar(&c.zooms, "zooms", "5-12", "zoom range, e.g. 5-12 or 10")
	fs.StringVar(&c.url, "url", "http://localhost:8080", "server whose cache to warm")
	fs.StringVar(&c.pmtiles, "pmtiles", "", "write a PMTiles archive to this file instead of warming a server")
	fs.IntVar(&c.concurrency, "concurrency", 4, "tiles requested or rendered at once")
	fs.IntVar(&c.maxFeatures, "max-features", 0, "per-layer feature cap of a tile in the archive; 0: none")
}

func (c *seedConfig) validate(layerList string) error {
	if layerList == "" {
		return errors.New("--layers is required")
	}
	if _, err := tiles.ParseLayerList(layerList); err != nil {
		return err
	}
	var v [4]float64
	parts := strings.Split(c.bbox, ",")
	if len(parts) != 4 {
		return fmt.Errorf("--bbox %q: want W,S,E,N", c.bbox)
	}
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return fmt.Errorf("--bbox %q: %v", c.bbox, err)
		}
		v[i] = f
	}
	if v[0] >= v[2] || v[1] >= v[3] || v[0] < -180 || v[2] > 180 || v[1] < -85.05 || v[3] > 85.05 {
		return fmt.Errorf("--bbox %q: want W<E, S<N within the Web Mercator world", c.bbox)
	}
	c.bound = orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
	lo, hi, found := strings.Cut(c.zooms, "-")
	if !found {
		hi = lo
	}
	var err1, err2 error
	c.zmin, err1 = strconv.Atoi(lo)
	c.zmax, err2 = strconv.Atoi(hi)
	if err1 != nil || err2 != nil || c.zmin < 0 || c.zmax > tiles.MaxZoom || c.zmin > c.zmax {
		return fmt.Errorf("--zooms %q: want LO-HI within 0-%d", c.zooms, tiles.MaxZoom)
	}
	if c.concurrency < 1 {
		return fmt.Errorf("--concurrency must be at least 1")
	}
	if n := c.count(); n > 5_000_000 {
		return fmt.Errorf("--bbox and --zooms cover %d tiles; narrow them (at most 5 million)", n)
	}
	return nil
}

// each calls fn for every tile over the bbox at each zoom, lowest zoom first.
func (c *seedConfig) each(fn func(maptile.Tile) bool) {
	for z := c.zmin; z <= c.zmax; z++ {
		lo := maptile.At(orb.Point{c.bound.Min[0], c.bound.Max[1]}, maptile.Zoom(z))
		hi := maptile.At(orb.Point{c.bound.Max[0], c.bound.Min[1]}, maptile.Zoom(z))
		for x := lo.X; x <= hi.X; x++ {
			for y := lo.Y; y <= hi.Y; y++ {
				if !fn(maptile.New(x, y, maptile.Zoom(z))) {
					return
				}
			}
		}
	}
}

func (c *seedConfig) count() int {
	n := 0
	c.each(func(maptile.Tile) bool { n++; return true })
	return n
}

// run feeds every tile to work on c.concurrency goroutines.
func (c *seedConfig) run(ctx context.Context, work func(context.Context, maptile.Tile) error) error {
	ch := make(chan maptile.Tile)
	var first error
	var once sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range c.concurrency {
		wg.Go(func() {
			for t := range ch {
				if err := work(ctx, t); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		})
	}
	c.each(func(t maptile.Tile) bool {
		select {
		case ch <- t:
			return true
		case <-ctx.Done():
			return false
		}
	})
	close(ch)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// warm requests every tile from the server, so that its cache holds them.
func (c *seedConfig) warm(ctx context.Context, out io.Writer, layerList string) error {
	client := &http.Client{Timeout: time.Minute}
	base := strings.TrimSuffix(c.url, "/")
	var n, empty, bytes atomic.Int64
	start := time.Now()
	total := c.count()
	err := c.run(ctx, func(ctx context.Context, t maptile.Tile) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/tiles/%s/%d/%d/%d.mvt", base, layerList, t.Z, t.X, t.Y), nil)
		req.Header.Set("Accept-Encoding", "gzip")
		for attempt := 0; ; attempt++ {
			resp, err := client.Do(req)
			if err != nil {
				return fmt.Errorf("tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
			}
			b, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode == http.StatusServiceUnavailable && attempt < 5:
				time.Sleep(time.Duration(attempt+1) * 500 * time.Millisecond)
				continue
			case resp.StatusCode == http.StatusNoContent:
				empty.Add(1)
			case resp.StatusCode != http.StatusOK:
				return fmt.Errorf("tile %d/%d/%d: %s", t.Z, t.X, t.Y, resp.Status)
			}
			bytes.Add(b)
			if v := n.Add(1); v%1000 == 0 {
				fmt.Fprintf(out, "%d/%d tiles\n", v, total)
			}
			return nil
		}
	})
	fmt.Fprintf(out, "seeded %d tiles (%d empty, %d bytes) in %v\n", n.Load(), empty.Load(), bytes.Load(), time.Since(start).Round(time.Millisecond))
	return err
}

// writePMTiles renders every tile straight from the database into an archive
// (written to a temporary file beside it, then renamed).
func (c *seedConfig) writePMTiles(ctx context.Context, out io.Writer, url string, pool *pgxpool.Pool, log *slog.Logger, layerList string) error {
	snap := layers.NewCatalog(postgis.NewStore(pool), log)
	if err := snap.Refresh(ctx); err != nil {
		return err
	}
	r, err := postgis.NewTileRenderer(ctx, url, postgis.RendererOptions{MaxConns: int32(c.concurrency) * 2})
	if err != nil {
		return err
	}
	defer r.Close()
	svc := tiles.NewService(snap, r, tiles.Config{MaxRenders: c.concurrency, MaxQueue: -1, MaxFeatures: c.maxFeatures})
	all := func(layers.Layer) bool { return true } // the operator reads every layer
	ids, _ := tiles.ParseLayerList(layerList)
	ls, err := svc.Layers(ids, all)
	if err != nil {
		return err
	}
	w, err := tiles.NewPMTilesWriter(filepath.Dir(c.pmtiles))
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var n, empty, size int64
	start, total := time.Now(), c.count()
	err = c.run(ctx, func(ctx context.Context, t maptile.Tile) error {
		res, err := svc.Tile(ctx, tiles.Request{Layers: ids, Tile: t, MayRead: all})
		if err != nil {
			return err
		}
		var gz []byte
		if len(res.MVT) > 0 {
			gz = res.Gzip()
		}
		mu.Lock()
		defer mu.Unlock()
		if n++; n%1000 == 0 {
			fmt.Fprintf(out, "%d/%d tiles\n", n, total)
		}
		if gz == nil {
			empty++
			return nil
		}
		size += int64(len(gz))
		return w.Add(t, gz)
	})
	if err != nil {
		return err
	}
	tj := tiles.NewTileJSON(ls, "")
	tmp := c.pmtiles + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := w.Finish(f, tiles.PMTilesMeta{Name: tj.Name, Attribution: tj.Attribution, Bounds: c.bound, VectorLayers: tj.VectorLayers}); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, c.pmtiles); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s: %d tiles (%d empty, not stored), %d bytes of tiles, in %v\n",
		c.pmtiles, n, empty, size, time.Since(start).Round(time.Millisecond))
	return nil
}
