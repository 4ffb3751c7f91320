#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (preset "fuzz") and runs each for N seconds
# (default 20) starting from its seed corpus. Any crash fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
scripts/build.sh fuzz >/dev/null
shopt -s nullglob
found=0
for fuzzer in $(find build/fuzz/tests -type f -name '*_fuzzer' -perm -u+x | sort); do
  name="$(basename "$fuzzer")"
  corpus_seed="tests/fuzz/corpus/${name%_fuzzer}"
  work="$(mktemp -d)"
  if [ -d "$corpus_seed" ]; then cp -r "$corpus_seed"/. "$work"/; fi
  echo "fuzz: $name for ${seconds}s"
  log="$work.log"
  if ! "$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "$work" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: $name failed; the crashing input is saved in the current folder" >&2
    exit 1
  fi
  grep -E '^stat::number_of_executed_units' "$log" || true
  rm -rf "$work" "$log"
  found=$((found + 1))
done
echo "fuzz: ${found} targets ran without a crash"
