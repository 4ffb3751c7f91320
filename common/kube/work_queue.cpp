#include "common/kube/work_queue.h"

#include <algorithm>

namespace vtguard::kube {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

WorkQueue::WorkQueue(const Clock& clock, WorkQueueOptions options)
    : clock_(clock),
      options_(options),
      tokens_(options.burst),
      last_refill_(clock.Now()),
      bucket_next_free_(clock.Now()) {}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key) != 0) return;
  dirty_.insert(key);
  if (processing_.count(key) != 0) return;  // Done() queues it again.
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return;
  if (delay <= milliseconds(0)) {
    AddLocked(key);
    return;
  }
  // Keep only the earliest pending time per key.
  for (auto it = delayed_.begin(); it != delayed_.end(); ++it) {
    if (it->second != key) continue;
    if (it->first <= clock_.Now() + delay) return;
    delayed_.erase(it);
    break;
  }
  delayed_.emplace(clock_.Now() + delay, key);
  cv_.notify_one();
}

milliseconds WorkQueue::NextDelay(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  int failures = failures_[key]++;
  double delay = static_cast<double>(options_.base_delay.count());
  for (int i = 0; i < failures && delay < static_cast<double>(options_.max_delay.count()); ++i) {
    delay *= 2;
  }
  milliseconds per_key(
      static_cast<int64_t>(std::min(delay, static_cast<double>(options_.max_delay.count()))));

  // Token bucket: when empty, each retry waits one token interval behind the previous one.
  SystemTime now = clock_.Now();
  double elapsed = std::chrono::duration<double>(now - last_refill_).count();
  tokens_ = std::min<double>(options_.burst, tokens_ + elapsed * options_.rate_per_second);
  last_refill_ = now;
  milliseconds global(0);
  if (tokens_ >= 1) {
    tokens_ -= 1;
  } else {
    auto interval = milliseconds(static_cast<int64_t>(1000.0 / options_.rate_per_second));
    bucket_next_free_ = std::max(bucket_next_free_, now) + interval;
    global = duration_cast<milliseconds>(bucket_next_free_ - now);
  }
  return std::max(per_key, global);
}

void WorkQueue::AddRateLimited(const std::string& key) { AddAfter(key, NextDelay(key)); }

void WorkQueue::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

int WorkQueue::NumRequeues(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::PromoteDueLocked() {
  SystemTime now = clock_.Now();
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    std::string key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    AddLocked(key);
  }
}

std::optional<std::string> WorkQueue::Get(milliseconds poll) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    PromoteDueLocked();
    if (!queue_.empty()) break;
    if (shutting_down_) return std::nullopt;
    cv_.wait_for(lock, poll);
  }
  std::string key = queue_.front();
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  return key;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key) != 0) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = true;
  cv_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

size_t WorkQueue::DelayedLen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return delayed_.size();
}

}  // namespace vtguard::kube
