package postgis

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Errors of the embedded cluster.
var (
	// ErrNoServer means the PostgreSQL server binaries or PostGIS are missing.
	ErrNoServer = errors.New("postgis: PostgreSQL server or PostGIS not installed")
	// ErrBusy means another coalmap process owns the data directory.
	ErrBusy = errors.New("postgis: data directory in use")
)

// InstallHint is the command that installs what the embedded cluster needs on
// Debian.
const InstallHint = "apt-get install -y postgresql postgresql-15-postgis-3"

// Names inside the data directory.
const (
	clusterSubdir = "pg"           // PGDATA
	socketSubdir  = "run"          // unix socket directory
	lockFile      = "coalmap.lock" // held by the process that owns the cluster
	logFile       = "postgres.log" // the server's own log
	clusterPort   = 5432           // names the socket file when there is no TCP listener
	superuser     = "coalmap"
	// DefaultDatabase is the database the embedded cluster creates for coalmap.
	DefaultDatabase = "coalmap"
)

// ClusterOptions configures an embedded cluster.
type ClusterOptions struct {
	// Dir is the data directory; the cluster lives in Dir/pg.
	Dir string
	// Database is created on first start; DefaultDatabase when empty.
	Database string
	// Ephemeral trades durability for speed (fsync off): for tests only.
	Ephemeral bool
	// Detach leaves the server running after this process exits (coalmap db start).
	Detach bool
	// Logger receives progress messages; slog.Default when nil.
	Logger *slog.Logger
	// StandbyOf is the data directory of another cluster (its Dir) to
	// follow: on first start the cluster is copied from that one's running
	// server with pg_basebackup -R and then runs as its streaming standby
	// (read-only, hot_standby). Empty: a primary of its own. When that
	// cluster listens on TCP, the copy and the streaming go through it.
	StandbyOf string
	// Listen is a TCP address ("127.0.0.1:5433") the server listens on
	// besides its unix socket, with password authentication (see
	// cluster_tcp.go); its port also names the socket. Empty: the unix
	// socket alone.
	Listen string
}

// Cluster is a local PostgreSQL + PostGIS server in a data directory, listening
// on a unix socket inside it (mode 0700) and, only when ClusterOptions.Listen
// says so, on a TCP address.
//
// Exactly one process owns a data directory at a time (an flock on
// Dir/coalmap.lock). The owner starts, adopts or stops the server; any other
// process reaches the running server through Attach.
type Cluster struct {
	opt     ClusterOptions
	bindir  string
	pgdata  string
	sockDir string
	port    int
	host    string              // the TCP listen host; "" for none
	pass    string              // the superuser's password, for TCP connections
	owner   *syscall.Credential // set when running as root: the server runs as "postgres"
	lock    *os.File
	pid     int
	exited  chan struct{} // closed when a child server exits; nil for adopted servers
	log     *slog.Logger
	// mu guards pid, exited and stopping between Stop and Supervise.
	mu       sync.Mutex
	stopping bool
}

