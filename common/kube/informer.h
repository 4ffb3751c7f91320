// List+watch of one resource into an ObjectCache, with event handlers and a synced signal.
//
// The reflector loop: LIST (all pages) -> replace the cache (objects missing from the list are
// reported deleted) -> WATCH from the list's resourceVersion -> apply events. A dropped watch
// resumes from the last resourceVersion seen (events or bookmarks). A 410 Gone, as an HTTP
// status or as an in-stream ERROR event, forces a fresh LIST. Failures back off (capped, with
// jitter); the watch read timeout is longer than the server-side timeoutSeconds.
//
//   kube::Informer secrets(client, {.resource = kube::SecretsResource(),
//                                   .label_selector = "app.kubernetes.io/managed-by=vtguard"});
//   secrets.AddHandlers({.on_add = [&](const json& o) { queue.Add(kube::ObjectKey(o)); }});
//   secrets.Start();
//   if (!secrets.WaitForSync(std::chrono::seconds(30))) ...
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/kube/backoff.h"
#include "common/kube/cache.h"
#include "common/kube/client.h"
#include "common/kube/resource.h"
#include "common/kube/watch.h"

namespace vtguard::kube {

struct InformerOptions {
  Resource resource;
  std::string ns;  // Empty: all namespaces.
  std::string label_selector;
  std::string field_selector;
  int watch_timeout_seconds = 300;
  // How long a watch may stay silent before it is reconnected; must exceed the server-side
  // timeout, which the server enforces first.
  std::chrono::milliseconds read_timeout{330000};
  // Objects per LIST page. Pages are applied to the cache one at a time and released, so a
  // LIST holds at most one decoded page besides the cache.
  int64_t list_page_size = 500;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
  uint64_t backoff_seed = 1;
  // Applied to every listed and watched object before it is cached and passed to the
  // handlers, to drop the fields the program never reads (as client-go's SetTransform). It
  // must keep apiVersion, kind, metadata.name, metadata.namespace, metadata.labels and
  // metadata.resourceVersion.
  std::function<void(nlohmann::json& object)> transform;
  // What on_update receives as the old object. kMetadata spares decoding the previous
  // version of every updated object, which for a trust bundle Secret is about 1 MB.
  ObjectCache::Previous old_object = ObjectCache::Previous::kObject;
};

// Removes metadata.managedFields, the server-side apply bookkeeping that can be larger than
// the rest of an object and that a controller reading through a cache never needs.
void StripManagedFields(nlohmann::json& object);

// Called on the informer's thread, outside the cache lock; keep them short (enqueue a key).
struct ResourceEventHandlers {
  std::function<void(const nlohmann::json& object)> on_add;
  std::function<void(const nlohmann::json& old_object, const nlohmann::json& new_object)> on_update;
  std::function<void(const nlohmann::json& object)> on_delete;
};

class Informer {
 public:
  Informer(std::shared_ptr<Client> client, InformerOptions options);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Registers handlers; call before Start().
  void AddHandlers(ResourceEventHandlers handlers);
  void Start();
  // Stops the loop and joins its thread; bounded by the socket timeouts of a request in flight.
  void Stop();

  bool HasSynced() const { return synced_; }
  // Waits until the first LIST has been applied, or the timeout.
  bool WaitForSync(std::chrono::milliseconds timeout);

  const ObjectCache& cache() const { return cache_; }

  // Counters for tests and metrics.
  int list_count() const { return list_count_; }
  int watch_count() const { return watch_count_; }
  int backoff_count() const { return backoff_count_; }

 private:
  void Run();
  Status ListAndReplace();
  // Returns OK when the watch ended normally (server timeout) and kGone when a LIST is needed.
  Status WatchOnce();
  Status ApplyEvent(WatchEvent& event);
  // Caches one listed object and calls the handlers; adds its key to `listed`.
  void ApplyListed(nlohmann::json object, std::set<std::string>* listed);
  // Sleeps for the next backoff delay; false when stopped meanwhile.
  bool SleepBackoff();

  std::shared_ptr<Client> client_;
  InformerOptions options_;
  ObjectCache cache_;
  std::vector<ResourceEventHandlers> handlers_;
  Backoff backoff_;
  std::string resource_version_;

  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::unique_ptr<ResponseStream> active_stream_;  // Guarded by mu_.
  std::atomic<bool> synced_{false};
  std::atomic<int> list_count_{0};
  std::atomic<int> watch_count_{0};
  std::atomic<int> backoff_count_{0};
};

}  // namespace vtguard::kube
