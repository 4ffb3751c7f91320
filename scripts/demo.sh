#!/usr/bin/env bash
# The README's first command: installs dependencies, builds vtguard, and runs the demonstration
# on the bundled example manifests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export PATH="$PWD/.tools:$PATH"
scripts/build.sh default >/dev/null
exec build/default/cli/vtguard certs demo "$@"
