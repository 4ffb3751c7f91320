// The leaf part of ClusterReconciler: issue, renew and re-bundle the four leaf Secrets, and
// sign the crl.pem they carry when the policy enables CRLs.
#include <algorithm>

#include "operator/cluster_pass.h"
#include "operator/crl_plan.h"
#include "operator/leaf_plan.h"
#include "operator/rollout.h"

namespace vtguard::op {

namespace {

std::int64_t RevisionOf(const Json& secret) {
  try {
    return std::stoll(Annotation(secret, kRevisionAnnotation));
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

Status ClusterReconciler::EnsureLeaves(Pass& pass) {
  const Seconds renew_before = pass.policy.certificate.renew_before;
  std::int64_t current = ClusterRevision(pass.cluster);
  std::map<vitess::Component, LeafDecision> decisions;
  pass.leaf_components = LeafComponentsOf(pass.cluster);

  // Gather: read every leaf Secret and decide what each needs.
  for (vitess::Component component : pass.leaf_components) {
    LeafState& leaf = pass.leaves[component];
    leaf.secret_name = vitess::LeafSecretName(pass.name, component);
    LeafObservation observed;
    observed.name = pass.ns + "/" + leaf.secret_name;
    Result<Json> secret = store_.Get(kSecretKind, pass.ns, leaf.secret_name);
    if (!secret.ok() && secret.status().code() != ErrorCode::kNotFound) return secret.status();
    if (secret.ok()) {
      if (!IsManagedByVtguard(*secret)) {
        pass.failure_reason = "SecretNotManaged";
        return FailedPrecondition("Secret " + observed.name +
                                  " exists without the label app.kubernetes.io/managed-by=vtguard;"
                                  " vtguard does not overwrite it. Delete or rename it");
      }
      current = std::max(current, RevisionOf(*secret));
      Result<SecretData> data = ReadSecretData(*secret);
      if (data.ok()) observed.data = std::move(*data);
      if (!observed.data) observed.data = SecretData{};
      leaf.secret = std::move(*secret);
      if (auto time = ParseRfc3339(Annotation(*leaf.secret, kRevisionTimeAnnotation)); time.ok()) {
        if (!pass.revision_time || *time > *pass.revision_time) pass.revision_time = *time;
      }
    }
    pki::LeafRequest request = LeafRequestFor(pass.policy, pass.ns, pass.name, component);
    decisions[component] = DecideLeaf(observed, request, pass.ca->signer, pass.bundle_pem,
                                      renew_before, pass.now, pass.policy.revoked_serials);
  }
  if (pass.policy.crl_enabled) {
    VTG_RETURN_IF_ERROR(PlanCrl(pass, decisions));
  }

  bool any_change = std::any_of(decisions.begin(), decisions.end(), [](const auto& entry) {
    return entry.second.action != LeafAction::kKeep;
  });
  // A new revision restarts pods so that they read changed files. A cluster's first leaves are
  // new Secrets, and its pods cannot start before those exist. So while no pod is Ready, the
  // first issue keeps the revision the webhook wrote ("1") and rolls no pod a second time.
  bool only_new = std::all_of(decisions.begin(), decisions.end(), [](const auto& entry) {
    const LeafDecision& decision = entry.second;
    return decision.action == LeafAction::kIssue && decision.reason == "DoesNotExist";
  });
  bool restart_needed = any_change && !(only_new && !AnyConsumerReady(pass.pods));
  pass.revision = restart_needed ? current + 1 : std::max<std::int64_t>(current, 1);

  // Write: every changed leaf gets the same new revision, so one rollout covers them all.
  for (vitess::Component component : pass.leaf_components) {
    LeafState& leaf = pass.leaves[component];
    const LeafDecision& decision = decisions[component];
    if (decision.action != LeafAction::kKeep) {
      VTG_RETURN_IF_ERROR(WriteLeaf(pass, component, decision));
    }
    Result<SecretData> data = ReadSecretData(*leaf.secret);
    if (!data.ok()) continue;
    Result<pki::Certificate> cert = pki::Certificate::FromPem((*data)[std::string(kCertKey)]);
    if (!cert.ok()) continue;
    leaf.certificate = *cert;
    leaf.renewal_time = pki::RenewalTime(cert->NotBefore(), cert->NotAfter(), renew_before,
                                         pass.ns + "/" + leaf.secret_name);
  }
  return Status::Ok();
}

Status ClusterReconciler::PlanCrl(Pass& pass,
                                  std::map<vitess::Component, LeafDecision>& decisions) {
  // Every leaf carries the same crl.pem; the tablet's copy is the one compared.
  std::string stored;
  for (vitess::Component component : pass.leaf_components) {
    const LeafState& leaf = pass.leaves[component];
    if (!leaf.secret) continue;
    Result<SecretData> data = ReadSecretData(*leaf.secret);
    if (!data.ok()) continue;
    auto crl = data->find(kCrlKey);
    if (crl != data->end()) {
      stored = crl->second;
      break;
    }
  }

  const std::vector<pki::CertifiedKey> signers = CrlSigners(*pass.ca);
  const Seconds renew_before = pass.policy.certificate.renew_before;
  CrlDecision decision =
      DecideCrl(stored, signers, pass.policy.revoked_serials, renew_before, pass.now);
  // A pass that issues a leaf signs the CRL too, so that the rollout of the new leaf also
  // carries a fresh CRL and the CRL's own renewal does not need a rollout of its own.
  bool issuing = std::any_of(decisions.begin(), decisions.end(), [](const auto& entry) {
    return entry.second.action == LeafAction::kIssue;
  });
  if (!decision.sign && issuing) decision = {true, "LeafIssued"};
  if (decision.sign) {
    Result<std::string> signed_pem = SignCrlPem(stored, signers, pass.policy.revoked_serials,
                                                pass.policy.certificate.duration, clock_);
    if (!signed_pem.ok()) {
      pass.failure_reason = "IssuanceFailed";
      return signed_pem.status().WithContext("signing crl.pem of cluster " + pass.name);
    }
    pass.crl_pem = std::move(*signed_pem);
    pass.Note("CrlUpdated", "Signed crl.pem (" + decision.reason + ") listing " +
                                std::to_string(pass.policy.revoked_serials.size()) +
                                " revoked serials");
  } else {
    pass.crl_pem = std::move(stored);
  }
  pass.crl_renewal = CrlRenewalTime(pass.crl_pem, renew_before);

  for (vitess::Component component : pass.leaf_components) {
    LeafDecision& leaf_decision = decisions[component];
    if (leaf_decision.action != LeafAction::kKeep) continue;
    // A kept leaf exists, so its Secret was read.
    Result<SecretData> data = ReadSecretData(*pass.leaves[component].secret);
    bool current = false;
    if (data.ok()) {
      auto crl = data->find(kCrlKey);
      current = crl != data->end() && crl->second == pass.crl_pem;
    }
    if (!current) leaf_decision = {LeafAction::kUpdateBundle, "CrlChanged"};
  }
  return Status::Ok();
}

Status ClusterReconciler::WriteLeaf(Pass& pass, vitess::Component component,
                                    const LeafDecision& decision) {
  LeafState& leaf = pass.leaves[component];
  SecretData data;
  if (leaf.secret) {
    Result<SecretData> existing = ReadSecretData(*leaf.secret);
    if (existing.ok()) data = std::move(*existing);
  }
  if (decision.action == LeafAction::kIssue) {
    pki::LeafRequest request = LeafRequestFor(pass.policy, pass.ns, pass.name, component);
    Result<pki::CertifiedKey> issued = pki::IssueLeaf(pass.ca->signer, request, clock_);
    if (!issued.ok()) {
      pass.failure_reason = "IssuanceFailed";
      return issued.status().WithContext("issuing " + leaf.secret_name);
    }
    data[std::string(kCertKey)] = issued->certificate.ToPem();
    VTG_ASSIGN_OR_RETURN(data[std::string(kPrivateKeyKey)], issued->key.ToPkcs8Pem());
  }
  data[std::string(kBundleKey)] = pass.bundle_pem;
  // NOTE: with CRLs disabled a crl.pem written earlier stays but is no longer signed again. The
  // mutation only adds flags, so the VitessCluster keeps its -crl flags pointing at the file
  // until a user removes them, and Vitess then warns once the CRL is past its nextUpdate.
  if (pass.policy.crl_enabled) data[std::string(kCrlKey)] = pass.crl_pem;

  std::map<std::string, std::string> annotations = {
      {std::string(kRevisionAnnotation), std::to_string(pass.revision)},
      {std::string(kRevisionTimeAnnotation), FormatRfc3339(pass.now)}};
  SecretOwner owner{pass.policy.name, pass.name, std::string(vitess::ComponentName(component))};
  Json desired =
      BuildSecret(pass.ns, leaf.secret_name, "kubernetes.io/tls", owner, data, annotations);
  Result<Json> written =
      leaf.secret ? store_.Update(kSecretKind, MergeSecretForUpdate(*leaf.secret, desired))
                  : store_.Create(kSecretKind, desired);
  if (!written.ok()) return written.status().WithContext("writing Secret " + leaf.secret_name);
  leaf.secret = std::move(*written);
  pass.wrote_leaves = true;
  pass.revision_time = pass.now;

  std::string what = "Issued ";
  if (decision.action == LeafAction::kUpdateBundle) {
    what = decision.reason == "CrlChanged" ? "Updated crl.pem of " : "Updated the trust bundle of ";
  }
  std::string reason = decision.reason == "DoesNotExist" ? "Issued" : "Renewed";
  if (decision.action == LeafAction::kUpdateBundle) {
    reason = decision.reason == "CrlChanged" ? "CrlUpdated" : "BundleUpdated";
  }
  pass.Note(reason, what + pass.ns + "/" + leaf.secret_name + " (" + decision.reason +
                        "), revision " + std::to_string(pass.revision));
  return Status::Ok();
}

}  // namespace vtguard::op
