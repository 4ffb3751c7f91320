#include "webhook/policy_store.h"

#include <algorithm>
#include <string>

namespace vtguard::webhook {

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
  for (const vitess::TlsPolicy& policy : *policies) {
    if (!policy.namespace_.empty() && policy.namespace_ != namespace_) continue;
    const bool selected = kind == vitess::ObjectKind::kPod ? vitess::SelectsPod(policy, object)
                                                           : vitess::Selects(policy, object);
    if (selected) return policy;
  }
  return std::nullopt;
}

}  // namespace vtguard::webhook
