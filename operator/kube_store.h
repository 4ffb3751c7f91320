// The ObjectStore over a real API server: reads come from informer caches where the operator
// watches a kind (falling back to the API for the rest), writes go to the API server.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/kube/client.h"
#include "common/kube/event_recorder.h"
#include "common/kube/informer.h"
#include "operator/events.h"
#include "operator/object_store.h"

namespace vtguard::op {

// The kube::Resource for a ResourceKind.
kube::Resource ToKubeResource(const ResourceKind& kind);

class KubeStore final : public ObjectStore {
 public:
  explicit KubeStore(std::shared_ptr<kube::Client> client) : client_(std::move(client)) {}

  // Serves Get and List of `kind` from `informer`'s cache. The cache only holds what the
  // informer's selectors admit, so register only informers that see every object the
  // reconcilers read (for Secrets: those labelled managed-by=vtguard, plus an API fallback on
  // a cache miss).
  void UseInformer(const ResourceKind& kind, const kube::Informer* informer);

  Result<Json> Get(const ResourceKind& kind, std::string_view ns, std::string_view name) override;
  Result<std::vector<Json>> List(const ResourceKind& kind, std::string_view ns,
                                 const LabelSelector& selector) override;
  Result<std::vector<Json>> ListMetadata(const ResourceKind& kind, std::string_view ns,
                                         const LabelSelector& selector) override;
  Result<std::string> GetResourceVersion(const ResourceKind& kind, std::string_view ns,
                                         std::string_view name) override;
  Result<Json> Create(const ResourceKind& kind, const Json& object) override;
  Result<Json> Update(const ResourceKind& kind, const Json& object) override;
  Result<Json> Patch(const ResourceKind& kind, std::string_view ns, std::string_view name,
                     const Json& patch) override;
  Result<Json> UpdateStatus(const ResourceKind& kind, const Json& object) override;
  Status Delete(const ResourceKind& kind, std::string_view ns, std::string_view name) override;

 private:
  // The informer registered for `kind` once it has synced, else null.
  const kube::Informer* SyncedInformer(const ResourceKind& kind) const;

  std::shared_ptr<kube::Client> client_;
  std::map<std::string, const kube::Informer*> informers_;  // by plural
};

// Sends the operator's events through the Kubernetes event recorder (events.k8s.io/v1, with
// repeats folded into one Event).
class KubeEventRecorder final : public EventRecorder {
 public:
  explicit KubeEventRecorder(std::shared_ptr<kube::EventRecorder> recorder)
      : recorder_(std::move(recorder)) {}
  void Record(const Json& regarding, EventType type, std::string_view reason,
              std::string_view message) override;

 private:
  std::shared_ptr<kube::EventRecorder> recorder_;
};

}  // namespace vtguard::op
