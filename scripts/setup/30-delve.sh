#!/usr/bin/env bash
# Installs Delve (dlv) for the hot-patch tests unless a new-enough one is already on PATH or in $(go env GOPATH)/bin.
# Go 1.26 needs Delve >= 1.26; we pin 1.27.2, which the Go module proxy serves.
set -euo pipefail
WANT=1.27.2
GOBIN_DIR="$(go env GOPATH)/bin"
export PATH="$GOBIN_DIR:$PATH"
have=""
if command -v dlv >/dev/null 2>&1; then
  have="$(dlv version 2>/dev/null | sed -n 's/^Version: *//p' | head -n1)"
fi
if [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$WANT" "$have" | sort -V | head -n1)" = "$WANT" ]; then
  echo "dlv $have already installed"
  exit 0
fi
go install "github.com/go-delve/delve/cmd/dlv@v$WANT"
dlv version | head -n2
