package postgis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The embedded cluster on TCP (ClusterOptions.Listen): what a primary and
// its standby on other machines would be, for deployments tried on one
// machine (scripts/cluster.sh) and for the failover test. The unix socket
// stays, for the cluster's own administration.
//
// TCP connections authenticate with a password (initdb's pg_hba.conf:
// scram-sha-256 from 127.0.0.1 and ::1; other clients need a line of their
// own there). The superuser's password is made on the first start with a
// listener and kept in DIR/password (mode 0600); a standby keeps its
// primary's, which its copy of the role holds too.

// passwordFile holds the superuser's password, in the data directory.
const passwordFile = "password"

// parseListen reads a listen address, "HOST:PORT".
func parseListen(s string) (string, int, error) {
	host, p, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, fmt.Errorf("postgis: listen address %q: want HOST:PORT, e.g. 127.0.0.1:5433", s)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("postgis: listen address %q: the port must be a number from 1 to 65535", s)
	}
	if host == "" {
		return "", 0, fmt.Errorf("postgis: listen address %q: name the host (127.0.0.1 for loopback, * for every address)", s)
	}
	return host, port, nil
}

// address is where a running server listens, as its postmaster.pid says.
type address struct {
	port int
	host string // the first TCP listen address ("" for none), "*" as 127.0.0.1
}

// listening reads where the server running in pgdata (data directory dir)
// listens: postmaster.pid's fourth line is the port, its sixth the first
// TCP listen address.
func listening(dir, pgdata string) address {
	a := address{port: clusterPort}
	b, err := os.ReadFile(filepath.Join(pgdata, "postmaster.pid"))
	if err != nil {
		return a
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) > 3 {
		if p, err := strconv.Atoi(strings.TrimSpace(lines[3])); err == nil {
			a.port = p
		}
	}
	if len(lines) > 5 {
		a.host = strings.TrimSpace(lines[5])
		if a.host == "*" || a.host == "0.0.0.0" {
			a.host = "127.0.0.1"
		}
		if a.host == "::" {
			a.host = "::1"
		}
	}
	return a
}

func tcpURL(host string, port int, password, database string) string {
	return (&url.URL{Scheme: "postgres", User: url.UserPassword(superuser, password),
		Host: net.JoinHostPort(host, strconv.Itoa(port)), Path: "/" + database,
		RawQuery: url.Values{"sslmode": {"disable"}}.Encode()}).String()
}

func readPassword(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, passwordFile))
	if err != nil {
		return "", fmt.Errorf("postgis: the cluster in %s listens on TCP but its password cannot be read: %w", dir, err)
	}
	return strings.TrimSpace(string(b)), nil
}

func writePassword(dir, pass string) error {
	if err := os.WriteFile(filepath.Join(dir, passwordFile), []byte(pass+"\n"), 0o600); err != nil {
		return fmt.Errorf("postgis: password file: %w", err)
	}
	return nil
}

// setPassword gives the cluster's superuser its password for TCP: the one
// in the password file, made now on a primary's first start with a
// listener; a standby's comes from its primary (copied at the base backup,
// or now when the standby was made before its primary listened on TCP).
func (c *Cluster) setPassword(ctx context.Context) error {
	pass, err := readPassword(c.opt.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if c.opt.StandbyOf != "" {
		if pass == "" {
			if pass, err = readPassword(c.opt.StandbyOf); err != nil {
				return err
			}
			if err := writePassword(c.opt.Dir, pass); err != nil {
				return err
			}
		}
		c.pass = pass
		return nil
	}
	if pass == "" {
		var b [18]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("postgis: password: %w", err)
		}
		pass = hex.EncodeToString(b[:])
		if err := writePassword(c.opt.Dir, pass); err != nil {
			return err
		}
	}
	conn, err := pgx.Connect(ctx, c.AdminURL())
	if err != nil {
		return fmt.Errorf("postgis: %w", err)
	}
	defer conn.Close(ctx)
	var standby bool
	if err := conn.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
		return fmt.Errorf("postgis: %w", err)
	}
	if !standby {
		// The password is hex: a literal needs no escaping.
		if _, err := conn.Exec(ctx, "ALTER ROLE "+quote(superuser)+" PASSWORD '"+pass+"'"); err != nil {
			return fmt.Errorf("postgis: set the password: %w", err)
		}
	}
	c.pass = pass
	return nil
}

// Promote makes the standby running in dir a primary (pg_promote) and
// waits until it accepts writes. A cluster that is already a primary is
// left as it is.
func Promote(ctx context.Context, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	pgdata, err := filepath.EvalSymlinks(filepath.Join(abs, clusterSubdir))
	if err != nil {
		return fmt.Errorf("postgis: no cluster in %s", abs)
	}
	if _, alive := runningServer(pgdata); !alive {
		return fmt.Errorf("postgis: no server is running in %s", abs)
	}
	a := listening(abs, pgdata)
	conn, err := pgx.Connect(ctx, socketURL(socketDir(abs), a.port, "postgres"))
	if err != nil {
		return fmt.Errorf("postgis: promote %s: %w", abs, err)
	}
	defer conn.Close(ctx)
	var standby bool
	if err := conn.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
		return fmt.Errorf("postgis: promote %s: %w", abs, err)
	}
	if !standby {
		return nil
	}
	// pg_promote waits (here up to a minute) until the promotion is done.
	var done bool
	if err := conn.QueryRow(ctx, `SELECT pg_promote(true, 60)`).Scan(&done); err != nil {
		return fmt.Errorf("postgis: promote %s: %w", abs, err)
	}
	if !done {
		return fmt.Errorf("postgis: promote %s: not done within a minute (see %s)", abs, filepath.Join(abs, logFile))
	}
	for deadline := time.Now().Add(time.Minute); ; {
		if err := conn.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
			return fmt.Errorf("postgis: promote %s: %w", abs, err)
		}
		if !standby {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgis: promote %s: still a standby after a minute", abs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
