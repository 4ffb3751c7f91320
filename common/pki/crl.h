// Certificate revocation lists signed by a vtguard CA (consumed by Vitess through --grpc-crl).
#pragma once

#include <openssl/x509.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/base/time.h"
#include "common/pki/certificate.h"

namespace vtguard::pki {

struct RevokedSerial {
  // Upper-case or lower-case hex, as Certificate::SerialHex() returns it.
  std::string serial_hex{};
  SystemTime revocation_time{};
};

struct CrlOptions {
  std::vector<RevokedSerial> revoked{};
  // The cRLNumber extension; callers increase it with each new CRL of a CA.
  uint64_t crl_number = 1;
  // nextUpdate = now + validity.
  Seconds validity = std::chrono::hours(24 * 7);
};

// Creates a v2 CRL signed by `ca` with lastUpdate = now, nextUpdate = now + validity, an
// authority key identifier and a CRL number, and returns it as PEM ("X509 CRL").
Result<std::string> CreateCrlPem(const CertifiedKey& ca, const CrlOptions& options,
                                 const Clock& clock);

// A parsed CRL, for comparing a stored CRL with the one vtguard would write. Copies share the
// same OpenSSL object.
class Crl {
 public:
  // Reads every "X509 CRL" block of a PEM text, in order, skipping blocks of other types. A
  // text without any CRL, or with a damaged CRL block, is kInvalidArgument.
  static Result<std::vector<Crl>> ParseAll(std::string_view pem);

  std::string ToPem() const;
  // The issuer in RFC 2253 form, e.g. "CN=example-vtguard-ca,O=vtguard".
  std::string Issuer() const;
  SystemTime LastUpdate() const;
  // nextUpdate, or nullopt when the CRL has none.
  std::optional<SystemTime> NextUpdate() const;
  // The revoked serials in upper-case hex (as Certificate::SerialHex returns them), in the
  // CRL's order, with their revocation dates.
  std::vector<RevokedSerial> Revoked() const;
  // Whether the public key of `issuer` verifies this CRL's signature and the names match.
  bool IsSignedBy(const Certificate& issuer) const;

 private:
  explicit Crl(std::shared_ptr<X509_CRL> crl) : crl_(std::move(crl)) {}
  std::shared_ptr<X509_CRL> crl_;
};

}  // namespace vtguard::pki
