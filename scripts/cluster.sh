#!/usr/bin/env bash
# The deployment shape on one machine, for trying it and for tests:
#
#   haproxy :LB_PORT ──┬── coalmap serve :PORT1 ─┐  writes, LISTEN, jobs ─► primary  :DB1 (TCP)
#    (health: /readyz) ├── coalmap serve :PORT2 ─┤
#                      └── coalmap serve :PORT3 ─┘  tiles, items, checks ─► standby  :DB2 (TCP)
#                                                   (streaming, pg_basebackup -R)
#
#   scripts/cluster.sh start    DIR  start it all (DIR holds every data dir, log and pid)
#   scripts/cluster.sh status   DIR  what runs, each database's role, the replica as each server sees it
#   scripts/cluster.sh failover DIR  stop the primary and promote the standby: the servers
#                                    follow the new primary without a restart
#   scripts/cluster.sh rejoin   DIR  after a failover, make the old primary a standby of the
#                                    new one (pg_rewind, else a fresh copy), start it, and
#                                    restart the servers one at a time to read from it
#   scripts/cluster.sh stop     DIR  stop it all (the data stays in DIR; start again resumes)
#
# The databases listen on 127.0.0.1 (DB_PORTS, default "15432 15433": the
# first for DIR/primary, the second for DIR/standby, whichever role each
# has) with a password (made on the first start, in DIR/primary/password),
# as on two machines: the standby streams from the primary over TCP, and
# every server is given the multi-host URL of both,
#   postgres://coalmap:…@127.0.0.1:15432,127.0.0.1:15433/coalmap?target_session_attrs=read-write
# which connects to whichever is the primary, so a failover needs no restart
# of any server, and the standby's URL as its read URL. After `failover`
# the old primary stays stopped (starting it beside the promoted one would
# make two primaries) until `rejoin`: `start` meanwhile starts the promoted
# one alone, and the servers read from it too (warned). DIR/run/roles says
# which directory is the primary now.
#
# Environment: COALMAP_BIN (default bin/coalmap, built when missing), LB_PORT
# (8080), SERVE_PORTS ("8081 8082 8083"), DB_PORTS ("15432 15433"),
# COALMAP_SERVE_FLAGS (more flags for every server, e.g. --no-demo). The
# servers and haproxy listen on 127.0.0.1.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop|status|failover|rejoin DIR" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${COALMAP_BIN:-$root/bin/coalmap}
lb_port=${LB_PORT:-8080}
ports=(${SERVE_PORTS:-8081 8082 8083})
db_ports=(${DB_PORTS:-15432 15433})
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# The postgres user runs the databases when this runs as root.
chmod 755 "$dir"
run="$dir/run"
mkdir -p "$run" "$dir/logs"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Roles: DIR/run/roles holds "PRIMARY STANDBY", the directories' names; a
# directory keeps its port whatever its role. DIR/run/rejoin-needed marks
# a failover whose old primary has not rejoined yet.
if [ -f "$run/failed-over" ]; then # a DIR failed over by an older version of this script
  echo "standby primary" >"$run/roles"
  mv "$run/failed-over" "$run/rejoin-needed"
fi
[ -f "$run/roles" ] || echo "primary standby" >"$run/roles"
read -r pdir sdir <"$run/roles"
port_of() { if [ "$1" = primary ]; then echo "${db_ports[0]}"; else echo "${db_ports[1]}"; fi; }

