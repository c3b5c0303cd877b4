#!/usr/bin/env bash
# Builds the browser package into web/dist: installs web/'s npm packages (lockfile, no install
# scripts), extracts the SQLite amalgamation from the npm package `sqlite3` (its
# deps/sqlite-autoconf-*.tar.gz; never committed), compiles crsync.wasm + crsync.mjs with
# emscripten (emcmake, build dir $WASM_BUILD_DIR, default build-wasm) and copies the JS sources.
set -euo pipefail
cd "$(dirname "$0")"
WEB_DIR=$(pwd)
ROOT=$(cd .. && pwd)
BUILD_DIR=${WASM_BUILD_DIR:-$ROOT/build-wasm}
# Debian's emscripten runs its JS tools with node; they need Debian's node modules (acorn).
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

command -v emcmake >/dev/null || { echo "build.sh: emscripten missing (scripts/setup-web.sh)"; exit 1; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  touch node_modules
fi

SQLITE_DIR=$BUILD_DIR/sqlite
tarball=$(ls node_modules/sqlite3/deps/sqlite-autoconf-*.tar.gz | head -1)
if [ ! -f "$SQLITE_DIR/sqlite3.c" ] || [ "$tarball" -nt "$SQLITE_DIR/sqlite3.c" ]; then
  mkdir -p "$SQLITE_DIR"
  tar -xzf "$tarball" -C "$SQLITE_DIR" --strip-components=1 --wildcards \
    '*/sqlite3.c' '*/sqlite3.h' '*/sqlite3ext.h'
  touch "$SQLITE_DIR/sqlite3.c"
fi

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  emcmake cmake -S "$WEB_DIR" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
    -DCRSYNC_SQLITE_DIR="$SQLITE_DIR" -DCRSYNC_WEB_OUT="$WEB_DIR/dist" >/dev/null
fi
cmake --build "$BUILD_DIR" -j2

mkdir -p dist/demo
cp src/*.js dist/
cp src/*.d.ts dist/ 2>/dev/null || true
# The demo app (served with the engine by crsync-server --static-dir web/dist, at /demo/).
cp "$ROOT"/demo/web/* "$ROOT"/demo/schemas/todo.sql dist/demo/
echo "build.sh: $(du -b dist/crsync.wasm | cut -f1) bytes wasm," \
  "$(gzip -9c dist/crsync.wasm | wc -c) bytes gzip"
