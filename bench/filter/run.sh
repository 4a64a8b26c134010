#!/usr/bin/env bash
# Filtered items: coalmap's CQL2 filter against pg_featureserv's CQL on the
# same table, side by side in one run, the client (bench/filter) in a
# process of its own over loopback.
#
#   PG_FEATURESERV=/tmp/pg_featureserv ./bench/filter/run.sh
#
# pg_featureserv is not part of this repository: build it from its public
# source outside the tree (go build in a clone of CrunchyData/pg_featureserv)
# and name the binary. It starts a throwaway PostGIS cluster, imports
# 100,000 polygons (the shape of layerstest.Grid: name, state, area_km2,
# seam_count) with `coalmap import`, and serves that one table with both.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${PG_FEATURESERV:?name a pg_featureserv binary built outside this repository}"
N=${N:-200}
C=${C:-4}
P1=${P1:-$((20000 + RANDOM % 10000))}
P2=$((P1 + 1))

go build -o bin/coalmap ./cmd/coalmap
go build -o bin/filterbench ./bench/filter
work=$(mktemp -d /tmp/coalmap-filter.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  ./bin/coalmap db stop --data-dir "$work" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

URL=$(./bin/coalmap db start --data-dir "$work" --ephemeral --log-level warn)
./bin/coalmap migrate --database-url "$URL" >/dev/null
echo "== 100,000 polygons"
psql "$URL" -Atq -v ON_ERROR_STOP=1 -c "
SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object(
  'type', 'Feature', 'id', 'blk-' || i,
  'geometry', ST_AsGeoJSON(ST_MakeEnvelope(x, y, x + 0.0008, y + 0.0008, 4326))::json,
  'properties', json_build_object('name', 'Block ' || i, 'state', CASE WHEN i % 3 = 0 THEN 'Odisha' ELSE 'Madhya Pradesh' END,
                                  'area_km2', (i % 50) + 0.5, 'seam_count', i % 7))))
FROM (SELECT i, 82.0 + (i % 200) * 0.001 AS x, 23.8 + (i / 200) * 0.001 AS y FROM generate_series(0, 99999) i) g" > "$work/blocks.geojson"
./bin/coalmap import --database-url "$URL" --layer blocks "$work/blocks.geojson" | tail -2

./bin/coalmap serve --database-url "$URL" --addr "127.0.0.1:$P1" --no-demo --log-level warn >"$work/coalmap.log" 2>&1 &
pids+=($!)
DATABASE_URL="$URL" PGFS_SERVER_HTTPHOST=127.0.0.1 PGFS_SERVER_HTTPPORT="$P2" PGFS_PAGING_LIMITMAX=10000 \
  PGFS_SERVER_ASSETSPATH="${PGFS_ASSETS:-$(dirname "$PG_FEATURESERV")/assets}" "$PG_FEATURESERV" >"$work/featureserv.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$P1/readyz" >/dev/null && curl -fs "http://127.0.0.1:$P2/collections.json" >/dev/null && break
  sleep 0.2
done
echo "== coalmap $(./bin/coalmap version 2>/dev/null | head -1), pg_featureserv $("$PG_FEATURESERV" --version 2>&1 | head -1)"
./bin/filterbench -coalmap "http://127.0.0.1:$P1" -featureserv "http://127.0.0.1:$P2" -n "$N" -c "$C"
