// The TLS configuration a policy asks of each Vitess component: flags, volume, mount, env.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/vitess/admission.h"

namespace vtguard::vitess {

struct DesiredFlag {
  std::string name;  // Dashed catalogue name.
  std::string value;
};

// The flags `component` needs under `policy` in migration `step`, in a fixed order.
std::vector<DesiredFlag> DesiredFlags(const TlsPolicy& policy, Component component,
                                      MigrationStep step);

// The migration step for a cluster: the explicit option, else the kMigrationStepAnnotation,
// else kComplete. Always kComplete under migration Direct.
MigrationStep ResolveMigrationStep(const TlsPolicy& policy, const nlohmann::json& object,
                                   const MutationOptions& options);

// {name: vtguard-tls, secret: {secretName: ...}}.
nlohmann::json TlsVolume(const std::string& secret_name);
// {name: vtguard-tls, mountPath: /vt/vtguard/tls, readOnly: true}.
nlohmann::json TlsVolumeMount();

// The first map in the list `list` whose member `key` is the string `value`, or nullptr. `list`
// may be null or not a list.
const nlohmann::json* FindListEntry(const nlohmann::json* list, std::string_view key,
                                    std::string_view value);

// A reason why a flag that reads a file under kTlsMountPath would not read vtguard's Secret.
// The message continues "FLAG reads FILE, but ...", and `fix` is the change that resolves it.
struct TlsMountProblem {
  std::string message;
  std::string fix;
};

// The problem with the files under kTlsMountPath in a container with `mounts` (its
// volumeMounts) and `volumes` (its pod's volumes), or nullopt when vtguard's Secret volume
// is mounted there. Either list may be null or of another type.
std::optional<TlsMountProblem> FindTlsMountProblem(const nlohmann::json* volumes,
                                                   const nlohmann::json* mounts);

// A short, stable hash of `text` (16 hex digits, FNV-1a 64).
std::string ShortHash(std::string_view text);

// The file paths vtguard mounts.
std::string MountedFile(std::string_view file);

}  // namespace vtguard::vitess
