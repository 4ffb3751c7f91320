// The status of a VitessTLSPolicy, built from its clusters' entries. Pure.
#pragma once

#include <string>
#include <vector>

#include "common/base/time.h"
#include "common/vitess/policy.h"
#include "operator/cluster_status.h"

namespace vtguard::op {

// Sets condition `type` in a status.conditions array as the Kubernetes API conventions
// describe: lastTransitionTime changes only when `status` changes.
void SetCondition(Json& conditions, std::string_view type, std::string_view status,
                  std::string_view reason, std::string_view message, std::int64_t generation,
                  SystemTime now);

// Builds the status of a valid policy from the entries of the clusters it selects, keeping
// the lastTransitionTime of unchanged conditions from `current_status`. Conditions: Ready,
// Issuing, Rotating, Enforced, Degraded.
Json BuildPolicyStatus(const vitess::TlsPolicy& policy, std::vector<ClusterStatus> clusters,
                       int selected, const Json& current_status, SystemTime now);

// Builds the status of a policy that failed to parse: Ready False, reason InvalidPolicy.
Json BuildInvalidPolicyStatus(std::int64_t generation, std::string_view message,
                              const Json& current_status, SystemTime now);

}  // namespace vtguard::op
