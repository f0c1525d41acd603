#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100, the newest that runs on Node 20) for the UI tests, offline from GitHub:
# only the npm registry and Debian's ripgrep are used. The install lives outside the project's node_modules, in a
# versioned folder under LEAKHUNT_CACHE, so it survives fresh clones on the same machine and is skipped when present.
set -euo pipefail
version=4.100.3
cache="${LEAKHUNT_CACHE:-$HOME/.cache/leakhunt}"
prefix="$cache/code-server-$version"
cs="$prefix/node_modules/code-server"
marker="$prefix/.leakhunt-installed"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$version" ] && [ -f "$cs/out/node/entry.js" ]; then
  echo "50-code-server: code-server $version already installed in $prefix"
  exit 0
fi
command -v rg >/dev/null || { echo "50-code-server: ripgrep missing (run scripts/setup/40-chromium.sh)" >&2; exit 1; }

start=$(date +%s)
rm -rf "$prefix"
mkdir -p "$prefix"
cd "$prefix"
echo '{"name":"leakhunt-code-server","private":true}' >package.json
# npm_config_yes: node-pty's rebuild script runs `npx node-gyp`, which otherwise stops at a prompt without a terminal.
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false npm_config_yes=true

# Its postinstall downloads ripgrep from GitHub, which is unreachable here, so scripts are skipped and the steps done by hand.
npm install --no-save --ignore-scripts --loglevel=error "code-server@$version"
npm rebuild --loglevel=error argon2

cd "$cs/lib/vscode"
npm install --omit=dev --ignore-scripts --loglevel=error
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm rebuild --loglevel=error kerberos node-pty @parcel/watcher @vscode/spdlog native-watchdog
(cd extensions && npm install --omit=dev --ignore-scripts --loglevel=error)

ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)

cd "$prefix"
node "$cs/out/node/entry.js" --version
echo "$version" >"$marker"
echo "50-code-server: installed code-server $version in $prefix in $(($(date +%s) - start)) s"
