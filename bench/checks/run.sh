#!/usr/bin/env bash
# POST /overlaps/check as a user meets it, against the tuned PostGIS query,
# on a dataset of its own (bench/gen.sql's 600 coal blocks) and on ten times
# as many.
#
#   ./bench/checks/run.sh                 # a fresh throwaway cluster, bench/gen.sql's data
#   N=1000 REPS=3 ./bench/checks/run.sh
#   LAYERS=coal_blocks ./bench/checks/run.sh   # the 600 blocks only (default: both layers)
#
# In one throwaway cluster: bench/gen.sql's layers (not the demo's), and coal_blocks_x10 (every block
# copied ten times, shifted by whole 0.7° steps, as bench/overlaps builds
# it); then `coalmap serve`, and bench/checkload, a client in its own
# process, REPS times per layer: N checks of a 150 km, 1,500-vertex
# alignment with a 46 m right of way, one at a time over loopback, after a
# warm-up, alternating with the tuned PostGIS query. CPUPROFILE=file writes
# the server's CPU profile (and file.mem its allocations).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-1000}
REPS=${REPS:-3}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
go build -o bin/coalmap ./cmd/coalmap
go build -o bin/checkload ./bench/checkload
work=$(mktemp -d /tmp/coalmap-checks.XXXXXX)
chmod 755 "$work"
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill -INT "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  ./bin/coalmap db stop --data-dir "$work" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
URL=$(./bin/coalmap db start --data-dir "$work" --ephemeral --log-level warn)
./bin/coalmap migrate --database-url "$URL" >/dev/null
psql "$URL" -q -v ON_ERROR_STOP=1 -f bench/gen.sql >/dev/null
psql "$URL" -q -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO catalog.layers (id, title, geometry_type, category, data_version)
SELECT 'coal_blocks_x10', title || ' (ten times)', geometry_type, category, 1 FROM catalog.layers WHERE id = 'coal_blocks';
CREATE TABLE layers.coal_blocks_x10 AS
SELECT (row_number() OVER ())::bigint AS fid, t.feature_id || '#' || k AS feature_id,
       ST_Translate(t.geom, ((k * 0.7)::numeric % 6)::float8, ((k / 9) * 0.35)::float8) AS geom
FROM layers.coal_blocks t, generate_series(0, 9) k;
ALTER TABLE layers.coal_blocks_x10 ADD PRIMARY KEY (fid);
CREATE INDEX ON layers.coal_blocks_x10 USING gist (geom);
ANALYZE layers.coal_blocks_x10;
SQL
profile=()
[ -n "${CPUPROFILE:-}" ] && profile=(env COALMAP_CPUPROFILE="$CPUPROFILE" COALMAP_MEMPROFILE="$CPUPROFILE.mem")
"${profile[@]}" ./bin/coalmap serve --database-url "$URL" --addr "127.0.0.1:$PORT" --no-demo --log-level error >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
for layer in ${LAYERS:-coal_blocks coal_blocks_x10}; do
  for rep in $(seq 1 "$REPS"); do
    echo "== $layer, run $rep (load $(cut -d' ' -f1-3 /proc/loadavg))"
    ./bin/checkload -url "http://127.0.0.1:$PORT" -database-url "$URL" -layer "$layer" -n "$N" -warmup 100
  done
done
