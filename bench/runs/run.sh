#!/usr/bin/env bash
# Layer-against-layer runs as a user meets them, against the PostGIS query
# that writes the same CSV, at the dataset's scale and at ten times.
#
#   ./bench/runs/run.sh                      # bench/gen.sql's dataset
#   REPS=3 SCALES="1 10" DATA=demo ./bench/runs/run.sh
#
# In one throwaway cluster: bench/gen.sql's layers (a dataset of its own:
# 2,000 transmission lines and 400 rail lines against 600 coal blocks), or
# with DATA=demo the demo catalog and its eleven transmission and rail
# layers; for scale 10 copies of the coal blocks and of the lines with every
# feature copied ten times (shifted by whole 0.7° steps; bench/overlaps's
# scheme). For each scale, REPS times, in turn:
#   - CLI: `coalmap overlaps --lines … --polygons … --row-width-m 46 -o out.csv`
#     (load the lines, run, store the rows in PostGIS, export the CSV);
#   - HTTP: POST /overlaps/runs to a running `coalmap serve`, poll until it
#     has succeeded, GET its results as CSV (curl, a client of its own);
#   - PostGIS: one query over the same layers (GiST-indexed ST_Intersects,
#     the intersection and the corridor's intersection computed once, lengths
#     and areas on the geography) written to a CSV with psql's \copy.
# It prints wall times, the rows of each CSV, and checks that the pairs are
# the same.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${REPS:-3}
SCALES=${SCALES:-"1 10"}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
go build -o bin/coalmap ./cmd/coalmap
work=$(mktemp -d /tmp/coalmap-runs.XXXXXX)
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
if [ "${DATA:-gen}" = demo ]; then
  ./bin/coalmap demo --database-url "$URL" >/dev/null
  ATTRS="name, allocatee, status"
  LINES="transmission_lines_765kv transmission_lines_400kv transmission_lines_220kv transmission_lines_132kv transmission_lines_proposed_765kv transmission_lines_proposed_400kv transmission_lines_proposed_220kv transmission_lines_proposed_132kv railway_lines_existing railway_lines_proposed railway_lines_under_construction"
else
  psql "$URL" -q -v ON_ERROR_STOP=1 -f bench/gen.sql >/dev/null
  ATTRS="name, coalfield, state"
  LINES="transmission_lines rail_lines"
fi
for scale in $SCALES; do
  [ "$scale" = 1 ] && continue
  for id in coal_blocks $LINES; do
    psql "$URL" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO catalog.layers (id, title, geometry_type, category, data_version)
SELECT '${id}_x$scale', title || ' (×$scale)', geometry_type, category, 1 FROM catalog.layers WHERE id = '$id';
CREATE TABLE layers.${id}_x$scale AS
SELECT (row_number() OVER ())::bigint AS fid, t.feature_id || '#' || k AS feature_id,
       ST_Translate(t.geom, ((k * 0.7)::numeric % 6)::float8, ((k / 9) * 0.35)::float8) AS geom,
       $( [ "$id" = coal_blocks ] && echo "$ATTRS" | sed 's/\([a-z_][a-z_]*\)/t.\1/g' || echo "NULL::text AS name" )
FROM layers.$id t, generate_series(0, $((scale - 1))) k;
ALTER TABLE layers.${id}_x$scale ADD PRIMARY KEY (fid), ADD UNIQUE (feature_id);
CREATE INDEX ON layers.${id}_x$scale USING gist (geom);
ANALYZE layers.${id}_x$scale;
SQL
  done
done
TOKEN=$(./bin/coalmap token create --database-url "$URL" --role editor --name bench 2>/dev/null | head -1)
./bin/coalmap serve --database-url "$URL" --addr "127.0.0.1:$PORT" --no-demo --log-level error >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done

