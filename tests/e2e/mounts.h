// Writing the files a rendered Pod would see, as the kubelet does for Secret volumes.
//
// For every volume of type secret that the component container mounts, the Secret's data
// (base64-decoded) is written to <root>/<pod>/<mountPath>/<key>. Flags such as
// --grpc-cert=/vt/vtguard/tls/tls.crt then resolve to real files through
// MaterializedPod::ResolvePath, so TLS code can load exactly what the process would load.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "tests/e2e/vitess_flags.h"

namespace vtguard::e2e {

// One mounted Secret volume: its path in the container and the directory holding its files.
struct MaterializedMount {
  std::string mount_path;           // Path inside the container, e.g. "/vt/vtguard/tls".
  std::filesystem::path directory;  // Directory on this machine holding the files.
  std::string secret_name;
};

// The view one Vitess process has of its Pod: its flags, environment and Secret files.
struct MaterializedPod {
  std::string name;
  std::string component;  // planetscale.com/component label, e.g. "vttablet".
  FlagSet flags;          // Args of the component container.
  nlohmann::json env;     // Env of the component container (array).
  std::vector<MaterializedMount> mounts;

  // Maps a path inside the container (e.g. a flag value) to the file written on this
  // machine. NotFound when no Secret volume covers the path: the process would fail to open it.
  Result<std::filesystem::path> ResolvePath(std::string_view in_pod_path) const;

  // Resolves the file named by flag `flag` (any spelling). nullopt when the flag is not set.
  Result<std::optional<std::filesystem::path>> FlagFile(std::string_view flag) const;

  // The value of environment variable `name`, if the container sets it literally.
  std::optional<std::string> EnvValue(std::string_view name) const;
};

// Decodes standard base64 (RFC 4648, with padding), as Kubernetes stores Secret data.
Result<std::string> DecodeBase64(std::string_view text);

// Encodes `data` as standard base64 with padding.
std::string EncodeBase64(std::string_view data);

// Writes the Secret files of `pod`'s component container under `root_dir`/<pod name>/ and
// returns the process's view. `secrets` are Secret JSON objects (data base64, or stringData).
// A missing Secret is NotFound unless the volume is optional, as the kubelet would keep the
// Pod from starting.
Result<MaterializedPod> MaterializeMounts(const nlohmann::json& pod,
                                          const std::vector<nlohmann::json>& secrets,
                                          const std::filesystem::path& root_dir);

}  // namespace vtguard::e2e
