// Shared by `vtguard check` and `vtguard inject`: reading manifest and policy files, splitting
// YAML streams into documents, and choosing the policy for each object.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/vitess/admission.h"
#include "common/vitess/yaml_json.h"

namespace vtguard::cli {

// Largest manifest or policy file read (bytes).
inline constexpr std::size_t kMaxManifestBytes = 16 * 1024 * 1024;

// Reads a whole file of at most kMaxManifestBytes.
Result<std::string> ReadManifestFile(const std::string& path);

// Splits a YAML stream into the text of each document, at lines that start with "---". Each
// chunk keeps its own comments and formatting so untouched documents can be written back as
// they were. The separator lines themselves are not part of any chunk.
std::vector<std::string> SplitYamlDocuments(const std::string& text);

// The policies of --policy FILE, or the default policy when `path` is empty.
Result<std::vector<vitess::TlsPolicy>> LoadPolicies(const std::string& path);

// The first policy that selects `object` (a VitessCluster or a Pod). An object without a
// namespace is taken to be in the policy's namespace, as `kubectl apply -n` would place it.
const vitess::TlsPolicy* SelectPolicy(const std::vector<vitess::TlsPolicy>& policies,
                                      const nlohmann::json& object);

// The object's kind when vtguard handles it (VitessCluster or Pod), else nullopt.
std::optional<vitess::ObjectKind> HandledKind(const nlohmann::json& object);

}  // namespace vtguard::cli
