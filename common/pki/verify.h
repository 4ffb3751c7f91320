// Chain verification of a leaf against a trust bundle with OpenSSL's verifier, at the time of
// a vtguard Clock.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/time.h"
#include "common/pki/bundle.h"
#include "common/pki/certificate.h"

namespace vtguard::pki {

enum class VerifyFailure {
  kNone,
  kExpired,
  kNotYetValid,
  kUnknownIssuer,
  kWrongUsage,
  kNameMismatch,
  kRevoked,
  kInvalid,  // Any other failure: bad signature, bad CA constraints, malformed extensions.
};

// "expired", "not_yet_valid", "unknown_issuer", "wrong_usage", "name_mismatch", "revoked",
// "invalid", or "" for kNone.
std::string_view VerifyFailureName(VerifyFailure failure);

struct VerifyOptions {
  // When set, the leaf must carry this DNS name (or IP address) as a SAN.
  std::optional<std::string> server_name{};
  // When set, the leaf must allow this usage (checked as OpenSSL's sslserver/sslclient purpose).
  std::optional<Usage> usage{};
  // When non-empty, the leaf is checked against these PEM CRLs (each from a bundle CA).
  std::vector<std::string> crl_pems{};
};

struct VerifyResult {
  VerifyFailure failure = VerifyFailure::kNone;
  // A sentence for people: why the chain failed, with the relevant dates or names.
  std::string message{};
  // OpenSSL's X509_V_ERR_* code, 0 when valid.
  int openssl_error = 0;

  bool ok() const { return failure == VerifyFailure::kNone; }
};

// Verifies `leaf` against the CAs of `bundle` at clock.Now().
VerifyResult VerifyCertificate(const Certificate& leaf, const TrustBundle& bundle,
                               const VerifyOptions& options, const Clock& clock);

}  // namespace vtguard::pki
