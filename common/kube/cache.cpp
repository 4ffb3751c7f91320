#include "common/kube/cache.h"

#include "common/kube/watch.h"

namespace vtguard::kube {

std::optional<nlohmann::json> ObjectCache::Get(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<nlohmann::json> ObjectCache::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<nlohmann::json> out;
  out.reserve(objects_.size());
  for (const auto& [key, object] : objects_) out.push_back(object);
  return out;
}

std::vector<std::string> ObjectCache::Keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& entry : objects_) out.push_back(entry.first);
  return out;
}

std::vector<nlohmann::json> ObjectCache::ListByNamespace(const std::string& ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<nlohmann::json> out;
  auto it = by_namespace_.find(ns);
  if (it == by_namespace_.end()) return out;
  for (const std::string& key : it->second) out.push_back(objects_.at(key));
  return out;
}

std::vector<nlohmann::json> ObjectCache::ListByLabel(const std::string& label_key,
                                                     const std::string& value) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<nlohmann::json> out;
  auto it = by_label_.find(label_key + "=" + value);
  if (it == by_label_.end()) return out;
  for (const std::string& key : it->second) out.push_back(objects_.at(key));
  return out;
}

size_t ObjectCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return objects_.size();
}

void ObjectCache::IndexLocked(const std::string& key, const nlohmann::json& object, bool add) {
  const nlohmann::json metadata = object.value("metadata", nlohmann::json::object());
  auto update = [&](std::map<std::string, std::set<std::string>>& index, const std::string& value) {
    if (add) {
      index[value].insert(key);
      return;
    }
    auto it = index.find(value);
    if (it == index.end()) return;
    it->second.erase(key);
    if (it->second.empty()) index.erase(it);
  };
  update(by_namespace_, metadata.value("namespace", ""));
  const nlohmann::json labels = metadata.value("labels", nlohmann::json::object());
  for (const auto& [label, value] : labels.items()) {
    if (value.is_string()) update(by_label_, label + "=" + value.get<std::string>());
  }
}

std::optional<nlohmann::json> ObjectCache::Upsert(const nlohmann::json& object) {
  const std::string key = ObjectKey(object);
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<nlohmann::json> previous;
  auto it = objects_.find(key);
  if (it != objects_.end()) {
    previous = std::move(it->second);
    IndexLocked(key, *previous, /*add=*/false);
  }
  objects_[key] = object;
  IndexLocked(key, object, /*add=*/true);
  return previous;
}

std::optional<nlohmann::json> ObjectCache::Remove(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  nlohmann::json removed = std::move(it->second);
  objects_.erase(it);
  IndexLocked(key, removed, /*add=*/false);
  return removed;
}

}  // namespace vtguard::kube