// StartCluster takes ownership of opt.Dir and brings its server up: initdb on
// first use, removal of a stale postmaster.pid, adoption of a server left
// running by a crashed owner, then start and wait until it accepts
// connections. It returns ErrBusy when another process owns the directory.
func StartCluster(ctx context.Context, opt ClusterOptions) (*Cluster, error) {
	if opt.Database == "" {
		opt.Database = DefaultDatabase
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	dir, err := filepath.Abs(opt.Dir)
	if err != nil {
		return nil, fmt.Errorf("postgis: data dir: %w", err)
	}
	opt.Dir = dir
	c := &Cluster{opt: opt, log: opt.Logger}
	if c.bindir, err = FindBinaries(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("postgis: data dir: %w", err)
	}
	if c.lock, err = lockDir(dir); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			c.unlock()
		}
	}()
	if os.Geteuid() == 0 {
		if c.owner, err = postgresUser(); err != nil {
			return nil, err
		}
	}
	if c.pgdata, err = c.resolvePGDATA(); err != nil {
		return nil, err
	}
	c.sockDir = socketDir(dir)
	c.port = clusterPort
	if opt.Listen != "" {
		if c.host, c.port, err = parseListen(opt.Listen); err != nil {
			return nil, err
		}
	}
	if err := c.prepareDirs(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(c.pgdata, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		init := c.initdb
		if opt.StandbyOf != "" {
			init = c.basebackup
		}
		if err := init(ctx); err != nil {
			return nil, err
		}
	}
	if pid, running := runningServer(c.pgdata); running && serverStopping(c.pgdata) {
		// A killed owner's server asked to stop (Pdeathsig): let it finish
		// its shutdown, then start it again.
		c.log.Info("waiting for the PostgreSQL server a killed process left to finish stopping", "pid", pid, "dir", dir)
		for deadline := time.Now().Add(time.Minute); alive(pid) && time.Now().Before(deadline); {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	if pid, alive := runningServer(c.pgdata); alive {
		c.log.Info("adopting a PostgreSQL server left running", "pid", pid, "dir", dir)
		c.pid = pid
		// It listens where it was started to, whatever this start asked.
		a := listening(dir, c.pgdata)
		if a.port != c.port || a.host != c.host {
			c.log.Warn("the server left running listens elsewhere than asked; stop it to change that",
				"port", a.port, "host", a.host, "asked", opt.Listen)
		}
		c.port, c.host = a.port, a.host
	} else {
		_ = os.Remove(filepath.Join(c.pgdata, "postmaster.pid"))
		if err := c.start(); err != nil {
			return nil, err
		}
	}
	if err := c.waitReady(ctx); err != nil {
		_ = c.Stop(context.WithoutCancel(ctx))
		return nil, err
	}
	if opt.StandbyOf == "" {
		if err := c.createDatabase(ctx); err != nil {
			_ = c.Stop(context.WithoutCancel(ctx))
			return nil, err
		}
	}
	if c.host != "" {
		if err := c.setPassword(ctx); err != nil {
			_ = c.Stop(context.WithoutCancel(ctx))
			return nil, err
		}
	}
	ok = true
	if opt.Detach {
		c.unlock()
	}
	return c, nil
}

// Attach returns the URL of the server that another process runs in dir, or an
// error when none runs there.
func Attach(dir, database string) (string, error) {
	if database == "" {
		database = DefaultDatabase
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	pgdata, err := filepath.EvalSymlinks(filepath.Join(abs, clusterSubdir))
	if err != nil {
		return "", fmt.Errorf("postgis: no cluster in %s", abs)
	}
	if _, alive := runningServer(pgdata); !alive {
		return "", fmt.Errorf("postgis: no server is running in %s", abs)
	}
	a := listening(abs, pgdata)
	if a.host != "" {
		pass, err := readPassword(abs)
		if err != nil {
			return "", err
		}
		return tcpURL(a.host, a.port, pass, database), nil
	}
	return socketURL(socketDir(abs), a.port, database), nil
}

// URL is the connection string of the cluster's coalmap database: over TCP
// when the cluster listens there, else over its unix socket.
func (c *Cluster) URL() string {
	if c.host != "" {
		return tcpURL(c.host, c.port, c.pass, c.opt.Database)
	}
	return socketURL(c.sockDir, c.port, c.opt.Database)
}

// AdminURL is the connection string of the cluster's maintenance database,
// over the unix socket.
func (c *Cluster) AdminURL() string { return socketURL(c.sockDir, c.port, "postgres") }

// Dir is the cluster's data directory.
func (c *Cluster) Dir() string { return c.opt.Dir }

// Stop shuts the server down (fast shutdown: open sessions are ended,
// committed work is kept), waits for it to exit, and releases the data
// directory.
func (c *Cluster) Stop(ctx context.Context) error {
	defer c.unlock()
	c.mu.Lock()
	c.stopping = true
	pid, exited := c.pid, c.exited
	c.mu.Unlock()
	if pid == 0 {
		return nil
	}
	err := stopPID(ctx, pid, exited)
	c.mu.Lock()
	c.pid = 0
	c.mu.Unlock()
	return err
}

// Supervise starts the server again whenever it ends without Stop (a
// crash, the OOM killer, an operator's pg_ctl stop), checking every
// interval until ctx ends: the owner of an embedded cluster is its
// supervisor. A start that fails (the old server's sessions still
// leaving) is tried again at the next check.
func (c *Cluster) Supervise(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	down := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		c.mu.Lock()
		if c.stopping {
			c.mu.Unlock()
			return
		}
		gone := c.pid == 0 || !alive(c.pid)
		if c.exited != nil {
			select {
			case <-c.exited:
				gone = true
			default:
				gone = false
			}
		}
		if !gone {
			c.mu.Unlock()
			continue
		}
		if down.IsZero() {
			down = time.Now()
			c.log.Warn("the embedded PostgreSQL server has ended; starting it again", "dir", c.opt.Dir, "log", filepath.Join(c.opt.Dir, logFile))
		}
		if _, running := runningServer(c.pgdata); !running {
			_ = os.Remove(filepath.Join(c.pgdata, "postmaster.pid"))
		}
		err := c.start()
		c.mu.Unlock()
		if err == nil {
			err = c.waitReady(ctx)
		}
		if err != nil {
			c.log.Warn("starting the embedded PostgreSQL server again failed; retrying", "err", err)
			continue
		}
		c.log.Info("the embedded PostgreSQL server is back", "down", time.Since(down).Round(time.Millisecond))
		down = time.Time{}
	}
}

// StopDir stops a server that runs detached in dir (coalmap db stop).
func StopDir(ctx context.Context, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	pgdata, err := filepath.EvalSymlinks(filepath.Join(abs, clusterSubdir))
	if err != nil {
		return fmt.Errorf("postgis: no cluster in %s", abs)
	}
	pid, alive := runningServer(pgdata)
	if !alive {
		return nil
	}
	return stopPID(ctx, pid, nil)
}

func stopPID(ctx context.Context, pid int, exited chan struct{}) error {
	gone := func() bool {
		if exited != nil {
			select {
			case <-exited:
				return true
			default:
				return false
			}
		}
		return !alive(pid)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGQUIT, syscall.SIGKILL} {
		if gone() {
			return nil
		}
		_ = syscall.Kill(pid, sig)
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			if gone() {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	if gone() {
		return nil
	}
	return fmt.Errorf("postgis: server pid %d did not stop", pid)
}

func (c *Cluster) unlock() {
	if c.lock != nil {
		_ = syscall.Flock(int(c.lock.Fd()), syscall.LOCK_UN)
		_ = c.lock.Close()
		c.lock = nil
	}
}

// FindBinaries returns the directory of the PostgreSQL server binaries
// (initdb, postgres), checking also that PostGIS is installed for that server.
func FindBinaries() (string, error) {
	var candidates []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(debian, func(i, j int) bool { return pgMajor(debian[i]) > pgMajor(debian[j]) })
	candidates = append(candidates, debian...)
	for _, dir := range candidates {
		if !isExecutable(filepath.Join(dir, "postgres")) || !isExecutable(filepath.Join(dir, "initdb")) {
			continue
		}
		if !postgisInstalled(dir) {
			return "", fmt.Errorf("%w: PostGIS is missing for the PostgreSQL in %s: %s", ErrNoServer, dir, InstallHint)
		}
		return dir, nil
	}
	return "", fmt.Errorf("%w: no PostgreSQL server binaries (looked at `pg_config --bindir` and /usr/lib/postgresql/*/bin): %s", ErrNoServer, InstallHint)
}

func pgMajor(bindir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(bindir)))
	return n
}

func postgisInstalled(bindir string) bool {
	// Debian: /usr/lib/postgresql/15/bin → /usr/share/postgresql/15/extension.
	major := filepath.Base(filepath.Dir(bindir))
	shares := []string{filepath.Join("/usr/share/postgresql", major)}
	if out, err := exec.Command("pg_config", "--sharedir").Output(); err == nil {
		shares = append(shares, strings.TrimSpace(string(out)))
	}
	shares = append(shares, filepath.Join(filepath.Dir(bindir), "share"), filepath.Join(filepath.Dir(bindir), "share", "postgresql"))
	for _, s := range shares {
		if _, err := os.Stat(filepath.Join(s, "extension", "postgis.control")); err == nil {
			return true
		}
	}
	return false
}

// postgisLibrary is the name of the PostGIS library of the server in bindir
// as shared_preload_libraries takes it ("postgis-3"), or "" when it is not
// where Debian and pg_config put it.
func postgisLibrary(bindir string) string {
	dirs := []string{filepath.Join(filepath.Dir(bindir), "lib")}
	if out, err := exec.Command(filepath.Join(bindir, "pg_config"), "--pkglibdir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	for _, d := range dirs {
		// postgis-3.so, not postgis_raster-3.so or postgis_topology-3.so.
		libs, _ := filepath.Glob(filepath.Join(d, "postgis-[0-9]*.so"))
		if len(libs) > 0 {
			sort.Strings(libs)
			return strings.TrimSuffix(filepath.Base(libs[len(libs)-1]), ".so")
		}
	}
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("postgis: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(f.Name())
		f.Close()
		return nil, fmt.Errorf("%w: %s is owned by another coalmap process (%s)", ErrBusy, dir, strings.TrimSpace(string(holder)))
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(fmt.Sprintf("pid %d: %s\n", os.Getpid(), strings.Join(os.Args, " "))), 0)
	return f, nil
}

func postgresUser() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("%w: PostgreSQL refuses to run as root and there is no 'postgres' user to run it as: %s", ErrNoServer, InstallHint)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// resolvePGDATA returns where the server's files live: Dir/pg, or, when running
// as root with a data directory the postgres user cannot reach (under /root, say),
// a directory under /var/lib/coalmap that Dir/pg links to.
func (c *Cluster) resolvePGDATA() (string, error) {
	link := filepath.Join(c.opt.Dir, clusterSubdir)
	if p, err := filepath.EvalSymlinks(link); err == nil {
		return p, nil
	}
	if c.owner == nil || reachable(c.opt.Dir, c.owner.Uid) {
		return link, nil
	}
	sum := sha1.Sum([]byte(c.opt.Dir))
	target := filepath.Join("/var/lib/coalmap/clusters", hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(target, 0o700); err != nil {
		return "", fmt.Errorf("postgis: %w", err)
	}
	if err := os.Symlink(target, link); err != nil {
		return "", fmt.Errorf("postgis: %w", err)
	}
	c.log.Info("data directory not reachable by the postgres user; cluster placed elsewhere", "dir", c.opt.Dir, "pgdata", target)
	return target, nil
}

// reachable reports whether uid can traverse every directory down to dir.
func reachable(dir string, uid uint32) bool {
	for p := dir; ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		if err != nil {
			return false
		}
		sys, _ := st.Sys().(*syscall.Stat_t)
		if st.Mode().Perm()&0o001 == 0 && (sys == nil || sys.Uid != uid) {
			return false
		}
		if p == filepath.Dir(p) {
			return true
		}
	}
}

// socketDir is the unix socket directory for a data directory: inside it when
// the path is short enough for a socket address, else a fixed /tmp path derived
// from it, so that every process computes the same place.
func socketDir(dir string) string {
	s := filepath.Join(dir, socketSubdir)
	if len(s)+len("/.s.PGSQL.5432.lock") < 100 {
		return s
	}
	sum := sha1.Sum([]byte(dir))
	return filepath.Join(os.TempDir(), "coalmap-"+hex.EncodeToString(sum[:6]))
}

func socketURL(sockDir string, port int, database string) string {
	q := url.Values{"host": {sockDir}, "port": {strconv.Itoa(port)}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", User: url.User(superuser), Path: "/" + database, RawQuery: q.Encode()}).String()
}

func (c *Cluster) prepareDirs() error {
	for _, d := range []string{c.pgdata, c.sockDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("postgis: %w", err)
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return fmt.Errorf("postgis: %w", err)
		}
		if c.owner != nil {
			if err := os.Chown(d, int(c.owner.Uid), int(c.owner.Gid)); err != nil {
				return fmt.Errorf("postgis: %w", err)
			}
		}
	}
	return nil
}

func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bindir, name), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if c.owner != nil {
		cmd.SysProcAttr.Credential = c.owner
	}
	cmd.Dir = c.pgdata
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	return cmd
}

