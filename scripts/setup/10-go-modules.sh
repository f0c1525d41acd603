#!/usr/bin/env bash
# Downloads the Go modules of every Go program under testdata/ so the tests' `go build` runs offline from the cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
for mod in $(find testdata -name go.mod -not -path '*/node_modules/*'); do
  (cd "$(dirname "$mod")" && go mod download)
done
