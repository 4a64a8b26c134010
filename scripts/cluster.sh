#!/usr/bin/env bash
# The deployment shape on one machine, for trying it and for tests:
#
#   haproxy :LB_PORT ──┬── coalmap serve :PORT1 ─┐  writes, LISTEN, jobs ─► primary
#    (health: /readyz) ├── coalmap serve :PORT2 ─┤
#                      └── coalmap serve :PORT3 ─┘  tiles, items, checks ─► standby
#                                                   (streaming, pg_basebackup -R)
#
#   scripts/cluster.sh start  DIR   start it all (DIR holds every data dir, log and pid)
#   scripts/cluster.sh status DIR   what runs, the replica's lag as each server sees it
#   scripts/cluster.sh stop   DIR   stop it all (the data stays in DIR; start again resumes)
#
# Environment: COALMAP_BIN (default bin/coalmap, built when missing), LB_PORT
# (8080), SERVE_PORTS ("8081 8082 8083"), COALMAP_SERVE_FLAGS (more flags for
# every server, e.g. --no-demo). The databases listen on unix sockets inside
# DIR only (the embedded cluster opens no TCP port); the servers and haproxy
# listen on 127.0.0.1.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop|status DIR" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${COALMAP_BIN:-$root/bin/coalmap}
lb_port=${LB_PORT:-8080}
ports=(${SERVE_PORTS:-8081 8082 8083})
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
  primary=$("$bin" db start --data-dir "$dir/primary" --log-level warn)
  standby=$("$bin" db start --data-dir "$dir/standby" --standby-of "$dir/primary" --log-level warn)
  echo "$primary" >"$run/primary.url"
  echo "$standby" >"$run/standby.url"
  # The first server migrates the primary (and loads the demo catalog on a
  # first start); the others start once it is ready.
  first=1
  for p in "${ports[@]}"; do
    pid="$run/serve-$p.pid"
    if alive "$pid"; then continue; fi
    nohup "$bin" serve --database-url "$primary" --read-database-url "$standby" \
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
    if "$bin" db url --data-dir "$dir/$db" >/dev/null 2>&1; then echo "$db running"; else echo "$db not running"; fi
  done
}

case "$action" in
start) start ;;
stop) stop ;;
status) status ;;
*) echo "usage: $0 start|stop|status DIR" >&2; exit 2 ;;
esac
