#!/usr/bin/env bash
# Builds the planner's web map (web/) into api/web/dist, and the sprite and
# glyphs of the service's MapLibre styles into styles/assets (web/build-styles.mjs),
# both of which the Go binary embeds. Dependencies come from web/package-lock.json through `npm ci`; it
# is skipped when node_modules already matches the lockfile.
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v npm >/dev/null 2>&1; then
  echo "coalmap: npm is needed to build the web map; run scripts/install-deps.sh" >&2
  exit 1
fi
if ! cmp -s package-lock.json node_modules/.coalmap-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.coalmap-lock
fi
npm run --silent build
npm run --silent build:styles
