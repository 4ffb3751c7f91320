// The cluster and policy keys of Operator: find the policy that manages a cluster, reconcile
// it, and publish the per-cluster entries in the policy's status.
#include <algorithm>

#include "common/base/json_fields.h"
#include "common/base/log.h"
#include "common/vitess/admission.h"
#include "operator/operator.h"
#include "operator/policy_cleanup.h"
#include "operator/policy_status.h"

namespace vtguard::op {

namespace {

struct ParsedPolicy {
  Json object;
  vitess::TlsPolicy policy;
};

// The valid policies of `ns` that select `cluster`, by name. The first one manages it.
std::vector<ParsedPolicy> SelectingPolicies(const std::vector<Json>& policies,
                                            const Json& cluster) {
  std::vector<ParsedPolicy> selecting;
  for (const Json& object : policies) {
    // A policy that is being deleted manages nothing, so its cleanup is not undone.
    if (IsBeingDeleted(object)) continue;
    Result<vitess::TlsPolicy> policy = vitess::ParsePolicy(object);
    if (!policy.ok() || !vitess::Selects(*policy, cluster)) continue;
    selecting.push_back({object, std::move(*policy)});
  }
  std::sort(selecting.begin(), selecting.end(),
            [](const auto& a, const auto& b) { return a.policy.name < b.policy.name; });
  return selecting;
}

}  // namespace

Status Operator::ProcessCluster(const std::string& ns, const std::string& name, bool* retry,
                                std::optional<Seconds>* requeue) {
  const std::string entry_key = ns + "/" + name;
  Result<Json> cluster = store_.Get(kVitessClusterKind, ns, name);
  if (!cluster.ok() && cluster.status().code() != ErrorCode::kNotFound) return cluster.status();
  VTG_ASSIGN_OR_RETURN(std::vector<Json> policies, store_.List(kPolicyKind, ns, {}));
  std::vector<ParsedPolicy> selecting;
  if (cluster.ok()) selecting = SelectingPolicies(policies, *cluster);

  std::string previous_policy;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(entry_key);
    if (it != entries_.end()) previous_policy = it->second.policy;
    if (selecting.empty()) entries_.erase(entry_key);
  }
  if (selecting.empty()) {
    // Not (or no longer) managed: stop here and leave its Secrets in place, but stop
    // exporting series for certificates that vtguard no longer renews.
    if (metrics_ != nullptr) metrics_->RemoveCluster(ns, name);
    if (!previous_policy.empty())
      queue_.AddAfter("policy/" + previous_policy, options_.batch_delay);
    *retry = false;
    return Status::Ok();
  }

  const ParsedPolicy& manager = selecting.front();
  const std::string policy_key = ns + "/" + manager.policy.name;
  ClusterOutcome outcome = clusters_.Reconcile(manager.policy, ns, name);
  if (selecting.size() > 1) {
    outcome.status.violations.push_back(
        "/metadata/labels: also selected by policy " + selecting[1].policy.name + "; only policy " +
        manager.policy.name + " (first by name) manages this cluster");
  }

  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ClusterEntry& entry = entries_[entry_key];
    changed = entry.policy != policy_key || !(entry.status == outcome.status);
    entry.policy = policy_key;
    entry.status = outcome.status;
  }
  if (changed) {
    queue_.AddAfter("policy/" + policy_key, options_.batch_delay);
    if (!previous_policy.empty() && previous_policy != policy_key) {
      queue_.AddAfter("policy/" + previous_policy, options_.batch_delay);
    }
    RecordViolationEvents(manager.object, outcome.status);
  }
  *requeue = outcome.requeue_after;
  return outcome.error;
}

void Operator::RecordViolationEvents(const Json& policy_object, const ClusterStatus& status) {
  const std::string key = status.namespace_ + "/" + status.name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string>& reported = reported_[key];
    if (reported == status.violations) return;
    reported = status.violations;
  }
  for (const std::string& violation : status.violations) {
    events_.Record(policy_object, EventType::kWarning, "PolicyViolation",
                   "VitessCluster " + key + ": " + violation);
  }
}

Status Operator::ProcessPolicy(const std::string& ns, const std::string& name) {
  Result<Json> object = store_.Get(kPolicyKind, ns, name);
  const bool deleted = !object.ok() && object.status().code() == ErrorCode::kNotFound;
  if (!object.ok() && !deleted) return object.status();
  if (deleted || IsBeingDeleted(*object)) {
    // Deleting a policy stops management. Its Secrets stay, unless cleanupOnDelete put the
    // finalizer on it; then they are deleted before the policy goes.
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = it->second.policy == ns + "/" + name ? entries_.erase(it) : std::next(it);
    }
  }
  if (deleted) return Status::Ok();
  if (IsBeingDeleted(*object)) return FinishPolicyDeletion(*object);

  const Json current_status = object->value("status", Json::object());
  const std::int64_t generation =
      IntegerMember(MemberOr(*object, "metadata", Json::object()), "generation", 0);
  Json status;
  Result<vitess::TlsPolicy> policy = vitess::ParsePolicy(*object);
  if (!policy.ok()) {
    status = BuildInvalidPolicyStatus(generation, policy.status().message(), current_status,
                                      clock_.Now());
  } else {
    VTG_ASSIGN_OR_RETURN(*object, SyncCleanupFinalizer(store_, *object, policy->cleanup_on_delete));
    // Selection reads only the namespace and labels.
    VTG_ASSIGN_OR_RETURN(std::vector<Json> clusters,
                         store_.ListMetadata(kVitessClusterKind, ns, {}));
    std::vector<ClusterStatus> entries;
    int selected = 0;
    const std::string policy_key = ns + "/" + name;
    for (const Json& cluster : clusters) {
      if (!vitess::Selects(*policy, cluster)) continue;
      const std::string entry_key = ns + "/" + MetadataString(cluster, "name");
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(entry_key);
      if (it != entries_.end() && it->second.policy != policy_key) continue;  // Another manages it.
      ++selected;
      if (it == entries_.end()) {
        queue_.Add("cluster/" + entry_key);
      } else {
        entries.push_back(it->second.status);
      }
    }
    status = BuildPolicyStatus(*policy, std::move(entries), selected, current_status, clock_.Now());
  }
  if (status == current_status) return Status::Ok();

  Json updated = *object;
  updated["status"] = status;
  Result<Json> written = store_.UpdateStatus(kPolicyKind, updated);
  if (!written.ok()) return written.status().WithContext("updating the policy status");
  return Status::Ok();
}

Status Operator::FinishPolicyDeletion(const Json& policy_object) {
  const std::string ns = MetadataString(policy_object, "namespace");
  const std::string name = MetadataString(policy_object, "name");
  if (!HasFinalizer(policy_object, kCleanupFinalizer)) return Status::Ok();
  VTG_ASSIGN_OR_RETURN(CleanupProgress progress, CleanUpDeletedPolicy(store_, policy_object));
  if (progress.deleted > 0) {
    events_.Record(policy_object, EventType::kNormal, "CleanedUp",
                   "Deleted " + std::to_string(progress.deleted) +
                       " Secrets that vtguard created for this policy");
    // Look once more after a delay before letting the policy go.
    queue_.AddAfter("policy/" + ns + "/" + name, options_.batch_delay);
  }
  if (progress.finished) {
    log::Info("Removed the cleanup finalizer of a deleted policy.",
              {{log::Key::kNamespace, ns}, {log::Key::kPolicy, name}});
  }
  return Status::Ok();
}

}  // namespace vtguard::op
