// A fixed set of event loops, each an io_context run by exactly one thread.
//
// The webhook serves each connection on one loop for its whole life, picked round robin at
// accept, as nginx keeps a connection in one worker process. With one io_context shared by
// both threads, the threads contended for its lock and woke each other for completions, and
// the webhook used 87-89 µs of CPU per request instead of 63-70 µs (docs/benchmarks.md).
// A loop has one thread, so handlers of one connection never run concurrently and a
// connection needs no strand.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

namespace vtguard::http {

// The number of loops EventLoops(0) runs: the CPUs in the process's affinity mask, lowered to
// the CPU quota of its cgroup (cgroup v2 cpu.max, or v1 cpu.cfs_quota_us and
// cpu.cfs_period_us) rounded up, and at least 1. A container with a CPU limit of 1.5 on a
// 64-CPU node gets 2 loops. Without a limit it gets one per CPU it may run on.
unsigned DefaultLoopCount();

// DefaultLoopCount's rule, for given inputs: `quota_us` below 0 means no quota.
unsigned LoopCountFor(unsigned affinity_cpus, long long quota_us, long long period_us);

class EventLoops {
 public:
  // `count` loops; 0 means DefaultLoopCount().
  explicit EventLoops(unsigned count);
  ~EventLoops();
  EventLoops(const EventLoops&) = delete;
  EventLoops& operator=(const EventLoops&) = delete;

  unsigned size() const { return static_cast<unsigned>(loops_.size()); }
  // The first loop: listening sockets, signals, timers and the metrics server run here.
  boost::asio::io_context& main() { return loops_.front()->context; }
  // The loop for the next connection, round robin. Safe from any thread.
  boost::asio::io_context& Next();

  // Runs the first loop on the calling thread and every other loop on a thread of its own.
  // Returns after Stop, once every thread has ended.
  void Run();
  // Stops every loop and drops the handlers not yet run. Safe from any thread, more than
  // once. The loops cannot run again afterwards.
  void Stop();

 private:
  struct Loop {
    boost::asio::io_context context{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
        context.get_executor()};
  };

  std::vector<std::unique_ptr<Loop>> loops_;
  std::atomic<unsigned> next_{0};
};

}  // namespace vtguard::http
