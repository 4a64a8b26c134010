package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/coalmap/coalmap/postgis"
)

// dbCmd manages the embedded cluster by hand: start it detached (for psql, or
// for a test run shared by many packages), print its URL, stop it.
type dbCmd struct {
	stdout, stderr io.Writer
	action         string
	dataDir        string
	ephemeral      bool
	standbyOf      string
	log            logConfig
}

func (c *dbCmd) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("db", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintln(c.stderr, "usage: coalmap db start|stop|url [--data-dir DIR]")
		fs.PrintDefaults()
	}
	if len(args) == 0 {
		fs.Usage()
		return errors.New("missing action: start, stop or url")
	}
	c.action = args[0]
	switch c.action {
	case "start", "stop", "url":
	default:
		return fmt.Errorf("unknown action %q: want start, stop or url", c.action)
	}
	fs.StringVar(&c.dataDir, "data-dir", "./var", "directory of the embedded PostGIS cluster (env COALMAP_DATA_DIR)")
	fs.BoolVar(&c.ephemeral, "ephemeral", false, "no fsync: for throwaway test clusters only")
	fs.StringVar(&c.standbyOf, "standby-of", "", "data directory of a running cluster to follow: the new cluster is its streaming standby (pg_basebackup -R)")
	c.log.register(fs)
	return parseFlags(fs, args[1:], false)
}

func (c *dbCmd) Run(ctx context.Context) error {
	log, err := c.log.logger(c.stderr)
	if err != nil {
		return err
	}
	switch c.action {
	case "start":
		cl, err := postgis.StartCluster(ctx, postgis.ClusterOptions{Dir: c.dataDir, Detach: true, Ephemeral: c.ephemeral, Logger: log, StandbyOf: c.standbyOf})
		if err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, cl.URL())
	case "url":
		url, err := postgis.Attach(c.dataDir, "")
		if err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, url)
	case "stop":
		return postgis.StopDir(ctx, c.dataDir)
	}
	return nil
}
