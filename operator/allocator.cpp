#include "operator/allocator.h"

#include <malloc.h>

#include <atomic>

namespace vtguard::op {

void ConfigureAllocator() {
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
}

void ReleaseFreeMemory() { malloc_trim(0); }

void ReleaseFreeMemoryEvery(std::chrono::milliseconds interval) {
  using Clock = std::chrono::steady_clock;
  static std::atomic<Clock::rep> last_release{0};
  const Clock::rep now = Clock::now().time_since_epoch().count();
  Clock::rep last = last_release.load();
  if (now - last < std::chrono::duration_cast<Clock::duration>(interval).count()) return;
  // One thread wins the exchange, and the others skip this round.
  if (!last_release.compare_exchange_strong(last, now)) return;
  ReleaseFreeMemory();
}

}  // namespace vtguard::op
