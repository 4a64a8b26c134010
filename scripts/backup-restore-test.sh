#!/usr/bin/env bash
# Backs up a coalmap database (the layers, the catalog, the tile bands and
# the migration record) with pg_dump, restores it into a fresh cluster, and
# checks that `coalmap serve` on the copy answers the same as on the
# original: every collection's feature count and one page of items.
# Usage: scripts/backup-restore-test.sh [bin/coalmap]   (needs psql, pg_dump, pg_restore, curl, jq-free)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-./bin/coalmap}
work=$(mktemp -d /tmp/coalmap-backup-XXXXXX); chmod 755 "$work"
src=$work/src dst=$work/dst; mkdir -p "$src" "$dst"; chmod 755 "$src" "$dst"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	"$BIN" db stop --data-dir "$src" >/dev/null 2>&1 || true
	"$BIN" db stop --data-dir "$dst" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
serve() { # url → base URL of a serve on it, once ready
	local p; p=$(port)
	"$BIN" serve --database-url "$1" --addr 127.0.0.1:"$p" --log-level warn >>"$work/serve.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 600); do curl -sf "127.0.0.1:$p/readyz" >/dev/null && { echo "http://127.0.0.1:$p"; return; }; sleep 0.5; done
	echo "serve on $1 never ready" >&2; cat "$work/serve.log" >&2; exit 1
}
summary() { # base → each collection's id and feature count, and a page of items
	curl -sf "$1/collections" | python3 -c 'import json,sys; [print(c["id"], c.get("feature_count")) for c in json.load(sys.stdin)["collections"]]'
	curl -sf "$1/collections/coal_blocks/items?limit=5" | python3 -c 'import json,sys; [print(f["id"], json.dumps(f["geometry"])[:200]) for f in json.load(sys.stdin)["features"]]'
}

src_url=$("$BIN" db start --data-dir "$src" --ephemeral --log-level warn)
base=$(serve "$src_url")   # the first start loads the demo catalog
summary "$base" >"$work/before"

# The backup: the schemas coalmap owns and public (its migration record);
# PostGIS itself is an extension, created on the target.
pg_dump -Fc -n catalog -n layers -n tilegen -n public -f "$work/coalmap.dump" "$src_url"

dst_url=$("$BIN" db start --data-dir "$dst" --ephemeral --log-level warn)
psql -q "$dst_url" -c 'CREATE EXTENSION IF NOT EXISTS postgis'
# "schema public already exists" is the one expected complaint.
pg_restore --no-owner --exit-on-error -d "$dst_url" --section=pre-data -L <(pg_restore -l "$work/coalmap.dump" | grep -v ' SCHEMA - public ') "$work/coalmap.dump"
pg_restore --no-owner --exit-on-error -d "$dst_url" --section=data --section=post-data "$work/coalmap.dump"

base2=$(serve "$dst_url")
summary "$base2" >"$work/after"
if ! diff -u "$work/before" "$work/after"; then
	echo "FAIL: the restored copy answers differently" >&2; exit 1
fi
echo "ok: $(wc -l <"$work/before") lines of collections and items identical after pg_dump → pg_restore into a fresh cluster ($(du -h "$work/coalmap.dump" | cut -f1) dump)"
