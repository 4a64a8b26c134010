package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/coalmap/coalmap/postgis"
	"github.com/coalmap/coalmap/tiles"
)

const tilesUsage = `usage:
  coalmap tiles prepare [--layers ID,…]   build the zoom-band tables tiles are cut from
  coalmap tiles seed --layers ID,… --bbox W,S,E,N --zooms 5-12 [--url http://host:8080 | --pmtiles out.pmtiles]
`

// tilesCmd groups the tile maintenance commands.
type tilesCmd struct {
	stdout, stderr io.Writer
	action         string
	db             dbConfig
	log            logConfig
	layers         string
	seed           seedConfig
}

func (c *tilesCmd) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("tiles", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprint(c.stderr, tilesUsage)
		fs.PrintDefaults()
	}
	if len(args) == 0 {
		fs.Usage()
		return errors.New("missing action: prepare or seed")
	}
	c.action = args[0]
	c.db.register(fs)
	c.log.register(fs)
	fs.StringVar(&c.layers, "layers", "", "comma list of layer ids (prepare: default all layers)")
	switch c.action {
	case "prepare":
	case "seed":
		c.seed.register(fs)
	default:
		return fmt.Errorf("unknown action %q: want prepare or seed", c.action)
	}
	if err := parseFlags(fs, args[1:], false); err != nil {
		return err
	}
	if err := c.db.validate(); err != nil {
		return err
	}
	if c.action == "seed" {
		return c.seed.validate(c.layers)
	}
	return nil
}

func (c *tilesCmd) Run(ctx context.Context) error {
	log, err := c.log.logger(c.stderr)
	if err != nil {
		return err
	}
	if c.action == "seed" && c.seed.pmtiles == "" {
		return c.seed.warm(ctx, c.stdout, c.layers)
	}
	db, err := openDatabase(ctx, c.db, log, false)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	pool, err := postgis.Connect(ctx, db.URL, 4)
	if err != nil {
		return err
	}
	defer pool.Close()
	if c.action == "seed" {
		return c.seed.writePMTiles(ctx, c.stdout, db.URL, pool, log, c.layers)
	}
	var ids []string
	if c.layers != "" {
		if ids, err = tiles.ParseLayerList(c.layers); err != nil {
			return err
		}
	} else {
		ls, err := postgis.NewStore(pool).Layers(ctx)
		if err != nil {
			return err
		}
		for _, l := range ls {
			ids = append(ids, l.ID)
		}
	}
	for _, id := range ids {
		start := time.Now()
		if err := postgis.PrepareLayerTiles(ctx, pool, id); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s: tile bands built in %v\n", id, time.Since(start).Round(time.Millisecond))
	}
	if len(ids) == 0 {
		fmt.Fprintln(c.stdout, "no layers")
	}
	return nil
}
