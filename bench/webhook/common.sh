# Setup shared by the webhook benchmarks (run.sh, rounds.sh), which source this file. They set
# `work` (a scratch folder) and `manifest` (the VitessCluster to send) first.

# Picks a free loopback port by binding port 0.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Writes the serving certificate ($work/tls), the policy and the AdmissionReview of $manifest.
make_inputs() {
  mkdir -p "$work/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$work/tls/tls.key" -out "$work/tls/tls.crt" 2>/dev/null
  cat > "$work/policy.yaml" <<POLICY
apiVersion: vtguard.io/v1alpha1
kind: VitessTLSPolicy
metadata: {name: bench, namespace: example}
spec: {enforcement: Enforce}
POLICY
  python3 bench/webhook/make_review.py "$manifest" "$work/review.json"
}

# Starts the webhook binary $1 on free ports and waits until it is ready. Sets webhook_pid,
# webhook_port and metrics_port; the log goes to $work/webhook.log.
start_webhook() {
  webhook_port="$(free_port)"
  metrics_port="$(free_port)"
  "$1" --listen-address "127.0.0.1:$webhook_port" --metrics-address "127.0.0.1:$metrics_port" \
    --tls-cert-dir "$work/tls" --policy-file "$work/policy.yaml" --log-level warn \
    2>"$work/webhook.log" &
  webhook_pid=$!
  for _ in $(seq 100); do
    curl -sk "https://127.0.0.1:$webhook_port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "bench: the webhook did not become ready; see its log:" >&2
  cat "$work/webhook.log" >&2
  return 1
}
