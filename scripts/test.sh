#!/usr/bin/env bash
# Runs every test: sets up, builds Release, runs the unit + spec-vector tests (ctest), the
# differential test against the real cr-sqlite (npm @vlcn.io/crsqlite-wasm), the protocol codec
# round trip against the real @vlcn.io/ws-common, the interop tests (the real @vlcn.io/ws-client
# and our CLI against crsync-server), the web package in headless Chromium, the unit tests again
# under AddressSanitizer + UBSan, and each fuzz target for FUZZ_SECONDS (default 20).
# Ends with one line "N passed, M failed" counting the suites below.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1

passed=0
failed=0
failures=()
step() {
  local name=$1
  shift
  echo
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

step "build (Release)" scripts/build.sh
step "unit and vector tests" ctest --test-dir build --output-on-failure -j"$(nproc)"
step "differential test vs real cr-sqlite" test/compat/run.sh build
step "protocol round trip vs real ws-common" test/protocol_compat/run.sh build
step "interop: real ws-client + our CLI vs crsync-server" test/interop/run.sh build
if [ -x web/run-tests.sh ]; then
  step "web: wasm build + browser tests (chromium)" web/run-tests.sh
fi
step "build (asan+ubsan)" env BUILD_DIR=build-asan BUILD_TYPE=Debug \
  CMAKE_ARGS="-DCRSYNC_SANITIZE=ON -DCRSYNC_BENCH=OFF" scripts/build.sh
step "unit and vector tests (asan+ubsan)" env ASAN_OPTIONS=detect_leaks=1 \
  ctest --test-dir build-asan --output-on-failure -j"$(nproc)"
if [ -x test/fuzz/run.sh ]; then
  step "fuzz (${FUZZ_SECONDS:-20}s per target)" env FUZZ_SECONDS=${FUZZ_SECONDS:-20} test/fuzz/run.sh
fi

echo
if [ "$failed" -gt 0 ]; then
  printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
