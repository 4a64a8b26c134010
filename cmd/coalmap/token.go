package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/migrations"
	"github.com/coalmap/coalmap/postgis"
)

// tokenCmd creates, lists and revokes API tokens.
type tokenCmd struct {
	stdout, stderr io.Writer
	action         string
	role           string
	name           string
	id             int64
	db             dbConfig
	log            logConfig
}

func (c *tokenCmd) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintln(c.stderr, "usage: coalmap token create --role viewer|planner|editor|admin [--name NAME]\n       coalmap token list\n       coalmap token revoke ID")
		fs.PrintDefaults()
	}
	if len(args) == 0 {
		fs.Usage()
		return errors.New("missing action: create, list or revoke")
	}
	c.action = args[0]
	switch c.action {
	case "create", "list", "revoke":
	default:
		return fmt.Errorf("unknown action %q: want create, list or revoke", c.action)
	}
	c.db.register(fs)
	c.log.register(fs)
	fs.StringVar(&c.role, "role", "", "create: the token's role: viewer, planner, editor or admin")
	fs.StringVar(&c.name, "name", "", "create: who or what the token is for")
	rest := args[1:]
	var positional []string
	// The id of revoke may come before the flags or after them.
	if c.action == "revoke" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		positional, rest = rest[:1], rest[1:]
	}
	if err := parseFlags(fs, rest, c.action == "revoke"); err != nil {
		return err
	}
	positional = append(positional, fs.Args()...)
	switch c.action {
	case "create":
		if c.role == "" {
			return errors.New("--role is required: viewer, planner, editor or admin")
		}
		if _, err := layers.ParseRole(c.role); err != nil {
			return fmt.Errorf("--role %q: want viewer, planner, editor or admin", c.role)
		}
	case "revoke":
		if len(positional) != 1 {
			return errors.New("revoke takes one token id (see `coalmap token list`)")
		}
		id, err := strconv.ParseInt(positional[0], 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("token id %q: want a positive number", positional[0])
		}
		c.id = id
	}
	return c.db.validate()
}

func (c *tokenCmd) Run(ctx context.Context) error {
	store, done, err := openStore(ctx, c.db, c.log, c.stderr, 4)
	if err != nil {
		return err
	}
	defer done()
	const actor = "cli"
	switch c.action {
	case "create":
		role, _ := layers.ParseRole(c.role)
		token, hash := layers.NewToken()
		t, err := store.CreateToken(ctx, c.name, role, hash, actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "token %d (%s, role %s) created; it is shown only now:\n", t.ID, t.Name, t.Role)
		fmt.Fprintln(c.stdout, token)
	case "list":
		ts, err := store.Tokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tLAST USED\tSTATE")
		for _, t := range ts {
			state, used := "active", "-"
			if t.RevokedAt != nil {
				state = "revoked " + t.RevokedAt.Format(time.DateTime)
			}
			if t.LastUsedAt != nil {
				used = t.LastUsedAt.Format(time.DateTime)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.CreatedAt.Format(time.DateTime), used, state)
		}
		return tw.Flush()
	case "revoke":
		if err := store.RevokeToken(ctx, c.id, actor); err != nil {
			if errors.Is(err, layers.ErrNotFound) {
				return fmt.Errorf("no token %d", c.id)
			}
			return err
		}
		fmt.Fprintf(c.stdout, "token %d revoked\n", c.id)
	}
	return nil
}

// openStore opens the database a command works on (migrated) with a pool of
// maxConns, and returns the store and what to call when done.
func openStore(ctx context.Context, dbc dbConfig, lc logConfig, stderr io.Writer, maxConns int32) (*postgis.Store, func(), error) {
	log, err := lc.logger(stderr)
	if err != nil {
		return nil, nil, err
	}
	pool, done, err := openPool(ctx, dbc, log, maxConns)
	if err != nil {
		return nil, nil, err
	}
	ms, err := postgis.LoadMigrations(migrations.FS)
	if err == nil {
		_, err = postgis.Migrate(ctx, pool, ms)
	}
	if err != nil {
		done()
		return nil, nil, err
	}
	return postgis.NewStore(pool), done, nil
}
