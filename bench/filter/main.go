// Command filter is the client of the filtered-items benchmark
// (bench/filter/run.sh): it sends the same selective filters to coalmap
// (CQL2) and to pg_featureserv (its CQL) over loopback, in one run,
// alternating the servers round by round, and prints each one's latency
// and throughput after checking that both answer the same features.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"sync"
	"time"
)

type query struct {
	name     string
	coalmap  string // a cql2-text filter
	featsrv  string // the same in pg_featureserv's CQL
	features int    // filled by the check
}

func main() {
	cm := flag.String("coalmap", "", "coalmap base URL")
	fs := flag.String("featureserv", "", "pg_featureserv base URL")
	layer := flag.String("layer", "blocks", "layer (coalmap id; pg_featureserv serves layers.<id>)")
	n := flag.Int("n", 200, "requests per query and server")
	conc := flag.Int("c", 4, "concurrent requests")
	flag.Parse()
	poly := "POLYGON((82.02 23.82, 82.06 23.82, 82.06 23.86, 82.02 23.86, 82.02 23.82))"
	queries := []query{
		{name: "attributes (0.9 % of rows)", coalmap: "state = 'Odisha' AND seam_count = 3 AND area_km2 > 40",
			featsrv: "state = 'Odisha' AND seam_count = 3 AND area_km2 > 40"},
		{name: "LIKE + IN (0.5 %)", coalmap: "name LIKE 'Block 99%' AND seam_count IN (1, 2, 3)",
			featsrv: "name LIKE 'Block 99%' AND seam_count IN (1, 2, 3)"},
		{name: "spatial + attribute (1.1 %)", coalmap: "S_INTERSECTS(geom, " + poly + ") AND state <> 'Odisha'",
			featsrv: "INTERSECTS(geom, " + poly + ") AND state <> 'Odisha'"},
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc}}
	coalmapURL := func(q query) string {
		return *cm + "/collections/" + *layer + "/items?limit=10000&filter=" + url.QueryEscape(q.coalmap)
	}
	featsrvURL := func(q query) string {
		return *fs + "/collections/layers." + *layer + "/items.json?limit=10000&filter=" + url.QueryEscape(q.featsrv)
	}
	get := func(u string) (int, int, error) {
		resp, err := client.Get(u)
		if err != nil {
			return 0, 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return 0, 0, err
		}
		if resp.StatusCode != 200 {
			return 0, 0, fmt.Errorf("%s: %d %s", u, resp.StatusCode, b)
		}
		var fc struct{ Features []json.RawMessage }
		if err := json.Unmarshal(b, &fc); err != nil {
			return 0, 0, err
		}
		return len(fc.Features), len(b), nil
	}
	// Both servers must select the same features.
	for i, q := range queries {
		a, _, err := get(coalmapURL(q))
		if err != nil {
			fail(err)
		}
		b, _, err := get(featsrvURL(q))
		if err != nil {
			fail(err)
		}
		if a != b || a == 0 {
			fail(fmt.Errorf("%s: coalmap %d features, pg_featureserv %d", q.name, a, b))
		}
		queries[i].features = a
	}
	fmt.Printf("%d requests per query and server, %d at a time; servers alternate round by round\n\n", *n, *conc)
	fmt.Println("| filter | features | server | median | p95 | requests/s | bytes/answer |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, q := range queries {
		type result struct {
			lat   []time.Duration
			total time.Duration
			bytes int
		}
		res := map[string]*result{"coalmap": {}, "pg_featureserv": {}}
		const rounds = 4
		for r := 0; r < rounds; r++ {
			for _, srv := range []string{"coalmap", "pg_featureserv"} {
				u := coalmapURL(q)
				if srv == "pg_featureserv" {
					u = featsrvURL(q)
				}
				var mu sync.Mutex
				var wg sync.WaitGroup
				jobs := make(chan struct{})
				start := time.Now()
				for range *conc {
					wg.Go(func() {
						for range jobs {
							t := time.Now()
							_, size, err := get(u)
							if err != nil {
								fail(err)
							}
							mu.Lock()
							res[srv].lat = append(res[srv].lat, time.Since(t))
							res[srv].bytes = size
							mu.Unlock()
						}
					})
				}
				for range *n / rounds {
					jobs <- struct{}{}
				}
				close(jobs)
				wg.Wait()
				res[srv].total += time.Since(start)
			}
		}
		for _, srv := range []string{"coalmap", "pg_featureserv"} {
			r := res[srv]
			sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
			fmt.Printf("| %s | %d | %s | %.1f ms | %.1f ms | %.0f | %d |\n", q.name, q.features, srv,
				ms(r.lat[len(r.lat)/2]), ms(r.lat[len(r.lat)*95/100]), float64(len(r.lat))/r.total.Seconds(), r.bytes)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "filter bench:", err)
	os.Exit(1)
}
