// Certificate revocation lists signed by a vtguard CA (consumed by Vitess through --grpc-crl).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
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

}  // namespace vtguard::pki
