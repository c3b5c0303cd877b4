#!/usr/bin/env bash
# Load benchmark: N protocol-level clients write M single-row transactions each into one room of
# crsync-server and, in the same run, of the real @vlcn.io/ws-server 0.2.3; then 10,000 idle
# connections per server. Prints one table with both servers and the ratios (load_bench.mjs).
#
# Usage: bash bench/load/run.sh [BUILD_DIR]
#   BUILD_DIR defaults to <repo>/build and must hold crsync-server (cmake --build BUILD_DIR
#   --target crsync_server_app); CRSYNC_SERVER_BIN overrides the path. Knobs: LOAD_CLIENTS (50),
#   LOAD_ROWS (1000), LOAD_PACED_ROWS (10), LOAD_OBSERVERS (2), LOAD_IDLE (10000, 0 = skip),
#   LOAD_GEN (cpp = build/crsync-loadgen, node = load_client.mjs),
#   LOAD_SERVERS (ours,reference), LOAD_TIMEOUT_S (600). With the defaults a run takes a few
#   minutes on a 2-core machine, most of it the reference server.
# Installs npm dependencies from the lockfiles of bench/load and test/interop (the reference
# server runs from there). Raises the open-file limit for the idle-connection run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
interop="$here/../../test/interop"
build_dir="${1:-$here/../../build}"
build_dir="$(cd "$build_dir" 2>/dev/null && pwd || echo "$build_dir")"
export CRSYNC_BUILD_DIR="$build_dir"
export CRSYNC_SERVER_BIN="${CRSYNC_SERVER_BIN:-$build_dir/crsync-server}"

# The C++ load generator (LOAD_GEN=cpp, the default) lives in the same build directory.
if [ "${LOAD_GEN:-cpp}" = cpp ] && [ ! -x "$build_dir/crsync-loadgen" ]; then
  echo "run.sh: $build_dir/crsync-loadgen not found; build it with" \
       "cmake --build <build dir> --target crsync-loadgen (or set LOAD_GEN=node)" >&2
  exit 2
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "run.sh: node and npm are required (Debian: apt-get install nodejs npm)" >&2
  exit 2
fi
if [[ ",${LOAD_SERVERS:-ours,reference}," == *,ours,* ]] && [ ! -x "$CRSYNC_SERVER_BIN" ]; then
  echo "run.sh: $CRSYNC_SERVER_BIN not found; build it with" \
       "cmake --build <build dir> --target crsync_server_app" >&2
  exit 2
fi
for dir in "$here" "$interop"; do
  if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
     [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

# Each side of 10,000 connections needs 10,000+ descriptors (the server and this process).
want=$(( ${LOAD_IDLE:-10000} + 1024 ))
hard="$(ulimit -Hn)"
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want="$hard"; fi
ulimit -n "$want" 2>/dev/null || true
echo "run.sh: CRSYNC_SERVER_BIN=$CRSYNC_SERVER_BIN open-file limit $(ulimit -n)"

cd "$here"
exec node load_bench.mjs
