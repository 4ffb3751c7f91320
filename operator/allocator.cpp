#include "operator/allocator.h"

#include <malloc.h>

namespace vtguard::op {

void ConfigureAllocator() {
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
}

void ReleaseFreeMemory() { malloc_trim(0); }

}  // namespace vtguard::op
