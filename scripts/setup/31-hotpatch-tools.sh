#!/usr/bin/env bash
# Tools the hot-patch tests use besides Delve: objcopy (binutils) to split debug info off a binary, and setpriv
# (util-linux) to run processes as another user or without CAP_SYS_PTRACE. Installs them only when missing.
set -euo pipefail
need=()
command -v objcopy >/dev/null 2>&1 || need+=(binutils)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
if [ ${#need[@]} -eq 0 ]; then
  echo "objcopy and setpriv already installed"
  exit 0
fi
apt-get update -qq
apt-get install -y -qq "${need[@]}"
