#!/usr/bin/env bash
# Builds the Go toolchain's `go tool pprof` once (Go 1.24+ builds tools on first use, ~1 min on 2 cores), so the
# golden tests that run it as the reference do not spend their first test's timeout compiling it. Offline; idempotent.
set -euo pipefail
go tool pprof -h >/dev/null 2>&1 || true
go tool -n pprof
