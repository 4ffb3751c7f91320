#include "cli/check_manifests.h"

#include <fstream>
#include <sstream>

namespace vtguard::cli {

Result<std::string> ReadManifestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the file; check the path and its permissions");
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxManifestBytes) {
      return ResourceExhausted(path + ": larger than 16 MiB; split it into smaller files");
    }
  }
  if (in.bad()) return Unavailable(path + ": read failed");
  return text;
}

std::vector<std::string> SplitYamlDocuments(const std::string& text) {
  std::vector<std::string> documents(1);
  std::istringstream lines(text);
  std::string line;
  bool first_line = true;
  while (std::getline(lines, line)) {
    bool separator = line.rfind("---", 0) == 0 &&
                     (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
    if (separator) {
      // A stream that starts with "---" has no document before it.
      if (!first_line) documents.emplace_back();
      first_line = false;
      continue;
    }
    first_line = false;
    documents.back() += line + "\n";
  }
  return documents;
}

Result<std::vector<vitess::TlsPolicy>> LoadPolicies(const std::string& path) {
  if (path.empty()) return std::vector<vitess::TlsPolicy>{vitess::DefaultPolicy()};
  VTG_ASSIGN_OR_RETURN(std::string text, ReadManifestFile(path));
  Result<std::vector<vitess::TlsPolicy>> policies = vitess::ParsePolicyYaml(text);
  if (!policies.ok()) return policies.status().WithContext(path);
  if (policies->empty()) {
    return InvalidArgument(path + ": no VitessTLSPolicy document found");
  }
  return policies;
}

const vitess::TlsPolicy* SelectPolicy(const std::vector<vitess::TlsPolicy>& policies,
                                      const nlohmann::json& object) {
  for (const vitess::TlsPolicy& policy : policies) {
    nlohmann::json placed = object;
    if (!policy.namespace_.empty() && placed.is_object()) {
      nlohmann::json& metadata = placed["metadata"];
      if (!metadata.is_object()) metadata = nlohmann::json::object();
      if (!metadata.contains("namespace")) metadata["namespace"] = policy.namespace_;
    }
    if (HandledKind(object) == vitess::ObjectKind::kPod) {
      if (vitess::SelectsPod(policy, placed)) return &policy;
      continue;
    }
    if (vitess::Selects(policy, placed)) return &policy;
  }
  return nullptr;
}

std::optional<vitess::ObjectKind> HandledKind(const nlohmann::json& object) {
  if (!object.is_object()) return std::nullopt;
  std::string kind = object.value("kind", std::string());
  std::string api_version = object.value("apiVersion", std::string());
  if (kind == "VitessCluster" && api_version.rfind("planetscale.com/", 0) == 0) {
    return vitess::ObjectKind::kVitessCluster;
  }
  if (kind == "Pod" && api_version == "v1") return vitess::ObjectKind::kPod;
  return std::nullopt;
}

}  // namespace vtguard::cli
