#include "common/vitess/json_patch.h"

namespace vtguard::vitess {
namespace {

nlohmann::json* Step(nlohmann::json& node, const std::string& token) {
  if (node.is_object()) {
    auto it = node.find(token);
    return it == node.end() ? nullptr : &*it;
  }
  if (node.is_array()) {
    std::size_t index = 0;
    for (char c : token) {
      if (c < '0' || c > '9') return nullptr;
      index = index * 10 + static_cast<std::size_t>(c - '0');
      if (index > node.size()) return nullptr;
    }
    if (token.empty() || index >= node.size()) return nullptr;
    return &node[index];
  }
  return nullptr;
}

nlohmann::json* MutableAt(nlohmann::json& root, const PointerTokens& tokens) {
  nlohmann::json* node = &root;
  for (const std::string& token : tokens) {
    node = Step(*node, token);
    if (node == nullptr) return nullptr;
  }
  return node;
}

}  // namespace

std::string EscapePointerToken(std::string_view token) {
  std::string escaped;
  for (char c : token) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string ToPointer(const PointerTokens& tokens) {
  std::size_t size = 0;
  for (const std::string& token : tokens) size += token.size() + 1;
  std::string pointer;
  pointer.reserve(size);
  for (const std::string& token : tokens) {
    pointer += '/';
    // Tokens rarely contain '~' or '/', so most are appended whole.
    if (token.find_first_of("~/") == std::string::npos) {
      pointer += token;
    } else {
      pointer += EscapePointerToken(token);
    }
  }
  return pointer;
}

const nlohmann::json* FindAt(const nlohmann::json& root, const PointerTokens& tokens) {
  return MutableAt(const_cast<nlohmann::json&>(root), tokens);
}

void PatchBuilder::Record(std::string_view op, const PointerTokens& tokens,
                          const nlohmann::json* value) {
  // Filled member by member: a braced initializer list copies every element once more.
  nlohmann::json operation(nlohmann::json::value_t::object);
  operation["op"] = op;
  operation["path"] = ToPointer(tokens);
  if (value != nullptr) operation["value"] = *value;
  patch_.push_back(std::move(operation));
}

bool PatchBuilder::SetMember(const PointerTokens& parent, const std::string& key,
                             nlohmann::json value) {
  // Find the deepest existing, non-null step of parent + key.
  PointerTokens full = parent;
  full.push_back(key);
  nlohmann::json* node = &working_;
  std::size_t depth = 0;
  for (; depth < full.size(); ++depth) {
    if (!node->is_object() && !(node->is_array() && depth < parent.size())) return false;
    nlohmann::json* next = Step(*node, full[depth]);
    if (next == nullptr || (next->is_null() && depth < parent.size())) break;
    node = next;
  }
  if (depth == full.size()) {
    // The key exists: replace its value in place.
    if (*node == value) return true;
    Replace(full, std::move(value));
    return true;
  }
  if (!node->is_object()) return false;
  // Wrap the value in the objects that are missing below `node`.
  for (std::size_t i = full.size() - 1; i > depth; --i) {
    value = nlohmann::json::object({{full[i], std::move(value)}});
  }
  PointerTokens target(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(depth) + 1);
  Record("add", target, &value);
  (*node)[full[depth]] = std::move(value);
  return true;
}

bool PatchBuilder::Append(const PointerTokens& array, nlohmann::json value) {
  nlohmann::json* node = MutableAt(working_, array);
  if (node == nullptr || node->is_null()) {
    PointerTokens parent(array.begin(), array.end() - 1);
    return SetMember(parent, array.back(), nlohmann::json::array({std::move(value)}));
  }
  if (!node->is_array()) return false;
  // Appending uses the explicit index, so the patch never carries "/-".
  PointerTokens target = array;
  target.push_back(std::to_string(node->size()));
  Record("add", target, &value);
  node->push_back(std::move(value));
  return true;
}

void PatchBuilder::Replace(const PointerTokens& tokens, nlohmann::json value) {
  nlohmann::json* node = MutableAt(working_, tokens);
  if (node == nullptr) return;
  Record("replace", tokens, &value);
  *node = std::move(value);
}

void PatchBuilder::Remove(const PointerTokens& tokens) {
  if (tokens.empty()) return;
  PointerTokens parent(tokens.begin(), tokens.end() - 1);
  nlohmann::json* node = MutableAt(working_, parent);
  if (node == nullptr || Step(*node, tokens.back()) == nullptr) return;
  Record("remove", tokens, nullptr);
  if (node->is_object()) {
    node->erase(tokens.back());
  } else {
    node->erase(static_cast<std::size_t>(std::stoul(tokens.back())));
  }
}

}  // namespace vtguard::vitess
