#!/usr/bin/env bash
# Memory of vtguard-webhook over repeated rounds of new connections. The script starts one
# server and runs ROUNDS saturating wrk rounds, each with CONNECTIONS new keep-alive
# connections. After each round, once the connections are closed, it prints the peak RSS
# (VmHWM), the resident anonymous memory and the CPU µs per request of that round.
#
#   bench/webhook/rounds.sh [path/to/vtguard-webhook]
#
# Environment: ROUNDS (default 5), DURATION (default 5s), CONNECTIONS (default 32).
# Prints a Markdown table on stdout; progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
binary="${1:-build/release/webhook/vtguard-webhook}"
[ -x "$binary" ] || { echo "vtguard-webhook binary not found; build the release preset" >&2; exit 1; }
rounds="${ROUNDS:-5}"
duration="${DURATION:-5s}"
connections="${CONNECTIONS:-32}"
manifest="${VTGUARD_SHARED_DATA_DIR:-$root/../shared}/data/vitess-operator/101_initial_cluster.yaml"

work="$(mktemp -d)"
webhook_pid=""
cleanup() {
  if [ -n "$webhook_pid" ]; then kill -TERM "$webhook_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

source bench/webhook/common.sh
make_inputs
start_webhook "$binary"

status_kib() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$webhook_pid/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$webhook_pid/stat"; }

echo "| round | VmHWM | anonymous RSS after the round | CPU µs per request |"
echo "|---|---|---|---|"
for round in $(seq "$rounds"); do
  echo "rounds: round $round of $rounds" >&2
  before="$(cpu_ticks)"
  out="$(REVIEW_FILE="$work/review.json" DELAY_MS=0 wrk -t2 -c"$connections" -d"$duration" \
    -s bench/webhook/post_review.lua "https://127.0.0.1:$webhook_port/mutate/vitesscluster")"
  after="$(cpu_ticks)"
  requests="$(echo "$out" | awk '/requests in/ {print $1}')"
  sleep 1  # The server closes the connections and returns free memory.
  python3 -c "print(f'| $round | {$(status_kib VmHWM) / 1024:.1f} MiB | {$(status_kib RssAnon) / 1024:.1f} MiB | {($after - $before) * 1e6 / $(getconf CLK_TCK) / $requests:.0f} |')"
done
echo
echo "- Command: \`bench/webhook/rounds.sh $binary\` (ROUNDS=$rounds, DURATION=$duration, CONNECTIONS=$connections)"
echo "- Load average (1, 5, 15 min) at the end: $(cut -d' ' -f1-3 /proc/loadavg); date $(date -u +%Y-%m-%dT%H:%MZ)"
