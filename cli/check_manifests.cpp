#include "cli/check_manifests.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/base/json_fields.h"

namespace vtguard::cli {

Result<std::string> ReadManifestFile(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return InvalidArgument(path + ": is a folder, not a file; pass the path of a file in it");
  }
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

std::vector<DocumentText> SplitYamlDocuments(const std::string& text) {
  std::vector<DocumentText> documents(1);
  std::istringstream lines(text);
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(lines, line)) {
    ++line_number;
    bool separator = line.rfind("---", 0) == 0 &&
                     (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
    if (separator) {
      // A stream that starts with "---" has no document before it.
      if (line_number == 1) {
        documents.back().first_line = 2;
      } else {
        documents.push_back({"", line_number + 1});
      }
      continue;
    }
    documents.back().text += line + "\n";
  }
  return documents;
}

std::string DocumentLabel(const std::string& file, std::size_t index) {
  return file + ":document " + std::to_string(index);
}

Result<std::vector<vitess::TlsPolicy>> LoadPolicies(const std::string& path) {
  if (path.empty()) return std::vector<vitess::TlsPolicy>{vitess::DefaultPolicy()};
  VTG_ASSIGN_OR_RETURN(std::string text, ReadManifestFile(path));
  return vitess::ParsePolicyFile(text, path);
}

const vitess::TlsPolicy* SelectPolicy(const std::vector<vitess::TlsPolicy>& policies,
                                      const nlohmann::json& object) {
  const vitess::TlsPolicy* selected = nullptr;
  for (const vitess::TlsPolicy& policy : policies) {
    // The webhook takes the first policy by name; the order in the file must not matter.
    if (selected != nullptr && policy.name >= selected->name) continue;
    nlohmann::json placed = object;
    if (!policy.namespace_.empty() && placed.is_object()) {
      nlohmann::json& metadata = placed["metadata"];
      if (!metadata.is_object()) metadata = nlohmann::json::object();
      if (!metadata.contains("namespace")) metadata["namespace"] = policy.namespace_;
    }
    const bool selects = HandledKind(object) == vitess::ObjectKind::kPod
                             ? vitess::SelectsPod(policy, placed)
                             : vitess::Selects(policy, placed);
    if (selects) selected = &policy;
  }
  return selected;
}

std::optional<vitess::ObjectKind> HandledKind(const nlohmann::json& object) {
  if (!object.is_object()) return std::nullopt;
  std::string kind = StringMember(object, "kind");
  std::string api_version = StringMember(object, "apiVersion");
  if (kind == "VitessCluster" && api_version.rfind("planetscale.com/", 0) == 0) {
    return vitess::ObjectKind::kVitessCluster;
  }
  if (kind == "Pod" && api_version == "v1") return vitess::ObjectKind::kPod;
  return std::nullopt;
}

bool NearlyHandledKind(const nlohmann::json& object) {
  if (HandledKind(object)) return false;
  std::string kind = StringMember(object, "kind");
  std::transform(kind.begin(), kind.end(), kind.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return kind == "vitesscluster" || kind == "pod";
}

bool IsObjectList(const nlohmann::json& document) {
  const std::string kind = StringMember(document, "kind");
  const nlohmann::json* items = FindMember(document, "items");
  return kind.size() >= 4 && kind.compare(kind.size() - 4, 4, "List") == 0 && items != nullptr &&
         items->is_array();
}

std::vector<std::pair<std::string, const nlohmann::json*>> ObjectsOf(
    const nlohmann::json& document) {
  if (!IsObjectList(document)) return {{"", &document}};
  std::vector<std::pair<std::string, const nlohmann::json*>> objects;
  const nlohmann::json& items = document["items"];
  for (std::size_t i = 0; i < items.size(); ++i) {
    objects.emplace_back("/items/" + std::to_string(i), &items[i]);
  }
  return objects;
}

std::vector<SelectedObject> SelectObjects(const nlohmann::json& document,
                                          const std::vector<vitess::TlsPolicy>& policies,
                                          const std::string& prefix, const std::string& skipped,
                                          std::size_t& unselected, std::ostream& err) {
  std::vector<SelectedObject> selected;
  for (const auto& [at, object] : ObjectsOf(document)) {
    std::optional<vitess::ObjectKind> kind = HandledKind(*object);
    if (!kind && NearlyHandledKind(*object)) {
      err << prefix << ": " << (at.empty() ? "" : at + ": ") << "kind "
          << StringMember(*object, "kind") << " with apiVersion "
          << StringMember(*object, "apiVersion", "(none)")
          << ": vtguard reads VitessCluster (planetscale.com/v2) and Pod (v1) objects; nothing "
          << skipped << "\n";
      ++unselected;
    }
    if (!kind) continue;
    const vitess::TlsPolicy* policy = SelectPolicy(policies, *object);
    if (policy == nullptr) {
      err << prefix << ": " << DescribeObject(*object)
          << ": no VitessTLSPolicy selects it; nothing " << skipped << "\n";
      ++unselected;
      continue;
    }
    selected.push_back({at, object, *kind, policy});
  }
  return selected;
}

std::string DescribeObject(const nlohmann::json& object) {
  std::string kind = StringMember(object, "kind", "object");
  const nlohmann::json* metadata = object.contains("metadata") ? &object["metadata"] : nullptr;
  auto text = [&](const char* key) {
    if (metadata == nullptr || !metadata->is_object()) return std::string();
    auto found = metadata->find(key);
    return found != metadata->end() && found->is_string() ? found->get<std::string>() : "";
  };
  std::string name = text("name").empty() ? "(no name)" : text("name");
  std::string namespace_name = text("namespace");
  return kind + " " + (namespace_name.empty() ? name : namespace_name + "/" + name);
}

std::vector<vitess::Violation> CheckObject(const vitess::TlsPolicy& policy, vitess::ObjectKind kind,
                                           const nlohmann::json& object) {
  std::vector<vitess::Violation> findings = vitess::DescribeAssumedVersions(policy, kind, object);
  std::vector<vitess::Violation> violations = kind == vitess::ObjectKind::kVitessCluster
                                                  ? vitess::ValidateVitessCluster(policy, object)
                                                  : vitess::ValidatePod(policy, object);
  findings.insert(findings.end(), violations.begin(), violations.end());
  return findings;
}

std::string SeverityName(vitess::Severity severity) {
  switch (severity) {
    case vitess::Severity::kError:
      return "error";
    case vitess::Severity::kWarning:
      return "warning";
    case vitess::Severity::kInfo:
      return "info";
  }
  return "error";
}

std::string FormatFinding(const std::string& label, const vitess::Violation& violation) {
  std::string line = label + ": ";
  if (violation.severity != vitess::Severity::kError) {
    line += SeverityName(violation.severity) + ": ";
  }
  return line + vitess::FormatViolation(violation);
}

bool HasErrors(const std::vector<vitess::Violation>& violations) {
  for (const vitess::Violation& violation : violations) {
    if (violation.severity == vitess::Severity::kError) return true;
  }
  return false;
}

}  // namespace vtguard::cli
