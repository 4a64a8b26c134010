// Command coalmap is the coal-sector geospatial planning service: a PostGIS
// layer catalog, a vector-tile and feature server, and an overlap engine for
// alignments that cross coal blocks.
//
// Usage:
//
//	coalmap serve [--addr :8080] [--database-url URL] [--data-dir ./var]
//	coalmap migrate [--database-url URL] [--data-dir ./var]
//	coalmap check --against coal_blocks [--row-width-m 46] ALIGNMENT.{geojson,kml}
//	coalmap route [--k 3] [--mode free|keep] [--voltage-kv 765 --circuit dc] ALIGNMENT.geojson
//	coalmap overlaps --lines L[,L…] --polygons P[,P…] [--row-width-m W] [-o out.csv|out.geojson]
//	coalmap db start|stop|url [--data-dir ./var]
//	coalmap import --layer ID [--srid N] [--id-field F] [--title T] FILE…
//	coalmap import --manifest FILE [--jobs N]
//	coalmap demo [--seed N]
//	coalmap token create --role viewer|planner|editor|admin [--name N]
//	coalmap token list
//	coalmap token revoke ID
//	coalmap tiles prepare [--layers ID,…]
//	coalmap tiles seed --layers ID,… --bbox W,S,E,N --zooms 5-12 [--url URL | --pmtiles out.pmtiles]
//	coalmap version
//
// Every command that needs a database uses DATABASE_URL (or --database-url)
// when given, else the embedded PostGIS cluster in --data-dir: it connects to
// the cluster a running `coalmap serve` owns, or starts it for the duration of
// the command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand: it parses its flags, then runs.
type command interface {
	ParseFlags(args []string) error
	Run(ctx context.Context) error
}

const usage = `coalmap — geospatial planning for the coal sector

Usage:
  coalmap serve    run the HTTP service (embedded PostGIS unless --database-url)
  coalmap migrate  apply the database migrations
  coalmap check    check alignment files against coal blocks (or other polygon layers)
  coalmap route    alternative alignments that keep clear of coal blocks, ranked by cost
  coalmap overlaps run line layers against polygon layers, export the pairs
  coalmap db       start | stop | url: the embedded PostGIS cluster
  coalmap import   --layer ID FILE… | --manifest FILE [--jobs N]: load layers from files
  coalmap demo     load the demo catalog (100+ layers) [--seed N]
  coalmap token    create --role R [--name N] | list | revoke ID: API tokens
  coalmap tiles    prepare | seed: build tile bands, warm a cache or write PMTiles
  coalmap version  print the version

Run 'coalmap COMMAND -h' for a command's flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var cmd command
	switch args[0] {
	case "serve":
		cmd = &serveCmd{stdout: stdout, stderr: stderr}
	case "migrate":
		cmd = &migrateCmd{stdout: stdout, stderr: stderr}
	case "db":
		cmd = &dbCmd{stdout: stdout, stderr: stderr}
	case "check":
		cmd = &checkCmd{stdout: stdout, stderr: stderr}
	case "overlaps":
		cmd = &overlapsCmd{stdout: stdout, stderr: stderr}
	case "route":
		cmd = &routeCmd{stdout: stdout, stderr: stderr}
	case "import":
		cmd = &importCmd{stdout: stdout, stderr: stderr}
	case "demo":
		cmd = &demoCmd{stdout: stdout, stderr: stderr}
	case "token":
		cmd = &tokenCmd{stdout: stdout, stderr: stderr}
	case "tiles":
		cmd = &tilesCmd{stdout: stdout, stderr: stderr}
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "coalmap", version())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "coalmap: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err := cmd.ParseFlags(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "coalmap %s: %v\n", args[0], err)
		return 2
	}
	stopProfiles := startProfiles(stderr)
	err := cmd.Run(ctx)
	stopProfiles()
	if err != nil {
		fmt.Fprintf(stderr, "coalmap %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// version is the module version and VCS revision the binary was built from.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		return fmt.Sprintf("%s (%s%s)", v, rev, dirty)
	}
	return v
}
