#!/usr/bin/env bash
# The demo catalog's load (126 layers, tile bands included) on a fresh,
# durable cluster, REPS times; with BASE=path/to/another/coalmap, that
# binary's load alternates with this tree's, to compare like with like.
#
#   ./bench/demo/run.sh
#   REPS=5 BASE=/tmp/coalmap-before/bin/coalmap ./bench/demo/run.sh
#
# Each run: `coalmap db start` in a new data directory (fsync on, as a
# production cluster), `coalmap migrate`, then `coalmap demo` timed (its own
# figure, and wall and CPU seconds by /usr/bin/time), and a check that every
# layer has bands built from its current data version. With TILES=1, after
# the last run, `coalmap serve` (cache off) and bench/tileload fetch every
# tile over India's box from z0 to z7 of every layer: the largest (gzip) and
# the slowest, per zoom.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${REPS:-3}
go build -o bin/coalmap ./cmd/coalmap
bins=(./bin/coalmap)
[ -n "${BASE:-}" ] && bins+=("$BASE")
results=$(mktemp)
for rep in $(seq 1 "$REPS"); do
  for bin in "${bins[@]}"; do
    dir=$(mktemp -d /tmp/coalmap-demobench.XXXXXX)
    chmod 755 "$dir"
    url=$(./bin/coalmap db start --data-dir "$dir" --log-level warn)
    "$bin" migrate --database-url "$url" >/dev/null
    load=$(cut -d' ' -f1 /proc/loadavg)
    out=$( { /usr/bin/time -f "TIME %e %U %S" "$bin" demo --database-url "$url"; } 2>&1 )
    fig=$(echo "$out" | sed -n 's/.* in \([0-9.]*m\?[0-9.]*s\)$/\1/p')
    t=$(echo "$out" | awk '/^TIME/ {print $2, $3 + $4}')
    bands=$(psql "$url" -Atc "SELECT count(*) FILTER (WHERE b.data_version = l.data_version) || '/' || count(*) FROM catalog.layers l LEFT JOIN tilegen.bands b ON b.layer_id = l.id" 2>/dev/null || echo "-")
    echo "$rep $bin $t $load $bands" >> "$results"
    printf '  run %d %-32s %6.2f s wall, %6.2f s CPU (coalmap), load %s, layers with current bands %s\n' "$rep" "$bin" $t "$load" "$bands"
    if [ -n "${TILES:-}" ] && [ "$rep" = "$REPS" ] && [ "$bin" = ./bin/coalmap ]; then
      go build -o bin/tileload ./bench/tileload
      port=$((20000 + RANDOM % 20000))
      ./bin/coalmap serve --database-url "$url" --addr "127.0.0.1:$port" --no-demo --tile-cache-mb 0 --log-level error >/dev/null 2>&1 &
      spid=$!
      for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
      psql "$url" -Atc "SELECT id FROM catalog.layers ORDER BY id" | python3 -c '
import math, sys
def tx(lon, z): return int((lon + 180) / 360 * 2**z)
def ty(lat, z):
    r = math.radians(lat); return int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * 2**z)
for layer in sys.stdin.read().split():
    for z in range(0, 8):
        for x in range(tx(68, z), tx(98, z) + 1):
            for y in range(ty(38, z), ty(6, z) + 1):
                print(layer, z, x, y)' > "$dir/tiles.txt"
      # A viewer's token: the 16 restricted layers answer 404 without one.
      token=$(./bin/coalmap token create --database-url "$url" --role viewer --name bench 2>/dev/null | head -1)
      echo "  every tile z0–z7 of every layer, restricted ones included ($(wc -l < "$dir/tiles.txt")):"
      ./bin/tileload -list "$dir/tiles.txt" -c 4 -token "$token" -url "http://127.0.0.1:$port/tiles/{layer}/{z}/{x}/{y}.mvt" | sed 's/^/    /'
      kill -INT "$spid"; wait "$spid" 2>/dev/null || true
    fi
    ./bin/coalmap db stop --data-dir "$dir" >/dev/null 2>&1 || true
    rm -rf "$dir"
  done
done
echo "medians over $REPS runs ($(nproc) cores):"
for bin in "${bins[@]}"; do
  awk -v b="$bin" '$2 == b {print $3}' "$results" | sort -n | awk -v b="$bin" '{a[NR] = $1} END {printf "  %-32s %.2f s\n", b, a[int((NR + 1) / 2)]}'
done
rm -f "$results"
