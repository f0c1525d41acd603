#!/usr/bin/env bash
# Installs what the UI tier needs from Debian: headless Chromium (driven by playwright-core), ripgrep (code-server's
# search binary, which its own installer would download from the internet) and the build inputs of code-server's native modules.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(chromium ripgrep libkrb5-dev build-essential python3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "40-chromium: already installed: ${pkgs[*]}"
  exit 0
fi
echo "40-chromium: installing ${missing[*]}"
# Other setup scripts may run apt at the same time on a shared machine; wait for the dpkg lock instead of failing.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
/usr/bin/chromium --version
