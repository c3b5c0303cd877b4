#!/usr/bin/env bash
# Installs what the browser build and its tests need on Debian 12: emscripten (Debian's 3.1.6,
# with node-acorn for its JS optimizer), Chromium (Debian's, driven by playwright-core; never a
# downloaded browser), iproute2 (loopback inside `unshare -n`), then the npm packages of web/
# (lockfile, no install scripts: the `sqlite3` package is only a source of the amalgamation) and
# of test/interop (the real ws-client used by the interop test). Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/setup_lib.sh

install_packages setup-web emscripten node-acorn chromium iproute2 util-linux
npm_ci setup-web web --ignore-scripts
npm_ci setup-web test/interop
echo "setup-web: done"
