#!/usr/bin/env bash
# Benchmarks VitessCluster mutation of vtguard-webhook against nginx serving a static response
# of the same size over TLS with the same certificate, both on 127.0.0.1, keep-alive, with wrk.
#
#   bench/webhook/run.sh [path/to/vtguard-webhook]
#
# Environment: DURATION (default 15s), CONNECTIONS (default 32), PACED_RATE (default 1000),
# RUNS (default 3): each run measures the webhook and then nginx, saturating and paced, so that
# every ratio compares two measurements taken seconds apart on the same machine load.
# Prints a Markdown report on stdout; progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
binary="${1:-}"
if [ -z "$binary" ]; then
  for candidate in build/release/webhook/vtguard-webhook build/default/webhook/vtguard-webhook; do
    if [ -x "$candidate" ]; then binary="$candidate"; break; fi
  done
fi
[ -x "$binary" ] || { echo "vtguard-webhook binary not found; build the release preset" >&2; exit 1; }
duration="${DURATION:-15s}"
connections="${CONNECTIONS:-32}"
paced_rate="${PACED_RATE:-1000}"
runs="${RUNS:-3}"
manifest="${VTGUARD_SHARED_DATA_DIR:-$root/../shared}/data/vitess-operator/101_initial_cluster.yaml"

work="$(mktemp -d)"
webhook_pid=""
nginx_pid=""
cleanup() {
  if [ -n "$webhook_pid" ]; then kill -TERM "$webhook_pid" 2>/dev/null || true; fi
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

source bench/webhook/common.sh

echo "bench: certificate, policy and review in $work" >&2
make_inputs
start_webhook "$binary"
curl -sk -H 'Content-Type: application/json' --data-binary @"$work/review.json" \
  "https://127.0.0.1:$webhook_port/mutate/vitesscluster" > "$work/response.json"
response_bytes="$(wc -c < "$work/response.json")"
grep -q '"patchType":"JSONPatch"' "$work/response.json" || {
  echo "bench: the webhook did not return a patch" >&2; exit 1; }

nginx_port="$(free_port)"
mkdir -p "$work/nginx/www"
cp "$work/response.json" "$work/nginx/www/response.json"
chmod -R a+rX "$work"
cat > "$work/nginx/nginx.conf" <<NGINX
daemon off;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $work/tls/tls.crt;
    ssl_certificate_key $work/tls/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    client_max_body_size 3m;
    # The static module rejects POST with 405; error_page turns that into the file, 200.
    root $work/nginx/www;
    default_type application/json;
    location / {
      error_page 405 =200 /response.json;
      try_files /response.json =404;
    }
  }
}
NGINX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 100); do
  curl -sk -o /dev/null "https://127.0.0.1:$nginx_port/" && break
  sleep 0.05
done
nginx_bytes="$(curl -sk -X POST -H 'Content-Type: application/json' \
  --data-binary @"$work/review.json" "https://127.0.0.1:$nginx_port/mutate/vitesscluster" | wc -c)"

# Prints the CPU time (user + system) of the processes `pids` in clock ticks.
cpu_ticks() {
  local total=0 pid
  for pid in "$@"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

# Runs wrk and prints "requests_per_second p50 p99 cpu_us_per_request" (latencies as wrk prints
# them). The last is the CPU time of the server processes `pids` over the run, divided by the
# requests wrk completed. Other load on the machine changes it less than the request rate.
run_wrk() {
  local url="$1" threads="$2" conns="$3" delay_ms="$4" out
  shift 4
  local ticks_before ticks_after
  ticks_before="$(cpu_ticks "$@")"
  out="$(REVIEW_FILE="$work/review.json" DELAY_MS="$delay_ms" wrk -t"$threads" -c"$conns" \
    -d"$duration" --latency -s bench/webhook/post_review.lua "$url")"
  ticks_after="$(cpu_ticks "$@")"
  echo "$out" >&2
  if echo "$out" | grep -qE 'Non-2xx|Socket errors'; then
    echo "bench: wrk reported errors" >&2
  fi
  local rps p50 p99 requests cpu_us
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  requests="$(echo "$out" | awk '/requests in/ {print $1}')"
  cpu_us="$(python3 -c "print(f'{($ticks_after - $ticks_before) * 1e6 / $(getconf CLK_TCK) / $requests:.0f}')")"
  echo "$rps $p50 $p99 $cpu_us"
}

# Paced load: 10 connections, each waiting 10000/PACED_RATE ms between requests.
paced_delay_ms=$((10000 / paced_rate))
webhook_url="https://127.0.0.1:$webhook_port/mutate/vitesscluster"
nginx_url="https://127.0.0.1:$nginx_port/mutate/vitesscluster"
# nginx serves from its worker processes, the children of the master.
nginx_workers="$(ps -o pid= --ppid "$nginx_pid" | tr -d ' ' | tr '\n' ' ')"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
rows=""
ratios=""
for run in $(seq "$runs"); do
  echo "bench: run $run of $runs: saturating load, webhook then nginx" >&2
  read -r webhook_rps webhook_p50 webhook_p99 webhook_cpu < <(run_wrk "$webhook_url" 2 \
    "$connections" 0 "$webhook_pid")
  read -r nginx_rps nginx_p50 nginx_p99 nginx_cpu < <(run_wrk "$nginx_url" 2 "$connections" 0 \
    $nginx_workers)
  echo "bench: run $run of $runs: paced load at about $paced_rate requests/s" >&2
  read -r paced_rps paced_p50 paced_p99 _ < <(run_wrk "$webhook_url" 2 10 "$paced_delay_ms" \
    "$webhook_pid")
  read -r nginx_paced_rps nginx_paced_p50 nginx_paced_p99 _ < <(run_wrk "$nginx_url" 2 10 \
    "$paced_delay_ms" $nginx_workers)
  ratio="$(python3 -c "print(f'{$webhook_rps / $nginx_rps:.2f}')")"
  ratios="$ratios $ratio"
  rows="$rows| $run | $webhook_rps | $nginx_rps | **$ratio** | $webhook_cpu / $nginx_cpu | \
$webhook_p50 / $webhook_p99 | \
$nginx_p50 / $nginx_p99 | $paced_rps: $paced_p50 / $paced_p99 | \
$nginx_paced_rps: $nginx_paced_p50 / $nginx_paced_p99 |
"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
webhook_rss_kib="$(awk '/VmHWM/ {print $2}' "/proc/$webhook_pid/status")"
errors="$(curl -s "http://127.0.0.1:$metrics_port/metrics" | grep '^vtguard_webhook_request_errors_total' || true)"
median_ratio="$(python3 -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" $ratios)"

cat <<REPORT
Response size: webhook $response_bytes bytes, nginx $nginx_bytes bytes.

| run | webhook requests/s | nginx requests/s | ratio | CPU µs per request: webhook / nginx | webhook p50 / p99 | nginx p50 / p99 | webhook paced: requests/s: p50 / p99 | nginx paced: requests/s: p50 / p99 |
|---|---|---|---|---|---|---|---|---|
$rows
- Throughput ratio webhook / nginx, median of $runs runs: **$median_ratio** (runs:$ratios)
- Webhook peak RSS (VmHWM): $webhook_rss_kib KiB after all runs
- Webhook transport errors during the runs: ${errors:-none}
- Load average (1, 5, 15 min): $load_before before, $load_after after
- Command: \`bench/webhook/run.sh $binary\` (DURATION=$duration, CONNECTIONS=$connections, PACED_RATE=$paced_rate, RUNS=$runs)
- Machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(uname -r); date $(date -u +%Y-%m-%dT%H:%MZ)
REPORT
