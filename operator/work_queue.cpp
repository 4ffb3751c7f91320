#include "operator/work_queue.h"

#include "common/pki/renewal.h"

namespace vtguard::op {

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  delayed_.erase(key);
  if (processing_.count(key) != 0) {
    dirty_.insert(key);
    return;
  }
  if (queued_.insert(key).second) ready_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::AddAfter(const std::string& key, Seconds delay) {
  if (delay <= Seconds(0)) {
    Add(key);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (queued_.count(key) != 0) return;
  SystemTime due = clock_.Now() + delay;
  auto it = delayed_.find(key);
  if (it == delayed_.end() || due < it->second) delayed_[key] = due;
  cv_.notify_one();
}

void WorkQueue::AddWithBackoff(const std::string& key) {
  int attempt = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    attempt = ++failures_[key];
  }
  AddAfter(key, pki::Backoff(attempt, key));
}

void WorkQueue::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

int WorkQueue::Failures(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::PromoteDueLocked() {
  SystemTime now = clock_.Now();
  for (auto it = delayed_.begin(); it != delayed_.end();) {
    if (it->second > now) {
      ++it;
      continue;
    }
    if (processing_.count(it->first) != 0) {
      dirty_.insert(it->first);
    } else if (queued_.insert(it->first).second) {
      ready_.push_back(it->first);
    }
    it = delayed_.erase(it);
  }
}

std::optional<std::string> WorkQueue::PopLocked() {
  PromoteDueLocked();
  if (ready_.empty()) return std::nullopt;
  std::string key = std::move(ready_.front());
  ready_.pop_front();
  queued_.erase(key);
  processing_.insert(key);
  return key;
}

std::optional<std::string> WorkQueue::Get(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!shut_down_) {
    if (auto key = PopLocked()) return key;
    // Delayed keys become due as the Clock moves, so wake at least every 100 ms to look.
    auto wake =
        std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(100));
    if (cv_.wait_until(lock, wake) == std::cv_status::timeout &&
        std::chrono::steady_clock::now() >= deadline) {
      return PopLocked();
    }
  }
  return std::nullopt;
}

std::optional<std::string> WorkQueue::TryGet() {
  std::lock_guard<std::mutex> lock(mu_);
  return PopLocked();
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  if (dirty_.erase(key) != 0 && queued_.insert(key).second) {
    ready_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  shut_down_ = true;
  cv_.notify_all();
}

size_t WorkQueue::Size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ready_.size() + delayed_.size();
}

}  // namespace vtguard::op
