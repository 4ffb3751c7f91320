#include "webhook/policy_store.h"

#include <algorithm>
#include <map>
#include <string>

namespace vtguard::webhook {
namespace {

std::map<std::string, std::string> ObjectLabels(const nlohmann::json& object) {
  std::map<std::string, std::string> labels;
  const nlohmann::json* metadata =
      object.is_object() && object.contains("metadata") ? &object.at("metadata") : nullptr;
  if (metadata == nullptr || !metadata->is_object()) return labels;
  auto it = metadata->find("labels");
  if (it == metadata->end() || !it->is_object()) return labels;
  for (const auto& [key, value] : it->items()) {
    if (value.is_string()) labels.emplace(key, value.get<std::string>());
  }
  return labels;
}

}  // namespace

void PolicyStore::Replace(std::vector<vitess::TlsPolicy> policies) {
  std::sort(policies.begin(), policies.end(),
            [](const vitess::TlsPolicy& a, const vitess::TlsPolicy& b) { return a.name < b.name; });
  auto shared = std::make_shared<const std::vector<vitess::TlsPolicy>>(std::move(policies));
  std::lock_guard<std::mutex> lock(mu_);
  policies_ = std::move(shared);
}

bool PolicyStore::known() const {
  std::lock_guard<std::mutex> lock(mu_);
  return policies_ != nullptr;
}

std::size_t PolicyStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return policies_ == nullptr ? 0 : policies_->size();
}

std::optional<vitess::TlsPolicy> PolicyStore::Select(vitess::ObjectKind kind,
                                                     const nlohmann::json& object,
                                                     std::string_view namespace_) const {
  std::shared_ptr<const std::vector<vitess::TlsPolicy>> policies;
  {
    std::lock_guard<std::mutex> lock(mu_);
    policies = policies_;
  }
  if (policies == nullptr) return std::nullopt;
  const std::map<std::string, std::string> labels = ObjectLabels(object);
  for (const vitess::TlsPolicy& policy : *policies) {
    if (!policy.namespace_.empty() && policy.namespace_ != namespace_) continue;
    // NOTE: a Pod is matched by its own labels; a selector on labels that only the
    // VitessCluster carries does not select that cluster's Pods.
    (void)kind;
    if (vitess::LabelsMatch(policy.cluster_selector, labels)) return policy;
  }
  return std::nullopt;
}

}  // namespace vtguard::webhook
