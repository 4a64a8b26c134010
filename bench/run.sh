#!/usr/bin/env bash
# Tile benchmark: coalmap (cache off, then warm) against the floor of the
# same tiles rendered straight in PostGIS with pg_tileserv's query shape.
#
#   ./bench/run.sh            # about 6 minutes on 2 cores
#   DURATION=30 ./bench/run.sh
#
# It starts a throwaway PostGIS cluster, generates the dataset (bench/gen.sql:
# 2,000 transmission lines of up to 5,000 vertices, 600 coal blocks, 400 rail
# lines), builds the zoom bands (coalmap tiles prepare), writes the list of
# 2,400 tile URLs (z6–z14, weighted to z10–z13), then runs wrk against
# `coalmap serve` and pgbench against the database at 16 and 64 connections.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
THREADS=${THREADS:-2}
PORT=${PORT:-$((20000 + RANDOM % 20000))}

command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y wrk >/dev/null; }
command -v pgbench >/dev/null || { echo "pgbench missing: apt-get install -y postgresql-client"; exit 1; }

go build -o bin/coalmap ./cmd/coalmap
work=$(mktemp -d /tmp/coalmap-bench.XXXXXX)
chmod 755 "$work"
serve_pid=""
cleanup() {
  [ -f "$work/serve.log" ] && cp "$work/serve.log" /tmp/coalmap-bench-serve.log
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "kept $work (cluster running: coalmap db stop --data-dir $work)"; return; fi
  ./bin/coalmap db stop --data-dir "$work" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

t0=$(date +%s)
URL=$(./bin/coalmap db start --data-dir "$work" --ephemeral --log-level warn)
./bin/coalmap migrate --database-url "$URL" >/dev/null
echo "== generating the dataset"
psql "$URL" -q -v ON_ERROR_STOP=1 -f bench/gen.sql >/dev/null
psql "$URL" -Atc "SELECT 'transmission_lines: ' || count(*) || ' lines, ' || sum(ST_NPoints(geom)) || ' vertices (max ' || max(ST_NPoints(geom)) || ')' FROM layers.transmission_lines"
echo "== building zoom bands"
./bin/coalmap tiles prepare --database-url "$URL"
psql "$URL" -Atc "SELECT '/tiles/' || layer || '/' || z || '/' || x || '/' || y || '.mvt' FROM bench_tiles ORDER BY i" > "$work/urls.txt"
export BENCH_URLS="$work/urls.txt"
echo "$(wc -l < "$work/urls.txt") tile URLs; by zoom: $(psql "$URL" -Atc "SELECT string_agg(z || ':' || n, ' ' ORDER BY z) FROM (SELECT z, count(*) n FROM bench_tiles GROUP BY z) s")"

declare -A RES
wrk_run() { # name conns
  local out
  out=$(wrk -t"$THREADS" -c"$2" -d"${DURATION}s" --timeout 30s -s bench/urls.lua "http://127.0.0.1:$PORT" | grep '^RESULT')
  RES[$1]=$(echo "$out" | cut -d' ' -f2-)
  echo "  $1: $(fmt_res "${RES[$1]}")"
}
fmt_res() { # requests seconds bytes p50 p99 errors
  echo "$1" | awk '{printf "%.0f req/s, p50 %.1f ms, p99 %.1f ms, %.1f MB/s, %d errors", $1/$2, $4, $5, $3/$2/1e6, $6}'
}
serve() { # extra flags…
  ./bin/coalmap serve --database-url "$URL" --addr "127.0.0.1:$PORT" --log-level error "$@" >"$work/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 100); do
    kill -0 "$serve_pid" 2>/dev/null || break # exited (port taken?)
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && return
    sleep 0.1
  done
  echo "serve did not become ready"; cat "$work/serve.log"; exit 1
}
stop_serve() { kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=""; }

echo "== coalmap, cache off (every request renders in PostGIS)"
serve --tile-cache-mb 0
wrk_run cold16 16
wrk_run cold64 64

# Low zoom: the z5 tiles over the coalfields (5/22-24/13-14), one at a time,
# from coalmap (cache off, uncompressed) and with pg_tileserv's SQL.
echo "== z5 tiles over the coalfields, one request at a time (bytes uncompressed, ms)"
for layer in coal_blocks transmission_lines rail_lines; do
  cols=$(psql "$URL" -Atc "SELECT string_agg('t.' || quote_ident(a->>'name'), ', ') FROM catalog.layers, jsonb_array_elements(attributes) a WHERE id = '$layer'")
  cm_bytes=0; cm_ms=0; fl_bytes=0; fl_ms=0
  for x in 22 23 24; do for y in 13 14; do
    read -r b ms < <(curl -s -o /dev/null -w '%{size_download} %{time_total}\n' "http://127.0.0.1:$PORT/tiles/$layer/5/$x/$y.mvt" | awk '{print $1, $2*1000}')
    cm_bytes=$((cm_bytes + b)); cm_ms=$(awk -v a="$cm_ms" -v b="$ms" 'BEGIN{print a+b}')
    read -r b ms < <(psql "$URL" -At -c '\timing on' -c "SELECT coalesce(length(ST_AsMVT(m, '$layer', 4096, 'geom', 'fid')), 0) FROM (
        SELECT ST_AsMVTGeom(ST_Transform(ST_Force2D(t.geom), 3857), ST_TileEnvelope(5, $x, $y), 4096, 64) AS geom, t.fid, $cols
        FROM layers.$layer t WHERE ST_Intersects(t.geom, ST_Transform(ST_TileEnvelope(5, $x, $y, margin => 64.0 / 4096), 4326)) LIMIT 10000) m" \
      | awk '/^[0-9]+$/ {b=$1} /^Time:/ {ms=$2} END {print b, ms}')
    fl_bytes=$((fl_bytes + b)); fl_ms=$(awk -v a="$fl_ms" -v b="$ms" 'BEGIN{print a+b}')
  done; done
  printf "  %-20s coalmap %9d bytes %8.1f ms | pg_tileserv SQL %9d bytes %8.1f ms\n" "$layer" "$cm_bytes" "$cm_ms" "$fl_bytes" "$fl_ms"
done
stop_serve
for mode in force_custom_plan force_generic_plan; do
  serve --tile-cache-mb 0 --tile-plan-cache-mode "$mode"
  DURATION=$((DURATION / 2)) wrk_run "cold16_$mode" 16
  stop_serve
done

echo "== coalmap, warm cache"
serve --tile-cache-mb 2048
xargs -P 8 -n 100 sh -c 'for p; do curl -s -o /dev/null -H "Accept-Encoding: gzip" "http://127.0.0.1:'"$PORT"'$p"; done' _ < "$work/urls.txt"
wrk_run warm16 16
wrk_run warm64 64
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^coalmap_tile_cache_(hits|misses|bytes|entries)' | sed 's/^/  /'
stop_serve

echo "== floor: pg_tileserv's query shape in PostGIS, driven by pgbench"
scripts=()
defs=()
for layer in transmission_lines coal_blocks rail_lines; do
  cols=$(psql "$URL" -Atc "SELECT string_agg('t.' || quote_ident(a->>'name'), ', ') FROM catalog.layers, jsonb_array_elements(attributes) a WHERE id = '$layer'")
  n=$(psql "$URL" -Atc "SELECT count(*) FROM bench_tiles WHERE layer = '$layer'")
  sed -e "s/LAYER/$layer/g" -e "s/COLUMNS/$cols/" bench/tileserv.sql.tmpl > "$work/$layer.sql"
  scripts+=(-f "$work/$layer.sql@$n")
  defs+=(-D "n_$layer=$n")
done
pgb_run() { # name conns
  rm -f "$work"/pgb.*
  local out tps
  out=$(pgbench -n -c "$2" -j "$THREADS" -T "$DURATION" "${scripts[@]}" "${defs[@]}" -l --log-prefix="$work/pgb" "$URL" 2>&1)
  tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
  local pct
  pct=$(cat "$work"/pgb.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {printf "%.2f %.2f %d", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000, NR}')
  RES[$1]="$tps $pct"
  echo "  $1: $(echo "${RES[$1]}" | awk '{printf "%.1f tiles/s, p50 %.1f ms, p99 %.1f ms (%d tiles)", $1, $2, $3, $4}')"
}
pgb_run floor16 16
pgb_run floor64 64

rps() { echo "${RES[$1]}" | awk '{print $1/$2}'; }
p99() { echo "${RES[$1]}" | awk '{print $5}'; }
ftps() { echo "${RES[$1]}" | awk '{print $1}'; }
fp99() { echo "${RES[$1]}" | awk '{print $3}'; }
echo
echo "== results ($(nproc) cores, ${DURATION}s per run, $(wc -l < "$work/urls.txt") URLs, total $(( $(date +%s) - t0 ))s)"
printf "| %-28s | %10s | %9s | %9s | %10s | %9s |\n" run "tiles/s" "p50 ms" "p99 ms" "MB/s" "× floor"
printf "|%s|%s|%s|%s|%s|%s|\n" "------------------------------" "------------" "-----------" "-----------" "------------" "-----------"
for c in 16 64; do
  f=$(ftps floor$c)
  echo "${RES[floor$c]}" | awk -v c=$c '{printf "| %-28s | %10.1f | %9.1f | %9.1f | %10s | %9s |\n", "floor (pg_tileserv SQL) c=" c, $1, $2, $3, "-", "1"}'
  for run in cold$c warm$c; do
    echo "${RES[$run]}" | awk -v n="coalmap $run" -v f="$f" '{printf "| %-28s | %10.1f | %9.1f | %9.1f | %10.1f | %9.1f |\n", n, $1/$2, $4, $5, $3/$2/1e6, ($1/$2)/f}'
  done
done
for mode in force_custom_plan force_generic_plan; do
  echo "${RES[cold16_$mode]}" | awk -v n="cold16 $mode" -v f="$(ftps floor16)" '{printf "| %-28s | %10.1f | %9.1f | %9.1f | %10.1f | %9.1f |\n", n, $1/$2, $4, $5, $3/$2/1e6, ($1/$2)/f}'
done
echo
awk -v c16="$(rps cold16)" -v w16="$(rps warm16)" -v f16="$(ftps floor16)" -v c64="$(rps cold64)" -v w64="$(rps warm64)" -v f64="$(ftps floor64)" \
    -v pc64="$(p99 cold64)" -v pw64="$(p99 warm64)" -v pf64="$(fp99 floor64)" 'BEGIN {
  printf "cold throughput: %.1f× the floor at 16 connections, %.1f× at 64 (target ≥ 3×)\n", c16/f16, c64/f64
  printf "warm throughput: %.0f× the floor at 16 connections, %.0f× at 64 (target ≥ 100×)\n", w16/f16, w64/f64
  printf "p99 at 64 connections: cold %.2f, warm %.3f of the floor'"'"'s (target ≤ 0.2)\n", pc64/pf64, pw64/pf64
}'
