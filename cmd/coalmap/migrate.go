package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/coalmap/coalmap/migrations"
	"github.com/coalmap/coalmap/postgis"
)

// migrateCmd applies the embedded migrations.
type migrateCmd struct {
	stdout, stderr io.Writer
	db             dbConfig
	log            logConfig
}

func (c *migrateCmd) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	c.db.register(fs)
	c.log.register(fs)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	return c.db.validate()
}

func (c *migrateCmd) Run(ctx context.Context) error {
	log, err := c.log.logger(c.stderr)
	if err != nil {
		return err
	}
	pool, done, err := openPool(ctx, c.db, log, 2)
	if err != nil {
		return err
	}
	defer done()
	ms, err := postgis.LoadMigrations(migrations.FS)
	if err != nil {
		return err
	}
	applied, err := postgis.Migrate(ctx, pool, ms)
	for _, m := range applied {
		fmt.Fprintf(c.stdout, "applied %04d_%s\n", m.Version, m.Name)
	}
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(c.stdout, "up to date (%d migrations)\n", len(ms))
	}
	return nil
}
