// The VitessTLSPolicies the webhook decides with, replaced as a whole when the source changes.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "common/vitess/admission.h"
#include "common/vitess/policy.h"

namespace vtguard::webhook {

class PolicyStore {
 public:
  // Replaces every policy; after the first call the policies count as known.
  void Replace(std::vector<vitess::TlsPolicy> policies);
  // True once a policy source delivered its first complete set (which may be empty).
  bool known() const;
  std::size_t size() const;

  // Returns the policy that applies to `object` of `kind` in `namespace_`: the first policy by
  // name in that namespace that selects it. A VitessCluster must match the clusterSelector; a
  // Pod is selected by namespace alone, because it does not carry its cluster's labels.
  std::optional<vitess::TlsPolicy> Select(vitess::ObjectKind kind, const nlohmann::json& object,
                                          std::string_view namespace_) const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<vitess::TlsPolicy>> policies_;
};

}  // namespace vtguard::webhook
