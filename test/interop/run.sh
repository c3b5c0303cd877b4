#!/usr/bin/env bash
# Interop tests: the real @vlcn.io/ws-client 0.2.0 (cr-sqlite 0.16 wasm databases in Node), raw
# `ws` sockets with the real ws-common codec, and our `crsync` CLI, against crsync-server.
#
# Usage: test/interop/run.sh [BUILD_DIR]
#   BUILD_DIR defaults to <repo>/build and must hold crsync-server and crsync
#   (cmake --build BUILD_DIR --target crsync-server crsync); CRSYNC_SERVER_BIN / CRSYNC_CLI_BIN
#   override the two paths. INTEROP_TARGET=reference runs the same suites against the real
#   @vlcn.io/ws-server 0.2.3 (tests of crsync-server-only behaviour are then reported as
#   skipped). INTEROP_SERVER_LOG=1 echoes server output; INTEROP_KEEP_FILES=1 keeps temp dirs.
#   Extra arguments after BUILD_DIR are test files (default: every *.test.mjs).
# Installs the npm dependencies from package-lock.json (npm ci) when node_modules is missing or
# older than the lockfile. Every test is bounded (INTEROP_TEST_TIMEOUT_MS per test, default
# 180000). Prints a summary; exits non-zero when any test fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="${1:-$here/../../build}"
build_dir="$(cd "$build_dir" 2>/dev/null && pwd || echo "$build_dir")"
shift || true
export CRSYNC_BUILD_DIR="$build_dir"
export CRSYNC_SERVER_BIN="${CRSYNC_SERVER_BIN:-$build_dir/crsync-server}"
export CRSYNC_CLI_BIN="${CRSYNC_CLI_BIN:-$build_dir/crsync}"
target="${INTEROP_TARGET:-ours}"

cd "$here"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "run.sh: node and npm are required (Debian: apt-get install nodejs npm)" >&2
  exit 2
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "run.sh: node >= 20 is required (found $(node --version))" >&2
  exit 2
fi
if [ "$target" = ours ] && [ ! -x "$CRSYNC_SERVER_BIN" ]; then
  echo "run.sh: $CRSYNC_SERVER_BIN not found; build it with" \
       "cmake --build <build dir> --target crsync-server crsync" >&2
  exit 2
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # .npmrc sets ignore-scripts: ws-server's better-sqlite3 and @vlcn.io/crsqlite would try to
  # download native binaries; the harness serves rooms with the wasm engine instead.
  npm ci --no-audit --no-fund --loglevel=error
fi

files=("$@")
if [ "${#files[@]}" -eq 0 ]; then files=(*.test.mjs); fi
echo "run.sh: target=$target CRSYNC_SERVER_BIN=$CRSYNC_SERVER_BIN CRSYNC_CLI_BIN=$CRSYNC_CLI_BIN"
log="$(mktemp /tmp/crsync-interop.XXXXXX)"
trap 'rm -f "$log"' EXIT
status=0
node --test --test-concurrency=1 --test-timeout="${INTEROP_TEST_TIMEOUT_MS:-180000}" \
  --test-reporter=spec "${files[@]}" 2>&1 | tee "$log" || status=$?
echo
echo "=== interop summary (target: $target) ==="
grep -E '^ℹ (tests|pass|fail|skipped|cancelled|duration_ms) ' "$log" | sed 's/^ℹ /  /' || true
if [ "$status" -ne 0 ]; then
  echo "FAILED:"
  grep -E '^\s*✖ ' "$log" | sed 's/^\s*/  /' | sort -u || true
fi
exit "$status"
