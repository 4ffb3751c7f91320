// glibc malloc settings for vtguard-webhook. An admission request allocates and frees a small
// block for every JSON node and most strings of the review, the patch and the response.
#pragma once

#include <atomic>
#include <cstdint>

namespace vtguard::webhook {

// Starts the program again with GLIBC_TUNABLES=glibc.malloc.tcache_count=64:
// glibc.malloc.tcache_max=256 in the environment unless GLIBC_TUNABLES is already set, because
// glibc reads its tunables only at startup. glibc's per-thread cache keeps 7 free blocks of each
// size by default, so most of a request's frees went to the slower shared bins. With 64 the
// handler benchmark (bench/webhook/webhook_benchmark, BM_HandleAdmission) took 12 % less CPU.
// Caching only blocks up to 256 bytes keeps the free memory in each thread's cache small. With
// blocks up to glibc's default of 1,032 bytes, the peak RSS rose with each round of new
// connections.
// Returns only when GLIBC_TUNABLES was already set, so the user's tunables apply, or when
// re-executing failed, so glibc's defaults apply.
void ReexecWithMallocTunables(char** argv);

// Sets, before any other thread starts:
//   M_ARENA_MAX one per core, as many as the server's I/O threads. glibc's default allows up
//     to 8 per core, and memory freed in one arena is reused only by the threads that allocate
//     from it, so each new batch of connections could grow the heap. With a single arena the
//     two I/O threads waited on its lock, and under saturating load the server spent 135-300 µs
//     of CPU per request instead of about 95 µs.
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
