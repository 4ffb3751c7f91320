#include "common/kube/worker_pool.h"

#include "common/base/log.h"

namespace vtguard::kube {

WorkerPool::WorkerPool(WorkQueue& queue, int workers, Reconcile reconcile)
    : queue_(queue), reconcile_(std::move(reconcile)) {
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Stop() {
  queue_.ShutDown();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void WorkerPool::Work() {
  while (std::optional<std::string> key = queue_.Get()) {
    Status status = reconcile_(*key);
    if (status.ok()) {
      queue_.Forget(*key);
    } else if (status.retry_after().has_value()) {
      queue_.AddAfter(*key, *status.retry_after());
    } else {
      queue_.AddRateLimited(*key);
    }
    if (!status.ok()) {
      log::Warn("Reconcile failed; retrying.", {{log::Key::kName, *key},
                                                {log::Key::kAttempt, queue_.NumRequeues(*key)},
                                                {log::Key::kError, status.ToString()}});
    }
    queue_.Done(*key);
  }
}

}  // namespace vtguard::kube
