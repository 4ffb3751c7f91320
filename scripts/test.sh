#!/usr/bin/env bash
# The full test run, as CI runs it: install dependencies, check formatting, build, run every
# test with ctest, then run each fuzz target briefly under libFuzzer.
#
#   scripts/test.sh            everything
#   VTGUARD_SKIP_ASAN=1 ...    skip the ASan+UBSan build and run
#   VTGUARD_SKIP_FUZZ=1 ...    skip the libFuzzer runs
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
export PATH="$PWD/.tools:$PATH"

echo "== format check (clang-format)"
scripts/check-format.sh

echo "== build (default preset)"
scripts/build.sh default

echo "== static analysis (clang-tidy)"
scripts/check-tidy.sh build/default

echo "== tests (default preset)"
ctest --preset default

if [ "${VTGUARD_SKIP_ASAN:-0}" != "1" ]; then
  echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  scripts/build.sh asan
  ctest --preset asan
fi

if [ "${VTGUARD_SKIP_FUZZ:-0}" != "1" ]; then
  echo "== fuzz targets (libFuzzer, 20 s each)"
  scripts/run-fuzzers.sh 20
fi
