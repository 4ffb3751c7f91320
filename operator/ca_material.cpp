#include "operator/ca_material.h"

namespace vtguard::op {

namespace {

std::string SecretName(const Json& secret) {
  return MetadataString(secret, "namespace") + "/" + MetadataString(secret, "name");
}

Result<pki::CertifiedKey> ReadPair(const Json& secret, const SecretData& data,
                                   std::string_view cert_key, std::string_view private_key_key) {
  auto cert = data.find(cert_key);
  auto key = data.find(private_key_key);
  if (cert == data.end() || key == data.end()) {
    return InvalidArgument("CA Secret " + SecretName(secret) + " lacks " + std::string(cert_key) +
                           " or " + std::string(private_key_key) +
                           "; store a PEM CA certificate and its private key under these keys");
  }
  Result<pki::CertifiedKey> pair = pki::ParseCertifiedKey(cert->second, key->second);
  if (!pair.ok()) {
    return pair.status().WithContext("CA Secret " + SecretName(secret) + " " +
                                     std::string(cert_key));
  }
  if (!pair->certificate.IsCa()) {
    return InvalidArgument("CA Secret " + SecretName(secret) + ": " + std::string(cert_key) +
                           " is not a CA certificate (basicConstraints CA:TRUE is missing)");
  }
  return pair;
}

}  // namespace

Result<CaMaterial> ReadCaMaterial(const Json& secret) {
  VTG_ASSIGN_OR_RETURN(SecretData data, ReadSecretData(secret));
  VTG_ASSIGN_OR_RETURN(pki::CertifiedKey signer, ReadPair(secret, data, kCertKey, kPrivateKeyKey));
  CaMaterial ca{std::move(signer), std::nullopt, std::nullopt, {}, RotationPhase::kNone, ""};
  if (data.count(kNextCertKey) != 0) {
    VTG_ASSIGN_OR_RETURN(ca.next, ReadPair(secret, data, kNextCertKey, kNextPrivateKeyKey));
  }
  if (auto it = data.find(kPreviousCertKey); it != data.end()) {
    Result<pki::Certificate> previous = pki::Certificate::FromPem(it->second);
    if (!previous.ok()) return previous.status().WithContext("CA Secret " + SecretName(secret));
    ca.previous = *previous;
  }
  if (auto it = data.find(kBundleKey); it != data.end()) {
    Result<pki::TrustBundle> extra = pki::TrustBundle::Parse(it->second);
    if (!extra.ok()) return extra.status().WithContext("CA Secret " + SecretName(secret));
    ca.extra_trust = std::move(*extra);
  }
  bool known = true;
  ca.phase = ParseRotationPhase(Annotation(secret, kRotationPhaseAnnotation), &known);
  if (!known) {
    return InvalidArgument("CA Secret " + SecretName(secret) + ": unknown " +
                           std::string(kRotationPhaseAnnotation) + " \"" +
                           Annotation(secret, kRotationPhaseAnnotation) +
                           "\"; expected None, NewCA, TrustBoth, ReissueLeaves or DropOld");
  }
  ca.rotation_token = Annotation(secret, kRotationTokenAnnotation);
  return ca;
}

std::string TrustBundlePem(const CaMaterial& ca, SystemTime now) {
  pki::TrustBundle bundle;
  bundle.Add(ca.signer.certificate);
  if (ca.next) bundle.Add(ca.next->certificate);
  if (ca.previous) bundle.Add(*ca.previous);
  bundle.Merge(ca.extra_trust);
  bundle.RemoveExpired(now);
  return bundle.ToPem();
}

Result<SecretData> CaSecretData(const CaMaterial& ca) {
  SecretData data;
  data[std::string(kCertKey)] = ca.signer.certificate.ToPem();
  VTG_ASSIGN_OR_RETURN(data[std::string(kPrivateKeyKey)], ca.signer.key.ToPkcs8Pem());
  if (ca.next) {
    data[std::string(kNextCertKey)] = ca.next->certificate.ToPem();
    VTG_ASSIGN_OR_RETURN(data[std::string(kNextPrivateKeyKey)], ca.next->key.ToPkcs8Pem());
  }
  if (ca.previous) data[std::string(kPreviousCertKey)] = ca.previous->ToPem();
  return data;
}

Result<CaMaterial> TransitionCa(const CaMaterial& ca, RotationPhase to,
                                const std::optional<pki::CertifiedKey>& new_ca) {
  CaMaterial result = ca;
  result.phase = to;
  switch (to) {
    case RotationPhase::kNewCa:
      if (!new_ca) return Internal("starting a CA rotation needs the new CA");
      result.next = new_ca;
      result.previous.reset();
      break;
    case RotationPhase::kReissueLeaves:
      if (!ca.next) return FailedPrecondition("the CA Secret has no next CA to switch to");
      result.previous = ca.signer.certificate;
      result.signer = *ca.next;
      result.next.reset();
      break;
    case RotationPhase::kDropOld:
      result.previous.reset();
      break;
    case RotationPhase::kTrustBoth:
    case RotationPhase::kNone:
      break;
  }
  return result;
}

}  // namespace vtguard::op
