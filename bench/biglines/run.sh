#!/usr/bin/env bash
# A layer of long lines, the way a user meets it: imported, then its tiles
# fetched at once, in the minute after the import.
#
#   ./bench/biglines/run.sh                 # 80,000 lines of ~700 vertices, ~2.2 GB of GeoJSON
#   N=20000 ./bench/biglines/run.sh
#
# In one throwaway cluster with `coalmap serve` running (cache off, so that
# every tile is drawn): `coalmap import` of the GeoJSON written by
# bench/biglines (wall time and peak RSS by /usr/bin/time), then at once
# bench/tileload, a client in its own process (gzip, 4 at a time): every
# tile over India's box from z0 to z8, then 2,000 tiles of z9–z14 around
# points of the lines. It prints per zoom the largest tile and the slowest,
# and how long after the import the last tile came.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-80000}
VERTICES=${VERTICES:-700}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
DATA=${DATA:-/tmp/coalmap-biglines-$N-$VERTICES.geojson}
go build -o bin/coalmap ./cmd/coalmap
go build -o bin/tileload ./bench/tileload
go build -o bin/biglines ./bench/biglines
[ -s "$DATA" ] || ./bin/biglines -n "$N" -vertices "$VERTICES" > "$DATA"
work=$(mktemp -d /tmp/coalmap-biglines.XXXXXX)
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
./bin/coalmap serve --database-url "$URL" --addr "127.0.0.1:$PORT" --no-demo --tile-cache-mb 0 --log-level error >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
echo "== import of $(du -h "$DATA" | cut -f1) ($N lines) (load $(cut -d' ' -f1-3 /proc/loadavg))"
/usr/bin/time -f "import: %e s wall, %M KB peak RSS" ./bin/coalmap import --database-url "$URL" --layer long_lines "$DATA" 2>&1 | grep -v "progress" | tail -3
t0=$(date +%s.%N)
python3 - "$work/low.txt" <<'PY'
import math, sys
def tx(lon, z): return int((lon + 180) / 360 * 2**z)
def ty(lat, z):
    r = math.radians(lat); return int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * 2**z)
with open(sys.argv[1], "w") as f:
    for z in range(0, 9):
        for x in range(tx(68, z), tx(98, z) + 1):
            for y in range(ty(38, z), ty(6, z) + 1):
                print("long_lines", z, x, y, file=f)
PY
psql "$URL" -At -F ' ' -c "SELECT 'long_lines', z, floor((ST_X(p) + 180) / 360 * 2 ^ z)::int,
    floor((1 - ln(tan(radians(ST_Y(p))) + 1 / cos(radians(ST_Y(p)))) / pi()) / 2 * 2 ^ z)::int
  FROM (SELECT 9 + (fid % 6)::int AS z, ST_LineInterpolatePoint(ST_GeometryN(geom, 1), (fid % 97) / 97.0) AS p
        FROM layers.long_lines TABLESAMPLE SYSTEM (10) REPEATABLE (1) LIMIT 2000) s" > "$work/high.txt"
echo "== tiles z0–z8 over India ($(wc -l < "$work/low.txt")), right after the import"
./bin/tileload -list "$work/low.txt" -c 4 -url "http://127.0.0.1:$PORT/tiles/{layer}/{z}/{x}/{y}.mvt"
echo "== $(wc -l < "$work/high.txt") tiles z9–z14 along the lines"
./bin/tileload -list "$work/high.txt" -c 4 -url "http://127.0.0.1:$PORT/tiles/{layer}/{z}/{x}/{y}.mvt"
echo "the last tile came $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5) s after the import ended"
curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "http://127.0.0.1:$PORT/tiles/long_lines/4/11/6.mvt" | grep -i "x-tile-size-cap\|x-feature-cap\|content-length"
