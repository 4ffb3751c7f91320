#include "operator/memory_store.h"

#include "common/base/json_fields.h"

namespace vtguard::op {

namespace {

std::string MakeKey(const ResourceKind& kind, std::string_view ns, std::string_view name) {
  std::string key(kind.plural);
  key += '/';
  key += kind.namespaced ? ns : std::string_view();
  key += '/';
  key += name;
  return key;
}

std::string KeyOf(const ResourceKind& kind, const Json& object) {
  return MakeKey(kind, MetadataString(object, "namespace"), MetadataString(object, "name"));
}

std::string NameOf(const ResourceKind& kind, const Json& object) {
  return std::string(kind.kind) + " " + MetadataString(object, "namespace") + "/" +
         MetadataString(object, "name");
}

// The part of an object whose change bumps metadata.generation.
Json GenerationContent(const Json& object) {
  Json content = object;
  content.erase("metadata");
  content.erase("status");
  return content;
}

}  // namespace

Result<Json> MemoryStore::Get(const ResourceKind& kind, std::string_view ns,
                              std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(MakeKey(kind, ns, name));
  if (it == objects_.end()) {
    return NotFound(std::string(kind.kind) + " " + std::string(ns) + "/" + std::string(name) +
                    " not found");
  }
  return it->second;
}

Result<std::vector<Json>> MemoryStore::List(const ResourceKind& kind, std::string_view ns,
                                            const LabelSelector& selector) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string prefix = std::string(kind.plural) + "/";
  if (!ns.empty() && kind.namespaced) prefix += std::string(ns) + "/";
  std::vector<Json> items;
  for (auto it = objects_.lower_bound(prefix);
       it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (MatchesLabels(it->second, selector)) items.push_back(it->second);
  }
  return items;
}

Result<Json> MemoryStore::Create(const ResourceKind& kind, const Json& object) {
  if (MetadataString(object, "name").empty()) {
    return InvalidArgument("creating a " + std::string(kind.kind) + ": metadata.name is missing");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    VTG_RETURN_IF_ERROR(TakeInjectedFault(kind));
    if (objects_.count(KeyOf(kind, object)) != 0) {
      return AlreadyExists(NameOf(kind, object) + " already exists");
    }
  }
  Json stored = object;
  stored["apiVersion"] = kind.ApiVersion();
  stored["kind"] = kind.kind;
  stored["metadata"]["generation"] = 1;
  stored["metadata"]["uid"] = "uid-" + KeyOf(kind, object);
  if (kind.has_status_subresource) stored.erase("status");
  return Store(kind, std::move(stored), WatchEventType::kAdded);
}

Result<Json> MemoryStore::Update(const ResourceKind& kind, const Json& object) {
  Json stored;
  {
    std::lock_guard<std::mutex> lock(mu_);
    VTG_RETURN_IF_ERROR(TakeInjectedFault(kind));
    auto it = objects_.find(KeyOf(kind, object));
    if (it == objects_.end()) return NotFound(NameOf(kind, object) + " not found");
    const Json& current = it->second;
    if (MetadataString(object, "resourceVersion") != MetadataString(current, "resourceVersion")) {
      return Conflict("the object has been modified: " + NameOf(kind, object) +
                      "; read it again and retry");
    }
    stored = object;
    std::int64_t generation = IntegerMember(current["metadata"], "generation", 1);
    if (GenerationContent(object) != GenerationContent(current)) ++generation;
    stored["metadata"]["generation"] = generation;
    stored["metadata"]["uid"] = StringMember(current["metadata"], "uid");
    if (kind.has_status_subresource) {
      stored.erase("status");
      if (current.contains("status")) stored["status"] = current["status"];
    }
  }
  return Store(kind, std::move(stored), WatchEventType::kModified);
}

Result<Json> MemoryStore::Patch(const ResourceKind& kind, std::string_view ns,
                                std::string_view name, const Json& patch) {
  VTG_ASSIGN_OR_RETURN(Json current, Get(kind, ns, name));
  Json patched;
  try {
    patched = current.patch(patch);
  } catch (const nlohmann::json::exception& e) {
    return Conflict("JSON patch on " + NameOf(kind, current) + " failed: " + e.what());
  }
  // A patch is applied to the object the caller saw, so keep its resourceVersion for Update.
  patched["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"];
  if (kind.has_status_subresource && current.contains("status")) {
    patched["status"] = current["status"];
  }
  return Update(kind, patched);
}

Result<Json> MemoryStore::UpdateStatus(const ResourceKind& kind, const Json& object) {
  Json stored;
  {
    std::lock_guard<std::mutex> lock(mu_);
    VTG_RETURN_IF_ERROR(TakeInjectedFault(kind));
    auto it = objects_.find(KeyOf(kind, object));
    if (it == objects_.end()) return NotFound(NameOf(kind, object) + " not found");
    if (MetadataString(object, "resourceVersion") !=
        MetadataString(it->second, "resourceVersion")) {
      return Conflict("the object has been modified: " + NameOf(kind, object) +
                      "; read it again and retry");
    }
    stored = it->second;
    stored["status"] = MemberOr(object, "status", Json::object());
  }
  return Store(kind, std::move(stored), WatchEventType::kModified);
}

Status MemoryStore::Delete(const ResourceKind& kind, std::string_view ns, std::string_view name) {
  Json removed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    VTG_RETURN_IF_ERROR(TakeInjectedFault(kind));
    auto it = objects_.find(MakeKey(kind, ns, name));
    if (it == objects_.end()) {
      return NotFound(std::string(kind.kind) + " " + std::string(ns) + "/" + std::string(name) +
                      " not found");
    }
    removed = std::move(it->second);
    objects_.erase(it);
    ++write_counts_[std::string(kind.plural)];
  }
  Notify(kind, WatchEventType::kDeleted, removed);
  return Status::Ok();
}

void MemoryStore::AddWatcher(Watcher watcher) {
  std::lock_guard<std::mutex> lock(mu_);
  watchers_.push_back(std::move(watcher));
}

void MemoryStore::FailWrites(const ResourceKind& kind, int count, Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_[std::string(kind.plural)] = {count, std::move(status)};
}

std::map<std::string, std::int64_t> MemoryStore::WriteCounts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return write_counts_;
}

std::int64_t MemoryStore::TotalWrites() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::int64_t total = 0;
  for (const auto& [plural, count] : write_counts_) total += count;
  return total;
}

Result<Json> MemoryStore::Store(const ResourceKind& kind, Json object, WatchEventType type) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    object["metadata"]["resourceVersion"] = std::to_string(next_resource_version_++);
    objects_[KeyOf(kind, object)] = object;
    ++write_counts_[std::string(kind.plural)];
  }
  Notify(kind, type, object);
  return object;
}

Status MemoryStore::TakeInjectedFault(const ResourceKind& kind) {
  auto it = faults_.find(std::string(kind.plural));
  if (it == faults_.end() || it->second.first <= 0) return Status::Ok();
  --it->second.first;
  return it->second.second;
}

void MemoryStore::Notify(const ResourceKind& kind, WatchEventType type, const Json& object) {
  std::vector<Watcher> watchers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    watchers = watchers_;
  }
  for (const auto& watcher : watchers) watcher(kind, type, object);
}

}  // namespace vtguard::op
