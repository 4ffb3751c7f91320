// The key rotation of a policy-wide CA (trustDomain Policy). The phases are those of a
// per-cluster CA (operator/rotation.h), but the CA Secret is shared. So a phase ends only when
// every cluster of the policy has the files the phase wants and runs them. Any cluster's
// reconcile may then move the shared CA on, and the others follow at their next reconcile.
#include <algorithm>

#include "common/vitess/admission.h"
#include "operator/cluster_pass.h"
#include "operator/leaf_plan.h"
#include "operator/rollout.h"

namespace vtguard::op {

namespace {

std::int64_t RevisionAnnotation(const Json& secret) {
  try {
    return std::stoll(Annotation(secret, kRevisionAnnotation));
  } catch (const std::exception&) {
    return 0;
  }
}

// Whether one leaf Secret of another cluster has what the current phase wants: the trust
// bundle of the shared CA and a certificate that its signer issued.
bool LeafMatchesCa(const Json& secret, const std::string& bundle_pem,
                   const pki::Certificate& signer) {
  Result<SecretData> data = ReadSecretData(secret);
  if (!data.ok()) return false;
  auto bundle = data->find(kBundleKey);
  auto cert_pem = data->find(kCertKey);
  if (bundle == data->end() || cert_pem == data->end() || bundle->second != bundle_pem) {
    return false;
  }
  Result<pki::Certificate> cert = pki::Certificate::FromPem(cert_pem->second);
  return cert.ok() && cert->IsSignedBy(signer);
}

}  // namespace

Status ClusterReconciler::AdvancePolicyRotation(Pass& pass) {
  const std::string& token = pass.policy.rotate_ca_token;
  const bool key_changed = !(pass.ca->signer.key.spec() == ToKeySpec(pass.policy.ca.private_key));
  RotationInputs inputs;
  inputs.phase = pass.ca->phase;
  inputs.requested = (!token.empty() && token != pass.ca->rotation_token) || key_changed;
  if (inputs.phase == RotationPhase::kNone && !inputs.requested) return Status::Ok();
  VTG_RETURN_IF_ERROR(
      MeasurePolicyClusters(pass, &inputs.secrets_converged, &inputs.rollout_complete));
  RotationPhase next = NextRotationPhase(inputs);
  if (next == pass.ca->phase) return Status::Ok();
  return MoveRotation(pass, next, token);
}

Status ClusterReconciler::MeasurePolicyClusters(Pass& pass, bool* converged, bool* rolled_out) {
  // This cluster: what this pass did and saw.
  *converged = !pass.wrote_leaves && !pass.patched_cluster;
  *rolled_out = pass.rollout.complete();
  const bool automatic = pass.policy.rollout == vitess::Rollout::kAutomatic;

  VTG_ASSIGN_OR_RETURN(std::vector<Json> clusters, store_.List(kVitessClusterKind, pass.ns, {}));
  for (const Json& cluster : clusters) {
    const std::string name = MetadataString(cluster, "name");
    if (name == pass.name || !vitess::Selects(pass.policy, cluster)) continue;
    std::int64_t revision = ClusterRevision(cluster);
    std::int64_t leaf_revision = 0;
    std::optional<SystemTime> written_at;
    bool managed_by_other = false;
    for (vitess::Component component : LeafComponentsOf(cluster)) {
      Result<Json> secret =
          store_.Get(kSecretKind, pass.ns, vitess::LeafSecretName(name, component));
      if (!secret.ok() && secret.status().code() != ErrorCode::kNotFound) return secret.status();
      if (!secret.ok()) {
        *converged = false;
        continue;
      }
      // A cluster that an earlier policy (by name) manages does not use this CA.
      if (Label(*secret, kPolicyLabel) != pass.policy.name) {
        managed_by_other = true;
        break;
      }
      if (!LeafMatchesCa(*secret, pass.bundle_pem, pass.ca->signer.certificate)) {
        *converged = false;
      }
      leaf_revision = std::max(leaf_revision, RevisionAnnotation(*secret));
      Result<SystemTime> time = ParseRfc3339(Annotation(*secret, kRevisionTimeAnnotation));
      if (time.ok() && (!written_at || *time > *written_at)) written_at = *time;
    }
    if (managed_by_other) continue;
    // Automatic rollouts: the cluster must carry the revision of its newest leaf content.
    if (automatic && revision < leaf_revision) *converged = false;

    VTG_ASSIGN_OR_RETURN(
        std::vector<Json> pods,
        store_.List(kPodKind, pass.ns, {{std::string(kVitessClusterPodLabel), name}}));
    std::string expected = std::to_string(std::max<std::int64_t>({revision, leaf_revision, 1}));
    RolloutProgress rollout = MeasureRollout(pods, expected, automatic ? std::nullopt : written_at,
                                             vitess::ComponentsWithRevision(cluster));
    if (!rollout.complete()) *rolled_out = false;
  }
  return Status::Ok();
}

}  // namespace vtguard::op
