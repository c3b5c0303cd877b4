#!/usr/bin/env bash
# The main job: sets up, builds, and runs the engine demo (two peers converging).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
./build/crsqlite-demo
