#!/usr/bin/env bash
# Cold tiles right after an import: coalmap against pg_tileserv on the same
# tables, the way a user meets them.
#
#   PG_TILESERV=/tmp/pg_tileserv/pg_tileserv ./bench/cold/run.sh
#   REPS=5 ./bench/cold/run.sh
#
# pg_tileserv is built from its source outside this repository:
#   git clone https://github.com/CrunchyData/pg_tileserv /tmp/pg_tileserv
#   (cd /tmp/pg_tileserv && go build -o pg_tileserv .)
# The list holds the first 2,000 distinct tiles of bench/gen.sql's list, or
# as many as there are (1,892): tiles/s is of the tiles fetched.
#
# In one throwaway PostGIS cluster: bench/gen.sql makes the dataset (2,000
# transmission lines of 200–5,000 vertices, 600 coal blocks, 400 rail lines)
# and its tile list; each layer is written out as GeoJSON (two copies that
# differ by a byte, so that every import is a new version). Then, REPS times
# and for 1 and for 16 connections: the three layers are imported with
# `coalmap import` (a `coalmap serve` follows), and at once the list's first
# 2,000 distinct tiles (z6–z14) are fetched by bench/tileload, a client in
# its own process (gzip, one pass, each tile once), from coalmap and from
# pg_tileserv, which of the two first alternating. coalmap's cache is empty
# for the new version, so every tile is rendered; pg_tileserv has no cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${REPS:-3}
PG_TILESERV=${PG_TILESERV:-/tmp/pg_tileserv/pg_tileserv}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
TSPORT=$((PORT + 1))
[ -x "$PG_TILESERV" ] || { echo "no pg_tileserv at $PG_TILESERV (see the comment at the top)"; exit 1; }

go build -o bin/coalmap ./cmd/coalmap
go build -o bin/tileload ./bench/tileload
work=$(mktemp -d /tmp/coalmap-cold.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ -n "${KEEP:-}" ]; then echo "kept $work"; return; fi
  ./bin/coalmap db stop --data-dir "$work" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

URL=$(./bin/coalmap db start --data-dir "$work" --ephemeral --log-level warn)
./bin/coalmap migrate --database-url "$URL" >/dev/null
echo "== dataset (bench/gen.sql)"
psql "$URL" -q -v ON_ERROR_STOP=1 -f bench/gen.sql >/dev/null
psql "$URL" -At -F ' ' -c "SELECT layer, z, x, y FROM (SELECT DISTINCT ON (layer, z, x, y) i, layer, z, x, y FROM bench_tiles
  WHERE z BETWEEN 6 AND 14 ORDER BY layer, z, x, y, i) d ORDER BY i LIMIT 2000" > "$work/tiles.txt"
echo "$(wc -l < "$work/tiles.txt") tiles; by zoom: $(awk '{n[$2]++} END {for (z = 6; z <= 14; z++) printf "%d:%d ", z, n[z]}' "$work/tiles.txt")"
LAYERS="transmission_lines coal_blocks rail_lines"
for layer in $LAYERS; do
  psql "$URL" -At -c "SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object(
      'type', 'Feature', 'id', feature_id, 'geometry', ST_AsGeoJSON(geom, 9)::json,
      'properties', to_jsonb(t) - 'geom' - 'fid' - 'feature_id') ORDER BY fid)) FROM layers.$layer t" > "$work/$layer.a.geojson"
  { cat "$work/$layer.a.geojson"; echo; } > "$work/$layer.b.geojson"
  echo "  $layer: $(du -m "$work/$layer.a.geojson" | cut -f1) MB of GeoJSON"
done

./bin/coalmap serve --database-url "$URL" --addr "127.0.0.1:$PORT" --no-demo --log-level error >"$work/serve.log" 2>&1 &
pids+=($!)
DATABASE_URL="$URL" TS_HTTPPORT=$TSPORT TS_HTTPHOST=127.0.0.1 TS_DBPOOLMAXCONNS=16 "$PG_TILESERV" >"$work/tileserv.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && curl -sf "http://127.0.0.1:$TSPORT/index.json" >/dev/null && break
  sleep 0.2
done

CM_URL="http://127.0.0.1:$PORT/tiles/{layer}/{z}/{x}/{y}.mvt"
TS_URL="http://127.0.0.1:$TSPORT/layers.{layer}/{z}/{x}/{y}.pbf"
results="$work/results.txt"
n=0
for rep in $(seq 1 "$REPS"); do
  for c in 1 16; do
    n=$((n + 1))
    variant=$([ $((n % 2)) -eq 0 ] && echo a || echo b)
    t0=$(date +%s.%N)
    for layer in $LAYERS; do
      ./bin/coalmap import --database-url "$URL" --layer "$layer" --log-level error "$work/$layer.$variant.geojson" >/dev/null 2>&1
    done
    imp=$(echo "$(date +%s.%N) - $t0" | bc)
    order="coalmap pg_tileserv"
    [ $((rep % 2)) -eq 0 ] && order="pg_tileserv coalmap"
    load=$(cut -d' ' -f1 /proc/loadavg)
    for who in $order; do
      u=$CM_URL
      [ "$who" = pg_tileserv ] && u=$TS_URL
      out=$(./bin/tileload -list "$work/tiles.txt" -c "$c" -url "$u" -json)
      echo "$rep $c $who $imp $load $out" >> "$results"
      echo "$out" | python3 -c "import json,sys; s=json.load(sys.stdin); print(f'  rep $rep c=$c $who: {s[\"wall_s\"]:.2f} s, p50 {s[\"p50_ms\"]:.1f} ms, p99 {s[\"p99_ms\"]:.1f} ms, max {s[\"max_ms\"]:.0f} ms, largest {s[\"max_tile_bytes\"]/1e3:.0f} KB, {s[\"failed\"]} failed (imports {float(\"$imp\"):.1f} s, load $load)')"
    done
  done
done

echo
echo "== medians over $REPS runs ($(nproc) cores)"
python3 - "$results" "$(wc -l < "$work/tiles.txt")" <<'EOF'
import json, statistics, sys
ntiles = int(sys.argv[2])
rows = []
for line in open(sys.argv[1]):
    rep, c, who, imp, load, js = line.split(' ', 5)
    rows.append((int(c), who, float(imp), float(load), json.loads(js)))
for c in (1, 16):
    med = {}
    for who in ('coalmap', 'pg_tileserv'):
        rs = [r[4] for r in rows if r[0] == c and r[1] == who]
        med[who] = {k: statistics.median(r[k] for r in rs) for k in ('wall_s', 'p50_ms', 'p99_ms', 'max_ms', 'max_tile_bytes')}
        m = med[who]
        print(f"| {who} c={c} | {m['wall_s']:.2f} s | {ntiles / m['wall_s']:.1f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | {m['max_ms']:.0f} | {m['max_tile_bytes'] / 1e3:.0f} KB |")
    ratios = [t[4]['wall_s'] / m_[4]['wall_s'] for t in rows for m_ in rows
              if t[0] == c and m_[0] == c and t[1] == 'pg_tileserv' and m_[1] == 'coalmap' and t[2] == m_[2]]
    print(f"c={c}: coalmap {med['pg_tileserv']['wall_s'] / med['coalmap']['wall_s']:.2f}× pg_tileserv (medians); per run {', '.join(f'{r:.2f}' for r in ratios)}")
print(f"imports (three layers) median {statistics.median(r[2] for r in rows):.1f} s; load average {min(r[3] for r in rows):.1f}–{max(r[3] for r in rows):.1f}")
EOF
