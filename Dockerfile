# One image with vtguard-operator, vtguard-webhook and the vtguard CLI.
#
#   docker build -t vtguard:0.1.0 .
#
# The build stage installs the build packages of scripts/install-deps.sh and builds the
# `release` preset as a developer would; the runtime stage is distroless (no shell, no package
# manager) and runs as the nonroot user 65532.
# NOTE: base images are referenced by tag, not digest; pin digests in a release pipeline.

FROM debian:bookworm AS build
# The same list as DEBIAN_BUILD_PACKAGES in scripts/install-deps.sh.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates \
      libssl-dev libboost-dev libboost-system-dev nlohmann-json3-dev libyaml-cpp-dev \
      libspdlog-dev libfmt-dev prometheus-cpp-dev libbenchmark-dev libmimalloc-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
RUN cmake --preset release && cmake --build --preset release -j "$(nproc)"

# Collect the three binaries and the shared libraries they load into /out. glibc and the GCC
# runtime (libstdc++, libgcc_s) are left out because the distroless cc image has them and they
# must match its loader; every other library goes to /usr/lib/vtguard.
RUN set -eu; \
    mkdir -p /out/usr/local/bin /out/usr/lib/vtguard; \
    for name in vtguard-operator vtguard-webhook vtguard; do \
      path="$(find build/release -type f -name "$name" -perm -u+x | head -n 1)"; \
      if [ -z "$path" ]; then echo "binary $name not found under build/release" >&2; exit 1; fi; \
      install -m 0755 "$path" "/out/usr/local/bin/$name"; \
    done; \
    ldd /out/usr/local/bin/* | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u \
      | grep -Ev '/(ld-linux[^/]*|lib(c|m|mvec|dl|rt|pthread|resolv|util|anl|nsl|nss_[a-z]+)|libgcc_s|libstdc\+\+)\.so' \
      > /out/libraries.txt; \
    while read -r library; do cp -L "$library" /out/usr/lib/vtguard/; done < /out/libraries.txt; \
    cat /out/libraries.txt

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/usr/lib/vtguard/ /usr/lib/vtguard/
COPY --from=build /out/usr/local/bin/ /usr/local/bin/
ENV LD_LIBRARY_PATH=/usr/lib/vtguard
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/vtguard-operator"]
