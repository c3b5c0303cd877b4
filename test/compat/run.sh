#!/usr/bin/env bash
# Differential test of our crsqlite.so against the real cr-sqlite 0.16 wasm build, and the tier-2
# database-file compatibility test (file_compat.test.mjs, see README.md).
#
# Usage: test/compat/run.sh [BUILD_DIR]
#   BUILD_DIR defaults to ../../build relative to this script; it must hold crsqlite.so and
#   crsqlite-host (cmake targets crsqlite and crsqlite-host). CRSQLITE_SO / CRSQLITE_HOST
#   override the two paths individually. Other knobs (COMPAT_SEEDS, COMPAT_OPS, COMPAT_OURS=wasm,
#   COMPAT_DROP_CHANGE=1, ...) are described in lib/config.mjs and README.md.
# Installs the npm dependencies from package-lock.json (npm ci) when node_modules is missing or
# older than the lockfile. Exits non-zero when any test fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="${1:-$here/../../build}"
build_dir="$(cd "$build_dir" 2>/dev/null && pwd || echo "$build_dir")"
export CRSQLITE_SO="${CRSQLITE_SO:-$build_dir/crsqlite.so}"
export CRSQLITE_HOST="${CRSQLITE_HOST:-$build_dir/crsqlite-host}"

cd "$here"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "run.sh: node and npm are required (Debian: apt-get install nodejs npm)" >&2
  exit 2
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 18 ]; then
  echo "run.sh: node >= 18 is required (found $(node --version))" >&2
  exit 2
fi
lock_copy=node_modules/.package-lock.json
if [ ! -f "$lock_copy" ] || [ package-lock.json -nt "$lock_copy" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "run.sh: CRSQLITE_SO=$CRSQLITE_SO CRSQLITE_HOST=$CRSQLITE_HOST"
exec node --test differential.test.mjs file_compat.test.mjs
