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
// for a test run shared by many packages), print its URL, promote a standby,
// stop it.
type dbCmd struct {
	stdout, stderr io.Writer
	action         string
	dataDir        string
	ephemeral      bool
	standbyOf      string
	listen         string
	log            logConfig
}

func (c *dbCmd) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("db", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintln(c.stderr, "usage: coalmap db start|stop|url|promote [--data-dir DIR]")
		fs.PrintDefaults()
	}
	if len(args) == 0 {
		fs.Usage()
		return errors.New("missing action: start, stop, url or promote")
	}
	c.action = args[0]
	switch c.action {
	case "start", "stop", "url", "promote":
	default:
		return fmt.Errorf("unknown action %q: want start, stop, url or promote", c.action)
	}
	fs.StringVar(&c.dataDir, "data-dir", "./var", "directory of the embedded PostGIS cluster (env COALMAP_DATA_DIR)")
	fs.BoolVar(&c.ephemeral, "ephemeral", false, "no fsync: for throwaway test clusters only")
	fs.StringVar(&c.standbyOf, "standby-of", "", "data directory of a running cluster to follow: the new cluster is its streaming standby (pg_basebackup -R)")
	fs.StringVar(&c.listen, "listen", "", "also listen on this TCP address (HOST:PORT, e.g. 127.0.0.1:5433), password-protected; the printed URL is then the TCP one")
	c.log.register(fs)
	if err := parseFlags(fs, args[1:], false); err != nil {
		return err
	}
	if c.action != "start" && (c.listen != "" || c.standbyOf != "") {
		return fmt.Errorf("--listen and --standby-of apply to db start only")
	}
	return nil
}

func (c *dbCmd) Run(ctx context.Context) error {
	log, err := c.log.logger(c.stderr)
	if err != nil {
		return err
	}
	switch c.action {
	case "start":
		cl, err := postgis.StartCluster(ctx, postgis.ClusterOptions{Dir: c.dataDir, Detach: true, Ephemeral: c.ephemeral,
			Logger: log, StandbyOf: c.standbyOf, Listen: c.listen})
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
	case "promote":
		// The standby becomes a primary: its own from now on (stop the
		// old primary first, and never start it again beside it).
		return postgis.Promote(ctx, c.dataDir)
	case "stop":
		return postgis.StopDir(ctx, c.dataDir)
	}
	return nil
}
