#!/usr/bin/env bash
# Builds under the asan preset (AddressSanitizer + UndefinedBehaviorSanitizer) only the
# executables of the tests labelled webhook or http, then runs those tests.
#
#   scripts/test-asan-webhook.sh [jobs]     jobs defaults to nproc
#
# tests/CMakeLists.txt gives every test label a build target, tests_<label>, that depends on
# the executables of the tests carrying it. A test whose executable is missing fails in ctest,
# so a test selected here but not built cannot pass unnoticed.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-$(nproc)}"

cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs" --target tests_webhook tests_http
ctest --preset asan -L 'webhook|http'
