// glibc malloc settings for vtguard-webhook. An admission request allocates and frees a small
// block for every JSON node and most strings of the review, the patch and the response.
#pragma once

#include <atomic>
#include <cstdint>

namespace vtguard::webhook {

// Starts the program again with GLIBC_TUNABLES=glibc.malloc.tcache_count=64 in the environment
// unless GLIBC_TUNABLES is already set, because glibc reads its tunables only at startup.
// glibc's per-thread cache keeps 7 free blocks of each size by default, so most of a request's
// frees went to the slower shared bins. With 64 the handler benchmark
// (bench/webhook/webhook_benchmark, BM_HandleAdmission) took 12 % less CPU. 256 saved 15 % but
// kept more free memory per thread, and the peak RSS rose with each round of connections.
// Returns only when GLIBC_TUNABLES was already set, so the user's tunables apply, or when
// re-executing failed, so glibc's defaults apply.
void ReexecWithMallocTunables(char** argv);

// Sets, before any other thread starts:
//   M_ARENA_MAX 1: glibc otherwise gives a thread that finds the others' arenas locked an
//     arena of its own (up to 8 per core). Memory freed in one arena is reused only by the
//     threads that allocate from it, so each new batch of connections could grow the heap.
//     The per-thread cache above serves most allocations without taking the arena lock.
//   M_MMAP_THRESHOLD 128 KiB: glibc's default, fixed, which stops glibc from raising the
//     threshold after a large block is freed. Large request bodies then stay in mmap'ed
//     blocks that go back to the system when freed instead of fragmenting the heap.
void ConfigureAllocator();

// Returns free heap memory to the system (malloc_trim) after connections close: when no
// connection is left open, and after every kClosesPerTrim closes otherwise. Without these
// settings, five rounds of 32 new connections under saturating load left 7.0 MiB of anonymous
// memory resident at idle, and malloc_trim returned 4.8 MiB of it.
class HeapTrimmer {
 public:
  static constexpr int kClosesPerTrim = 64;

  void OnConnectionClosed(int open_connections);

 private:
  std::atomic<std::uint64_t> closes_{0};
};

}  // namespace vtguard::webhook