# serve_one PORT starts a server with the URLs of $run/primary.url and
# $run/read.url and, with "wait", waits until it is ready.
serve_one() {
  local p=$1 pid="$run/serve-$1.pid"
  # The URLs hold the password: through the environment, not the
  # command line that ps shows.
  DATABASE_URL="$(cat "$run/primary.url")" COALMAP_READ_DATABASE_URL="$(cat "$run/read.url")" nohup "$bin" serve \
    --addr "127.0.0.1:$p" ${COALMAP_SERVE_FLAGS:-} >>"$dir/logs/serve-$p.log" 2>&1 &
  echo $! >"$pid"
  if [ "${2:-}" = wait ]; then
    for _ in $(seq 600); do
      curl -fsS "http://127.0.0.1:$p/readyz" >/dev/null 2>&1 && return 0
      alive "$pid" || { echo "coalmap serve on :$p exited: see $dir/logs/serve-$p.log" >&2; exit 1; }
      sleep 0.5
    done
    echo "coalmap serve on :$p not ready after 5 minutes: see $dir/logs/serve-$p.log" >&2
    exit 1
  fi
}

# stop_one PORT stops a server and waits until it has exited.
stop_one() {
  local pid="$run/serve-$1.pid"
  [ -f "$pid" ] || return 0
  kill "$(cat "$pid")" 2>/dev/null || true
  for _ in $(seq 300); do alive "$pid" || break; sleep 0.1; done
  rm -f "$pid"
}

start() {
  if [ ! -x "$bin" ]; then
    (cd "$root" && go build -o "$bin" ./cmd/coalmap)
  fi
  command -v haproxy >/dev/null || { echo "haproxy is not installed: scripts/install-deps.sh" >&2; exit 1; }
  if [ -f "$run/rejoin-needed" ]; then
    # The standby was promoted: it is the primary now, alone until rejoin.
    "$bin" db start --data-dir "$dir/$pdir" --listen "127.0.0.1:$(port_of "$pdir")" --log-level warn >/dev/null
    read_dir=$pdir
  else
    "$bin" db start --data-dir "$dir/$pdir" --listen "127.0.0.1:$(port_of "$pdir")" --log-level warn >/dev/null
    "$bin" db start --data-dir "$dir/$sdir" --standby-of "$dir/$pdir" --listen "127.0.0.1:$(port_of "$sdir")" --log-level warn >/dev/null
    read_dir=$sdir
  fi
  read_url=$("$bin" db url --data-dir "$dir/$read_dir")
  # The servers' URL names both databases; libpq's rule (pgx follows it)
  # picks the one that accepts writes.
  primary=$(echo "$read_url" | sed -E "s#@127\.0\.0\.1:[0-9]+/#@127.0.0.1:${db_ports[0]},127.0.0.1:${db_ports[1]}/#; s#\?#?target_session_attrs=read-write\&#")
  echo "$primary" >"$run/primary.url"
  echo "$read_url" >"$run/read.url"
  # The first server migrates the primary (and loads the demo catalog on a
  # first start); the others start once it is ready.
  first=1
  for p in "${ports[@]}"; do
    if alive "$run/serve-$p.pid"; then continue; fi
    if [ $first = 1 ]; then serve_one "$p" wait; first=0; else serve_one "$p"; fi
  done
  {
    cat <<EOF
global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 5m
    timeout server 5m
    option httpchk GET /readyz
    default-server check inter 1s fall 2 rise 2
    # A server restarting (rejoin) refuses connections: try another.
    retries 3
    option redispatch
frontend coalmap
    bind 127.0.0.1:$lb_port
    default_backend servers
backend servers
    balance roundrobin
EOF
    for p in "${ports[@]}"; do echo "    server s$p 127.0.0.1:$p"; done
  } >"$dir/haproxy.cfg"
  if ! alive "$run/haproxy.pid"; then
    haproxy -D -f "$dir/haproxy.cfg" -p "$run/haproxy.pid"
  fi
  for p in "${ports[@]}"; do
    for _ in $(seq 120); do
      curl -fsS "http://127.0.0.1:$p/readyz" >/dev/null 2>&1 && break
      sleep 0.5
    done
  done
  echo "coalmap: http://127.0.0.1:$lb_port (servers on ${ports[*]}; primary and standby in $dir)"
  echo "database URL of the servers: $primary"
  echo "read URL of the servers:     $read_url"
}

