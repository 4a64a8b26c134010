#!/usr/bin/env bash
# Peak memory of a 2 GB GeoJSON import: FEATURES long transmission lines of
# about VERTICES vertices each (bench/soak -mode lines: deterministic, streamed
# to a file in /tmp; 80,000 × 1,200 ≈ 2.1 GB), imported into a throwaway
# cluster by `coalmap import` under /usr/bin/time -v (wall time, peak RSS), then
# over HTTP (POST /layers/{id}/imports with an editor's token) into a fresh
# `coalmap serve`, whose VmHWM after the import is its peak while receiving and
# importing the upload. The file is deleted at the end.
#
#   bench/soak/bigimport.sh                     # ~5 min on 2 shared cores
#   FEATURES=8000 bench/soak/bigimport.sh       # a tenth, to try it
#   SKIP_HTTP=1 bench/soak/bigimport.sh         # the command line only (SKIP_CLI=1: HTTP only)
set -euo pipefail
cd "$(dirname "$0")/../.."
FEATURES=${FEATURES:-80000}
VERTICES=${VERTICES:-1200}
PORT=${PORT:-$((20000 + RANDOM % 20000))}

work=$(mktemp -d /tmp/coalmap-bigimport.XXXXXX)
chmod 755 "$work"
file="$work/lines.geojson"
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  rm -f "$file"
  ./bin/coalmap db stop --data-dir "$work/db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o bin/coalmap ./cmd/coalmap
go build -o "$work/soak" ./bench/soak
mkdir -p "$work/db"
URL=$(./bin/coalmap db start --data-dir "$work/db" --ephemeral --log-level warn)
./bin/coalmap migrate --database-url "$URL" >/dev/null

echo "machine: $(nproc) cores, shared; $(uptime | sed 's/^ *//')"
t0=$(date +%s.%N)
"$work/soak" -mode lines -out "$file" -features "$FEATURES" -vertices "$VERTICES"
printf 'wrote %s: %d bytes (%.2f GB), %d lines, in %.0f s\n' "$file" "$(stat -c %s "$file")" \
  "$(echo "$(stat -c %s "$file") / 1000000000" | bc -l)" "$FEATURES" "$(echo "$(date +%s.%N) - $t0" | bc -l)"

if [ -z "${SKIP_CLI:-}" ]; then
echo "== coalmap import (command line)"
/usr/bin/time -v -o "$work/time.txt" ./bin/coalmap import --database-url "$URL" --log-level warn \
  --layer transmission_lines_2gb "$file" >"$work/import.txt" 2>&1 || { cat "$work/import.txt"; exit 1; }
tail -n 25 "$work/import.txt"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/time.txt")
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$work/time.txt")
printf 'command line: %.0f s wall, %.0f s CPU in coalmap, peak RSS %.0f MB (target < 300 MB)\n' "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)"
psql "$URL" -Atc "SELECT 'stored: ' || count(*) || ' lines, ' || sum(ST_NPoints(geom)) || ' vertices, table ' ||
  pg_size_pretty(pg_total_relation_size('layers.transmission_lines_2gb')) FROM layers.transmission_lines_2gb"
fi

if [ -z "${SKIP_HTTP:-}" ]; then
  echo "== POST /layers/{id}/imports (HTTP, into serve)"
  TOKEN=$(./bin/coalmap token create --database-url "$URL" --role editor --name bigimport 2>/dev/null)
  ./bin/coalmap serve --database-url "$URL" --addr "127.0.0.1:$PORT" --log-level warn --no-demo >"$work/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
    sleep 0.1
  done
  hwm() { awk '/VmHWM/ {print $2}' "/proc/$serve_pid/status"; }
  rssnow() { awk '/VmRSS/ {print $2}' "/proc/$serve_pid/status"; }
  before=$(hwm)
  t0=$(date +%s.%N)
  code=$(curl -s -o "$work/upload.json" -w '%{http_code}' -X POST -T "$file" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/geo+json' "http://127.0.0.1:$PORT/layers/transmission_lines_http/imports?filename=lines.geojson")
  if [ "$code" != 202 ]; then
    echo "upload answered $code: $(cat "$work/upload.json")"
    tail -5 "$work/serve.log"
    exit 1
  fi
  job=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["job"]["id"])' "$work/upload.json")
  up=$(echo "$(date +%s.%N) - $t0" | bc -l)
  maxrss=0
  while :; do
    st=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/imports/$job" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')
    r=$(rssnow)
    [ "$r" -gt "$maxrss" ] && maxrss=$r
    case $st in queued | running) sleep 1 ;; *) break ;; esac
  done
  total=$(echo "$(date +%s.%N) - $t0" | bc -l)
  after=$(hwm)
  printf 'HTTP: upload received in %.0f s, job %s %s after %.0f s; serve VmHWM %.0f MB before, %.0f MB after (peak of the process, target < 300 MB); highest VmRSS sampled each second %.0f MB\n' \
    "$up" "$job" "$st" "$total" "$(echo "$before / 1024" | bc -l)" "$(echo "$after / 1024" | bc -l)" "$(echo "$maxrss / 1024" | bc -l)"
  [ "$st" = succeeded ] || { curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/imports/$job"; exit 1; }
fi
