#include "tests/apiserver/object_store.h"

namespace vtguard::testing {

uint64_t ObjectStore::CurrentVersion() const {
  std::lock_guard<std::mutex> lock(mu_);
  return version_;
}

std::optional<nlohmann::json> ObjectStore::Get(const std::string& storage_key,
                                               const std::string& object_key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto resource = objects_.find(storage_key);
  if (resource == objects_.end()) return std::nullopt;
  auto it = resource->second.find(object_key);
  if (it == resource->second.end()) return std::nullopt;
  return it->second;
}

std::vector<nlohmann::json> ObjectStore::List(const std::string& storage_key,
                                              const std::string& ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<nlohmann::json> out;
  auto resource = objects_.find(storage_key);
  if (resource == objects_.end()) return out;
  for (const auto& [key, object] : resource->second) {
    if (!ns.empty() && object["metadata"].value("namespace", "") != ns) continue;
    out.push_back(object);
  }
  return out;
}

std::vector<std::pair<std::string, nlohmann::json>> ObjectStore::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, nlohmann::json>> out;
  for (const auto& [storage_key, objects] : objects_) {
    for (const auto& entry : objects) out.emplace_back(storage_key, entry.second);
  }
  return out;
}

void ObjectStore::RecordLocked(const std::string& type, const std::string& storage_key,
                               const nlohmann::json& object) {
  events_.push_back({version_, type, storage_key, object});
  while (events_.size() > event_window_) {
    oldest_watchable_ = events_.front().resource_version;
    events_.pop_front();
  }
  changed_.notify_all();
}

nlohmann::json ObjectStore::Put(const std::string& storage_key, const std::string& object_key,
                                nlohmann::json object) {
  std::lock_guard<std::mutex> lock(mu_);
  ++version_;
  object["metadata"]["resourceVersion"] = std::to_string(version_);
  auto& objects = objects_[storage_key];
  const bool is_new = objects.count(object_key) == 0;
  objects[object_key] = object;
  RecordLocked(is_new ? "ADDED" : "MODIFIED", storage_key, object);
  return object;
}

std::optional<nlohmann::json> ObjectStore::Remove(const std::string& storage_key,
                                                  const std::string& object_key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto resource = objects_.find(storage_key);
  if (resource == objects_.end()) return std::nullopt;
  auto it = resource->second.find(object_key);
  if (it == resource->second.end()) return std::nullopt;
  nlohmann::json removed = std::move(it->second);
  resource->second.erase(it);
  ++version_;
  removed["metadata"]["resourceVersion"] = std::to_string(version_);
  RecordLocked("DELETED", storage_key, removed);
  return removed;
}

void ObjectStore::DropResource(const std::string& storage_key) {
  std::lock_guard<std::mutex> lock(mu_);
  objects_.erase(storage_key);
}

Status ObjectStore::EventsSince(uint64_t after_version, const std::string& storage_key,
                                std::vector<StoredEvent>* events, uint64_t* reached) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (after_version < oldest_watchable_) {
    return Status(ErrorCode::kGone, "too old resource version: " + std::to_string(after_version) +
                                        " (" + std::to_string(oldest_watchable_) + ")");
  }
  for (const StoredEvent& event : events_) {
    if (event.resource_version > after_version && event.storage_key == storage_key) {
      events->push_back(event);
    }
  }
  *reached = version_;
  return Status::Ok();
}

bool ObjectStore::WaitForChange(uint64_t version, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return version_ > version; });
}

void ObjectStore::ExpireAll() {
  std::lock_guard<std::mutex> lock(mu_);
  events_.clear();
  // Moving past the current version makes every version a client has seen too old.
  ++version_;
  oldest_watchable_ = version_;
  changed_.notify_all();
}

}  // namespace vtguard::testing
