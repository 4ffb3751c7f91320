// The VitessCluster part of ClusterReconciler: the TLS configuration and revision (through the
// webhook's own mutation), the plaintext migration steps, and the CA rotation phases.
#include "common/base/log.h"
#include "operator/cluster_pass.h"

namespace vtguard::op {

namespace {

// The JSON patch operation that sets annotation `key` (RFC 6901 escaping of the key).
Json SetAnnotationOp(const Json& object, std::string_view key, std::string_view value) {
  const Json& metadata = object.at("metadata");
  if (!metadata.contains("annotations") || !metadata["annotations"].is_object()) {
    return {{"op", "add"},
            {"path", "/metadata/annotations"},
            {"value", {{std::string(key), std::string(value)}}}};
  }
  std::string escaped;
  for (char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return {{"op", metadata["annotations"].contains(std::string(key)) ? "replace" : "add"},
          {"path", "/metadata/annotations/" + escaped},
          {"value", std::string(value)}};
}

}  // namespace

Status ClusterReconciler::EnsureClusterConfiguration(Pass& pass) {
  const bool automatic = pass.policy.rollout == vitess::Rollout::kAutomatic;
  std::optional<SystemTime> started_after;
  if (!automatic) started_after = pass.revision_time;

  // Counts only the pods whose components carry the revision in the cluster as stored.
  auto measure_rollout = [&] {
    return MeasureRollout(pass.pods, std::to_string(pass.revision), started_after,
                          vitess::ComponentsWithRevision(pass.cluster));
  };

  vitess::MutationOptions options;
  options.cluster_name = pass.name;
  if (automatic) options.revision = std::to_string(pass.revision);

  // An OptionalTLS migration starts a live plaintext cluster (pods, no earlier injection) with
  // servers that accept both. Each later step waits for the rollout of the previous one.
  std::optional<vitess::MigrationStep> step;
  bool write_step = false;
  if (pass.policy.migration == vitess::Migration::kOptionalTls) {
    std::string annotation = Annotation(pass.cluster, vitess::kMigrationStepAnnotation);
    step = vitess::ParseMigrationStep(annotation);
    if (!step) {
      bool live_plaintext =
          !pass.pods.empty() && Annotation(pass.cluster, vitess::kInjectedAnnotation).empty();
      step = live_plaintext ? vitess::MigrationStep::kServersOptional
                            : vitess::MigrationStep::kComplete;
      write_step = true;
    }
    options.migration_step = step;
  }

  vitess::MutationResult mutation =
      vitess::MutateVitessCluster(pass.policy, pass.cluster, &pass.cluster, options);
  pass.rollout = measure_rollout();

  if (step && !write_step && !mutation.changed() && !pass.wrote_leaves &&
      *step != vitess::MigrationStep::kComplete && pass.rollout.complete()) {
    step = *step == vitess::MigrationStep::kServersOptional
               ? vitess::MigrationStep::kClientsOptional
               : vitess::MigrationStep::kComplete;
    write_step = true;
    // A new revision gives the step's rollout something to be confirmed by.
    ++pass.revision;
    if (automatic) options.revision = std::to_string(pass.revision);
    options.migration_step = step;
    mutation = vitess::MutateVitessCluster(pass.policy, pass.cluster, &pass.cluster, options);
    pass.rollout = measure_rollout();
  }
  if (step) pass.migration_step = std::string(vitess::ToString(*step));
  if (!mutation.status.ok()) {
    log::Warn("Part of the VitessCluster could not be configured.",
              {{log::Key::kNamespace, pass.ns},
               {log::Key::kCluster, pass.name},
               {log::Key::kError, mutation.status.ToString()}});
  }
  if (!mutation.changed() && !write_step) return Status::Ok();

  // Apply the mutation only to the version it was computed from.
  Json patch = Json::array();
  patch.push_back({{"op", "test"},
                   {"path", "/metadata/resourceVersion"},
                   {"value", MetadataString(pass.cluster, "resourceVersion")}});
  for (const Json& op : mutation.patch.ToJson()) patch.push_back(op);
  if (write_step) {
    patch.push_back(
        SetAnnotationOp(pass.cluster, vitess::kMigrationStepAnnotation, pass.migration_step));
  }
  Result<Json> patched = store_.Patch(kVitessClusterKind, pass.ns, pass.name, patch);
  if (!patched.ok()) return patched.status().WithContext("patching the VitessCluster");
  pass.cluster = std::move(*patched);
  pass.patched_cluster = true;
  // The patch may have added the revision to components that had none.
  pass.rollout = measure_rollout();
  std::string message = "Set the TLS configuration, revision " + std::to_string(pass.revision);
  if (step) message += ", migration step " + pass.migration_step;
  pass.Note("Configured", message);
  return Status::Ok();
}

Status ClusterReconciler::AdvanceRotation(Pass& pass) {
  if (!pass.ca_secret) return Status::Ok();
  if (pass.policy.self_signed() && pass.policy.trust_domain == vitess::TrustDomain::kPolicy) {
    return AdvancePolicyRotation(pass);
  }
  if (!pass.rotation_enabled) return Status::Ok();
  const std::string token = Annotation(pass.cluster, kRotateCaAnnotation);
  const bool key_changed = !(pass.ca->signer.key.spec() == ToKeySpec(pass.policy.ca.private_key));
  RotationInputs inputs;
  inputs.phase = pass.ca->phase;
  inputs.requested = (!token.empty() && token != pass.ca->rotation_token) || key_changed;
  inputs.secrets_converged = !pass.wrote_leaves && !pass.patched_cluster;
  inputs.rollout_complete = pass.rollout.complete();
  RotationPhase next = NextRotationPhase(inputs);
  if (next == pass.ca->phase) return Status::Ok();
  return MoveRotation(pass, next, token);
}

Status ClusterReconciler::MoveRotation(Pass& pass, RotationPhase next, const std::string& token) {
  std::optional<pki::CertifiedKey> new_ca;
  if (next == RotationPhase::kNewCa) {
    pki::CaOptions options;
    options.common_name = MetadataString(*pass.ca_secret, "name");
    options.key = ToKeySpec(pass.policy.ca.private_key);
    options.duration = pass.policy.ca.duration;
    Result<pki::CertifiedKey> created = pki::CreateCa(options, clock_);
    if (!created.ok()) {
      pass.failure_reason = "IssuanceFailed";
      return created.status().WithContext("creating the new CA of a rotation");
    }
    new_ca = std::move(*created);
  }
  VTG_ASSIGN_OR_RETURN(CaMaterial moved, TransitionCa(*pass.ca, next, new_ca));
  RotationPhase from = pass.ca->phase;
  std::string recorded_token = next == RotationPhase::kNewCa ? token : pass.ca->rotation_token;
  VTG_RETURN_IF_ERROR(WriteCaSecret(pass, moved, recorded_token));
  pass.Note("RotationPhaseChanged", "CA rotation moved from " +
                                        std::string(RotationPhaseName(from)) + " to " +
                                        std::string(RotationPhaseName(next)));
  log::Info("CA rotation phase changed.", {{log::Key::kNamespace, pass.ns},
                                           {log::Key::kCluster, pass.name},
                                           {log::Key::kPhase, RotationPhaseName(next)}});
  return Status::Ok();
}

}  // namespace vtguard::op
