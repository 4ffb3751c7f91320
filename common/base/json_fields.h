// Lenient readers for JSON that comes from outside the process (manifests, admission reviews,
// objects from the Kubernetes API). A missing member, a member of another type and a node that
// is not an object all read as absent. nlohmann::json::value() throws in those cases instead,
// which would end a CLI run or a reconcile.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace vtguard {

// The member `key` of `object`, or nullptr when `object` is not an object or has no such member.
template <typename Json>
const Json* FindMember(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

// The string member `key`, or `fallback` when it is absent or not a string.
template <typename Json>
std::string StringMember(const Json& object, std::string_view key, std::string_view fallback = {}) {
  const Json* member = FindMember(object, key);
  if (member == nullptr || !member->is_string()) return std::string(fallback);
  return member->template get_ref<const typename Json::string_t&>();
}

// The integer member `key`, or `fallback` when it is absent or not an integer.
template <typename Json>
std::int64_t IntegerMember(const Json& object, std::string_view key, std::int64_t fallback) {
  const Json* member = FindMember(object, key);
  if (member == nullptr || !member->is_number_integer()) return fallback;
  return member->template get<std::int64_t>();
}

// A copy of the member `key` when it has the type of `empty`, else `empty`: callers pass
// Json::object() or Json::array() and can then iterate without checking.
template <typename Json>
Json MemberOr(const Json& object, std::string_view key, Json empty) {
  const Json* member = FindMember(object, key);
  if (member == nullptr || member->type() != empty.type()) return empty;
  return *member;
}

}  // namespace vtguard
