// The CA part of ClusterReconciler: create, read and renew the CA that signs a cluster's leaves.
#include "common/base/log.h"
#include "operator/cluster_pass.h"
#include "operator/leaf_plan.h"

namespace vtguard::op {

Status ClusterReconciler::EnsureCa(Pass& pass) {
  Status status;
  if (!pass.policy.self_signed()) {
    status = ReadUserCa(pass);
  } else if (pass.policy.trust_domain == vitess::TrustDomain::kPolicy) {
    // A key rotation of this CA moves through its phases only when every cluster of the
    // policy is ready (AdvancePolicyRotation).
    std::string ca_ns = pass.policy.namespace_.empty() ? pass.ns : pass.policy.namespace_;
    status = EnsureSelfSignedCa(pass, ca_ns, CaSecretName(pass.policy.name));
  } else {
    pass.rotation_enabled = true;
    status = EnsureSelfSignedCa(pass, pass.ns, CaSecretName(pass.name));
  }
  if (!status.ok()) return status;
  pass.bundle_pem = TrustBundlePem(*pass.ca, pass.now);
  return Status::Ok();
}

Status ClusterReconciler::ReadUserCa(Pass& pass) {
  std::string ca_ns = pass.policy.namespace_.empty() ? pass.ns : pass.policy.namespace_;
  Result<Json> secret = store_.Get(kSecretKind, ca_ns, pass.policy.ca_secret_name);
  if (!secret.ok()) {
    pass.failure_reason = "IssuerNotReady";
    return secret.status().WithContext("reading the policy's spec.issuer.caSecretRef");
  }
  Result<CaMaterial> ca = ReadCaMaterial(*secret);
  if (!ca.ok()) {
    pass.failure_reason = "IssuerNotReady";
    return ca.status();
  }
  // NOTE: vtguard never writes a user's CA Secret, so it neither renews nor rotates it. When
  // its key changes, leaves are re-issued at once. A rotation without a trust gap needs the
  // old and new CA certificates in that Secret's ca.crt, because every bundle includes it.
  pass.ca = std::move(*ca);
  pass.ca->phase = RotationPhase::kNone;
  return Status::Ok();
}

Status ClusterReconciler::EnsureSelfSignedCa(Pass& pass, std::string_view ca_ns,
                                             std::string_view ca_name) {
  Result<Json> secret = store_.Get(kSecretKind, ca_ns, ca_name);
  if (!secret.ok() && secret.status().code() != ErrorCode::kNotFound) return secret.status();

  if (!secret.ok()) {
    pki::CaOptions options;
    options.common_name = std::string(ca_name);
    options.key = ToKeySpec(pass.policy.ca.private_key);
    options.duration = pass.policy.ca.duration;
    Result<pki::CertifiedKey> created = pki::CreateCa(options, clock_);
    if (!created.ok()) {
      pass.failure_reason = "IssuanceFailed";
      return created.status().WithContext("creating CA " + std::string(ca_name));
    }
    pass.ca =
        CaMaterial{std::move(*created), std::nullopt, std::nullopt, {}, RotationPhase::kNone, ""};
    VTG_ASSIGN_OR_RETURN(SecretData data, CaSecretData(*pass.ca));
    SecretOwner owner{pass.policy.name, pass.rotation_enabled ? pass.name : std::string(), "ca"};
    Json desired = BuildSecret(ca_ns, ca_name, "Opaque", owner, data, {});
    Result<Json> written = store_.Create(kSecretKind, desired);
    if (!written.ok()) return written.status().WithContext("creating CA Secret");
    pass.ca_secret = std::move(*written);
    pass.Note("Issued", "Created CA " + std::string(ca_ns) + "/" + std::string(ca_name) +
                            " valid until " +
                            FormatRfc3339(pass.ca->signer.certificate.NotAfter()));
  } else {
    if (!IsManagedByVtguard(*secret)) {
      pass.failure_reason = "SecretNotManaged";
      return FailedPrecondition("Secret " + std::string(ca_ns) + "/" + std::string(ca_name) +
                                " exists without the label app.kubernetes.io/managed-by=vtguard;"
                                " vtguard does not overwrite it. To use it as the CA, set "
                                "spec.issuer.caSecretRef; else delete or rename it");
    }
    Result<CaMaterial> ca = ReadCaMaterial(*secret);
    if (!ca.ok()) {
      pass.failure_reason = "IssuerNotReady";
      return ca.status();
    }
    pass.ca = std::move(*ca);
    pass.ca_secret = std::move(*secret);
  }

  const pki::Certificate& cert = pass.ca->signer.certificate;
  std::string jitter_name = std::string(ca_ns) + "/" + std::string(ca_name);
  pass.ca_renewal =
      pki::RenewalTime(cert.NotBefore(), cert.NotAfter(), pass.policy.ca.renew_before, jitter_name);
  if (pass.now < *pass.ca_renewal || pass.ca->phase != RotationPhase::kNone) return Status::Ok();

  // A plain renewal re-signs the same key: leaves signed by the old certificate still verify.
  Result<pki::Certificate> renewed = pki::RenewCa(pass.ca->signer, pass.policy.ca.duration, clock_);
  if (!renewed.ok()) {
    pass.failure_reason = "IssuanceFailed";
    return renewed.status().WithContext("renewing CA " + jitter_name);
  }
  CaMaterial updated = *pass.ca;
  updated.signer.certificate = *renewed;
  VTG_RETURN_IF_ERROR(WriteCaSecret(pass, updated, pass.ca->rotation_token));
  pass.ca_renewal = pki::RenewalTime(renewed->NotBefore(), renewed->NotAfter(),
                                     pass.policy.ca.renew_before, jitter_name);
  pass.Note("Renewed", "Renewed CA " + jitter_name + " with the same key, valid until " +
                           FormatRfc3339(renewed->NotAfter()));
  return Status::Ok();
}

Status ClusterReconciler::WriteCaSecret(Pass& pass, const CaMaterial& ca, std::string_view token) {
  VTG_ASSIGN_OR_RETURN(SecretData data, CaSecretData(ca));
  std::map<std::string, std::string> annotations = {
      {std::string(kRotationPhaseAnnotation), std::string(RotationPhaseName(ca.phase))},
      {std::string(kRotationTokenAnnotation), std::string(token)}};
  if (ca.phase != pass.ca->phase) {
    annotations[std::string(kRotationPhaseTimeAnnotation)] = FormatRfc3339(pass.now);
  }
  const Json& current = *pass.ca_secret;
  SecretOwner owner{Label(current, kPolicyLabel), Label(current, kClusterLabel), "ca"};
  Json desired = BuildSecret(MetadataString(current, "namespace"), MetadataString(current, "name"),
                             "Opaque", owner, data, annotations);
  Json merged = MergeSecretForUpdate(current, desired);
  // The CA Secret carries no ca.crt of its own; keys that the new material lacks go away.
  Result<Json> written = store_.Update(kSecretKind, merged);
  if (!written.ok()) return written.status().WithContext("updating the CA Secret");
  pass.ca_secret = std::move(*written);
  pass.ca = ca;
  pass.bundle_pem = TrustBundlePem(*pass.ca, pass.now);
  return Status::Ok();
}

}  // namespace vtguard::op
