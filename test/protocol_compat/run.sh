#!/usr/bin/env bash
# Round-trip test of our sync codec against the real @vlcn.io/ws-common 0.2.0 (roundtrip.test.mjs).
#
# Usage: test/protocol_compat/run.sh [BUILD_DIR]
#   BUILD_DIR defaults to ../../build relative to this script and must hold protocol-codec-tool
#   (cmake target protocol-codec-tool); PROTOCOL_CODEC_TOOL overrides the path. Other knobs:
#   PROTOCOL_COMPAT_SEED, PROTOCOL_COMPAT_COUNT (see roundtrip.test.mjs).
# Installs the npm dependencies from package-lock.json (npm ci) when node_modules is missing or
# older than the lockfile. Exits non-zero when any test fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="${1:-$here/../../build}"
build_dir="$(cd "$build_dir" 2>/dev/null && pwd || echo "$build_dir")"
export PROTOCOL_CODEC_TOOL="${PROTOCOL_CODEC_TOOL:-$build_dir/protocol-codec-tool}"
export CRSYNC_SHARED_SPEC_DIR="${CRSYNC_SHARED_SPEC_DIR:-$here/../../../shared/spec}"

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
if [ ! -x "$PROTOCOL_CODEC_TOOL" ]; then
  echo "run.sh: $PROTOCOL_CODEC_TOOL not found; build it with" \
       "cmake --build <build dir> --target protocol-codec-tool" >&2
  exit 2
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "run.sh: PROTOCOL_CODEC_TOOL=$PROTOCOL_CODEC_TOOL"
exec node --test roundtrip.test.mjs
