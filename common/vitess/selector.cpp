#include <algorithm>

#include "common/vitess/policy.h"

namespace vtguard::vitess {
namespace {

bool RequirementMatches(const LabelSelectorRequirement& requirement,
                        const std::map<std::string, std::string>& labels) {
  auto label = labels.find(requirement.key);
  bool present = label != labels.end();
  bool listed = present && std::find(requirement.values.begin(), requirement.values.end(),
                                     label->second) != requirement.values.end();
  if (requirement.op == "In") return listed;
  if (requirement.op == "NotIn") return !listed;
  if (requirement.op == "Exists") return present;
  if (requirement.op == "DoesNotExist") return !present;
  return false;
}

std::map<std::string, std::string> ReadLabels(const nlohmann::json& object) {
  std::map<std::string, std::string> labels;
  if (!object.is_object()) return labels;
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return labels;
  auto node = metadata->find("labels");
  if (node == metadata->end() || !node->is_object()) return labels;
  for (const auto& [key, value] : node->items()) {
    if (value.is_string()) labels[key] = value.get<std::string>();
  }
  return labels;
}

}  // namespace

bool LabelsMatch(const LabelSelector& selector, const std::map<std::string, std::string>& labels) {
  for (const auto& [key, value] : selector.match_labels) {
    auto label = labels.find(key);
    if (label == labels.end() || label->second != value) return false;
  }
  return std::all_of(selector.match_expressions.begin(), selector.match_expressions.end(),
                     [&](const LabelSelectorRequirement& requirement) {
                       return RequirementMatches(requirement, labels);
                     });
}

bool Selects(const TlsPolicy& policy, const nlohmann::json& cluster_object) {
  if (!policy.namespace_.empty()) {
    const nlohmann::json* ns = nullptr;
    if (cluster_object.is_object() && cluster_object.contains("metadata") &&
        cluster_object["metadata"].is_object() &&
        cluster_object["metadata"].contains("namespace")) {
      ns = &cluster_object["metadata"]["namespace"];
    }
    if (ns == nullptr || !ns->is_string() || ns->get<std::string>() != policy.namespace_) {
      return false;
    }
  }
  return LabelsMatch(policy.cluster_selector, ReadLabels(cluster_object));
}

bool SelectsPod(const TlsPolicy& policy, const nlohmann::json& pod) {
  TlsPolicy namespace_only = policy;
  namespace_only.cluster_selector = {};
  return Selects(namespace_only, pod);
}

}  // namespace vtguard::vitess
