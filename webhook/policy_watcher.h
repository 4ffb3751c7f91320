// Keeps a PolicyStore in step with the VitessTLSPolicies in the cluster (list + watch).
//
// The policies count as known once the informer's first LIST is applied; every later add,
// update or delete rebuilds the whole set from the informer cache. A policy that does not
// parse is skipped with a warning, so one bad object does not block the others (the operator
// reports it in the policy's status).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/kube/client.h"
#include "common/kube/informer.h"
#include "webhook/policy_store.h"

namespace vtguard::webhook {

class PolicyWatcher {
 public:
  // `ns` empty: the policies of every namespace.
  PolicyWatcher(std::shared_ptr<kube::Client> client, PolicyStore& store, std::string ns = "");
  ~PolicyWatcher();

  // Starts the list + watch loop, and a thread that publishes the first LIST once it arrives.
  void Start();
  void Stop();

 private:
  // Parses every cached policy and replaces the store's set; no-op before the first LIST.
  void Rebuild();

  kube::Informer informer_;
  PolicyStore& store_;
  std::mutex rebuild_mu_;
  std::atomic<bool> stopping_ = false;
  std::thread sync_thread_;
};

}  // namespace vtguard::webhook
