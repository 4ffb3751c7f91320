// The trust invariant of a set of Vitess Pods: every client trusts every peer it may dial.
//
// Over the materialized files of a set of Pods, for every vttablet that serves TLS and every
// consumer that dials tablets:
//   - tablet clients (vttablet, vtgate, vtctld: --tablet-grpc-*) and tablet-manager clients
//     (vttablet, vtctld, vtorc: --tablet-manager-grpc-*) must verify the tablet's --grpc-cert
//     chain against their CA bundle, for their server name (or the pod IP when none is set);
//   - when the tablet requires client certificates (--grpc-ca), each client must present a
//     certificate that verifies against the tablet's --grpc-ca for client authentication.
// Verification is OpenSSL's X509_verify_cert against the bundle files the Pods would read.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/mounts.h"

namespace vtguard::e2e {

// A consumer that would fail to connect to a peer, and why.
struct BrokenTrust {
  std::string consumer;   // Pod whose check fails.
  std::string flag;       // The consumer's flag involved, e.g. "tablet-grpc-ca" or "grpc-ca".
  std::string presenter;  // Pod whose certificate is not accepted.
  std::string reason;

  std::string ToString() const;
};

// Checks the invariant over `pods`; an empty result means every pair would connect.
// `verify_time` sets the time at which certificates are checked (now when unset).
std::vector<BrokenTrust> CheckTrustInvariant(const std::vector<MaterializedPod>& pods,
                                             std::optional<std::time_t> verify_time = {});

}  // namespace vtguard::e2e
