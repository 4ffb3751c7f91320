// Kubernetes label selectors in their string form ("a=b,c!=d,e in (x,y),!f").
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace vtguard::kube {

class LabelSelector {
 public:
  // Parses the equality- and set-based syntax: k=v, k==v, k!=v, k, !k, k in (v1,v2),
  // k notin (v1,v2). An empty string selects everything.
  static Result<LabelSelector> Parse(std::string_view text);

  bool Matches(const std::map<std::string, std::string>& labels) const;
  bool empty() const { return requirements_.empty(); }

 private:
  enum class Op { kEquals, kNotEquals, kExists, kNotExists, kIn, kNotIn };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };
  std::vector<Requirement> requirements_;
};

}  // namespace vtguard::kube
