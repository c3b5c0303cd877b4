#!/usr/bin/env bash
# Builds the libFuzzer targets (test/fuzz/*_fuzz.cpp) with clang++-14 in build-fuzz and runs
# each for FUZZ_SECONDS (default 30) with -max_total_time. Exits non-zero if any target finds
# a crash, sanitizer report, leak, timeout or OOM (libFuzzer's own exit status).
#   FUZZ_SECONDS=N     time per target (default 30)
#   FUZZ_TARGETS="a b" only these targets (default: every built *_fuzz)
#   FUZZ_JOBS=N        libFuzzer -jobs/-workers per target (default 1)
#   BUILD_DIR=dir      build directory (default build-fuzz)
# Seeds come from test/fuzz/corpus/<target>/ (or corpus/<target minus _fuzz>/); new corpus
# entries go to $BUILD_DIR/fuzz-corpus/<target>/ (so the checked-in seeds stay small) and
# crash artifacts to $BUILD_DIR/fuzz-artifacts/<target>/. A run log per target is kept next to
# the artifacts; the script prints each target's runs, exec/s and result.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-build-fuzz}"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-30}"
JOBS="${FUZZ_JOBS:-1}"
cd "$ROOT" || exit 1

echo "### building fuzz targets in $BUILD_DIR (clang++-14, ASan+UBSan+libFuzzer)"
if ! { cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
         -DCRSYNC_FUZZ=ON -DCRSYNC_TESTS=OFF -DCRSYNC_BENCH=OFF >/dev/null &&
       cmake --build "$BUILD_DIR" -j2 --target fuzz_targets; } >"$BUILD_DIR.log" 2>&1; then
  tail -40 "$BUILD_DIR.log"
  echo "fuzz build failed (full log: $BUILD_DIR.log)"
  exit 1
fi
rm -f "$BUILD_DIR.log"

if [[ -n "${FUZZ_TARGETS:-}" ]]; then
  targets=($FUZZ_TARGETS)
else
  targets=()
  for f in test/fuzz/*_fuzz.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi

status=0
for t in "${targets[@]}"; do
  bin="$BUILD_DIR/fuzz/$t"
  if [[ ! -x "$bin" ]]; then
    echo "$t: not built"
    status=1
    continue
  fi
  seeds=()
  for d in "test/fuzz/corpus/$t" "test/fuzz/corpus/${t%_fuzz}"; do
    [[ -d "$d" ]] && seeds+=("$d")
  done
  work="$BUILD_DIR/fuzz-corpus/$t"
  artifacts="$BUILD_DIR/fuzz-artifacts/$t"
  mkdir -p "$work" "$artifacts"
  dict=()
  [[ -f "test/fuzz/$t.dict" ]] && dict=("-dict=test/fuzz/$t.dict")
  log="$artifacts/run.log"
  echo "### $t: ${SECONDS_PER_TARGET}s, seeds: ${seeds[*]:-none}"
  # -timeout: one input taking > 20 s counts as a hang; ASan leak checks stay on.
  "$bin" -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
    $( ((JOBS > 1)) && echo "-jobs=$JOBS -workers=$JOBS" ) \
    "$work" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | tail -1 | grep -Eo '[0-9]+')
  rate=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+$')
  eps=$(grep -Eo 'exec/s: *[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+$')
  if ((rc == 0)); then
    echo "$t: OK — ${runs:-${rate:-?}} runs, ~${eps:-?} exec/s, corpus $(ls "$work" | wc -l) files"
  else
    echo "$t: FAILED (exit $rc) — log $log"
    grep -E 'ERROR:|INVARIANT VIOLATED|runtime error|SUMMARY:|Test unit written' "$log" | head -10
    status=1
  fi
done
exit $status
