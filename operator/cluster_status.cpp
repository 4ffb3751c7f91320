#include "operator/cluster_status.h"

namespace vtguard::op {

std::string_view ClusterPhaseName(ClusterPhase phase) {
  switch (phase) {
    case ClusterPhase::kPending:
      return "Pending";
    case ClusterPhase::kMigrating:
      return "Migrating";
    case ClusterPhase::kSecured:
      return "Secured";
    case ClusterPhase::kRotating:
      return "Rotating";
    case ClusterPhase::kViolating:
      return "Violating";
  }
  return "Pending";
}

Json ClusterStatus::ToJson() const {
  Json entry = {{"name", name}, {"namespace", namespace_}, {"phase", ClusterPhaseName(phase)}};
  if (ca_not_after) entry["caNotAfter"] = FormatRfc3339(*ca_not_after);
  if (certificate_not_after) entry["certificateNotAfter"] = FormatRfc3339(*certificate_not_after);
  if (renewal_time) entry["renewalTime"] = FormatRfc3339(*renewal_time);
  entry["revision"] = revision;
  if (rotation_phase != RotationPhase::kNone) {
    entry["rotationPhase"] = RotationPhaseName(rotation_phase);
  }
  if (!migration_step.empty()) entry["migrationStep"] = migration_step;
  entry["restartDue"] = restart_due;
  entry["podsUpdated"] = std::to_string(pods_updated) + "/" + std::to_string(pods);
  entry["violations"] = violations;
  if (!failure_reason.empty()) {
    entry["reason"] = failure_reason;
    entry["message"] = failure_message;
  }
  return entry;
}

}  // namespace vtguard::op
