// glibc malloc settings for the operator process. It keeps a few tens of MiB of small
// long-lived objects (informer caches) and allocates large short-lived buffers (list pages,
// JSON documents) on several threads.
#pragma once

#include <chrono>

namespace vtguard::op {

// Sets two malloc options. Call it before any other thread starts.
//   M_ARENA_MAX 2: otherwise glibc creates up to 8 arenas per core, one for each thread that
//     finds the others locked. Memory freed in one arena is reused only by the threads that
//     allocate from it.
//   M_MMAP_THRESHOLD 256 KiB: a fixed value stops glibc from raising the threshold after a
//     large block is freed. Large transient buffers then stay in mmap'ed blocks, which are
//     returned to the system when freed instead of fragmenting the heap.
void ConfigureAllocator();

// Returns free heap pages to the system (malloc_trim). Cheap; call after a burst of
// allocations such as the initial list of every informer.
void ReleaseFreeMemory();

// Calls ReleaseFreeMemory when the last call through this function was at least `interval`
// ago, so that busy worker threads can call it after every work item. Thread-safe.
void ReleaseFreeMemoryEvery(std::chrono::milliseconds interval);

}  // namespace vtguard::op
