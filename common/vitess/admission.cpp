#include "common/vitess/admission.h"

namespace vtguard::vitess {
namespace {

// Cuts `text` to at most `limit` bytes without splitting a UTF-8 sequence, ending in "...".
std::string Shorten(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

// The longest path a warning carries; the message gets the rest of kMaxWarningLength.
constexpr std::size_t kMaxWarningPath = 44;

// `path` without "/spec" and without the "/equal/shardTemplate" of equal partitionings, which
// every tablet pool path repeats: "/keyspaces/1/partitionings/0/tabletPools/0/vttablet/...".
std::string CompactPath(std::string path) {
  if (path.rfind("/spec/", 0) == 0) path.erase(0, 5);
  constexpr std::string_view kEqual = "/equal/shardTemplate";
  for (std::size_t at = path.find(kEqual); at != std::string::npos; at = path.find(kEqual, at)) {
    path.erase(at, kEqual.size());
  }
  return path;
}

bool HasErrors(const std::vector<Violation>& violations) {
  for (const Violation& violation : violations) {
    if (violation.severity == Severity::kError) return true;
  }
  return false;
}

std::string DenialMessage(const TlsPolicy& policy, const std::vector<Violation>& violations) {
  std::string message = "VitessTLSPolicy";
  if (!policy.name.empty()) message += " " + policy.name;
  message += " denies this object:";
  for (const Violation& violation : violations) {
    if (violation.severity != Severity::kError) continue;
    message += " " + FormatViolation(violation) + ";";
  }
  message.pop_back();
  return message;
}

bool IsWrite(std::string_view operation) { return operation == "CREATE" || operation == "UPDATE"; }

AdmissionDecision MutationDecision(MutationResult mutation) {
  AdmissionDecision decision;
  decision.patch = std::move(mutation.patch);
  decision.warnings = std::move(mutation.warnings);
  return decision;
}

}  // namespace

std::string LeafSecretName(std::string_view cluster, Component component) {
  return std::string(cluster) + "-vtguard-" + std::string(ComponentName(component));
}

std::string_view ToString(MigrationStep step) {
  switch (step) {
    case MigrationStep::kServersOptional:
      return "servers";
    case MigrationStep::kClientsOptional:
      return "clients";
    case MigrationStep::kComplete:
      return "complete";
  }
  return "complete";
}

std::optional<MigrationStep> ParseMigrationStep(std::string_view text) {
  for (MigrationStep step : {MigrationStep::kServersOptional, MigrationStep::kClientsOptional,
                             MigrationStep::kComplete}) {
    if (ToString(step) == text) return step;
  }
  return std::nullopt;
}

std::string FormatWarning(const Violation& violation) {
  if (violation.path.empty()) return Shorten(violation.message, kMaxWarningLength);
  std::string path = CompactPath(violation.path);
  if (path.size() > kMaxWarningPath) path = Shorten(std::move(path), kMaxWarningPath);
  const std::string where = " (at " + path + ")";
  return Shorten(violation.message, kMaxWarningLength - where.size()) + where;
}

std::string FormatViolation(const Violation& violation) {
  std::string text =
      violation.path.empty() ? violation.message : violation.path + ": " + violation.message;
  if (!violation.fix.empty()) text += " (" + violation.fix + ")";
  return text;
}

std::optional<ObjectKind> ParseObjectKind(std::string_view kind) {
  if (kind == "VitessCluster") return ObjectKind::kVitessCluster;
  if (kind == "Pod") return ObjectKind::kPod;
  return std::nullopt;
}

AdmissionDecision Decide(const TlsPolicy* policy, const AdmissionRequestInfo& request,
                         const nlohmann::json& object, const nlohmann::json* old_object,
                         const MutationOptions& options) {
  AdmissionDecision decision;
  if (policy == nullptr || !IsWrite(request.operation)) return decision;

  if (request.stage == AdmissionStage::kMutate) {
    return MutationDecision(request.kind == ObjectKind::kVitessCluster
                                ? MutateVitessCluster(*policy, object, old_object, options)
                                : MutatePod(*policy, object, request.operation, options));
  }

  // A Pod's spec cannot change after creation, so an UPDATE has nothing to fix.
  if (request.kind == ObjectKind::kPod && request.operation != "CREATE") return decision;
  decision.violations = request.kind == ObjectKind::kVitessCluster
                            ? ValidateVitessCluster(*policy, object)
                            : ValidatePod(*policy, object);
  decision.record = !request.dry_run && !decision.violations.empty() &&
                    policy->enforcement != Enforcement::kEnforce;
  bool deny = policy->enforcement == Enforcement::kEnforce && HasErrors(decision.violations);
  if (deny) {
    decision.allowed = false;
    decision.code = 403;
    decision.message = DenialMessage(*policy, decision.violations);
  }
  if (policy->enforcement == Enforcement::kAudit) return decision;
  for (const Violation& violation : decision.violations) {
    // Under Enforce the denial message carries the errors; warnings still go out.
    if (deny && violation.severity == Severity::kError) continue;
    decision.warnings.push_back(FormatWarning(violation));
  }
  return decision;
}

AdmissionDecision Decide(const TlsPolicy* policy, const AdmissionRequestInfo& request,
                         nlohmann::json&& object, const nlohmann::json* old_object,
                         const MutationOptions& options) {
  if (policy != nullptr && IsWrite(request.operation) && request.stage == AdmissionStage::kMutate &&
      request.kind == ObjectKind::kVitessCluster) {
    return MutationDecision(MutateVitessCluster(*policy, std::move(object), old_object, options));
  }
  const nlohmann::json& unchanged = object;
  return Decide(policy, request, unchanged, old_object, options);
}

}  // namespace vtguard::vitess
