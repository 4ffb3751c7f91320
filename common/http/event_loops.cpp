#include "common/http/event_loops.h"

#include <sched.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <utility>

namespace vtguard::http {
namespace {

// Reads the CPU quota of the process's cgroup as {quota_us, period_us}; quota -1 when none is
// set or no cgroup file is readable.
std::pair<long long, long long> ReadCgroupQuota() {
  // cgroup v2: "max 100000" or "150000 100000".
  std::ifstream v2("/sys/fs/cgroup/cpu.max");
  std::string quota_text;
  long long period = 0;
  if (v2 >> quota_text >> period) {
    if (quota_text == "max" || period <= 0) return {-1, 0};
    try {
      return {std::stoll(quota_text), period};
    } catch (const std::exception&) {
      return {-1, 0};
    }
  }
  // cgroup v1: -1 means no quota.
  std::ifstream quota_file("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
  std::ifstream period_file("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
  long long quota = -1;
  if (quota_file >> quota && period_file >> period && period > 0) return {quota, period};
  return {-1, 0};
}

unsigned AffinityCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return static_cast<unsigned>(count);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

unsigned LoopCountFor(unsigned affinity_cpus, long long quota_us, long long period_us) {
  unsigned count = std::max(1u, affinity_cpus);
  if (quota_us > 0 && period_us > 0) {
    const long long quota_cpus = std::max(1LL, (quota_us + period_us - 1) / period_us);
    if (quota_cpus < static_cast<long long>(count)) count = static_cast<unsigned>(quota_cpus);
  }
  return count;
}

unsigned DefaultLoopCount() {
  const auto [quota, period] = ReadCgroupQuota();
  return LoopCountFor(AffinityCpus(), quota, period);
}

EventLoops::EventLoops(unsigned count) {
  if (count == 0) count = DefaultLoopCount();
  for (unsigned i = 0; i < count; ++i) loops_.push_back(std::make_unique<Loop>());
}

EventLoops::~EventLoops() { Stop(); }

boost::asio::io_context& EventLoops::Next() {
  const unsigned index = next_.fetch_add(1, std::memory_order_relaxed) % size();
  return loops_[index]->context;
}

void EventLoops::Run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    threads.emplace_back([loop = loops_[i].get()] { loop->context.run(); });
  }
  main().run();
  for (std::thread& thread : threads) thread.join();
}

void EventLoops::Stop() {
  for (const auto& loop : loops_) loop->context.stop();
}

}  // namespace vtguard::http