func (c *Cluster) initdb(ctx context.Context) error {
	c.log.Info("creating the PostgreSQL cluster", "pgdata", c.pgdata)
	cmd := c.command(ctx, "initdb", "-D", c.pgdata, "-U", superuser, "-E", "UTF8", "--no-locale",
		"--auth-local=trust", "--auth-host=scram-sha-256")
	if c.opt.Ephemeral {
		cmd.Args = append(cmd.Args, "--no-sync")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("postgis: initdb: %v: %s", err, lastLines(string(out), 5))
	}
	return nil
}

// basebackup copies the cluster of opt.StandbyOf into PGDATA as its
// streaming standby (pg_basebackup -R writes standby.signal and the
// connection to the primary), through the primary's unix socket.
func (c *Cluster) basebackup(ctx context.Context) error {
	from, err := filepath.Abs(c.opt.StandbyOf)
	if err != nil {
		return fmt.Errorf("postgis: standby of: %w", err)
	}
	c.log.Info("copying the primary into a standby", "primary", from, "pgdata", c.pgdata)
	fromData, err := filepath.EvalSymlinks(filepath.Join(from, clusterSubdir))
	if err != nil {
		return fmt.Errorf("postgis: standby of %s: no cluster there", from)
	}
	if _, alive := runningServer(fromData); !alive {
		return fmt.Errorf("postgis: standby of %s: no server is running there", from)
	}
	a := listening(from, fromData)
	host := socketDir(from)
	var pass string
	if a.host != "" {
		// Through the primary's TCP listener, as a standby on another
		// machine would; the role's password is the primary's (it is in
		// the copy), so the standby keeps the primary's password file.
		if pass, err = readPassword(from); err != nil {
			return err
		}
		if err := writePassword(c.opt.Dir, pass); err != nil {
			return err
		}
		host = a.host
	}
	cmd := c.command(ctx, "pg_basebackup", "-D", c.pgdata, "-R", "-X", "stream", "--checkpoint=fast",
		"-h", host, "-p", strconv.Itoa(a.port), "-U", superuser)
	if pass != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+pass)
	}
	if c.opt.Ephemeral {
		cmd.Args = append(cmd.Args, "--no-sync")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("postgis: pg_basebackup from %s: %v: %s", from, err, lastLines(string(out), 5))
	}
	return nil
}

