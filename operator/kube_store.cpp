#include "operator/kube_store.h"

#include <algorithm>

#include "common/base/json_fields.h"
#include "common/base/log.h"

namespace vtguard::op {

namespace {

std::string SelectorText(const LabelSelector& selector) {
  std::string text;
  for (const auto& [key, value] : selector) {
    if (!text.empty()) text += ',';
    text += key + "=" + value;
  }
  return text;
}

std::string CacheKey(const ResourceKind& kind, std::string_view ns, std::string_view name) {
  if (!kind.namespaced || ns.empty()) return std::string(name);
  return std::string(ns) + "/" + std::string(name);
}

}  // namespace

kube::Resource ToKubeResource(const ResourceKind& kind) {
  return {std::string(kind.group), std::string(kind.version), std::string(kind.plural),
          std::string(kind.kind), kind.namespaced};
}

void KubeStore::UseInformer(const ResourceKind& kind, const kube::Informer* informer) {
  informers_[std::string(kind.plural)] = informer;
}

const kube::Informer* KubeStore::SyncedInformer(const ResourceKind& kind) const {
  auto it = informers_.find(std::string(kind.plural));
  if (it == informers_.end() || !it->second->HasSynced()) return nullptr;
  return it->second;
}

Result<Json> KubeStore::Get(const ResourceKind& kind, std::string_view ns, std::string_view name) {
  if (const kube::Informer* informer = SyncedInformer(kind); informer != nullptr) {
    std::optional<Json> cached = informer->cache().Get(CacheKey(kind, ns, name));
    if (cached) return *cached;
    // A Secret that exists without vtguard's label is outside the cache; ask the API so that
    // it is never mistaken for absent and overwritten.
  }
  return client_->Get(ToKubeResource(kind), std::string(ns), std::string(name));
}

Result<std::vector<Json>> KubeStore::List(const ResourceKind& kind, std::string_view ns,
                                          const LabelSelector& selector) {
  if (const kube::Informer* informer = SyncedInformer(kind); informer != nullptr) {
    // The label index holds only labels that exist, while MatchesLabels also lets an empty
    // value match a missing label; such selectors filter decoded objects instead.
    bool indexable = std::none_of(selector.begin(), selector.end(),
                                  [](const auto& term) { return term.second.empty(); });
    if (indexable) return informer->cache().Select(std::string(ns), selector);
    std::vector<Json> items;
    for (Json& object : informer->cache().Select(std::string(ns), {})) {
      if (MatchesLabels(object, selector)) items.push_back(std::move(object));
    }
    return items;
  }
  kube::ListOptions options;
  options.label_selector = SelectorText(selector);
  VTG_ASSIGN_OR_RETURN(Json list, client_->ListAll(ToKubeResource(kind), std::string(ns), options));
  std::vector<Json> items;
  for (Json& item : MemberOr(list, "items", Json::array())) items.push_back(std::move(item));
  return items;
}

Result<std::vector<Json>> KubeStore::ListMetadata(const ResourceKind& kind, std::string_view ns,
                                                  const LabelSelector& selector) {
  const kube::Informer* informer = SyncedInformer(kind);
  if (informer == nullptr) return ObjectStore::ListMetadata(kind, ns, selector);
  std::vector<Json> items;
  // The label index holds only labels that exist; see List.
  bool indexable = std::none_of(selector.begin(), selector.end(),
                                [](const auto& term) { return term.second.empty(); });
  for (const std::string& key :
       informer->cache().SelectKeys(std::string(ns), indexable ? selector : LabelSelector{})) {
    std::optional<Json> object = informer->cache().Get(key);
    if (!object || !MatchesLabels(*object, selector)) continue;
    items.push_back(ObjectMetadata(*object));
  }
  return items;
}

Result<std::string> KubeStore::GetResourceVersion(const ResourceKind& kind, std::string_view ns,
                                                  std::string_view name) {
  if (const kube::Informer* informer = SyncedInformer(kind); informer != nullptr) {
    std::optional<std::string> cached = informer->cache().ResourceVersion(CacheKey(kind, ns, name));
    if (cached) return *cached;
  }
  return ObjectStore::GetResourceVersion(kind, ns, name);
}

Result<Json> KubeStore::Create(const ResourceKind& kind, const Json& object) {
  return client_->Create(ToKubeResource(kind), MetadataString(object, "namespace"), object);
}

Result<Json> KubeStore::Update(const ResourceKind& kind, const Json& object) {
  return client_->Update(ToKubeResource(kind), MetadataString(object, "namespace"), object);
}

Result<Json> KubeStore::Patch(const ResourceKind& kind, std::string_view ns, std::string_view name,
                              const Json& patch) {
  Result<Json> patched = client_->Patch(ToKubeResource(kind), std::string(ns), std::string(name),
                                        kube::PatchType::kJson, patch);
  // The API server answers a failed JSON-patch `test` with 422; the reconcilers treat it as
  // the optimistic-concurrency conflict it is.
  if (!patched.ok() && patched.status().code() == ErrorCode::kInvalidArgument &&
      patched.status().message().find("test") != std::string::npos) {
    return Conflict(patched.status().message());
  }
  return patched;
}

Result<Json> KubeStore::UpdateStatus(const ResourceKind& kind, const Json& object) {
  return client_->UpdateStatus(ToKubeResource(kind), MetadataString(object, "namespace"), object);
}

Status KubeStore::Delete(const ResourceKind& kind, std::string_view ns, std::string_view name) {
  return client_->Delete(ToKubeResource(kind), std::string(ns), std::string(name));
}

void KubeEventRecorder::Record(const Json& regarding, EventType type, std::string_view reason,
                               std::string_view message) {
  Status status = recorder_->Record(
      kube::ObjectReference::FromObject(regarding),
      type == EventType::kWarning ? kube::EventType::kWarning : kube::EventType::kNormal,
      std::string(reason), "Reconcile", std::string(message));
  if (!status.ok()) {
    log::Warn("Recording an event failed.",
              {{log::Key::kReason, reason}, {log::Key::kError, status.ToString()}});
  }
}

}  // namespace vtguard::op
