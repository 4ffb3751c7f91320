// Object storage of the test API server: one global resourceVersion counter, objects keyed by
// "<group>/<plural>" and "<namespace>/<name>", and a bounded log of change events that watches
// replay. A watch that asks for a version older than the log is answered with 410 Gone.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace vtguard::testing {

struct StoredEvent {
  uint64_t resource_version = 0;
  std::string type;  // ADDED, MODIFIED, DELETED.
  std::string storage_key;
  nlohmann::json object;
};

class ObjectStore {
 public:
  explicit ObjectStore(size_t event_window) : event_window_(event_window) {}

  uint64_t CurrentVersion() const;
  std::optional<nlohmann::json> Get(const std::string& storage_key,
                                    const std::string& object_key) const;
  // Objects of one resource, sorted by key; `ns` empty means every namespace.
  std::vector<nlohmann::json> List(const std::string& storage_key, const std::string& ns) const;
  // Every stored object with its storage key, for garbage collection and namespace deletion.
  std::vector<std::pair<std::string, nlohmann::json>> All() const;

  // Stores `object` with a new resourceVersion and records an ADDED or MODIFIED event.
  nlohmann::json Put(const std::string& storage_key, const std::string& object_key,
                     nlohmann::json object);
  // Removes an object, recording a DELETED event carrying a new resourceVersion.
  std::optional<nlohmann::json> Remove(const std::string& storage_key,
                                       const std::string& object_key);
  // Removes every object of a resource without events (its type was unregistered).
  void DropResource(const std::string& storage_key);

  // Events of `storage_key` after `after_version`, and the version they reach. kGone when the
  // log no longer reaches back to `after_version`.
  Status EventsSince(uint64_t after_version, const std::string& storage_key,
                     std::vector<StoredEvent>* events, uint64_t* reached) const;
  // Waits until the version moves past `version` or the timeout; true when it moved.
  bool WaitForChange(uint64_t version, std::chrono::milliseconds timeout) const;
  // Wakes every waiter (server shutdown, dropped watches).
  void NotifyAll() const { changed_.notify_all(); }
  // Forgets the event log: every version seen so far becomes too old to watch from.
  void ExpireAll();

 private:
  void RecordLocked(const std::string& type, const std::string& storage_key,
                    const nlohmann::json& object);

  size_t event_window_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  uint64_t version_ = 1000;
  uint64_t oldest_watchable_ = 1000;
  std::map<std::string, std::map<std::string, nlohmann::json>> objects_;
  std::deque<StoredEvent> events_;
};

}  // namespace vtguard::testing
