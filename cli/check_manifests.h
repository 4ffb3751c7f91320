// Shared by `vtguard check` and `vtguard inject`: reading manifest and policy files, splitting
// YAML streams into documents, choosing the policy for each object and reporting findings.
#pragma once

#include <optional>
#include <ostream>
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

// One document of a YAML stream, as written.
struct DocumentText {
  std::string text;
  std::size_t first_line = 1;  // 1-based line in the file where the document's text starts.
};

// Splits a YAML stream into the text of each document, at lines that start with "---". Each
// document keeps its own comments and formatting so untouched documents can be written back as
// they were. The separator lines themselves are not part of any document.
std::vector<DocumentText> SplitYamlDocuments(const std::string& text);

// How reports name the `index`-th (1-based) document of `file`: "file:document 2". The index
// counts the parts between "---" lines, so it is not a line number.
std::string DocumentLabel(const std::string& file, std::size_t index);

// The policies of --policy FILE, or the default policy when `path` is empty. A file without any
// VitessTLSPolicy document is an error.
Result<std::vector<vitess::TlsPolicy>> LoadPolicies(const std::string& path);

// The policy that selects `object` (a VitessCluster or a Pod), the first by name when several
// do, as in the webhook. An object without a namespace is taken to be in the policy's
// namespace, as `kubectl apply -n` would place it.
const vitess::TlsPolicy* SelectPolicy(const std::vector<vitess::TlsPolicy>& policies,
                                      const nlohmann::json& object);

// The object's kind when vtguard handles it (VitessCluster or Pod), else nullopt.
std::optional<vitess::ObjectKind> HandledKind(const nlohmann::json& object);

// True for an object that HandledKind rejects although its kind is VitessCluster or Pod in
// some letter case: a kind in the wrong case, or an apiVersion that is missing or wrong.
bool NearlyHandledKind(const nlohmann::json& object);

// True for a list of objects as `kubectl get -o yaml` writes it: a kind ending in "List"
// ("List", "VitessClusterList") with an array of items.
bool IsObjectList(const nlohmann::json& document);

// The objects of one document: the document itself, or the items of a list, each with the
// JSON Pointer of the object in the document ("" or "/items/3").
std::vector<std::pair<std::string, const nlohmann::json*>> ObjectsOf(
    const nlohmann::json& document);

// An object of a document that vtguard handles, with the policy that selects it.
struct SelectedObject {
  std::string at;  // The object's JSON Pointer in its document: "" or "/items/3".
  const nlohmann::json* object = nullptr;
  vitess::ObjectKind kind = vitess::ObjectKind::kVitessCluster;
  const vitess::TlsPolicy* policy = nullptr;
};

// The objects of `document` that vtguard handles and a policy selects. Each one that no policy
// selects is named on `err` as "PREFIX: OBJECT: no VitessTLSPolicy selects it; nothing SKIPPED"
// and counted in `unselected`.
std::vector<SelectedObject> SelectObjects(const nlohmann::json& document,
                                          const std::vector<vitess::TlsPolicy>& policies,
                                          const std::string& prefix, const std::string& skipped,
                                          std::size_t& unselected, std::ostream& err);

// "VitessCluster ns1/cluster1", or "Pod vttablet-0" when the object has no namespace.
std::string DescribeObject(const nlohmann::json& object);

// The findings for one object under `policy`: the notes on assumed Vitess versions
// (Severity::kInfo) followed by every violation.
std::vector<vitess::Violation> CheckObject(const vitess::TlsPolicy& policy, vitess::ObjectKind kind,
                                           const nlohmann::json& object);

// One finding as a report line: "file:document 2: warning: /spec/...: message (fix)". Errors
// have no severity word.
std::string FormatFinding(const std::string& label, const vitess::Violation& violation);

// "error", "warning" or "info".
std::string SeverityName(vitess::Severity severity);

// True when any of `violations` is an error.
bool HasErrors(const std::vector<vitess::Violation>& violations);

}  // namespace vtguard::cli
