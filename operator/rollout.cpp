#include "operator/rollout.h"

#include <algorithm>
#include <array>

#include "common/base/json_fields.h"

namespace vtguard::op {

namespace {

constexpr std::array<std::string_view, 4> kTlsComponents = {"vttablet", "vtgate", "vtctld",
                                                            "vtorc"};

bool IsTlsConsumer(const Json& pod,
                   const std::optional<std::vector<vitess::Component>>& consumers) {
  std::string component = Label(pod, kVitessComponentPodLabel);
  if (consumers) {
    for (vitess::Component consumer : *consumers) {
      if (component == vitess::ComponentName(consumer)) return true;
    }
    return false;
  }
  for (std::string_view name : kTlsComponents) {
    if (component == name) return true;
  }
  return false;
}

bool IsReady(const Json& pod) {
  const Json status = MemberOr(pod, "status", Json::object());
  for (const Json& condition : MemberOr(status, "conditions", Json::array())) {
    if (StringMember(condition, "type") == "Ready")
      return StringMember(condition, "status") == "True";
  }
  return false;
}

bool StartedAfter(const Json& pod, SystemTime t) {
  const Json status = MemberOr(pod, "status", Json::object());
  Result<SystemTime> started = ParseRfc3339(StringMember(status, "startTime"));
  return started.ok() && *started >= std::chrono::floor<std::chrono::seconds>(t);
}

}  // namespace

std::string PodRevision(const Json& pod) {
  const Json spec = MemberOr(pod, "spec", Json::object());
  for (const Json& container : MemberOr(spec, "containers", Json::array())) {
    for (const Json& env : MemberOr(container, "env", Json::array())) {
      if (StringMember(env, "name") == kRevisionEnv) return StringMember(env, "value");
    }
  }
  return "";
}

bool AnyConsumerReady(const std::vector<Json>& pods) {
  return std::any_of(pods.begin(), pods.end(), [](const Json& pod) {
    return IsTlsConsumer(pod, std::nullopt) && IsReady(pod);
  });
}

RolloutProgress MeasureRollout(const std::vector<Json>& pods, const std::string& revision,
                               std::optional<SystemTime> started_after,
                               const std::optional<std::vector<vitess::Component>>& consumers) {
  RolloutProgress progress;
  for (const Json& pod : pods) {
    if (!IsTlsConsumer(pod, consumers)) continue;
    ++progress.pods;
    if (!IsReady(pod)) continue;
    bool updated = started_after ? StartedAfter(pod, *started_after) : PodRevision(pod) == revision;
    if (updated) ++progress.updated;
  }
  return progress;
}

}  // namespace vtguard::op
