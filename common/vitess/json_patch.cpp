#include "common/vitess/json_patch.h"

#include "common/vitess/json_text.h"

namespace vtguard::vitess {
namespace {

nlohmann::json* Step(nlohmann::json& node, std::string_view token) {
  if (node.is_object()) {
    // object_t compares keys with std::less<> under C++14 and later, so a string_view finds a
    // member without building a std::string.
    auto& members = node.get_ref<nlohmann::json::object_t&>();
    auto it = members.find(token);
    return it == members.end() ? nullptr : &it->second;
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

nlohmann::json* MutableAt(nlohmann::json& root, std::span<const std::string> tokens) {
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

void AppendPointerToken(std::string_view token, std::string& pointer) {
  pointer += '/';
  // Tokens rarely contain '~' or '/', so most are appended whole. A plain loop, because
  // find_first_of calls memchr on the two-character set once per character of the token.
  for (char c : token) {
    if (c == '~' || c == '/') {
      pointer += EscapePointerToken(token);
      return;
    }
  }
  pointer.append(token);
}

std::string ToPointer(std::span<const std::string> tokens) {
  std::size_t size = 0;
  for (const std::string& token : tokens) size += token.size() + 1;
  std::string pointer;
  pointer.reserve(size);
  for (const std::string& token : tokens) AppendPointerToken(token, pointer);
  return pointer;
}

const nlohmann::json* FindAt(const nlohmann::json& root, std::span<const std::string> tokens) {
  return MutableAt(const_cast<nlohmann::json&>(root), tokens);
}

const nlohmann::json* FindChild(const nlohmann::json& node, std::string_view token) {
  return Step(const_cast<nlohmann::json&>(node), token);
}

void JsonPatch::Add(std::string_view op, std::string_view path, const nlohmann::json* value) {
  if (text_.capacity() < 4096) text_.reserve(4096);
  // Drops the closing ']' and writes the operation in its place. The members are in the order
  // nlohmann sorts object keys: op, path, value.
  const std::size_t closed_size = text_.size();
  text_.pop_back();
  if (size_ > 0) text_ += ',';
  try {
    text_.append(R"({"op":)");
    AppendJsonString(op, text_, nlohmann::json::error_handler_t::strict);
    text_.append(R"(,"path":)");
    AppendJsonString(path, text_, nlohmann::json::error_handler_t::strict);
    if (value != nullptr) {
      text_.append(R"(,"value":)");
      AppendJson(*value, text_);
    }
  } catch (const nlohmann::json::type_error&) {
    // Leaves the patch as it was before the call.
    text_.resize(closed_size - 1);
    text_ += ']';
    throw;
  }
  text_ += "}]";
  ++size_;
}

void PatchBuilder::Record(std::string_view op, std::span<const std::string> tokens,
                          std::initializer_list<std::string_view> last,
                          const nlohmann::json* value) {
  path_.clear();
  for (const std::string& token : tokens) AppendPointerToken(token, path_);
  for (std::string_view token : last) AppendPointerToken(token, path_);
  patch_.Add(op, path_, value);
}

bool PatchBuilder::SetMember(std::span<const std::string> parent, std::string_view key,
                             nlohmann::json value) {
  // Find the deepest existing, non-null step of parent + key.
  const std::size_t full_size = parent.size() + 1;
  auto token_at = [&](std::size_t depth) -> std::string_view {
    return depth < parent.size() ? std::string_view(parent[depth]) : key;
  };
  nlohmann::json* node = &working_;
  std::size_t depth = 0;
  for (; depth < full_size; ++depth) {
    if (!node->is_object() && !(node->is_array() && depth < parent.size())) return false;
    nlohmann::json* next = Step(*node, token_at(depth));
    if (next == nullptr || (next->is_null() && depth < parent.size())) break;
    node = next;
  }
  if (depth == full_size) {
    // The key exists: replace its value in place.
    if (*node == value) return true;
    Record("replace", parent, {key}, &value);
    *node = std::move(value);
    return true;
  }
  if (!node->is_object()) return false;
  // Wrap the value in the objects that are missing below `node`.
  for (std::size_t i = full_size - 1; i > depth; --i) {
    nlohmann::json wrapper(nlohmann::json::value_t::object);
    wrapper[std::string(token_at(i))] = std::move(value);
    value = std::move(wrapper);
  }
  const std::string_view added = token_at(depth);
  Record("add", parent.first(std::min(depth, parent.size())), {added}, &value);
  (*node)[std::string(added)] = std::move(value);
  return true;
}

void PatchBuilder::RecordAt(std::string_view op, std::string_view pointer,
                            std::initializer_list<std::string_view> last,
                            const nlohmann::json* value) {
  path_.assign(pointer);
  for (std::string_view token : last) AppendPointerToken(token, path_);
  patch_.Add(op, path_, value);
}

void PatchBuilder::SetMemberOf(const nlohmann::json& object, std::string_view parent_pointer,
                               std::string_view key, nlohmann::json value) {
  // The builder owns the working copy that `object` points into.
  auto& members = const_cast<nlohmann::json&>(object).get_ref<nlohmann::json::object_t&>();
  auto it = members.find(key);
  if (it != members.end()) {
    if (it->second == value) return;
    RecordAt("replace", parent_pointer, {key}, &value);
    it->second = std::move(value);
    return;
  }
  RecordAt("add", parent_pointer, {key}, &value);
  members.emplace(std::string(key), std::move(value));
}

bool PatchBuilder::Append(std::span<const std::string> array, nlohmann::json value) {
  nlohmann::json* node = MutableAt(working_, array);
  if (node == nullptr || node->is_null()) {
    nlohmann::json created(nlohmann::json::value_t::array);
    created.push_back(std::move(value));
    return SetMember(array.first(array.size() - 1), array.back(), std::move(created));
  }
  if (!node->is_array()) return false;
  // Appending uses the explicit index, so the patch never carries "/-".
  const std::string index = std::to_string(node->size());
  const std::string_view last = index;
  Record("add", array, {last}, &value);
  node->push_back(std::move(value));
  return true;
}

bool PatchBuilder::AppendMember(std::span<const std::string> parent,
                                std::string_view parent_pointer, std::string_view key,
                                nlohmann::json value) {
  nlohmann::json* parent_node = MutableAt(working_, parent);
  nlohmann::json* node = parent_node == nullptr ? nullptr : Step(*parent_node, key);
  if (node == nullptr || node->is_null()) {
    nlohmann::json created(nlohmann::json::value_t::array);
    created.push_back(std::move(value));
    if (parent_node != nullptr && parent_node->is_object()) {
      SetMemberOf(*parent_node, parent_pointer, key, std::move(created));
      return true;
    }
    return SetMember(parent, key, std::move(created));
  }
  if (!node->is_array()) return false;
  // Appending uses the explicit index, so the patch never carries "/-".
  const std::string index = std::to_string(node->size());
  RecordAt("add", parent_pointer, {key, index}, &value);
  node->push_back(std::move(value));
  return true;
}

void PatchBuilder::Replace(std::span<const std::string> tokens, nlohmann::json value) {
  nlohmann::json* node = MutableAt(working_, tokens);
  if (node == nullptr) return;
  Record("replace", tokens, {}, &value);
  *node = std::move(value);
}

void PatchBuilder::Remove(std::span<const std::string> tokens) {
  if (tokens.empty()) return;
  nlohmann::json* node = MutableAt(working_, tokens.first(tokens.size() - 1));
  if (node == nullptr || Step(*node, tokens.back()) == nullptr) return;
  Record("remove", tokens, {}, nullptr);
  if (node->is_object()) {
    node->erase(tokens.back());
  } else {
    node->erase(static_cast<std::size_t>(std::stoul(tokens.back())));
  }
}

}  // namespace vtguard::vitess
