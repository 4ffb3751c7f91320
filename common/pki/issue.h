// Certificate authorities and leaf certificates: creation, issuance and CA renewal.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/base/time.h"
#include "common/pki/certificate.h"
#include "common/pki/key.h"

namespace vtguard::pki {

// How far notBefore is set back from "now" so that peers whose clocks lag still accept a new
// certificate.
inline constexpr Seconds kClockSkewAllowance = std::chrono::minutes(5);
// The default CA and leaf lifetimes (87600h = 10 years, 2160h = 90 days).
inline constexpr Seconds kDefaultCaDuration = std::chrono::hours(87600);
inline constexpr Seconds kDefaultLeafDuration = std::chrono::hours(2160);

struct CaOptions {
  std::string common_name = "vtguard-ca";
  std::string organization = "vtguard";
  KeySpec key{};
  Seconds duration = kDefaultCaDuration;
};

// Creates a self-signed CA: basicConstraints CA:TRUE, pathlen:0 (critical), keyUsage
// keyCertSign + cRLSign (critical), subject and authority key identifiers, a random positive
// 128-bit serial, notBefore = now - kClockSkewAllowance and notAfter = now + duration.
Result<CertifiedKey> CreateCa(const CaOptions& options, const Clock& clock);

// Re-signs `ca` with the same subject and key, a new serial and notBefore = now -
// kClockSkewAllowance, notAfter = now + duration. Leaves signed by the old certificate verify
// against the new one and the other way round.
Result<Certificate> RenewCa(const CertifiedKey& ca, Seconds duration, const Clock& clock);

struct LeafRequest {
  std::string common_name{};
  // Optional subject attributes; clients identified by mTLS use them.
  std::string organization{};
  std::string organizational_unit{};
  std::vector<std::string> dns_names{};
  std::vector<std::string> ip_addresses{};
  std::vector<std::string> uris{};
  // At least one is required.
  std::vector<Usage> usages = {Usage::kServer};
  KeySpec key{};
  Seconds duration = kDefaultLeafDuration;
};

// Checks a request before any key is generated: a common name or at least one SAN, at least
// one usage, parseable IP addresses and URIs, a positive duration.
Status ValidateLeafRequest(const LeafRequest& request);

// Generates a key and issues a leaf for it (see IssueLeafForKey).
Result<CertifiedKey> IssueLeaf(const CertifiedKey& ca, const LeafRequest& request,
                               const Clock& clock);

// Issues a leaf for an existing key (request.key is ignored): extendedKeyUsage from
// request.usages, keyUsage digitalSignature (+ keyEncipherment for RSA), the SANs, subject CN
// (+ O, OU), an authority key identifier from the CA, notBefore = now - kClockSkewAllowance and
// notAfter = min(now + duration, the CA's notAfter). A CA that has expired is an error.
Result<Certificate> IssueLeafForKey(const CertifiedKey& ca, const LeafRequest& request,
                                    const PrivateKey& key, const Clock& clock);

}  // namespace vtguard::pki
