#include "webhook/allocator.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace vtguard::webhook {
namespace {

constexpr char kTunablesVariable[] = "GLIBC_TUNABLES";
constexpr char kTunables[] = "glibc.malloc.tcache_count=64:glibc.malloc.tcache_max=256";

}  // namespace

void ReexecWithMallocTunables(char** argv) {
  if (std::getenv(kTunablesVariable) != nullptr) return;
  if (setenv(kTunablesVariable, kTunables, /*overwrite=*/0) != 0) return;
  execv("/proc/self/exe", argv);
  // Reached only when execv failed, for example without /proc. The program runs on with
  // glibc's defaults.
  unsetenv(kTunablesVariable);
}

void ConfigureAllocator() {
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

void HeapTrimmer::OnConnectionClosed(int open_connections) {
  const std::uint64_t closes = closes_.fetch_add(1) + 1;
  if (open_connections > 0 && closes % kClosesPerTrim != 0) return;
  malloc_trim(0);
}

}  // namespace vtguard::webhook