stop() {
  [ -f "$run/haproxy.pid" ] && kill "$(cat "$run/haproxy.pid")" 2>/dev/null || true
  rm -f "$run/haproxy.pid"
  for pid in "$run"/serve-*.pid; do
    [ -f "$pid" ] || continue
    p=${pid##*/serve-}
    stop_one "${p%.pid}"
  done
  [ -d "$dir/$sdir" ] && "$bin" db stop --data-dir "$dir/$sdir" || true
  [ -d "$dir/$pdir" ] && "$bin" db stop --data-dir "$dir/$pdir" || true
}

status() {
  if alive "$run/haproxy.pid"; then echo "haproxy :$lb_port running"; else echo "haproxy not running"; fi
  for p in "${ports[@]}"; do
    if alive "$run/serve-$p.pid"; then
      echo "serve :$p $(curl -s "http://127.0.0.1:$p/readyz" || echo unreachable)"
    else
      echo "serve :$p not running"
    fi
  done
  for db in primary standby; do
    if url=$("$bin" db url --data-dir "$dir/$db" 2>/dev/null); then
      role=$(psql "$url" -Atc "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby, replayed ' || pg_last_wal_replay_lsn() ELSE 'primary, at ' || pg_current_wal_lsn() END" 2>&1 || true)
      echo "$db (${url##*@}) running: $role"
    else
      echo "$db not running"
    fi
  done
}

failover() {
  [ -f "$run/rejoin-needed" ] && { echo "already failed over: $dir/$pdir is the primary; rejoin $dir/$sdir first" >&2; exit 1; }
  "$bin" db url --data-dir "$dir/$sdir" >/dev/null || { echo "the standby is not running" >&2; exit 1; }
  # A clean stop of the primary sends its last WAL to the connected
  # standby; a primary that died instead may take its last commits with it.
  "$bin" db stop --data-dir "$dir/$pdir"
  t0=$(date +%s.%N)
  "$bin" db promote --data-dir "$dir/$sdir"
  echo "$sdir $pdir" >"$run/roles"
  touch "$run/rejoin-needed"
  printf "promoted %s in %.3f s; the old primary in %s stays stopped (rejoin makes it a standby)\n" "$dir/$sdir" "$(echo "$(date +%s.%N) - $t0" | bc)" "$dir/$pdir"
}

rejoin() {
  [ -f "$run/rejoin-needed" ] || { echo "nothing to rejoin: $dir/$sdir already follows $dir/$pdir" >&2; exit 1; }
  "$bin" db url --data-dir "$dir/$pdir" >/dev/null || { echo "the primary in $dir/$pdir is not running" >&2; exit 1; }
  # The old primary, stopped since the failover, follows the new one:
  # rewound when it can be (wal_log_hints), else copied afresh. Commits it
  # had that the new primary lacks are gone.
  "$bin" db stop --data-dir "$dir/$sdir"
  t0=$(date +%s.%N)
  "$bin" db rejoin --data-dir "$dir/$sdir" --standby-of "$dir/$pdir" --listen "127.0.0.1:$(port_of "$sdir")" --log-level info >/dev/null
  rm -f "$run/rejoin-needed"
  printf "%s is a standby of %s again (%.3f s)\n" "$dir/$sdir" "$dir/$pdir" "$(echo "$(date +%s.%N) - $t0" | bc)"
  # The servers read from it: a server's read URL is fixed at its start,
  # so each is restarted in turn (haproxy sends to the others meanwhile).
  "$bin" db url --data-dir "$dir/$sdir" >"$run/read.url"
  for p in "${ports[@]}"; do
    alive "$run/serve-$p.pid" || continue
    stop_one "$p"
    serve_one "$p" wait
    echo "serve :$p restarted, reading from $dir/$sdir"
  done
}

case "$action" in
start) start ;;
stop) stop ;;
status) status ;;
failover) failover ;;
rejoin) rejoin ;;
*) echo "usage: $0 start|stop|status|failover|rejoin DIR" >&2; exit 2 ;;
esac
