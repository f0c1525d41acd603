#!/usr/bin/env bash
# Installs the OpenSSH server and client the remote-acquisition tests start on loopback (sshd, ssh-keygen, ssh-agent, ssh-add).
set -euo pipefail
need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
for b in ssh ssh-keygen ssh-agent ssh-add; do
  command -v "$b" >/dev/null 2>&1 || { need+=(openssh-client); break; }
done
[ ${#need[@]} -eq 0 ] && exit 0
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${need[@]}"; then
  apt-get update
  apt-get install -y --no-install-recommends "${need[@]}"
fi
mkdir -p /run/sshd
