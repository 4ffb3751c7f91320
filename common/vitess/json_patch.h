// Builds a minimal RFC 6902 JSON Patch against an object while keeping a working copy with
// every operation applied, so later steps see what earlier steps added.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vtguard::vitess {

// A JSON Pointer as its unescaped reference tokens.
using PointerTokens = std::vector<std::string>;

// Escapes one reference token as RFC 6901 requires: '~' -> "~0", then '/' -> "~1".
std::string EscapePointerToken(std::string_view token);
// Escapes and joins tokens into a JSON Pointer: {"spec", "keyspaces", "0"} -> "/spec/keyspaces/0".
std::string ToPointer(const PointerTokens& tokens);
// Returns the value at `tokens`, or nullptr when a step is missing or has the wrong type.
const nlohmann::json* FindAt(const nlohmann::json& root, const PointerTokens& tokens);

class PatchBuilder {
 public:
  explicit PatchBuilder(nlohmann::json original) : working_(std::move(original)) {}

  // Sets `key` in the object at `parent`. Missing (or null) parents are created by one `add`
  // of the smallest missing subtree; an existing map is never replaced as a whole. Returns
  // false, changing nothing, when a step on the way exists but is not an object.
  bool SetMember(const PointerTokens& parent, const std::string& key, nlohmann::json value);
  // Appends to the array at `array`, creating it when missing. Returns false when the value
  // there is not an array.
  bool Append(const PointerTokens& array, nlohmann::json value);
  // Replaces the existing value at `tokens`.
  void Replace(const PointerTokens& tokens, nlohmann::json value);
  // Removes the existing value at `tokens`.
  void Remove(const PointerTokens& tokens);

  const nlohmann::json& working() const { return working_; }
  const nlohmann::json& patch() const { return patch_; }
  // Moves the patch out and leaves the builder with an empty patch.
  nlohmann::json TakePatch() { return std::exchange(patch_, nlohmann::json::array()); }

 private:
  void Record(std::string_view op, const PointerTokens& tokens, const nlohmann::json* value);

  nlohmann::json working_;
  nlohmann::json patch_ = nlohmann::json::array();
};

}  // namespace vtguard::vitess
