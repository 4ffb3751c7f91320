// A fixed number of threads that take keys from a WorkQueue and reconcile them.
//
// A key whose reconcile succeeds is forgotten, which resets its backoff. A failed key is
// re-queued with the per-key backoff, or after the server's Retry-After when the error carries
// one. The queue guarantees that no two workers hold the same key.
#pragma once

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/base/status.h"
#include "common/kube/work_queue.h"

namespace vtguard::kube {

class WorkerPool {
 public:
  using Reconcile = std::function<Status(const std::string& key)>;

  WorkerPool(WorkQueue& queue, int workers, Reconcile reconcile);
  // Shuts the queue down and joins the workers; a reconcile in progress finishes first.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Stop();

 private:
  void Work();

  WorkQueue& queue_;
  Reconcile reconcile_;
  std::vector<std::thread> threads_;
};

}  // namespace vtguard::kube
