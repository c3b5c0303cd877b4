#!/usr/bin/env bash
# Installs everything crsync needs on a fresh Debian 12 machine: the C++ toolchain and libraries
# from Debian's packages, Node.js if absent, and the npm packages of the test/bench harnesses
# (from their lockfiles). Safe to run repeatedly; skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup_lib.sh

install_packages setup build-essential cmake pkg-config libsqlite3-dev sqlite3 libgtest-dev \
  libgmock-dev libbenchmark-dev nlohmann-json3-dev clang-14 libclang-rt-14-dev libboost-dev \
  libssl-dev libcli11-dev
for dir in test/compat test/protocol_compat bench/reference test/interop bench/load; do
  npm_ci setup "$dir"
done
echo "setup: done"
