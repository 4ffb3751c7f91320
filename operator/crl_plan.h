// The crl.pem of a cluster's leaf Secrets: which CAs sign a CRL, whether a stored crl.pem still
// serves, and building a new one. Pure functions of their inputs and a time.
//
// crl.pem contains one CRL per CA whose key vtguard keeps (the signer, and the next CA during a
// rotation), each listing every serial of the policy's spec.crl.revokedSerials. A CRL is valid
// for the policy's certificate.duration and is signed again certificate.renewBefore before its
// nextUpdate, the same rule as a leaf, so that a pod restarted for a leaf renewal also reads a
// fresh CRL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/pki/pki.h"
#include "operator/ca_material.h"

namespace vtguard::op {

// The CAs that sign a CRL in crl.pem, signer first.
// NOTE: the previous CA of a rotation (phases ReissueLeaves and DropOld) gets no CRL, because
// vtguard keeps only its certificate. Vitess checks a certificate only against CRLs that its
// issuer signed, so leaves of the previous CA are not checked for revocation until they are
// replaced. A strict checker such as `openssl verify -crl_check` rejects them instead.
std::vector<pki::CertifiedKey> CrlSigners(const CaMaterial& ca);

struct CrlDecision {
  bool sign = false;  // Whether a new crl.pem must be signed.
  // PascalCase reason for events and logs: DoesNotExist, InvalidData, SignersChanged,
  // SerialsChanged, Renewing (and LeafIssued, set by the reconciler).
  std::string reason;
};

// Decides whether `stored_pem` (a leaf Secret's crl.pem, "" when absent) still serves: exactly
// one CRL per signer, signed by it, listing exactly `serials` (normalized, sorted), with `now`
// before its nextUpdate minus `renew_before`.
CrlDecision DecideCrl(std::string_view stored_pem, const std::vector<pki::CertifiedKey>& signers,
                      const std::vector<std::string>& serials, Seconds renew_before,
                      SystemTime now);

// Signs crl.pem: one CRL per signer with lastUpdate now, nextUpdate now + `validity` and a
// cRLNumber that grows with every CRL: the Unix time of now, or one more than the highest
// number in `stored_pem` when that is not lower. Each serial keeps the revocation date it has
// in `stored_pem`, else gets now.
Result<std::string> SignCrlPem(std::string_view stored_pem,
                               const std::vector<pki::CertifiedKey>& signers,
                               const std::vector<std::string>& serials, Seconds validity,
                               const Clock& clock);

// When the CRLs in `pem` must be signed again: the earliest nextUpdate minus `renew_before`, or
// nullopt when `pem` contains no readable CRL with a nextUpdate.
std::optional<SystemTime> CrlRenewalTime(std::string_view pem, Seconds renew_before);

// Whether `certificate`'s serial is one of `serials` (normalized as vitess::NormalizeSerial).
bool IsRevoked(const pki::Certificate& certificate, const std::vector<std::string>& serials);

}  // namespace vtguard::op
