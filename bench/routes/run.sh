#!/usr/bin/env bash
# Route planner benchmark: POST /routes of `coalmap serve` over loopback,
# from a client in a separate process (bench/routes), on the demo catalog;
# and the four real cases against the convex-hull detour of the version
# before the planner (`coalmap check --reroute` built from OLD_REF, by default
# f64220c, the last commit before the planner replaced the detour).
#
#   ./bench/routes/run.sh            # about 5 minutes on 2 cores
#   N=100 ./bench/routes/run.sh
#
# It starts a throwaway PostGIS cluster, loads the demo (seed 1), builds the
# tile bands first (so that serve's background build does not run during the
# measurement), exports the four real cases, runs the previous version's
# reroute on them, then starts serve and runs the client: N requests per
# scenario after a warm-up, p50/p95, and serve's peak resident set (VmHWM).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-40}
OLD_REF=${OLD_REF:-f64220c}
PORT=${PORT:-$((20000 + RANDOM % 20000))}

work=$(mktemp -d /tmp/coalmap-routes-bench.XXXXXX)
chmod 755 "$work"
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "kept $work (cluster running: bin/coalmap db stop --data-dir $work/db)"; return; fi
  ./bin/coalmap db stop --data-dir "$work/db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o bin/coalmap ./cmd/coalmap
go build -o "$work/routes-bench" ./bench/routes
echo "== building the previous version ($OLD_REF: $(git rev-parse --short "$OLD_REF"))"
mkdir -p "$work/old-src" "$work/cases" "$work/old" "$work/db"
git archive "$OLD_REF" | tar -x -C "$work/old-src"
(cd "$work/old-src" && go build -o "$work/old-coalmap" ./cmd/coalmap)

t0=$(date +%s)
URL=$(./bin/coalmap db start --data-dir "$work/db" --ephemeral --log-level warn)
echo "== loading the demo catalog"
./bin/coalmap demo --database-url "$URL" --log-level warn
./bin/coalmap tiles prepare --database-url "$URL" --log-level warn >/dev/null

echo "== the four real cases, and the previous version's detour"
cases=("tentuloi-budhapank railway_lines_proposed 46" "pelma-sardega railway_lines_proposed 46"
  "jharsuguda-dharamjaygarh transmission_lines_765kv 67" "dhirauli-765kv transmission_lines_proposed_765kv 67")
for c in "${cases[@]}"; do
  read -r id layer width <<<"$c"
  psql "$URL" -Atc "SELECT json_build_object('type', 'Feature', 'id', feature_id, 'geometry', ST_AsGeoJSON(ST_GeometryN(geom, 1))::json,
    'properties', json_build_object()) FROM layers.$layer WHERE feature_id = '$id'" >"$work/cases/$id.geojson"
  (cd "$work" && ./old-coalmap check --database-url "$URL" --log-level error --reroute --row-width-m "$width" --format json \
    "cases/$id.geojson" >"old/$id.json")
  ./bin/coalmap check --database-url "$URL" --log-level error --row-width-m "$width" "$work/cases/$id.geojson" | sed -n 3p
done

echo "== coalmap serve"
./bin/coalmap serve --database-url "$URL" --addr "127.0.0.1:$PORT" --log-level error >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 100); do
  kill -0 "$serve_pid" 2>/dev/null || break
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "serve did not become ready"; cat "$work/serve.log"; exit 1; }
echo "serve's resident set before the requests: $(awk '/VmRSS/ {print $2, $3}' "/proc/$serve_pid/status")"
echo
"$work/routes-bench" -url "http://127.0.0.1:$PORT" -pid "$serve_pid" -n "$N" -cases "$work/cases" -old "$work/old"
echo
echo "($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), total $(($(date +%s) - t0)) s)"
