#!/usr/bin/env bash
# Installs what the browser build and its tests need on Debian 12: emscripten (Debian's 3.1.6,
# with node-acorn for its JS optimizer), Chromium (Debian's, driven by playwright-core; never a
# downloaded browser), iproute2 (loopback inside `unshare -n`), then the npm packages of web/
# (lockfile, no install scripts: the `sqlite3` package is only a source of the amalgamation) and
# of test/interop (the real ws-client used by the interop test). Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

PACKAGES=(emscripten node-acorn chromium iproute2 util-linux)
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-web: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

install_npm() {
  local dir=$1
  shift
  if [ -f "$dir/package-lock.json" ]; then
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
      echo "setup-web: npm ci in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error "$@" && touch node_modules)
    fi
  fi
}
install_npm web --ignore-scripts
install_npm test/interop
echo "setup-web: done"
