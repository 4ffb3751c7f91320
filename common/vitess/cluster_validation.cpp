// VitessCluster validation: every TLS problem of every site, with its JSON Pointer.
#include <algorithm>

#include "common/vitess/admission.h"
#include "common/vitess/cluster_sites.h"
#include "common/vitess/flag_checks.h"
#include "common/vitess/flags.h"
#include "common/vitess/pod_sites.h"
#include "common/vitess/tablet_trust.h"
#include "common/vitess/tls_config.h"

namespace vtguard::vitess {
namespace {

void CheckMountedFiles(const nlohmann::json& object, const ClusterSite& site,
                       const std::vector<FlagEntry>& flags, const TabletServerTrust& trust,
                       std::vector<Violation>& violations) {
  PointerTokens volumes = site.tokens;
  volumes.push_back("extraVolumes");
  PointerTokens mounts = site.tokens;
  mounts.push_back("extraVolumeMounts");
  CheckTlsMountReaders(flags, trust, FindAt(object, volumes), FindAt(object, mounts),
                       ToPointer(site.tokens), violations);
}

void ValidateSite(const TlsPolicy& policy, const nlohmann::json& object, const ClusterSite& site,
                  MigrationStep step, const TabletServerTrust& trust,
                  std::vector<Violation>& violations) {
  Result<VitessVersion> version = ResolveSiteVersion(site, policy);
  std::optional<VitessVersion> known;
  if (version.ok()) {
    known = *version;
  } else {
    violations.push_back({ToPointer(site.image_tokens),
                          DescribeUnversionedImage(site.image) + ", so the Vitess version of " +
                              std::string(ComponentName(site.component)) + " is unknown",
                          std::string(kUnknownVersionFix), Severity::kError});
  }
  std::vector<FlagEntry> flags = ReadFlagMap(object, site.flags_tokens);
  TakeNonStringFlags(flags, violations);
  CheckedComponent checked{site.component, known, MessageSpelling(policy, known, flags)};
  CheckFlagNames(flags, checked, violations);
  CheckFlagCombinations(flags, checked, policy, step, /*operator_managed=*/true, violations);
  std::string where = ToPointer(site.exists ? site.flags_tokens : site.tokens);
  // Under the user's trust the user's own files are required, not vtguard's.
  if (known && !trust.user()) CheckMissingFlags(flags, checked, policy, step, where, violations);
  CheckTabletTrust(flags, checked, policy, trust, where, violations);
  CheckMountedFiles(object, site, flags, trust, violations);

  if (site.component != Component::kVttablet) return;
  PointerTokens backup = site.tokens;
  backup.insert(backup.end(), {"vttablet", "vtbackupExtraFlags"});
  std::vector<FlagEntry> backup_flags = ReadFlagMap(object, backup);
  TakeNonStringFlags(backup_flags, violations);
  CheckFlagNames(backup_flags,
                 {Component::kVtbackup, known, MessageSpelling(policy, known, backup_flags)},
                 violations);
}

// spec.extraVitessFlags reaches vttablet, vtgate, vtctld and vtorc alike, and no TLS flag is
// accepted by all four (vtorc has no tablet-grpc-*, vtgate no tablet-manager-grpc-*).
void ValidateSharedFlags(const nlohmann::json& object, std::vector<Violation>& violations) {
  std::vector<FlagEntry> shared = ReadFlagMap(object, {"spec", "extraVitessFlags"});
  TakeNonStringFlags(shared, violations);
  for (const FlagEntry& entry : shared) {
    if (const BogusFlag* bogus = FindBogusFlag(entry.key)) {
      violations.push_back({entry.path, "flag " + entry.key + " makes Vitess exit at start-up",
                            std::string(bogus->fix), Severity::kError});
      continue;
    }
    const FlagInfo* info = FindTlsFlag(entry.key);
    if (info == nullptr) continue;
    for (Component component :
         {Component::kVttablet, Component::kVtgate, Component::kVtctld, Component::kVtorc}) {
      if (ComponentAcceptsFlag(component, *info, kNewestKnownMajor)) continue;
      violations.push_back({entry.path,
                            "TLS flag " + entry.key + " in extraVitessFlags reaches " +
                                std::string(ComponentName(component)) + ", which exits on it",
                            "move it to the extraFlags of the components that use it",
                            Severity::kError});
      break;
    }
  }
}

}  // namespace

std::vector<Violation> ValidateVitessCluster(const TlsPolicy& policy,
                                             const nlohmann::json& object) {
  std::vector<Violation> violations;
  // Policies select clusters by label, so every label and annotation is checked.
  CheckMetadataStrings(object, {}, violations);
  if (FindAt(object, {"spec"}) == nullptr || !FindAt(object, {"spec"})->is_object()) {
    violations.push_back({"/spec", "VitessCluster has no spec", "add a spec", Severity::kError});
    return violations;
  }
  CheckClusterShape(object, violations);
  MigrationStep step = ResolveMigrationStep(policy, object, {});
  std::vector<ClusterSite> sites = EnumerateSites(object);
  TabletServerTrust trust = ReadTabletTrust(object, sites);
  for (const ClusterSite& site : sites) {
    ValidateSite(policy, object, site, step, trust, violations);
  }
  ValidateSharedFlags(object, violations);
  // Sites that share an image or a flag map report the same finding; keep the first of each.
  std::vector<Violation> unique;
  unique.reserve(violations.size());
  for (Violation& violation : violations) {
    if (std::find(unique.begin(), unique.end(), violation) == unique.end()) {
      unique.push_back(std::move(violation));
    }
  }
  return unique;
}

}  // namespace vtguard::vitess
