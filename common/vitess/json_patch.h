// Builds a minimal RFC 6902 JSON Patch against an object while keeping a working copy with
// every operation applied, so later steps see what earlier steps added.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vtguard::vitess {

// A JSON Pointer as its unescaped reference tokens.
using PointerTokens = std::vector<std::string>;

// Escapes one reference token as RFC 6901 requires: '~' -> "~0", then '/' -> "~1".
std::string EscapePointerToken(std::string_view token);
// Appends '/' and the escaped `token` to `pointer`.
void AppendPointerToken(std::string_view token, std::string& pointer);
// Escapes and joins tokens into a JSON Pointer: {"spec", "keyspaces", "0"} -> "/spec/keyspaces/0".
std::string ToPointer(std::span<const std::string> tokens);
inline std::string ToPointer(const PointerTokens& tokens) {
  return ToPointer(std::span<const std::string>(tokens));
}
// Returns the value at `tokens`, or nullptr when a step is missing or has the wrong type.
const nlohmann::json* FindAt(const nlohmann::json& root, std::span<const std::string> tokens);
inline const nlohmann::json* FindAt(const nlohmann::json& root, const PointerTokens& tokens) {
  return FindAt(root, std::span<const std::string>(tokens));
}
// Returns the member or array element that `token` names in `node`, or nullptr.
const nlohmann::json* FindChild(const nlohmann::json& node, std::string_view token);

// An RFC 6902 JSON Patch stored as JSON text. The bytes are what nlohmann::json::dump() writes for
// the same array of operations, so the webhook sends the text as it is.
class JsonPatch {
 public:
  // Appends the operation {"op": op, "path": path, "value": *value}, without "value" when
  // `value` is nullptr. `path` is an escaped JSON Pointer. Throws nlohmann::json::type_error
  // when a string in `path` or `value` is not valid UTF-8, as dump() does.
  void Add(std::string_view op, std::string_view path, const nlohmann::json* value);

  bool empty() const { return size_ == 0; }
  // The number of operations.
  std::size_t size() const { return size_; }
  // The compact JSON array, "[]" when empty.
  const std::string& text() const { return text_; }
  // Parses the text into a JSON array, for callers that apply or inspect the operations.
  nlohmann::json ToJson() const { return nlohmann::json::parse(text_); }

 private:
  std::string text_ = "[]";
  std::size_t size_ = 0;
};

class PatchBuilder {
 public:
  explicit PatchBuilder(nlohmann::json original) : working_(std::move(original)) {}

  // Sets `key` in the object at `parent`. Missing (or null) parents are created by one `add`
  // of the smallest missing subtree; an existing map is never replaced as a whole. Returns
  // false, changing nothing, when a step on the way exists but is not an object.
  bool SetMember(std::span<const std::string> parent, std::string_view key, nlohmann::json value);
  bool SetMember(const PointerTokens& parent, std::string_view key, nlohmann::json value) {
    return SetMember(std::span<const std::string>(parent), key, std::move(value));
  }
  // Sets `key` in `object`, which must be the object that FindAt(working(), parent) returns,
  // given as `parent_pointer` = ToPointer(parent). Does what SetMember does without walking the
  // path from the root or escaping its tokens again.
  void SetMemberOf(const nlohmann::json& object, std::string_view parent_pointer,
                   std::string_view key, nlohmann::json value);
  // Appends to the array at `array`, creating it when missing. Returns false when the value
  // there is not an array.
  bool Append(std::span<const std::string> array, nlohmann::json value);
  // Appends to the array at `parent` + `key`, as Append does for those tokens, without copying
  // them into one list. `parent_pointer` must be ToPointer(parent).
  bool AppendMember(std::span<const std::string> parent, std::string_view parent_pointer,
                    std::string_view key, nlohmann::json value);
  // Replaces the existing value at `tokens`.
  void Replace(std::span<const std::string> tokens, nlohmann::json value);
  // Removes the existing value at `tokens`.
  void Remove(std::span<const std::string> tokens);

  const nlohmann::json& working() const { return working_; }
  const JsonPatch& patch() const { return patch_; }
  // Moves the patch out and leaves the builder with an empty patch.
  JsonPatch TakePatch() { return std::exchange(patch_, JsonPatch()); }

 private:
  // Records `op` at the pointer of `tokens` followed by the tokens in `last`.
  void Record(std::string_view op, std::span<const std::string> tokens,
              std::initializer_list<std::string_view> last, const nlohmann::json* value);
  // Records `op` at `pointer` followed by the tokens in `last`.
  void RecordAt(std::string_view op, std::string_view pointer,
                std::initializer_list<std::string_view> last, const nlohmann::json* value);

  nlohmann::json working_;
  JsonPatch patch_;
  std::string path_;  // Scratch buffer for the pointer of the operation being recorded.
};

}  // namespace vtguard::vitess
