// The operator: turns object changes into work-queue keys and runs the reconcilers for them.
//
//   key                      reconciler
//   policy/<ns>/<name>       policy status (conditions, per-cluster entries), audit events
//   cluster/<ns>/<name>      ClusterReconciler under the policy that selects the cluster
//   trust-bundle             vtguard-operator-trust-bundle (every managed CA)
//   webhook                  the webhook's CA, serving certificate and caBundle
//
// Every reconcile reads current objects, so a key may be processed any number of times; a
// failed one is retried with capped exponential backoff, and a successful one is looked at
// again when its next renewal or rollout check is due.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "operator/cluster_reconciler.h"
#include "operator/memory_store.h"
#include "operator/work_queue.h"

namespace vtguard::op {

struct OperatorOptions {
  std::string namespace_ = "vtguard-system";  // The operator's own namespace.
  std::string trust_bundle_namespace;         // "" = namespace_.
  std::string webhook_service = "vtguard-webhook";
  std::string webhook_secret = "vtguard-webhook-tls";
  std::string webhook_configuration = "vtguard";
  bool manage_webhook_certificate = true;
  // Delay that batches many cluster changes into one policy status or trust bundle write.
  Seconds batch_delay{1};
};

class Operator {
 public:
  // `metrics` may be null.
  Operator(ObjectStore& store, EventRecorder& events, OperatorMetrics* metrics, const Clock& clock,
           OperatorOptions options);
  ~Operator();

  // Maps a watch event to the keys it affects.
  void OnEvent(const ResourceKind& kind, WatchEventType type, const Json& object);
  // Enqueues every policy and cluster, the trust bundle and the webhook certificate.
  Status ResyncAll();

  // Processes due keys on this thread until none is due; returns how many were processed.
  int RunUntilIdle(int max_items = 1000000);
  // Runs `workers` threads that process keys until Stop().
  void Start(int workers);
  void Stop();

  WorkQueue& queue() { return queue_; }
  // The last computed entry of a cluster, for tests and the benchmark.
  std::optional<ClusterStatus> ClusterStatusOf(std::string_view ns, std::string_view name) const;

  void Process(const std::string& key);

 private:
  struct ClusterEntry {
    std::string policy;  // "<ns>/<name>" of the policy that manages the cluster.
    ClusterStatus status;
  };

  Status ProcessCluster(const std::string& ns, const std::string& name, bool* retry,
                        std::optional<Seconds>* requeue);
  Status ProcessPolicy(const std::string& ns, const std::string& name);
  // Runs the cleanup of a policy that has a deletionTimestamp (see policy_cleanup.h).
  Status FinishPolicyDeletion(const Json& policy_object);
  Status ProcessTrustBundle();
  Status ProcessWebhook(std::optional<Seconds>* requeue);
  void RecordViolationEvents(const Json& policy_object, const ClusterStatus& status);

  ObjectStore& store_;
  EventRecorder& events_;
  OperatorMetrics* metrics_;
  const Clock& clock_;
  OperatorOptions options_;
  ClusterReconciler clusters_;
  WorkQueue queue_;

  mutable std::mutex mu_;
  std::map<std::string, ClusterEntry> entries_;               // "<ns>/<name>" -> entry
  std::map<std::string, std::vector<std::string>> reported_;  // violations already in events

  // The SHA-256 of the trust bundle PEM and the resourceVersion of the bundle Secret that
  // the last trust bundle pass wrote or found up to date. Only that pass uses them, and the
  // work queue runs one pass at a time.
  std::string trust_bundle_digest_;
  std::string trust_bundle_resource_version_;

  std::atomic<bool> stopping_{false};
  std::vector<std::thread> workers_;
};

}  // namespace vtguard::op