func (c *Cluster) start() error {
	logf, err := os.OpenFile(filepath.Join(c.opt.Dir, logFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("postgis: %w", err)
	}
	if c.owner != nil {
		_ = logf.Chown(int(c.owner.Uid), int(c.owner.Gid))
	}
	args := []string{"-D", c.pgdata,
		"-c", "listen_addresses=" + c.host,
		"-c", "unix_socket_directories=" + c.sockDir,
		"-c", "unix_socket_permissions=0700",
		"-p", strconv.Itoa(c.port),
		"-c", "max_connections=200",
		"-c", "shared_buffers=256MB",
		"-c", "work_mem=32MB",
		"-c", "maintenance_work_mem=256MB",
		"-c", "max_wal_size=4GB",
		// Dirty pages are written within a minute or two of the last change,
		// so that an idle server's shutdown checkpoint has little left to do.
		"-c", "checkpoint_timeout=1min",
	}
	if lib := postgisLibrary(c.bindir); lib != "" {
		// Loaded once by the postmaster rather than by each new backend
		// at its first geometry (about 9 ms of each, on every connection
		// an import, a tile renderer or a replica's pool opens).
		args = append(args, "-c", "shared_preload_libraries="+lib)
	}
	if c.opt.Ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	} else {
		// Hint bits in the WAL, and the last 256 MB of it kept: an old
		// primary can then be rewound onto its promoted standby (Rejoin,
		// pg_rewind reads its WAL back to the checkpoint before the fork)
		// instead of copied anew, and a standby away for a while catches
		// up by streaming.
		args = append(args, "-c", "wal_log_hints=on", "-c", "wal_keep_size=256MB")
	}
	cmd := c.command(context.Background(), "postgres", args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if c.opt.Detach {
		cmd.SysProcAttr.Setpgid = false
		cmd.SysProcAttr.Setsid = true
	} else {
		// Should this process die without stopping the server, the kernel
		// asks the server for a fast shutdown.
		cmd.SysProcAttr.Pdeathsig = syscall.SIGINT
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("postgis: start server: %w", err)
	}
	logf.Close()
	c.pid = cmd.Process.Pid
	if c.opt.Detach {
		return cmd.Process.Release()
	}
	exited := make(chan struct{})
	c.exited = exited
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	return nil
}

func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	var last error
	for {
		conn, err := pgx.Connect(ctx, c.AdminURL())
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		last = err
		c.mu.Lock()
		exited := c.exited
		c.mu.Unlock()
		if exited != nil {
			select {
			case <-exited:
				c.mu.Lock()
				c.pid = 0
				c.mu.Unlock()
				return fmt.Errorf("postgis: server exited at start: %s", c.logTail())
			default:
			}
		} else if c.pid != 0 && !alive(c.pid) {
			// Detached: not a child of this process.
			c.pid = 0
			return fmt.Errorf("postgis: server exited at start: %s", c.logTail())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgis: server not ready: %v: %s", last, c.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c *Cluster) createDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.AdminURL())
	if err != nil {
		return fmt.Errorf("postgis: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, c.opt.Database).Scan(&exists); err != nil {
		return fmt.Errorf("postgis: %w", err)
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{c.opt.Database}.Sanitize()); err != nil {
			return fmt.Errorf("postgis: create database: %w", err)
		}
	}
	return nil
}

func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(filepath.Join(c.opt.Dir, logFile))
	return lastLines(string(b), 5)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// runningServer reads pgdata/postmaster.pid and reports whether the process it
// names is alive and is a postgres server of this directory: a pid file left
// by a crash, or naming a pid since reused by another program, is stale.
func runningServer(pgdata string) (int, bool) {
	f, err := os.Open(filepath.Join(pgdata, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
	if err != nil || pid <= 0 {
		return 0, false
	}
	if !alive(pid) {
		return pid, false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return pid, false
	}
	args := strings.Split(string(cmdline), "\x00")
	if len(args) == 0 || filepath.Base(args[0]) != "postgres" {
		return pid, false
	}
	for i, a := range args {
		if a == "-D" && i+1 < len(args) && args[i+1] == pgdata {
			return pid, true
		}
	}
	return pid, false
}

// alive reports whether pid names a process that has not exited (a zombie
// waiting for its parent counts as exited).
// serverStopping reports whether postmaster.pid says the server is shutting
// down (its eighth line, the status, is "stopping").
func serverStopping(pgdata string) bool {
	b, err := os.ReadFile(filepath.Join(pgdata, "postmaster.pid"))
	if err != nil {
		return false
	}
	lines := strings.Split(string(b), "\n")
	return len(lines) > 7 && strings.TrimSpace(lines[7]) == "stopping"
}

func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || (stat[i+2] != 'Z' && stat[i+2] != 'X')
}
