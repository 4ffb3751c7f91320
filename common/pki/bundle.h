// Trust bundles: the set of CA certificates a TLS peer accepts (the ca.crt file).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/base/time.h"
#include "common/pki/certificate.h"

namespace vtguard::pki {

// A de-duplicated set of certificates kept in a stable order: by notBefore, then by SHA-256
// fingerprint. Two bundles with the same certificates serialize to the same bytes.
class TrustBundle {
 public:
  TrustBundle() = default;

  // Reads every certificate of a PEM text. An empty text gives an empty bundle; text with PEM
  // blocks that are not valid certificates is kInvalidArgument.
  static Result<TrustBundle> Parse(std::string_view pem);

  // Adds `certificate` unless a certificate with the same DER encoding is present.
  void Add(const Certificate& certificate);
  // Adds every certificate of `other`.
  void Merge(const TrustBundle& other);
  // Removes certificates whose notAfter is before `now`; returns how many were removed.
  int RemoveExpired(SystemTime now);
  int RemoveExpired(const Clock& clock) { return RemoveExpired(clock.Now()); }

  // Returns the certificate in this bundle that issued `leaf` (names chain and its key
  // verifies the signature), or nothing. When several match, as after a renewal with the same
  // key, the first in bundle order (the oldest) is returned.
  std::optional<Certificate> FindSigner(const Certificate& leaf) const;

  // The PEM concatenation of every certificate, in order.
  std::string ToPem() const;

  const std::vector<Certificate>& certificates() const { return certificates_; }
  bool empty() const { return certificates_.empty(); }
  size_t size() const { return certificates_.size(); }

 private:
  std::vector<Certificate> certificates_;
};

}  // namespace vtguard::pki
