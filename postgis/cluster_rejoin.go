package postgis

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Rejoining an old primary after a failover: once its standby has been
// promoted, the old primary's history has forked from the new one's (at
// least its shutdown checkpoint, perhaps commits the standby never got),
// and it cannot simply follow the new primary. Rejoin makes it a standby of
// the new primary again: with pg_rewind when the old cluster can be
// rewound (wal_log_hints on, which the embedded cluster sets unless
// Ephemeral, or data checksums; full_page_writes on at the source; and the
// old primary's WAL back to the last checkpoint before the fork, which
// wal_keep_size keeps), which copies only the blocks changed since the
// fork; otherwise with a fresh pg_basebackup into its directory. Either way commits the old
// primary had and the new one lacks are gone: the new primary's history
// wins.

// Rejoin methods.
const (
	RejoinRewind = "pg_rewind"
	RejoinCopy   = "pg_basebackup"
)

// Rejoin makes the stopped cluster of opt.Dir a streaming standby of the
// running cluster of opt.StandbyOf (its new primary), starts it, as
// StartCluster would (opt.Listen, opt.Ephemeral, opt.Detach apply), and
// waits until it streams. It returns the running standby and the method
// used (RejoinRewind or RejoinCopy).
func Rejoin(ctx context.Context, opt ClusterOptions) (*Cluster, string, error) {
	if opt.StandbyOf == "" {
		return nil, "", fmt.Errorf("postgis: rejoin: name the new primary's data directory")
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	dir, err := filepath.Abs(opt.Dir)
	if err != nil {
		return nil, "", fmt.Errorf("postgis: data dir: %w", err)
	}
	opt.Dir = dir
	from, err := filepath.Abs(opt.StandbyOf)
	if err != nil {
		return nil, "", fmt.Errorf("postgis: standby of: %w", err)
	}
	opt.StandbyOf = from
	c := &Cluster{opt: opt, log: opt.Logger, sockDir: socketDir(dir)}
	if c.bindir, err = FindBinaries(); err != nil {
		return nil, "", err
	}
	if c.pgdata, err = filepath.EvalSymlinks(filepath.Join(dir, clusterSubdir)); err != nil {
		return nil, "", fmt.Errorf("postgis: rejoin: no cluster in %s", dir)
	}
	if _, alive := runningServer(c.pgdata); alive {
		return nil, "", fmt.Errorf("postgis: rejoin: the server in %s is running: stop it first (db stop)", dir)
	}
	fromData, err := filepath.EvalSymlinks(filepath.Join(from, clusterSubdir))
	if err != nil {
		return nil, "", fmt.Errorf("postgis: rejoin: no cluster in %s", from)
	}
	if _, alive := runningServer(fromData); !alive {
		return nil, "", fmt.Errorf("postgis: rejoin: no server is running in %s", from)
	}
	if os.Geteuid() == 0 {
		if c.owner, err = postgresUser(); err != nil {
			return nil, "", err
		}
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, "", err
	}
	c.lock = lock
	method, err := c.rewindOrCopy(ctx, from, fromData)
	c.unlock()
	if err != nil {
		return nil, "", err
	}
	cl, err := StartCluster(ctx, opt)
	if err != nil {
		return nil, method, err
	}
	if err := cl.waitStreaming(ctx, time.Minute); err != nil {
		_ = cl.Stop(context.WithoutCancel(ctx))
		return nil, method, err
	}
	return cl, method, nil
}

// waitStreaming waits, up to limit, until the standby streams from its
// primary: a standby whose history the primary's does not continue starts
// and answers reads, but never streams.
func (c *Cluster) waitStreaming(ctx context.Context, limit time.Duration) error {
	conn, err := pgx.Connect(ctx, c.AdminURL())
	if err != nil {
		return fmt.Errorf("postgis: rejoin: %w", err)
	}
	defer conn.Close(ctx)
	deadline := time.Now().Add(limit)
	for {
		var streaming bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')`).Scan(&streaming); err != nil {
			return fmt.Errorf("postgis: rejoin: %w", err)
		}
		if streaming {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgis: rejoin: %s started but does not stream from its primary after %v: %s", c.opt.Dir, limit, c.logTail())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// rewindOrCopy turns c's data directory into a standby of the primary
// running in from (data in fromData).
func (c *Cluster) rewindOrCopy(ctx context.Context, from, fromData string) (string, error) {
	a := listening(from, fromData)
	host, pass := socketDir(from), ""
	if a.host != "" {
		var err error
		if pass, err = readPassword(from); err != nil {
			return "", err
		}
		host = a.host
	}
	src := fmt.Sprintf("host=%s port=%d user=%s dbname=postgres sslmode=disable", host, a.port, superuser)
	if why := c.rewindable(ctx, from, a); why != "" {
		c.log.Info("rejoin: copying the new primary afresh", "why", why, "dir", c.opt.Dir)
	} else {
		cmd := c.command(ctx, "pg_rewind", "-D", c.pgdata, "--source-server", src, "-R")
		cmd.Env = append(cmd.Env, "PGPASSWORD="+pass)
		out, err := cmd.CombinedOutput()
		if err == nil {
			return RejoinRewind, nil
		}
		c.log.Warn("rejoin: pg_rewind failed; copying the new primary afresh", "err", err, "output", lastLines(string(out), 5))
	}
	// A fresh copy: the old data moved aside until the copy is whole.
	aside := fmt.Sprintf("%s.old-%d", c.pgdata, time.Now().Unix())
	if err := os.Rename(c.pgdata, aside); err != nil {
		return "", fmt.Errorf("postgis: rejoin: %w", err)
	}
	if err := c.prepareDirs(); err != nil {
		return "", err
	}
	if err := c.basebackup(ctx); err != nil {
		_ = os.RemoveAll(c.pgdata)
		_ = os.Rename(aside, c.pgdata)
		return "", err
	}
	if err := os.RemoveAll(aside); err != nil {
		c.log.Warn("rejoin: the old data could not be removed", "dir", aside, "err", err)
	}
	return RejoinCopy, nil
}

// rewindable says why pg_rewind cannot rewind c onto the primary at a,
// "" when it can: the old cluster must log hint bits (wal_log_hints or
// data checksums) and the source must write full pages; it makes the
// source checkpoint, for pg_rewind to see its timeline.
func (c *Cluster) rewindable(ctx context.Context, from string, a address) string {
	out, err := c.command(ctx, "pg_controldata", "-D", c.pgdata).Output()
	if err != nil {
		return "pg_controldata: " + err.Error()
	}
	hints, checksums := false, false
	for _, line := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "wal_log_hints setting":
			hints = v == "on"
		case "Data page checksum version":
			n, _ := strconv.Atoi(v)
			checksums = n != 0
		}
	}
	if !hints && !checksums {
		return "the old primary ran without wal_log_hints or data checksums"
	}
	conn, err := pgx.Connect(ctx, socketURL(socketDir(from), a.port, "postgres"))
	if err != nil {
		return "the new primary: " + err.Error()
	}
	defer conn.Close(ctx)
	var fpw string
	if err := conn.QueryRow(ctx, `SHOW full_page_writes`).Scan(&fpw); err != nil {
		return "the new primary: " + err.Error()
	}
	if fpw != "on" {
		return "the new primary runs without full_page_writes (an ephemeral cluster)"
	}
	// pg_rewind reads the source's timeline from its control file, which a
	// promotion updates only at the next checkpoint.
	if _, err := conn.Exec(ctx, `CHECKPOINT`); err != nil {
		return "the new primary's checkpoint: " + err.Error()
	}
	return ""
}
