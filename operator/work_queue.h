// A de-duplicating work queue with delayed items and per-key failure backoff, in the manner of
// client-go's rate-limited queue. Keys are strings such as "cluster/ns1/example".
//
// Delays are measured on a vtguard Clock, so a FakeClock (tests) or an offset clock (the
// operator's --clock-offset-file) moves scheduled work forward with the time.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "common/base/time.h"

namespace vtguard::op {

class WorkQueue {
 public:
  explicit WorkQueue(const Clock& clock) : clock_(clock) {}

  // Adds `key` now unless it is already waiting. A key that is being processed is added again
  // after Done, so no change is lost.
  void Add(const std::string& key);
  // Adds `key` after `delay`, unless it is already due sooner.
  void AddAfter(const std::string& key, Seconds delay);
  // Adds `key` after the backoff of its next failure (capped exponential, jittered per key).
  void AddWithBackoff(const std::string& key);
  // Clears the failure count of `key` after a success.
  void Forget(const std::string& key);

  // Returns the next due key, waiting up to `timeout` of steady time; nullopt on timeout or
  // shutdown. The caller must call Done(key) when finished.
  std::optional<std::string> Get(std::chrono::milliseconds timeout);
  // Returns the next due key without waiting.
  std::optional<std::string> TryGet();
  void Done(const std::string& key);

  void ShutDown();
  // Number of keys due now or later (excluding those being processed).
  size_t Size() const;
  // Failure count of `key`.
  int Failures(const std::string& key) const;

 private:
  void PromoteDueLocked();
  std::optional<std::string> PopLocked();

  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> ready_;
  std::set<std::string> queued_;      // Keys in ready_.
  std::set<std::string> processing_;  // Keys handed out and not yet Done.
  std::set<std::string> dirty_;       // Keys added while processing.
  std::map<std::string, SystemTime> delayed_;
  std::map<std::string, int> failures_;
  bool shut_down_ = false;
};

}  // namespace vtguard::op
