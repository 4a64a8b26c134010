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
# layer has bands built from its current data version.
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
    ./bin/coalmap db stop --data-dir "$dir" >/dev/null 2>&1 || true
    rm -rf "$dir"
  done
done
echo "medians over $REPS runs ($(nproc) cores):"
for bin in "${bins[@]}"; do
  awk -v b="$bin" '$2 == b {print $3}' "$results" | sort -n | awk -v b="$bin" '{a[NR] = $1} END {printf "  %-32s %.2f s\n", b, a[int((NR + 1) / 2)]}'
done
rm -f "$results"
