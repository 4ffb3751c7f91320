#include "tests/e2e/vitess_flags.h"

#include <algorithm>

namespace vtguard::e2e {

std::string NormalizeFlagName(std::string_view name) {
  while (!name.empty() && name.front() == '-') name.remove_prefix(1);
  std::string normalized(name);
  std::replace(normalized.begin(), normalized.end(), '_', '-');
  return normalized;
}

FlagSet FlagSet::FromArgs(const std::vector<std::string>& args) {
  FlagSet flags;
  for (const std::string& arg : args) {
    if (arg.empty() || arg.front() != '-') continue;
    size_t equals = arg.find('=');
    if (equals == std::string::npos) {
      flags.values_[NormalizeFlagName(arg)] = "true";
      continue;
    }
    flags.values_[NormalizeFlagName(std::string_view(arg).substr(0, equals))] =
        arg.substr(equals + 1);
  }
  return flags;
}

FlagSet FlagSet::FromPod(const nlohmann::json& pod, std::string_view container) {
  const nlohmann::json* containers = nullptr;
  if (pod.contains("spec") && pod["spec"].contains("containers")) {
    containers = &pod["spec"]["containers"];
  }
  if (containers == nullptr || !containers->is_array()) return {};

  for (const nlohmann::json& entry : *containers) {
    if (entry.value("name", "") != container) continue;
    std::vector<std::string> args;
    for (const nlohmann::json& arg : entry.value("args", nlohmann::json::array())) {
      if (arg.is_string()) args.push_back(arg.get<std::string>());
    }
    return FromArgs(args);
  }
  return {};
}

std::optional<std::string> FlagSet::Get(std::string_view name) const {
  auto it = values_.find(NormalizeFlagName(name));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

}  // namespace vtguard::e2e
