// The CA that signs a cluster's leaves, read from its Secret, and the trust bundle it implies.
#pragma once

#include <optional>
#include <string>

#include "common/pki/pki.h"
#include "operator/rotation.h"
#include "operator/secret_data.h"

namespace vtguard::op {

struct CaMaterial {
  pki::CertifiedKey signer;                  // tls.crt + tls.key
  std::optional<pki::CertifiedKey> next;     // next.crt + next.key (kNewCa, kTrustBoth)
  std::optional<pki::Certificate> previous;  // previous.crt (kReissueLeaves, kDropOld)
  pki::TrustBundle extra_trust;              // ca.crt of a user's CA Secret, if any
  RotationPhase phase = RotationPhase::kNone;
  std::string rotation_token;  // the rotate-ca value the last rotation acted on
};

// Reads a CA Secret. Errors name the Secret and the key, and say how to repair it; the caller
// never overwrites a Secret it cannot read.
Result<CaMaterial> ReadCaMaterial(const Json& secret);

// The PEM bundle every consumer mounts as ca.crt: signer, next and previous CA certificates
// plus any extra trust, without expired certificates, in a stable order.
std::string TrustBundlePem(const CaMaterial& ca, SystemTime now);

// The Secret data of `ca`, for writing back (private keys included).
Result<SecretData> CaSecretData(const CaMaterial& ca);

// Applies the CA change of moving from `ca.phase` to `to`: kNewCa stores `new_ca` as next,
// kReissueLeaves makes next the signer and keeps the old certificate as previous, kDropOld
// forgets previous. `new_ca` is only read for kNewCa.
Result<CaMaterial> TransitionCa(const CaMaterial& ca, RotationPhase to,
                                const std::optional<pki::CertifiedKey>& new_ca);

}  // namespace vtguard::op