now() { date +%s.%N; }
for scale in $SCALES; do
  sfx=""
  [ "$scale" != 1 ] && sfx="_x$scale"
  blocks="coal_blocks$sfx"
  lines=""
  union=""
  for l in $LINES; do
    lines="$lines${lines:+,}$l$sfx"
    union="$union${union:+ UNION ALL }SELECT '$l$sfx' AS line_layer, feature_id AS line_id, geom FROM layers.$l$sfx"
  done
  json_lines=$(echo "$lines" | sed 's/,/","/g')
  query="SELECT l.line_layer, l.line_id, '$blocks' AS polygon_layer, b.feature_id AS polygon_id,
    round(ST_Length(x.i::geography)::numeric, 1) AS length_m, ST_NumGeometries(ST_LineMerge(ST_CollectionExtract(x.i, 2))) AS crossings,
    round((ST_Area(y.c::geography) / 10000)::numeric, 3) AS corridor_area_ha, 'crossing' AS kind, $(echo "$ATTRS" | sed 's/\([a-z_][a-z_]*\)/b.\1/g'),
    46.0 AS row_width_m, round(ST_Length(l.geom::geography)::numeric, 1) AS line_length_m,
    round((100 * ST_Length(x.i::geography) / ST_Length(l.geom::geography))::numeric, 2) AS share_of_line_pct,
    round((100 * ST_Area(y.c::geography) / ST_Area(b.geom::geography))::numeric, 2) AS share_of_polygon_pct,
    0.0 AS min_distance_m, '' AS error
  FROM ($union) l JOIN layers.$blocks b ON ST_Intersects(l.geom, b.geom),
  LATERAL (SELECT ST_Intersection(l.geom, b.geom) AS i) x,
  LATERAL (SELECT ST_Intersection(ST_Buffer(l.geom::geography, 23)::geometry, b.geom) AS c) y
  WHERE ST_Dimension(x.i) > 0"
  echo "== scale $scale: $(psql "$URL" -Atc "SELECT count(*) FROM layers.$blocks") blocks, $(psql "$URL" -Atc "SELECT sum(n) FROM (SELECT count(*) n FROM ($union) u) s") lines"
  for rep in $(seq 1 "$REPS"); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    t0=$(now)
    ./bin/coalmap overlaps --database-url "$URL" --lines "$lines" --polygons "$blocks" --row-width-m 46 -o "$work/cli.csv" 2>/dev/null
    t1=$(now)
    id=$(curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "{\"lines\":[\"$json_lines\"],\"polygons\":[\"$blocks\"],\"row_width_m\":46}" "http://127.0.0.1:$PORT/overlaps/runs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    while :; do
      st=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/overlaps/runs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
      [ "$st" = succeeded ] && break
      [ "$st" = failed ] && { echo "run $id failed"; exit 1; }
      sleep 0.05
    done
    curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/overlaps/runs/$id/results?f=csv" -o "$work/http.csv"
    t2=$(now)
    psql "$URL" -q -c "\\copy ($query) TO '$work/pg.csv' CSV HEADER"
    t3=$(now)
    cli=$(echo "$t1 - $t0" | bc); http=$(echo "$t2 - $t1" | bc); pg=$(echo "$t3 - $t2" | bc)
    pairs() { awk -F, 'NR > 1 && $8 == "crossing" {print $2 "|" $4}' "$1" | sort; }
    same=$([ "$(pairs "$work/cli.csv" | md5sum)" = "$(pairs "$work/pg.csv" | md5sum)" ] && [ "$(pairs "$work/http.csv" | md5sum)" = "$(pairs "$work/pg.csv" | md5sum)" ] && echo yes || echo NO)
    printf '  run %d: CLI %6.2f s, HTTP %6.2f s, PostGIS %7.2f s; rows %d / %d / %d, same pairs %s; PostGIS ÷ CLI %.1f×, ÷ HTTP %.1f× (load %s)\n' \
      "$rep" "$cli" "$http" "$pg" $(($(wc -l < "$work/cli.csv") - 1)) $(($(wc -l < "$work/http.csv") - 1)) $(($(wc -l < "$work/pg.csv") - 1)) "$same" \
      "$(echo "$pg / $cli" | bc -l)" "$(echo "$pg / $http" | bc -l)" "$load"
  done
done
