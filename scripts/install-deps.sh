#!/usr/bin/env bash
# Installs what coalmap needs on Debian, skipping what is already there:
# PostgreSQL with PostGIS (the embedded cluster), GDAL's command-line tools
# (imports of exotic formats; the OGC API tests read the service with ogrinfo),
# Node.js and npm (building the web map), Chromium and fonts (its end-to-end
# tests run in headless Chromium; no browser is downloaded; fonts-noto-core is
# also where the styles' glyphs are built from), QGIS's Python bindings
# (python3-qgis, qgis-providers: a real QGIS reads the service in the tests;
# about 195 MB to download, 890 MB installed, 2.5 minutes here), pgRouting
# (the route planner's tests check its answers with pgr_dijkstra) and
# poppler-utils (the web map's tests read the clearance report Chromium
# prints to PDF) and haproxy (the load balancer of scripts/cluster.sh, the
# test topology of several servers over a primary and a standby).
set -euo pipefail

need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if ! command -v go >/dev/null 2>&1; then
  echo "coalmap: Go 1.26 or newer is required (https://go.dev/dl/); it is not on PATH" >&2
  exit 1
fi

have postgresql || need+=(postgresql)
have gdal-bin || need+=(gdal-bin)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -x /usr/bin/chromium ] || need+=(chromium)
have fonts-noto-core || need+=(fonts-noto-core)
have python3-qgis || need+=(python3-qgis)
have qgis-providers || need+=(qgis-providers)
have haproxy || need+=(haproxy)
command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
major=""
if [ -d /usr/lib/postgresql ]; then
  major=$(ls /usr/lib/postgresql | sort -n | tail -1)
fi
if [ -n "$major" ]; then
  have "postgresql-$major-postgis-3" || need+=("postgresql-$major-postgis-3")
  have "postgresql-$major-pgrouting" || need+=("postgresql-$major-pgrouting")
fi

if [ ${#need[@]} -gt 0 ] || [ -z "$major" ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "coalmap: installing ${need[*]:-postgresql}" >&2
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]:-postgresql}"
  if [ -z "$major" ]; then
    major=$(ls /usr/lib/postgresql | sort -n | tail -1)
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "postgresql-$major-postgis-3" "postgresql-$major-pgrouting"
  fi
fi
# Debian starts a system cluster on port 5432 when it installs PostgreSQL;
# coalmap does not use it (its own cluster listens on a unix socket only).
