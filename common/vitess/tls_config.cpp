#include "common/vitess/tls_config.h"

#include <cstdio>

#include "common/base/json_fields.h"
#include "common/vitess/cluster_sites.h"

namespace vtguard::vitess {
namespace {

bool Accepts(Component component, std::string_view flag) {
  const FlagInfo* info = FindTlsFlag(flag);
  return info != nullptr && ComponentAcceptsFlag(component, *info, kNewestKnownMajor);
}

// Adds a client family (prefix "tablet-grpc-" or "tablet-manager-grpc-") when the component
// has that client.
void AddClientFlags(const TlsPolicy& policy, Component component, std::string_view prefix,
                    std::vector<DesiredFlag>& flags) {
  std::string base(prefix);
  if (!Accepts(component, base + "ca")) return;
  flags.push_back({base + "ca", MountedFile("ca.crt")});
  flags.push_back({base + "server-name", policy.server_name});
  if (policy.client_auth == ClientAuth::kRequired) {
    flags.push_back({base + "cert", MountedFile("tls.crt")});
    flags.push_back({base + "key", MountedFile("tls.key")});
  }
  if (policy.crl_enabled) flags.push_back({base + "crl", MountedFile("crl.pem")});
}

}  // namespace

std::string MountedFile(std::string_view file) {
  return std::string(kTlsMountPath) + "/" + std::string(file);
}

std::vector<DesiredFlag> DesiredFlags(const TlsPolicy& policy, Component component,
                                      MigrationStep step) {
  std::vector<DesiredFlag> flags;
  if (component == Component::kVttablet) {
    flags.push_back({"grpc-cert", MountedFile("tls.crt")});
    flags.push_back({"grpc-key", MountedFile("tls.key")});
    if (step != MigrationStep::kComplete) {
      flags.push_back({"grpc-enable-optional-tls", "true"});
    } else if (policy.client_auth == ClientAuth::kRequired) {
      flags.push_back({"grpc-ca", MountedFile("ca.crt")});
      // A grpc-crl without grpc-ca stops vttablet at start-up (v23.0.7, v24.0.4 and later).
      if (policy.crl_enabled) flags.push_back({"grpc-crl", MountedFile("crl.pem")});
    }
  }
  if (step == MigrationStep::kServersOptional) return flags;
  AddClientFlags(policy, component, "tablet-grpc-", flags);
  AddClientFlags(policy, component, "tablet-manager-grpc-", flags);
  return flags;
}

std::vector<std::string> VitessOperatorTlsArgs(const TlsPolicy& policy, std::string_view ca_file) {
  return {"--tablet-manager-grpc-ca=" + std::string(ca_file),
          "--tablet-manager-grpc-server-name=" + policy.server_name};
}

MigrationStep ResolveMigrationStep(const TlsPolicy& policy, const nlohmann::json& object,
                                   const MutationOptions& options) {
  if (policy.migration == Migration::kDirect) return MigrationStep::kComplete;
  if (options.migration_step) return *options.migration_step;
  std::optional<std::string> annotation =
      StringAt(object, {"metadata", "annotations", std::string(kMigrationStepAnnotation)});
  if (annotation) {
    if (std::optional<MigrationStep> step = ParseMigrationStep(*annotation)) return *step;
  }
  return MigrationStep::kComplete;
}

nlohmann::json TlsVolume(const std::string& secret_name) {
  return {{"name", kTlsVolumeName}, {"secret", {{"secretName", secret_name}}}};
}

nlohmann::json TlsVolumeMount() {
  return {{"name", kTlsVolumeName}, {"mountPath", kTlsMountPath}, {"readOnly", true}};
}

const nlohmann::json* FindListEntry(const nlohmann::json* list, std::string_view key,
                                    std::string_view value) {
  if (list == nullptr || !list->is_array()) return nullptr;
  for (const nlohmann::json& entry : *list) {
    const nlohmann::json* member = FindMember(entry, key);
    if (member != nullptr && member->is_string() && *member == value) return &entry;
  }
  return nullptr;
}

std::optional<TlsMountProblem> FindTlsMountProblem(const nlohmann::json* volumes,
                                                   const nlohmann::json* mounts) {
  const std::string volume_name(kTlsVolumeName);
  const nlohmann::json* mount = FindListEntry(mounts, "mountPath", kTlsMountPath);
  const nlohmann::json* volume = FindListEntry(volumes, "name", kTlsVolumeName);
  if (mount == nullptr || volume == nullptr) {
    return TlsMountProblem{"the " + volume_name + " volume is not mounted there",
                           "add the vtguard-tls Secret volume and its mount (vtguard inject)"};
  }
  const std::string mounted = StringMember(*mount, "name");
  if (mounted != kTlsVolumeName) {
    return TlsMountProblem{std::string(kTlsMountPath) + " is the mount of volume " + mounted +
                               ", not of " + volume_name,
                           "mount volume " + mounted +
                               " elsewhere, then run vtguard inject to mount " + volume_name +
                               " at " + std::string(kTlsMountPath)};
  }
  if (FindMember(*volume, "secret") == nullptr) {
    return TlsMountProblem{
        "volume " + volume_name + " is not a Secret volume",
        "rename that volume, then run vtguard inject to add vtguard's Secret volume " +
            volume_name};
  }
  return std::nullopt;
}

std::string ShortHash(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(hash));
  return buffer;
}

}  // namespace vtguard::vitess
