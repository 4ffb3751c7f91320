#include "operator/policy_status.h"

#include <algorithm>

#include "common/base/json_fields.h"

namespace vtguard::op {

namespace {

int CountPhase(const std::vector<ClusterStatus>& clusters, ClusterPhase phase) {
  return static_cast<int>(std::count_if(clusters.begin(), clusters.end(),
                                        [&](const ClusterStatus& c) { return c.phase == phase; }));
}

std::string Names(const std::vector<ClusterStatus>& clusters, bool (*pick)(const ClusterStatus&)) {
  std::string names;
  for (const ClusterStatus& cluster : clusters) {
    if (!pick(cluster)) continue;
    if (!names.empty()) names += ", ";
    names += cluster.namespace_ + "/" + cluster.name;
  }
  return names;
}

Json ConditionsOf(const Json& status) {
  auto it = status.find("conditions");
  return it != status.end() && it->is_array() ? *it : Json::array();
}

}  // namespace

void SetCondition(Json& conditions, std::string_view type, std::string_view status,
                  std::string_view reason, std::string_view message, std::int64_t generation,
                  SystemTime now) {
  Json condition = {{"type", type},
                    {"status", status},
                    {"reason", reason},
                    {"message", message},
                    {"observedGeneration", generation},
                    {"lastTransitionTime", FormatRfc3339(now)}};
  for (Json& existing : conditions) {
    if (StringMember(existing, "type") != type) continue;
    if (StringMember(existing, "status") == status) {
      condition["lastTransitionTime"] =
          StringMember(existing, "lastTransitionTime", FormatRfc3339(now));
    }
    existing = condition;
    return;
  }
  conditions.push_back(condition);
}

Json BuildPolicyStatus(const vitess::TlsPolicy& policy, std::vector<ClusterStatus> clusters,
                       int selected, const Json& current_status, SystemTime now) {
  std::sort(clusters.begin(), clusters.end(), [](const ClusterStatus& a, const ClusterStatus& b) {
    return std::tie(a.namespace_, a.name) < std::tie(b.namespace_, b.name);
  });
  const std::int64_t generation = policy.generation;
  const int total = static_cast<int>(clusters.size());
  const int secured = CountPhase(clusters, ClusterPhase::kSecured);
  const int rotating = CountPhase(clusters, ClusterPhase::kRotating);
  const int migrating = CountPhase(clusters, ClusterPhase::kMigrating);
  const int violating = CountPhase(clusters, ClusterPhase::kViolating);
  const std::string failing =
      Names(clusters, [](const ClusterStatus& c) { return !c.failure_reason.empty(); });
  const std::string pending =
      Names(clusters, [](const ClusterStatus& c) { return c.phase == ClusterPhase::kPending; });

  Json conditions = ConditionsOf(current_status);
  const bool ready = total == selected && secured + violating == total && failing.empty();
  SetCondition(
      conditions, "Ready", ready ? "True" : "False",
      ready ? "Secured" : (failing.empty() ? "InProgress" : "IssuanceFailed"),
      std::to_string(secured) + " of " + std::to_string(selected) + " selected clusters secured",
      generation, now);
  SetCondition(conditions, "Issuing", pending.empty() ? "False" : "True",
               pending.empty() ? "UpToDate" : "Issuing",
               pending.empty() ? "No cluster is waiting for certificates" : "Waiting: " + pending,
               generation, now);
  SetCondition(conditions, "Rotating", rotating + migrating == 0 ? "False" : "True",
               rotating > 0 ? "CARotation" : (migrating > 0 ? "Migrating" : "Idle"),
               std::to_string(rotating) + " clusters rotating their CA, " +
                   std::to_string(migrating) + " migrating to TLS",
               generation, now);
  SetCondition(conditions, "Enforced", violating == 0 ? "True" : "False",
               violating == 0 ? "NoViolations" : "PolicyViolation",
               std::string("Enforcement ") + std::string(vitess::ToString(policy.enforcement)) +
                   "; " + std::to_string(violating) + " clusters violate the policy",
               generation, now);
  SetCondition(conditions, "Degraded", failing.empty() ? "False" : "True",
               failing.empty() ? "AsExpected" : "ReconcileFailed",
               failing.empty() ? "" : "Failing: " + failing, generation, now);

  Json entries = Json::array();
  for (const ClusterStatus& cluster : clusters) entries.push_back(cluster.ToJson());
  return {{"observedGeneration", generation}, {"conditions", conditions}, {"clusters", entries}};
}

Json BuildInvalidPolicyStatus(std::int64_t generation, std::string_view message,
                              const Json& current_status, SystemTime now) {
  Json conditions = ConditionsOf(current_status);
  SetCondition(conditions, "Ready", "False", "InvalidPolicy", message, generation, now);
  SetCondition(conditions, "Degraded", "True", "InvalidPolicy", message, generation, now);
  Json status = current_status.is_object() ? current_status : Json::object();
  status["observedGeneration"] = generation;
  status["conditions"] = conditions;
  return status;
}

}  // namespace vtguard::op
