#!/usr/bin/env bash
# Runs every test against one throwaway PostGIS cluster shared by all packages
# (each test gets its own database on it).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/build-web.sh
go build -o bin/coalmap ./cmd/coalmap
dir=$(mktemp -d /tmp/coalmap-test.XXXXXX)
chmod 755 "$dir"
cleanup() {
  ./bin/coalmap db stop --data-dir "$dir" || true
  rm -rf "$dir"
}
trap cleanup EXIT
COALMAP_TEST_DATABASE_URL=$(./bin/coalmap db start --data-dir "$dir" --ephemeral --log-level warn)
export COALMAP_TEST_DATABASE_URL
export COALMAP_BIN="$PWD/bin/coalmap"

go vet ./...
go test -count=1 -timeout 20m "$@" ./...

# The web map in a real browser, against a real `coalmap serve` with its own
# throwaway data directory. It fails (never skips) when it cannot run.
(cd web && node e2e/run.mjs)
# The MapLibre styles and CORS, from pages on other origins.
(cd web && node e2e/styles.mjs)
