// Type sweeps over real inputs: every node of a JSON document, the root included, is replaced
// in turn by a value of each JSON type. Code that reads untrusted JSON must handle every variant
// (allow, deny, patch, or report the field) and never throw.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vtguard::testing {

// One value of each JSON type, plus empty and non-empty containers and strings.
inline const std::vector<nlohmann::json>& RetypeValues() {
  static const std::vector<nlohmann::json> kValues = {
      nullptr,
      false,
      -1,
      1.5,
      "",
      "x",
      nlohmann::json::array(),
      nlohmann::json::array({"x"}),
      nlohmann::json::object(),
      nlohmann::json::object({{"x", "y"}}),
  };
  return kValues;
}

// The JSON Pointer of every node of `root`, parents before children; "" is the root.
inline std::vector<nlohmann::json::json_pointer> AllPointers(const nlohmann::json& root) {
  std::vector<nlohmann::json::json_pointer> out;
  std::function<void(const nlohmann::json&, const nlohmann::json::json_pointer&)> walk =
      [&](const nlohmann::json& node, const nlohmann::json::json_pointer& at) {
        out.push_back(at);
        if (node.is_object()) {
          for (const auto& [key, child] : node.items()) walk(child, at / key);
        } else if (node.is_array()) {
          for (std::size_t i = 0; i < node.size(); ++i) walk(node[i], at / i);
        }
      };
  walk(root, nlohmann::json::json_pointer());
  return out;
}

// Calls `visit(variant, pointer, value)` for every node of `root` and every value of
// RetypeValues() that differs from the node.
inline void ForEachRetyped(const nlohmann::json& root,
                           const std::function<void(const nlohmann::json&, const std::string&,
                                                    const nlohmann::json&)>& visit) {
  for (const nlohmann::json::json_pointer& pointer : AllPointers(root)) {
    for (const nlohmann::json& value : RetypeValues()) {
      if (root[pointer] == value) continue;
      nlohmann::json variant = root;
      variant[pointer] = value;
      visit(variant, pointer.to_string(), value);
    }
  }
}

}  // namespace vtguard::testing
