package main

import (
	"flag"
	"fmt"
	"strings"
	"time"
)

// readConfig selects the read replicas of `coalmap serve`.
type readConfig struct {
	urls   urlList
	wait   time.Duration
	maxLag time.Duration
	check  time.Duration
}

// urlList is a repeatable flag that also takes a comma list. A URL may hold
// commas of its own (a multi-host URL, postgres://h1:5432,h2:5432/db), so
// the list is split only at a comma that a new URL's scheme follows.
type urlList []string

func (l *urlList) String() string { return strings.Join(*l, ",") }

func (l *urlList) Set(v string) error {
	var cur strings.Builder
	add := func() {
		if u := strings.Trim(cur.String(), ", \t"); u != "" {
			*l = append(*l, u)
		}
		cur.Reset()
	}
	for i, part := range strings.Split(v, ",") {
		p := strings.TrimSpace(part)
		if i > 0 && !strings.HasPrefix(p, "postgres://") && !strings.HasPrefix(p, "postgresql://") {
			cur.WriteString(",")
		} else {
			add()
		}
		cur.WriteString(part)
	}
	add()
	return nil
}

func (c *readConfig) register(fs *flag.FlagSet) {
	fs.Var(&c.urls, "read-database-url", "a streaming replica of --database-url for tile, item and overlap reads; repeatable or a comma list (env COALMAP_READ_DATABASE_URL)")
	fs.DurationVar(&c.wait, "replica-wait", 250*time.Millisecond, "how long a read waits for a replica to replay the change it needs before it goes to the primary")
	fs.DurationVar(&c.maxLag, "replica-max-lag", 10*time.Second, "replay delay beyond which a replica leaves the read rotation (back when it catches up)")
	fs.DurationVar(&c.check, "replica-check", time.Second, "period of the replicas' health check")
}

func (c *readConfig) validate() error {
	for name, d := range map[string]time.Duration{"replica-wait": c.wait, "replica-max-lag": c.maxLag, "replica-check": c.check} {
		if d <= 0 {
			return fmt.Errorf("--%s must be positive, got %v", name, d)
		}
	}
	return nil
}
