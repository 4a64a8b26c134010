package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/coalmap/coalmap/api"
	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/tiles"
)

// tileConfig is the tile server's configuration.
type tileConfig struct {
	cacheMB               int
	maxRenders            int
	maxQueue              int
	maxFeatures           int
	maxKB                 int
	conns                 int
	statementTimeout      time.Duration
	planCacheMode         string
	cacheControl          string
	cacheControlVersioned string
}

func (c *tileConfig) register(fs *flag.FlagSet) {
	fs.IntVar(&c.cacheMB, "tile-cache-mb", 512, "tile cache size in MiB; 0 disables the cache")
	fs.IntVar(&c.maxRenders, "tile-max-renders", 8, "tiles rendered at once (cache misses); more wait in a queue")
	fs.IntVar(&c.maxQueue, "tile-max-queue", 256, "renders that may wait for a slot; beyond it tiles answer 503 with Retry-After")
	fs.IntVar(&c.maxFeatures, "tile-max-features", 20000, "per-layer feature cap of a tile, reported in X-Feature-Cap; 0: none")
	fs.IntVar(&c.maxKB, "tile-max-kb", 500, "size bound of a tile as sent (gzip), in kB: a larger one leaves out its smallest features, reported in X-Tile-Size-Cap; 0: none")
	fs.IntVar(&c.conns, "tile-conns", 16, "database connections of the tile renderer (its own pool)")
	fs.DurationVar(&c.statementTimeout, "tile-statement-timeout", 20*time.Second, "statement_timeout of a tile query")
	fs.StringVar(&c.planCacheMode, "tile-plan-cache-mode", "auto", "plan_cache_mode of tile queries: auto, force_custom_plan, force_generic_plan")
	fs.StringVar(&c.cacheControl, "tile-cache-control", api.DefaultTileCacheControl, "Cache-Control of tiles requested without the current data version")
	fs.StringVar(&c.cacheControlVersioned, "tile-cache-control-versioned", api.DefaultVersionedTileCacheControl,
		"Cache-Control of tiles requested with the current data version (?v=, as TileJSON links them)")
}

func (c *tileConfig) validate() error {
	switch {
	case c.cacheMB < 0:
		return fmt.Errorf("--tile-cache-mb must be 0 or more, got %d", c.cacheMB)
	case c.maxRenders < 1:
		return fmt.Errorf("--tile-max-renders must be at least 1, got %d", c.maxRenders)
	case c.maxQueue < 0:
		return fmt.Errorf("--tile-max-queue must be 0 or more, got %d", c.maxQueue)
	case c.maxFeatures < 0:
		return fmt.Errorf("--tile-max-features must be 0 or more, got %d", c.maxFeatures)
	case c.maxKB < 0:
		return fmt.Errorf("--tile-max-kb must be 0 or more, got %d", c.maxKB)
	case c.conns < 1:
		return fmt.Errorf("--tile-conns must be at least 1, got %d", c.conns)
	case c.statementTimeout <= 0:
		return fmt.Errorf("--tile-statement-timeout must be positive, got %v", c.statementTimeout)
	}
	switch c.planCacheMode {
	case "auto", "force_custom_plan", "force_generic_plan":
	default:
		return fmt.Errorf("--tile-plan-cache-mode %q: want auto, force_custom_plan or force_generic_plan", c.planCacheMode)
	}
	return nil
}

func (c *tileConfig) service() tiles.Config {
	q := c.maxQueue
	if q == 0 {
		q = -1 // none: refuse when every slot is busy
	}
	return tiles.Config{CacheBytes: int64(c.cacheMB) << 20, MaxRenders: c.maxRenders, MaxQueue: q, MaxFeatures: c.maxFeatures,
		MaxTileBytes: c.maxKB * 1000}
}

func (c *tileConfig) renderer(ctx context.Context, url string) (*postgis.TileRenderer, error) {
	return postgis.NewTileRenderer(ctx, url, postgis.RendererOptions{MaxConns: int32(c.conns),
		StatementTimeout: c.statementTimeout, PlanCacheMode: c.planCacheMode})
}
