#!/usr/bin/env bash
# Builds the browser package (web/build.sh) and runs the browser tests (test/browser) in real
# headless Debian Chromium: engine smoke test in Node, persistence (reload, restart, killed
# browser; OPFS and IndexedDB), multi-tab, sync through crsync-server (needs build/crsync-server
# or $CRSYNC_SERVER), interop with the real ws-client, the demo app served by crsync-server. When possible everything runs inside a
# fresh network namespace (`unshare -n`, loopback only). Exits non-zero on any failure; node's
# test runner prints the "# pass N / # fail M" summary.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

scripts/setup-web.sh || exit 1
web/build.sh || { echo "run-tests: wasm build failed"; exit 1; }

TESTS=(test/browser/engine_node.test.mjs test/browser/persistence.test.mjs
       test/browser/multitab.test.mjs test/browser/sync.test.mjs test/browser/interop.test.mjs
       test/browser/demo.test.mjs)
RUN=(node --test --test-concurrency=1 "${TESTS[@]}")

if [ "${CRSYNC_WEB_NO_UNSHARE:-}" != "1" ] && unshare -n true 2>/dev/null; then
  echo "run-tests: running in a private network namespace (loopback only)"
  exec unshare -n bash -c 'ip link set lo up && cd "$0" && exec "${@}"' "$ROOT" "${RUN[@]}"
fi
exec "${RUN[@]}"
