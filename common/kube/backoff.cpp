#include "common/kube/backoff.h"

#include <algorithm>

namespace vtguard::kube {

std::chrono::milliseconds Backoff::Next() {
  int64_t delay = initial_.count();
  for (int i = 0; i < failures_ && delay < max_.count(); ++i) delay *= 2;
  delay = std::min<int64_t>(delay, max_.count());
  ++failures_;
  std::uniform_real_distribution<double> spread(0.0, jitter_);
  delay += static_cast<int64_t>(static_cast<double>(delay) * spread(random_));
  return std::chrono::milliseconds(delay);
}

void Backoff::Reset() { failures_ = 0; }

}  // namespace vtguard::kube
