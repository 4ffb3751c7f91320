// Whether the pods of a VitessCluster run a given TLS revision: the confirmation that every
// consumer has read the files of that revision, since Vitess reads certificate files only at
// start-up (no reload through v24).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/base/time.h"
#include "common/vitess/flags.h"
#include "operator/object_store.h"

namespace vtguard::op {

struct RolloutProgress {
  int pods = 0;     // Vitess component pods of the cluster (vttablet, vtgate, vtctld, vtorc).
  int updated = 0;  // Of those, Ready and running the target revision.

  bool complete() const { return updated == pods; }
};

// Counts the pods that vitess-operator restarted with VTGUARD_TLS_REVISION == `revision` and
// that are Ready. A pod counts as updated when any of its containers has that env value.
// With `started_after` set (rollout: Manual, where the env does not change) a pod counts as
// updated when it is Ready and status.startTime is not before that time.
// NOTE: a cluster without pods counts as rolled out, because no process holds old files.
// `consumers`, when set, limits the count to pods of those components (see
// vitess::ComponentsWithRevision), because the other pods never receive the revision.
RolloutProgress MeasureRollout(
    const std::vector<Json>& pods, const std::string& revision,
    std::optional<SystemTime> started_after,
    const std::optional<std::vector<vitess::Component>>& consumers = std::nullopt);

// True when a Vitess component pod (vttablet, vtgate, vtctld, vtorc) among `pods` is Ready,
// so that a process may already hold TLS files in memory.
bool AnyConsumerReady(const std::vector<Json>& pods);

// The pod's env value of VTGUARD_TLS_REVISION in any container, or "" when it has none.
std::string PodRevision(const Json& pod);

}  // namespace vtguard::op
