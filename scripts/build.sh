#!/usr/bin/env bash
# Configures and builds crsync in Release into ${BUILD_DIR:-build}: build/crsqlite.so, the
# static engine, the demo, tests, the compat host and the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} ${CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
