// Thread-safe object cache of an informer, indexed by namespace and by label.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace vtguard::kube {

class ObjectCache {
 public:
  // Returns a copy, so callers can never mutate the cached object.
  std::optional<nlohmann::json> Get(const std::string& key) const;
  std::vector<nlohmann::json> List() const;
  std::vector<std::string> Keys() const;
  std::vector<nlohmann::json> ListByNamespace(const std::string& ns) const;
  // Objects whose label `label_key` equals `value`.
  std::vector<nlohmann::json> ListByLabel(const std::string& label_key,
                                          const std::string& value) const;
  size_t size() const;

  // Stores `object` under its key; returns the previous version when there was one.
  std::optional<nlohmann::json> Upsert(const nlohmann::json& object);
  // Removes `key`; returns the removed object.
  std::optional<nlohmann::json> Remove(const std::string& key);

 private:
  void IndexLocked(const std::string& key, const nlohmann::json& object, bool add);

  mutable std::mutex mu_;
  std::map<std::string, nlohmann::json> objects_;
  std::map<std::string, std::set<std::string>> by_namespace_;
  std::map<std::string, std::set<std::string>> by_label_;  // "key=value" -> object keys.
};

}  // namespace vtguard::kube
