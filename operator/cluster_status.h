// The per-cluster entry of a VitessTLSPolicy's status (status.clusters[]).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/base/time.h"
#include "operator/object_store.h"
#include "operator/rotation.h"

namespace vtguard::op {

// Pending | Migrating | Secured | Rotating | Violating.
enum class ClusterPhase { kPending, kMigrating, kSecured, kRotating, kViolating };
std::string_view ClusterPhaseName(ClusterPhase phase);

struct ClusterStatus {
  std::string namespace_;
  std::string name;
  ClusterPhase phase = ClusterPhase::kPending;
  std::optional<SystemTime> ca_not_after;
  std::optional<SystemTime> certificate_not_after;  // The earliest leaf expiry.
  std::optional<SystemTime> renewal_time;           // The earliest leaf or CA renewal.
  std::int64_t revision = 0;
  RotationPhase rotation_phase = RotationPhase::kNone;
  std::string migration_step;  // Empty under migration Direct.
  bool restart_due = false;    // Pods do not run the current revision yet.
  int pods = 0;
  int pods_updated = 0;
  std::vector<std::string> violations;  // "path: message (fix)"
  // The last failure of this cluster's reconcile, PascalCase reason and message.
  std::string failure_reason;
  std::string failure_message;

  Json ToJson() const;
  friend bool operator==(const ClusterStatus& a, const ClusterStatus& b) {
    return a.ToJson() == b.ToJson();
  }
};

}  // namespace vtguard::op
