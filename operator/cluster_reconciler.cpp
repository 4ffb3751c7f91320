#include "operator/cluster_reconciler.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>

#include "common/base/json_fields.h"
#include "common/base/log.h"
#include "common/vitess/admission.h"
#include "operator/cluster_pass.h"
#include "operator/rollout.h"

namespace vtguard::op {

namespace {

// Parses a revision value; values that are not decimal numbers count as 0 and are replaced by
// the next write.
std::int64_t ParseRevision(const std::string& text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() ? value : 0;
}

void MaxRevision(const Json& node, std::int64_t* revision) {
  if (node.is_array()) {
    for (const Json& item : node) MaxRevision(item, revision);
    return;
  }
  if (!node.is_object()) return;
  const Json* value = FindMember(node, "value");
  if (StringMember(node, "name") == kRevisionEnv && value != nullptr && value->is_string()) {
    *revision = std::max(*revision, ParseRevision(StringMember(node, "value")));
  }
  for (const Json& child : node) MaxRevision(child, revision);
}

}  // namespace

std::int64_t ClusterRevision(const Json& cluster) {
  std::int64_t revision = 0;
  if (auto spec = cluster.find("spec"); spec != cluster.end()) MaxRevision(*spec, &revision);
  return revision;
}

ClusterReconciler::ClusterReconciler(ObjectStore& store, EventRecorder& events,
                                     OperatorMetrics* metrics, const Clock& clock)
    : store_(store), events_(events), metrics_(metrics), clock_(clock) {}

ClusterOutcome ClusterReconciler::Reconcile(const vitess::TlsPolicy& policy, std::string_view ns,
                                            std::string_view name) {
  Pass pass(policy, ns, name);
  pass.now = clock_.Now();
  pass.outcome.status.namespace_ = pass.ns;
  pass.outcome.status.name = pass.name;

  Result<Json> cluster = store_.Get(kVitessClusterKind, ns, name);
  if (!cluster.ok() && cluster.status().code() == ErrorCode::kNotFound) {
    // The cluster is gone; its Secrets stay unless the policy's deletion handles them.
    pass.outcome.deleted = true;
    return pass.outcome;
  }
  if (!cluster.ok()) {
    pass.outcome.error = cluster.status();
    return pass.outcome;
  }
  pass.cluster = std::move(*cluster);

  Result<std::vector<Json>> pods =
      store_.List(kPodKind, ns, {{std::string(kVitessClusterPodLabel), pass.name}});
  if (!pods.ok()) {
    pass.outcome.error = pods.status().WithContext("listing the pods of the cluster");
    return pass.outcome;
  }
  pass.pods = std::move(*pods);

  Status status = EnsureCa(pass);
  if (status.ok()) status = EnsureLeaves(pass);
  if (status.ok()) status = EnsureClusterConfiguration(pass);
  if (status.ok()) status = AdvanceRotation(pass);
  if (!status.ok()) {
    pass.failure_reason = pass.failure_reason.empty() ? "ReconcileFailed" : pass.failure_reason;
    pass.outcome.error = status;
    events_.Record(pass.cluster, EventType::kWarning, pass.failure_reason, status.message());
    log::Warn("Reconciling a VitessCluster failed.", {{log::Key::kNamespace, pass.ns},
                                                      {log::Key::kCluster, pass.name},
                                                      {log::Key::kReason, pass.failure_reason},
                                                      {log::Key::kError, status.ToString()}});
  }
  RecordChanges(pass);
  Audit(pass);
  FillStatus(pass);
  return pass.outcome;
}

void ClusterReconciler::RecordChanges(Pass& pass) {
  if (pass.notes.empty()) return;
  // One Event per pass keeps a cold start at one Event per cluster; its reason is the most
  // significant change of the pass.
  static constexpr std::array<std::string_view, 6> kPriority = {
      "RotationPhaseChanged", "Renewed", "Issued", "BundleUpdated", "CrlUpdated", "Configured"};
  std::string reason = pass.notes.front().first;
  for (std::string_view candidate : kPriority) {
    auto it = std::find_if(pass.notes.begin(), pass.notes.end(),
                           [&](const auto& note) { return note.first == candidate; });
    if (it != pass.notes.end()) {
      reason = it->first;
      break;
    }
  }
  std::string message;
  for (const auto& [note_reason, note_message] : pass.notes) {
    if (!message.empty()) message += "; ";
    message += note_message;
  }
  constexpr size_t kMaxEventMessage = 1024;
  if (message.size() > kMaxEventMessage) message = message.substr(0, kMaxEventMessage - 3) + "...";
  events_.Record(pass.cluster, EventType::kNormal, reason, message);
}

void ClusterReconciler::Audit(Pass& pass) {
  pass.violations = vitess::ValidateVitessCluster(pass.policy, pass.cluster);
  std::vector<std::string> messages;
  for (const vitess::Violation& violation : pass.violations) {
    messages.push_back(vitess::FormatViolation(violation));
  }
  if (metrics_ != nullptr) {
    metrics_->SetAuditViolations(pass.ns, pass.name, static_cast<int>(messages.size()));
  }
  pass.outcome.status.violations = messages;
}

void ClusterReconciler::FillStatus(Pass& pass) {
  ClusterStatus& status = pass.outcome.status;
  status.revision = pass.revision;
  status.rotation_phase = pass.ca ? pass.ca->phase : RotationPhase::kNone;
  status.migration_step = pass.migration_step;
  status.pods = pass.rollout.pods;
  status.pods_updated = pass.rollout.updated;
  status.restart_due = !pass.rollout.complete();
  status.failure_reason = pass.outcome.error.ok() ? "" : pass.failure_reason;
  status.failure_message = pass.outcome.error.ok() ? "" : pass.outcome.error.message();

  std::optional<SystemTime> renewal;
  auto earliest = [](std::optional<SystemTime>& slot, SystemTime t) {
    if (!slot || t < *slot) slot = t;
  };
  if (pass.ca) {
    status.ca_not_after = pass.ca->signer.certificate.NotAfter();
    if (pass.ca_renewal) earliest(renewal, *pass.ca_renewal);
  }
  if (pass.crl_renewal) earliest(renewal, *pass.crl_renewal);
  for (const auto& [component, leaf] : pass.leaves) {
    if (!leaf.certificate) continue;
    earliest(status.certificate_not_after, leaf.certificate->NotAfter());
    earliest(renewal, leaf.renewal_time);
    if (metrics_ == nullptr) continue;
    metrics_->SetCertificate(
        {pass.ns, leaf.secret_name, pass.name, std::string(vitess::ComponentName(component))},
        leaf.certificate->NotAfter(), leaf.renewal_time);
    metrics_->SetCertificateReady(pass.ns, leaf.secret_name,
                                  pass.outcome.error.ok() ? "True" : "False");
  }
  status.renewal_time = renewal;
  if (metrics_ != nullptr) {
    metrics_->SetRotationPhase(pass.ns, pass.name, static_cast<int>(status.rotation_phase));
  }

  bool has_error = std::any_of(pass.violations.begin(), pass.violations.end(), [](const auto& v) {
    return v.severity == vitess::Severity::kError;
  });
  bool all_issued = !pass.leaf_components.empty() &&
                    pass.leaves.size() == pass.leaf_components.size() &&
                    std::all_of(pass.leaves.begin(), pass.leaves.end(),
                                [](const auto& entry) { return entry.second.certificate; });
  // A cluster that vtguard could not configure yet is Pending whatever the audit finds,
  // because the audit then sees the cluster without vtguard's configuration.
  if (!all_issued || !pass.outcome.error.ok()) {
    status.phase = ClusterPhase::kPending;
  } else if (has_error) {
    status.phase = ClusterPhase::kViolating;
  } else if (status.rotation_phase != RotationPhase::kNone) {
    status.phase = ClusterPhase::kRotating;
  } else if (!pass.migration_step.empty() && pass.migration_step != "complete") {
    status.phase = ClusterPhase::kMigrating;
  } else {
    status.phase = ClusterPhase::kSecured;
  }

  // Look again at the earliest renewal; sooner while a rotation, a migration or a rollout is
  // in progress, because their next step depends on pods that may change without a write here.
  std::optional<Seconds> requeue;
  if (renewal) {
    requeue = std::max(Seconds(1), std::chrono::duration_cast<Seconds>(*renewal - pass.now));
  }
  bool in_progress = status.phase == ClusterPhase::kRotating ||
                     status.phase == ClusterPhase::kMigrating || status.restart_due;
  if (in_progress && (!requeue || *requeue > kRolloutPollInterval)) {
    requeue = kRolloutPollInterval;
  }
  pass.outcome.requeue_after = requeue;
}

}  // namespace vtguard::op
