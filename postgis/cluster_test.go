package postgis_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coalmap/coalmap/postgis"
)

func newDataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "coalmap-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func ping(t *testing.T, url string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	defer conn.Close(context.Background())
	var one int
	if err := conn.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil {
		t.Fatal(err)
	}
}

func serverPID(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "pg", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestClusterLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several clusters")
	}
	ctx := context.Background()
	dir := newDataDir(t)
	opt := postgis.ClusterOptions{Dir: dir, Ephemeral: true}

	c, err := postgis.StartCluster(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	ping(t, c.URL())
	pid := serverPID(t, dir)

	t.Run("second owner refused", func(t *testing.T) {
		_, err := postgis.StartCluster(ctx, opt)
		if !errors.Is(err, postgis.ErrBusy) {
			t.Fatalf("second StartCluster: %v, want ErrBusy", err)
		}
	})
	t.Run("attach reaches the running server", func(t *testing.T) {
		url, err := postgis.Attach(dir, "")
		if err != nil {
			t.Fatal(err)
		}
		ping(t, url)
	})
	t.Run("no TCP listener", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, c.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var listen string
		if err := conn.QueryRow(ctx, "SHOW listen_addresses").Scan(&listen); err != nil || listen != "" {
			t.Fatalf("listen_addresses = %q (%v), want empty", listen, err)
		}
	})
	t.Run("PostGIS loaded by the postmaster", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, c.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		// The library the extension names, preloaded: a new backend's first
		// geometry does not load it.
		var preload, module string
		if err := conn.QueryRow(ctx, "SHOW shared_preload_libraries").Scan(&preload); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis"); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, `SELECT regexp_replace(p.probin, '^\$libdir/', '') FROM pg_proc p
WHERE p.proname = 'postgis_lib_version'`).Scan(&module); err != nil {
			t.Fatal(err)
		}
		if preload != module {
			t.Fatalf("shared_preload_libraries = %q, want the extension's library %q", preload, module)
		}
	})
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if running(pid) {
		t.Fatalf("server pid %d still alive after Stop", pid)
	}
	if _, err := postgis.Attach(dir, ""); err == nil {
		t.Fatal("Attach succeeded with no server running")
	}

	t.Run("restart reuses the cluster", func(t *testing.T) {
		c, err := postgis.StartCluster(ctx, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Stop(ctx) //nolint:errcheck
		ping(t, c.URL())
	})
	t.Run("stale postmaster.pid after a crash", func(t *testing.T) {
		// A pid file naming a live process that is not this cluster's server
		// (our own test process) must not stop the start.
		pidfile := filepath.Join(dir, "pg", "postmaster.pid")
		stale := fmt.Sprintf("%d\n%s\n0\n5432\n/nonexistent\n", os.Getpid(), filepath.Join(dir, "pg"))
		if err := os.WriteFile(pidfile, []byte(stale), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := postgis.StartCluster(ctx, opt)
		if err != nil {
			t.Fatalf("start over a stale pid file: %v", err)
		}
		defer c.Stop(ctx) //nolint:errcheck
		ping(t, c.URL())
	})
	t.Run("server left running by a dead owner is adopted and stopped", func(t *testing.T) {
		d := opt
		d.Detach = true
		orphan, err := postgis.StartCluster(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		_ = orphan // its owner "dies": the server keeps running, the lock is free
		pid := serverPID(t, dir)
		c, err := postgis.StartCluster(ctx, opt)
		if err != nil {
			t.Fatalf("adopt: %v", err)
		}
		ping(t, c.URL())
		if err := c.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		if running(pid) {
			t.Fatalf("adopted server pid %d still alive after Stop", pid)
		}
	})
}

// running reports whether pid is a live process (not a zombie).
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(stat), ')')
	return stat[i+2] != 'Z'
}

// freeAddr is a loopback TCP address nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// A primary and its standby on TCP, as on two machines: the standby copies
// and streams through the primary's listener with the password, both URLs
// are TCP ones that need it, a multi-host URL finds the primary, and after
// a failover that loses a commit (the standby stopped while the primary
// takes it, then the primary stopped and the standby promoted) it finds the
// new one. The old primary then rejoins as a standby of the new one:
// rewound with pg_rewind when it ran durable (wal_log_hints), copied
// afresh when ephemeral; the lost commit is gone from it and it streams the
// new primary's.
func TestClusterTCPFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two clusters")
	}
	for _, tc := range []struct {
		name      string
		ephemeral bool
		method    string
	}{
		{"ephemeral, copied", true, postgis.RejoinCopy},
		{"durable, rewound", false, postgis.RejoinRewind},
	} {
		t.Run(tc.name, func(t *testing.T) { tcpFailover(t, tc.ephemeral, tc.method) })
	}
}

func tcpFailover(t *testing.T, ephemeral bool, wantMethod string) {
	ctx := context.Background()
	pdir, sdir := newDataDir(t), newDataDir(t)
	paddr, saddr := freeAddr(t), freeAddr(t)
	p, err := postgis.StartCluster(ctx, postgis.ClusterOptions{Dir: pdir, Ephemeral: ephemeral, Listen: paddr})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop(ctx) //nolint:errcheck
	s, err := postgis.StartCluster(ctx, postgis.ClusterOptions{Dir: sdir, Ephemeral: ephemeral, Listen: saddr, StandbyOf: pdir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(ctx) //nolint:errcheck
	for _, c := range []struct {
		c    *postgis.Cluster
		addr string
	}{{p, paddr}, {s, saddr}} {
		u, err := url.Parse(c.c.URL())
		if err != nil || u.Host != c.addr {
			t.Fatalf("URL %s: want host %s (%v)", c.c.URL(), c.addr, err)
		}
		ping(t, c.c.URL())
		attached, err := postgis.Attach(c.c.Dir(), "")
		if err != nil || attached != c.c.URL() {
			t.Errorf("Attach: %s %v, want %s", attached, err, c.c.URL())
		}
		u.User = url.User("coalmap")
		if conn, err := pgx.Connect(ctx, u.String()); err == nil {
			conn.Close(ctx)
			t.Errorf("%s answered TCP without the password", c.addr)
		}
	}
	pu, _ := url.Parse(p.URL())
	multi := fmt.Sprintf("postgres://%s@%s,%s/coalmap?sslmode=disable&target_session_attrs=read-write", pu.User, paddr, saddr)
	port := func() string {
		t.Helper()
		conn, err := pgx.Connect(ctx, multi)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var port int
		if err := conn.QueryRow(ctx, `SELECT inet_server_port()`).Scan(&port); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS probe (n int); INSERT INTO probe VALUES (1)`); err != nil {
			t.Fatal(err)
		}
		return "127.0.0.1:" + strconv.Itoa(port)
	}
	if got := port(); got != paddr {
		t.Fatalf("multi-host URL reached %s, want the primary %s", got, paddr)
	}
	// A commit the standby never gets.
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	port()
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if s, err = postgis.StartCluster(ctx, postgis.ClusterOptions{Dir: sdir, Ephemeral: ephemeral, Listen: saddr, StandbyOf: pdir}); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(ctx) //nolint:errcheck
	if err := postgis.Promote(ctx, sdir); err != nil {
		t.Fatal(err)
	}
	if got := port(); got != saddr {
		t.Fatalf("after the promotion the multi-host URL reached %s, want the promoted standby %s", got, saddr)
	}
	if err := postgis.Promote(ctx, sdir); err != nil {
		t.Errorf("promoting a primary: %v, want nothing done", err)
	}

	// The old primary rejoins as a standby of the new one: copied afresh
	// (an ephemeral cluster cannot be rewound), it streams the new
	// primary's commits, and the multi-host URL still finds the primary.
	r, method, err := postgis.Rejoin(ctx, postgis.ClusterOptions{Dir: pdir, Ephemeral: ephemeral, Listen: paddr, StandbyOf: sdir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop(ctx) //nolint:errcheck
	if method != wantMethod {
		t.Errorf("rejoined by %s, want %s", method, wantMethod)
	}
	if _, _, err := postgis.Rejoin(ctx, postgis.ClusterOptions{Dir: pdir, Ephemeral: ephemeral, Listen: paddr, StandbyOf: sdir}); err == nil ||
		!strings.Contains(err.Error(), "running") {
		t.Errorf("rejoin of a running cluster: %v, want a refusal", err)
	}
	if got := port(); got != saddr {
		t.Fatalf("after the rejoin the multi-host URL reached %s, want the primary %s", got, saddr)
	}
	streams(t, s.URL(), r.URL())

	// And back, the other way (the second promotion's timeline): the
	// rejoined cluster promoted in turn, the other one rejoins it.
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := postgis.Promote(ctx, pdir); err != nil {
		t.Fatal(err)
	}
	r2, method, err := postgis.Rejoin(ctx, postgis.ClusterOptions{Dir: sdir, Ephemeral: ephemeral, Listen: saddr, StandbyOf: pdir})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Stop(ctx) //nolint:errcheck
	if method != wantMethod {
		t.Errorf("rejoined back by %s, want %s", method, wantMethod)
	}
	if got := port(); got != paddr {
		t.Fatalf("after the second rejoin the multi-host URL reached %s, want the primary %s", got, paddr)
	}
	streams(t, r.URL(), r2.URL())
}

// streams waits until the standby at standbyURL has every row of probe
// the primary at primaryURL has.
func streams(t *testing.T, primaryURL, standbyURL string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, standbyURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	pc, err := pgx.Connect(ctx, primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close(ctx)
	var want int
	if err := pc.QueryRow(ctx, `SELECT count(*) FROM probe`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; {
		var standby bool
		var got int
		if err := conn.QueryRow(ctx, `SELECT pg_is_in_recovery(), (SELECT count(*) FROM probe)`).Scan(&standby, &got); err != nil {
			t.Fatal(err)
		}
		if !standby {
			t.Fatal("the rejoined cluster is a primary")
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rejoined standby has %d rows of probe, the primary %d", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
