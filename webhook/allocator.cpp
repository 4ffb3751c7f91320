#include "webhook/allocator.h"

#include <cstdlib>

#ifdef VTGUARD_WITH_MIMALLOC
#include <mimalloc.h>
#else
#include <malloc.h>
#endif

namespace vtguard::webhook {

std::string AllocatorName() {
#ifdef VTGUARD_WITH_MIMALLOC
  // Linking mimalloc replaces malloc only when the dynamic linker finds it before libc; check
  // that an allocated block really lies in mimalloc's heap.
  void* block = std::calloc(1, 64);
  const bool served = mi_is_in_heap_region(block);
  std::free(block);
  if (served) {
    const int version = mi_version();
    return "mimalloc " + std::to_string(version / 100) + "." + std::to_string(version / 10 % 10) +
           "." + std::to_string(version % 10);
  }
#endif
  return "glibc malloc";
}

void ReleaseFreeMemory() {
#ifdef VTGUARD_WITH_MIMALLOC
  mi_collect(/*force=*/true);
#else
  malloc_trim(0);
#endif
}

void HeapTrimmer::OnConnectionClosed(int open_connections) {
  const std::uint64_t closes = closes_.fetch_add(1) + 1;
  if (open_connections > 0 && closes % kClosesPerRelease != 0) return;
  ReleaseFreeMemory();
}

}  // namespace vtguard::webhook
