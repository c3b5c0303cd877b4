#!/usr/bin/env bash
# Browser benchmark: builds web/dist, then runs bench/web/bench.mjs (wasm gzip size versus the
# real @vlcn.io/crsqlite-wasm 0.16.0, and open + insert 10,000 rows in one transaction in
# headless Debian Chromium, ours versus the real one). Env: ROWS, RUNS. Prints numbers only.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup-web.sh >/dev/null
web/build.sh >/dev/null
exec node bench/web/bench.mjs
