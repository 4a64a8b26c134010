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
#   scripts/cluster.sh stop     DIR  stop it all (the data stays in DIR; start again resumes)
#
# The databases listen on 127.0.0.1 (DB_PORTS, default "15432 15433") with a
# password (made on the first start, in DIR/primary/password), as on two
# machines: the standby streams from the primary over TCP, and every server
# is given the multi-host URL of both,
#   postgres://coalmap:…@127.0.0.1:15432,127.0.0.1:15433/coalmap?target_session_attrs=read-write
# which connects to whichever is the primary, so a failover needs no restart
# of any server. After `failover` the old primary stays stopped (starting it
# beside the promoted one would make two primaries): `start` then starts the
# promoted one alone, and the servers read from it too (warned).
#
# Environment: COALMAP_BIN (default bin/coalmap, built when missing), LB_PORT
# (8080), SERVE_PORTS ("8081 8082 8083"), DB_PORTS ("15432 15433"),
# COALMAP_SERVE_FLAGS (more flags for every server, e.g. --no-demo). The
# servers and haproxy listen on 127.0.0.1.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop|status|failover DIR" >&2
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

start() {
  if [ ! -x "$bin" ]; then
    (cd "$root" && go build -o "$bin" ./cmd/coalmap)
  fi
  command -v haproxy >/dev/null || { echo "haproxy is not installed: scripts/install-deps.sh" >&2; exit 1; }
  if [ -f "$run/failed-over" ]; then
    # The standby was promoted: it is the primary now, alone.
    "$bin" db start --data-dir "$dir/standby" --listen "127.0.0.1:${db_ports[1]}" --log-level warn >/dev/null
  else
    "$bin" db start --data-dir "$dir/primary" --listen "127.0.0.1:${db_ports[0]}" --log-level warn >/dev/null
    "$bin" db start --data-dir "$dir/standby" --standby-of "$dir/primary" --listen "127.0.0.1:${db_ports[1]}" --log-level warn >/dev/null
  fi
  standby=$("$bin" db url --data-dir "$dir/standby")
  # The servers' URL names both databases; libpq's rule (pgx follows it)
  # picks the one that accepts writes.
  primary=$(echo "$standby" | sed -E "s#@127\.0\.0\.1:[0-9]+/#@127.0.0.1:${db_ports[0]},127.0.0.1:${db_ports[1]}/#; s#\?#?target_session_attrs=read-write\&#")
  echo "$primary" >"$run/primary.url"
  echo "$standby" >"$run/standby.url"
  # The first server migrates the primary (and loads the demo catalog on a
  # first start); the others start once it is ready.
  first=1
  for p in "${ports[@]}"; do
    pid="$run/serve-$p.pid"
    if alive "$pid"; then continue; fi
    # The URLs hold the password: through the environment, not the
    # command line that ps shows.
    DATABASE_URL="$primary" COALMAP_READ_DATABASE_URL="$standby" nohup "$bin" serve \
      --addr "127.0.0.1:$p" ${COALMAP_SERVE_FLAGS:-} >>"$dir/logs/serve-$p.log" 2>&1 &
    echo $! >"$pid"
    if [ $first = 1 ]; then
      first=0
      for _ in $(seq 600); do
        curl -fsS "http://127.0.0.1:$p/readyz" >/dev/null 2>&1 && break
        alive "$pid" || { echo "coalmap serve on :$p exited: see $dir/logs/serve-$p.log" >&2; exit 1; }
        sleep 0.5
      done
    fi
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
  echo "read URL of the servers:     $standby"
}

stop() {
  [ -f "$run/haproxy.pid" ] && kill "$(cat "$run/haproxy.pid")" 2>/dev/null || true
  rm -f "$run/haproxy.pid"
  for pid in "$run"/serve-*.pid; do
    [ -f "$pid" ] || continue
    kill "$(cat "$pid")" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    rm -f "$pid"
  done
  [ -d "$dir/standby" ] && "$bin" db stop --data-dir "$dir/standby" || true
  [ -d "$dir/primary" ] && "$bin" db stop --data-dir "$dir/primary" || true
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
  [ -f "$run/failed-over" ] && { echo "already failed over: the standby in $dir/standby is the primary" >&2; exit 1; }
  "$bin" db url --data-dir "$dir/standby" >/dev/null || { echo "the standby is not running" >&2; exit 1; }
  # A clean stop of the primary sends its last WAL to the connected
  # standby; a primary that died instead may take its last commits with it.
  "$bin" db stop --data-dir "$dir/primary"
  t0=$(date +%s.%N)
  "$bin" db promote --data-dir "$dir/standby"
  touch "$run/failed-over"
  printf "promoted %s in %.3f s; the old primary in %s stays stopped\n" "$dir/standby" "$(echo "$(date +%s.%N) - $t0" | bc)" "$dir/primary"
}

case "$action" in
start) start ;;
stop) stop ;;
status) status ;;
failover) failover ;;
*) echo "usage: $0 start|stop|status|failover DIR" >&2; exit 2 ;;
esac
