// A rate-limited work queue with client-go semantics.
//
// A key is queued at most once (dirty set). A key being processed (processing set) is never
// handed to a second worker: adding it meanwhile marks it dirty, and Done() queues it again.
// AddRateLimited() delays a key by a per-key exponential backoff (base * 2^failures, capped);
// a global token bucket bounds the overall retry rate. Forget() clears a key's failures.
//
//   while (auto key = queue.Get()) {
//     Status status = Reconcile(*key);
//     if (status.ok()) queue.Forget(*key); else queue.AddRateLimited(*key);
//     queue.Done(*key);
//   }
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "common/base/time.h"

namespace vtguard::kube {

struct WorkQueueOptions {
  std::chrono::milliseconds base_delay{5};
  std::chrono::milliseconds max_delay{1000 * 1000};
  double rate_per_second = 10;  // Global token bucket for AddRateLimited.
  int burst = 100;
};

class WorkQueue {
 public:
  explicit WorkQueue(const Clock& clock = RealClock::Get(), WorkQueueOptions options = {});

  void Add(const std::string& key);
  // Queues `key` once `delay` has passed on the clock.
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  // Queues `key` after the larger of its per-key backoff and the global rate limit.
  void AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;
  // The delay AddRateLimited would use next, advancing the per-key failure count. Exposed for
  // tests of the backoff schedule.
  std::chrono::milliseconds NextDelay(const std::string& key);

  // Blocks until a key is ready or ShutDown(); returns nullopt after shutdown. `poll` bounds
  // each wait so that delayed keys become due under a fake clock too.
  std::optional<std::string> Get(std::chrono::milliseconds poll = std::chrono::milliseconds(20));
  // Marks `key` finished; re-queues it when it was added while processing.
  void Done(const std::string& key);

  void ShutDown();
  bool shutting_down() const;
  size_t Len() const;  // Keys ready to hand out.
  size_t DelayedLen() const;

 private:
  void AddLocked(const std::string& key);
  void PromoteDueLocked();

  const Clock& clock_;
  WorkQueueOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;
  std::set<std::string> processing_;
  std::multimap<SystemTime, std::string> delayed_;
  std::map<std::string, int> failures_;
  double tokens_;
  SystemTime last_refill_;
  SystemTime bucket_next_free_;
  bool shutting_down_ = false;
};

}  // namespace vtguard::kube
