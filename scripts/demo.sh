#!/usr/bin/env bash
# The README's first command: installs dependencies, builds vtguard, and runs the end-to-end
# demonstration: the real vtguard-operator and vtguard-webhook against the built-in test
# Kubernetes API server, on vitess-operator's example manifests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export PATH="$PWD/.tools:$PATH"
echo "Building vtguard (the first build takes several minutes)..."
scripts/build.sh default >/dev/null
exec build/default/tests/e2e/vtguard-e2e-demo "$@"
