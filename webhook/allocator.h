// The memory allocator of vtguard-webhook.
//
// Release and default builds link mimalloc, which then serves every malloc and operator new of
// the process. An admission request allocates and frees a small block for most JSON nodes and
// strings of the review, the patch and the response. Under saturating load the webhook used
// 125-133 µs of CPU per request with glibc malloc and 89 µs with mimalloc (docs/benchmarks.md).
// Sanitizer and fuzz builds keep the sanitizer's allocator.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace vtguard::webhook {

// "mimalloc 2.0.9" when mimalloc serves malloc, "glibc malloc" otherwise.
std::string AllocatorName();

// Returns free memory of the calling thread's heap to the system.
void ReleaseFreeMemory();

// Calls ReleaseFreeMemory after connections close: when no connection is left open, and after
// every kClosesPerRelease closes otherwise. Each call runs on the thread of the connection that
// closed, which is the thread that allocated its memory.
class HeapTrimmer {
 public:
  static constexpr int kClosesPerRelease = 64;

  void OnConnectionClosed(int open_connections);

 private:
  std::atomic<std::uint64_t> closes_{0};
};

}  // namespace vtguard::webhook
