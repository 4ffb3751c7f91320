// Pod validation: flags that make Vitess exit in any Vitess pod, and missing TLS in opted-in
// pods that vtguard configures with flags.
#include "common/vitess/admission.h"
#include "common/vitess/cluster_sites.h"
#include "common/vitess/flag_checks.h"
#include "common/vitess/pod_args.h"
#include "common/vitess/pod_sites.h"
#include "common/vitess/tablet_trust.h"
#include "common/vitess/tls_config.h"

namespace vtguard::vitess {

std::vector<Violation> ValidatePod(const TlsPolicy& policy, const nlohmann::json& pod) {
  std::vector<Violation> violations;
  // A label that vtguard or vitess-operator reads, such as vtguard.io/inject, must be a string
  // to take effect, so it is checked before the pod is known to be a target.
  static constexpr std::string_view kReadPrefixes[] = {"vtguard.io/", "planetscale.com/"};
  CheckMetadataStrings(pod, kReadPrefixes, violations);
  std::optional<PodTarget> target = FindPodTarget(pod);
  if (!target) return violations;
  std::string container_path = "/spec/containers/" + std::to_string(target->container_index);
  const nlohmann::json* container =
      FindAt(pod, {"spec", "containers", std::to_string(target->container_index)});

  std::vector<FlagEntry> flags = ReadContainerFlags(*container, container_path);
  Result<VitessVersion> version =
      ResolveImageVersion(StringAt(*container, {"image"}), container_path + "/image", policy);
  std::optional<VitessVersion> known;
  if (version.ok()) known = *version;
  CheckedComponent checked{target->component, known, MessageSpelling(policy, known, flags)};
  CheckFlagNames(flags, checked, violations);

  // vitess-operator writes the flags of the pods it manages from the VitessCluster, which is
  // validated on its own.
  if (target->operator_managed || !target->opted_in) return violations;
  if (target->cluster.empty()) {
    violations.push_back({"/metadata/labels", std::string(kNoClusterLabel),
                          "add the label vtguard.io/cluster with the name of the VitessCluster "
                          "whose Secrets the pod mounts",
                          Severity::kError});
  }
  if (!known) {
    violations.push_back({container_path + "/image",
                          DescribeUnversionedImage(StringAt(*container, {"image"})) +
                              ", so the Vitess version of " +
                              std::string(ComponentName(target->component)) + " is unknown",
                          std::string(kUnknownVersionFix), Severity::kError});
    return violations;
  }
  MigrationStep step = ResolveMigrationStep(policy, pod, {});
  CheckFlagCombinations(flags, checked, policy, step, /*operator_managed=*/false, violations);
  // A vttablet Pod that serves the user's certificate needs the user's files, not vtguard's.
  // Other Pods do not show what the tablets they dial serve, so they are held to vtguard's.
  TabletServerTrust trust = ReadPodTrust(target->component, flags);
  CheckTlsMountReaders(flags, trust, FindAt(pod, {"spec", "volumes"}),
                       FindAt(*container, {"volumeMounts"}), container_path + "/volumeMounts",
                       violations);
  if (trust.user()) {
    CheckTabletTrust(flags, checked, policy, trust, container_path + "/args", violations);
  } else {
    CheckMissingFlags(flags, checked, policy, step, container_path + "/args", violations);
  }
  return violations;
}

}  // namespace vtguard::vitess
