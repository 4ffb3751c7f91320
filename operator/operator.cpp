#include "operator/operator.h"

#include <chrono>
#include <exception>
#include <string>

#include "common/base/log.h"
#include "operator/allocator.h"

namespace vtguard::op {

namespace {

// How often worker threads return free heap pages to the system. malloc_trim walks the whole
// heap and locks every arena while it runs, so it is not called after every work item.
constexpr std::chrono::milliseconds kReleaseFreeMemoryInterval{500};

std::string ObjectKey(std::string_view prefix, const Json& object) {
  return std::string(prefix) + "/" + MetadataString(object, "namespace") + "/" +
         MetadataString(object, "name");
}

// Splits "prefix/ns/name" into its parts.
bool SplitKey(const std::string& key, std::string* prefix, std::string* ns, std::string* name) {
  size_t first = key.find('/');
  if (first == std::string::npos) {
    *prefix = key;
    return true;
  }
  size_t second = key.find('/', first + 1);
  if (second == std::string::npos) return false;
  *prefix = key.substr(0, first);
  *ns = key.substr(first + 1, second - first - 1);
  *name = key.substr(second + 1);
  return true;
}

}  // namespace

Operator::Operator(ObjectStore& store, EventRecorder& events, OperatorMetrics* metrics,
                   const Clock& clock, OperatorOptions options)
    : store_(store),
      events_(events),
      metrics_(metrics),
      clock_(clock),
      options_(std::move(options)),
      clusters_(store, events, metrics, clock),
      queue_(clock) {
  if (options_.trust_bundle_namespace.empty()) {
    options_.trust_bundle_namespace = options_.namespace_;
  }
}

Operator::~Operator() { Stop(); }

void Operator::OnEvent(const ResourceKind& kind, WatchEventType type, const Json& object) {
  (void)type;
  if (kind == kVitessClusterKind) {
    queue_.Add(ObjectKey("cluster", object));
  } else if (kind == kPolicyKind) {
    queue_.Add(ObjectKey("policy", object));
    // A changed selector or spec affects every cluster of the namespace.
    Result<std::vector<Json>> clusters =
        store_.ListMetadata(kVitessClusterKind, MetadataString(object, "namespace"), {});
    if (clusters.ok()) {
      for (const Json& cluster : *clusters) queue_.Add(ObjectKey("cluster", cluster));
    }
  } else if (kind == kSecretKind) {
    if (!IsManagedByVtguard(object)) return;
    std::string cluster = Label(object, kClusterLabel);
    if (!cluster.empty()) {
      queue_.Add("cluster/" + MetadataString(object, "namespace") + "/" + cluster);
    }
    if (Label(object, kComponentLabel) == "ca") {
      queue_.AddAfter("trust-bundle", options_.batch_delay);
    }
  } else if (kind == kPodKind) {
    std::string cluster = Label(object, kVitessClusterPodLabel);
    if (!cluster.empty()) {
      queue_.Add("cluster/" + MetadataString(object, "namespace") + "/" + cluster);
    }
  } else if (kind == kMutatingWebhookKind || kind == kValidatingWebhookKind) {
    if (MetadataString(object, "name") == options_.webhook_configuration) queue_.Add("webhook");
  }
}

Status Operator::ResyncAll() {
  VTG_ASSIGN_OR_RETURN(std::vector<Json> policies, store_.ListMetadata(kPolicyKind, "", {}));
  for (const Json& policy : policies) queue_.Add(ObjectKey("policy", policy));
  VTG_ASSIGN_OR_RETURN(std::vector<Json> clusters, store_.ListMetadata(kVitessClusterKind, "", {}));
  for (const Json& cluster : clusters) queue_.Add(ObjectKey("cluster", cluster));
  queue_.Add("trust-bundle");
  if (options_.manage_webhook_certificate) queue_.Add("webhook");
  return Status::Ok();
}

void Operator::Process(const std::string& key) {
  auto started = std::chrono::steady_clock::now();
  std::string prefix, ns, name;
  Status status;
  bool retry = true;
  std::optional<Seconds> requeue;
  try {
    if (!SplitKey(key, &prefix, &ns, &name)) {
      status = InvalidArgument("malformed work queue key " + key);
      retry = false;
    } else if (prefix == "cluster") {
      status = ProcessCluster(ns, name, &retry, &requeue);
    } else if (prefix == "policy") {
      status = ProcessPolicy(ns, name);
    } else if (prefix == "trust-bundle") {
      status = ProcessTrustBundle();
    } else if (prefix == "webhook") {
      status = ProcessWebhook(&requeue);
    }
  } catch (const std::exception& error) {
    // An object of an unexpected shape costs its key a retry instead of ending the process.
    status = Internal(std::string("reconcile stopped on an unexpected object: ") + error.what());
    retry = true;
    requeue.reset();
  }

  if (!status.ok() && retry) {
    queue_.AddWithBackoff(key);
    log::Warn("Reconcile failed; retrying with backoff.",
              {{log::Key::kName, key},
               {log::Key::kAttempt, queue_.Failures(key)},
               {log::Key::kError, status.ToString()}});
  } else {
    queue_.Forget(key);
    if (requeue) queue_.AddAfter(key, *requeue);
  }
  if (metrics_ != nullptr) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_->ObserveReconcile(prefix, status.ok() ? "success" : "error", seconds);
  }
  // Reconciles decode cached objects into many small transient allocations, and the free
  // space they leave behind stays resident until it is trimmed.
  ReleaseFreeMemoryEvery(kReleaseFreeMemoryInterval);
}

int Operator::RunUntilIdle(int max_items) {
  int processed = 0;
  while (processed < max_items) {
    std::optional<std::string> key = queue_.TryGet();
    if (!key) break;
    Process(*key);
    queue_.Done(*key);
    ++processed;
  }
  return processed;
}

void Operator::Start(int workers) {
  stopping_ = false;
  for (int i = 0; i < workers; ++i) {
    workers_.emplace_back([this] {
      while (!stopping_) {
        std::optional<std::string> key = queue_.Get(std::chrono::milliseconds(500));
        if (!key) continue;
        Process(*key);
        queue_.Done(*key);
      }
    });
  }
}

void Operator::Stop() {
  stopping_ = true;
  queue_.ShutDown();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

std::optional<ClusterStatus> Operator::ClusterStatusOf(std::string_view ns,
                                                       std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(std::string(ns) + "/" + std::string(name));
  if (it == entries_.end()) return std::nullopt;
  return it->second.status;
}

}  // namespace vtguard::op
