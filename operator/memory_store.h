// An ObjectStore that keeps objects in memory with the API server's concurrency rules:
// resourceVersion on every write (409 on a stale one), metadata.generation bumped on spec
// changes, a status subresource, and change notifications. Tests, benchmarks and the
// operator's standalone mode use it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "operator/object_store.h"

namespace vtguard::op {

enum class WatchEventType { kAdded, kModified, kDeleted };

class MemoryStore final : public ObjectStore {
 public:
  using Watcher = std::function<void(const ResourceKind&, WatchEventType, const Json&)>;

  Result<Json> Get(const ResourceKind& kind, std::string_view ns, std::string_view name) override;
  Result<std::vector<Json>> List(const ResourceKind& kind, std::string_view ns,
                                 const LabelSelector& selector) override;
  Result<Json> Create(const ResourceKind& kind, const Json& object) override;
  Result<Json> Update(const ResourceKind& kind, const Json& object) override;
  Result<Json> Patch(const ResourceKind& kind, std::string_view ns, std::string_view name,
                     const Json& patch) override;
  Result<Json> UpdateStatus(const ResourceKind& kind, const Json& object) override;
  Status Delete(const ResourceKind& kind, std::string_view ns, std::string_view name) override;

  // Calls `watcher` after every successful write, outside the store's lock.
  void AddWatcher(Watcher watcher);

  // Makes the next `count` writes of `kind` fail with `status` (fault injection for tests).
  void FailWrites(const ResourceKind& kind, int count, Status status);

  // Number of successful writes per resource plural, e.g. {"secrets": 5}.
  std::map<std::string, std::int64_t> WriteCounts() const;
  std::int64_t TotalWrites() const;

 private:
  using Key = std::string;  // "<plural>/<namespace>/<name>"
  Result<Json> Store(const ResourceKind& kind, Json object, WatchEventType type);
  Status TakeInjectedFault(const ResourceKind& kind);
  void Notify(const ResourceKind& kind, WatchEventType type, const Json& object);

  mutable std::mutex mu_;
  std::map<Key, Json> objects_;
  std::int64_t next_resource_version_ = 1;
  std::map<std::string, std::int64_t> write_counts_;
  std::map<std::string, std::pair<int, Status>> faults_;
  std::vector<Watcher> watchers_;
};

}  // namespace vtguard::op
