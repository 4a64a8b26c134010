#!/usr/bin/env bash
# The soak: `coalmap serve` under mixed traffic for DURATION, then the
# flooding client, from a load generator in its own process over loopback
# (bench/soak), on a throwaway cluster with the tile benchmark's dataset
# (bench/gen.sql: 2,000 transmission lines of up to 5,000 vertices, 600 coal
# blocks, 400 rail lines) plus a layer the soak re-imports every minute.
#
#   bench/soak/run.sh                          # 30 min soak + 2 × 3 flood phases of 45 s: ~36 min
#   DURATION=3m WARMUP=1m FLOOD_PHASE=20s bench/soak/run.sh
#   SKIP_FLOOD=1 bench/soak/run.sh             # the soak alone; SKIP_SOAK=1: the flood alone
#
# 1. serve (no rate limits, a TILE_CACHE_MB tile cache: 8 MB by default,
#    so that the cache is full within the warm-up and its growth is not
#    taken for a leak) under the soak's traffic: per route p50/p99, 5xx,
#    serve's RSS, goroutines, pool connections and pg_stat_activity every
#    10 s.
# 2. serve with --rate-limit-address 60 --rate-limit-burst 10: a tile
#    client alone, with an anonymous client flooding POST /overlaps/check,
#    alone again; then the same against serve without limits, for contrast.
# The report (markdown) goes to stdout and to OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-30m}
WARMUP=${WARMUP:-5m}
FLOOD_PHASE=${FLOOD_PHASE:-45s}
TILE_CACHE_MB=${TILE_CACHE_MB:-8}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
OUT=${OUT:-/tmp/coalmap-soak-report.md}

work=$(mktemp -d /tmp/coalmap-soak.XXXXXX)
chmod 755 "$work"
serve_pid=""
stop_serve() {
  [ -n "$serve_pid" ] || return 0
  kill "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=""
}
cleanup() {
  stop_serve
  cp "$work"/serve-*.log /tmp/ 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "kept $work (cluster running: bin/coalmap db stop --data-dir $work/db)"; return; fi
  ./bin/coalmap db stop --data-dir "$work/db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o bin/coalmap ./cmd/coalmap
go build -o "$work/soak" ./bench/soak
mkdir -p "$work/db"
URL=$(./bin/coalmap db start --data-dir "$work/db" --ephemeral --log-level warn)
./bin/coalmap migrate --database-url "$URL" >/dev/null
echo "== generating the dataset (bench/gen.sql) and its zoom bands" >&2
psql "$URL" -q -v ON_ERROR_STOP=1 -f bench/gen.sql >/dev/null
./bin/coalmap tiles prepare --database-url "$URL" --log-level warn >/dev/null
TOKEN=$(./bin/coalmap token create --database-url "$URL" --role editor --name soak 2>/dev/null)

serve() { # name flags…
  local name=$1
  shift
  ./bin/coalmap serve --database-url "$URL" --addr "127.0.0.1:$PORT" --log-level warn "$@" >"$work/serve-$name.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 200); do
    kill -0 "$serve_pid" 2>/dev/null || break
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && return
    sleep 0.1
  done
  echo "serve did not become ready"
  cat "$work/serve-$name.log"
  exit 1
}

{
  echo "## Soak run of $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "$(nproc) cores, shared with other jobs; at the start: \`$(uptime | sed 's/^ *//')\`; $(./bin/coalmap version | head -1)," \
    "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (modified)')."
  echo
} >"$OUT"

rc=0
if [ -z "${SKIP_SOAK:-}" ]; then
  echo "== soak: $DURATION" >&2
  serve soak --tile-cache-mb "$TILE_CACHE_MB"
  "$work/soak" -mode soak -url "http://127.0.0.1:$PORT" -token "$TOKEN" -pid "$serve_pid" -database-url "$URL" \
    -duration "$DURATION" -warmup "$WARMUP" -samples "$work/samples.csv" >>"$OUT" || rc=1
  cp "$work/samples.csv" "${OUT%.md}-samples.csv"
  echo >>"$OUT"
  echo "serve's log, warnings and errors: $(grep -c . "$work/serve-soak.log" || true) lines" \
    "($(grep -c 'level=ERROR' "$work/serve-soak.log" || true) errors)." >>"$OUT"
  grep 'level=ERROR' "$work/serve-soak.log" | head -5 | sed 's/^/    /' >>"$OUT" || true
  echo >>"$OUT"
  stop_serve
fi

if [ -z "${SKIP_FLOOD:-}" ]; then
  echo "== flood, with rate limits" >&2
  serve flood-limited --tile-cache-mb "$TILE_CACHE_MB" --rate-limit-address 60 --rate-limit-burst 10
  echo "#### serve --rate-limit-address 60 --rate-limit-burst 10" >>"$OUT"
  echo >>"$OUT"
  "$work/soak" -mode flood -url "http://127.0.0.1:$PORT" -database-url "$URL" -phase "$FLOOD_PHASE" >>"$OUT" || rc=1
  echo >>"$OUT"
  stop_serve
  echo "== flood, without rate limits" >&2
  serve flood-open --tile-cache-mb "$TILE_CACHE_MB"
  echo "#### serve without rate limits (for contrast)" >>"$OUT"
  echo >>"$OUT"
  "$work/soak" -mode flood -url "http://127.0.0.1:$PORT" -database-url "$URL" -phase "$FLOOD_PHASE" >>"$OUT" || rc=1
  echo >>"$OUT"
  stop_serve
fi
echo "At the end: \`$(uptime | sed 's/^ *//')\`." >>"$OUT"
cat "$OUT"
exit $rc
