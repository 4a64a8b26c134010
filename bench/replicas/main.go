// Command replicas-bench measures what the read-replica path adds to a
// cold tile: the same distinct tiles (never asked before, so rendered by
// the database) from a server that reads from a standby
// (--read-database-url) and from one that reads from the primary, in
// alternation, as a client over loopback.
//
//	go run ./bench/replicas -replica http://127.0.0.1:18481 -primary http://127.0.0.1:18484 [-layers coal_blocks] [-n 300]
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

func main() {
	replica := flag.String("replica", "", "base URL of a server with --read-database-url")
	primary := flag.String("primary", "", "base URL of a server on the primary alone")
	lyr := flag.String("layers", "coal_blocks", "layer list of the tiles")
	n := flag.Int("n", 300, "tiles per server")
	z := flag.Int("z", 13, "zoom of the tiles")
	flag.Parse()
	if *replica == "" || *primary == "" {
		fmt.Fprintln(os.Stderr, "replicas-bench: -replica and -primary are required")
		os.Exit(2)
	}
	// Distinct tiles over the Singrauli coalfield and around it.
	c := maptile.At(orb.Point{82.6, 24.1}, maptile.Zoom(*z))
	var ts []maptile.Tile
	for dy := 0; len(ts) < *n; dy++ {
		for dx := 0; dx < 20 && len(ts) < *n; dx++ {
			ts = append(ts, maptile.New(c.X-10+uint32(dx), c.Y-10+uint32(dy), c.Z))
		}
	}
	cl := &http.Client{Timeout: time.Minute}
	get := func(base string, t maptile.Tile) time.Duration {
		u := fmt.Sprintf("%s/tiles/%s/%d/%d/%d.mvt", base, *lyr, t.Z, t.X, t.Y)
		start := time.Now()
		resp, err := cl.Get(u)
		if err != nil {
			fmt.Fprintln(os.Stderr, "replicas-bench:", err)
			os.Exit(1)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
		if resp.StatusCode != 200 && resp.StatusCode != 204 {
			fmt.Fprintln(os.Stderr, "replicas-bench:", u, resp.Status)
			os.Exit(1)
		}
		return time.Since(start)
	}
	var rs, ps []time.Duration
	for i, t := range ts {
		if i%2 == 0 {
			rs = append(rs, get(*replica, t))
			ps = append(ps, get(*primary, t))
		} else {
			ps = append(ps, get(*primary, t))
			rs = append(rs, get(*replica, t))
		}
	}
	fmt.Printf("# cold tiles, %d of z%d, layers %s, %s\n", len(ts), *z, *lyr, time.Now().UTC().Format(time.RFC3339))
	fmt.Printf("%-10s %8s %8s %8s %8s\n", "path", "p50", "p90", "p99", "mean")
	for _, r := range []struct {
		name string
		d    []time.Duration
	}{{"replica", rs}, {"primary", ps}} {
		slices.Sort(r.d)
		var sum time.Duration
		for _, d := range r.d {
			sum += d
		}
		q := func(p float64) time.Duration { return r.d[int(p*float64(len(r.d)-1))].Round(10 * time.Microsecond) }
		fmt.Printf("%-10s %8v %8v %8v %8v\n", r.name, q(0.5), q(0.9), q(0.99), (sum / time.Duration(len(r.d))).Round(10*time.Microsecond))
	}
}
