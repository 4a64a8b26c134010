#!/usr/bin/env bash
# Runs every Go fuzz target of the module for FUZZTIME each (default 30s),
# one after another. What a run finds is written under the package's
# testdata/fuzz/<Target>/ and is replayed by every plain `go test` from then
# on: fix the code, keep the file as a seed.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-30s}
status=0
while IFS=: read -r file target; do
	pkg=./$(dirname "$file")
	echo "== $pkg $target ($FUZZTIME)"
	if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "${FUZZMINIMIZETIME:-10s}" "$pkg"; then
		status=1
	fi
done < <(grep -rho --include='*_test.go' -H '^func Fuzz[A-Za-z0-9_]*' . | sed 's|^\./||; s|:func |:|' | sort -u)
exit $status
