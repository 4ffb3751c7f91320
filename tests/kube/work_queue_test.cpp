#include "common/kube/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

namespace vtguard::kube {
namespace {

using std::chrono::milliseconds;

FakeClock& TestClock() {
  static FakeClock clock(SystemTime(std::chrono::hours(24 * 365 * 56)));
  return clock;
}

TEST(WorkQueue, DeduplicatesQueuedKeys) {
  WorkQueue queue(TestClock());
  queue.Add("ns/a");
  queue.Add("ns/a");
  queue.Add("ns/b");
  EXPECT_EQ(queue.Len(), 2u);
  EXPECT_EQ(queue.Get(), "ns/a");
  EXPECT_EQ(queue.Get(), "ns/b");
}

TEST(WorkQueue, RequeuesKeyAddedWhileProcessing) {
  WorkQueue queue(TestClock());
  queue.Add("ns/a");
  ASSERT_EQ(queue.Get(), "ns/a");
  queue.Add("ns/a");  // while processing: not handed out again yet
  EXPECT_EQ(queue.Len(), 0u);
  queue.Done("ns/a");
  EXPECT_EQ(queue.Len(), 1u);
  EXPECT_EQ(queue.Get(), "ns/a");
}

TEST(WorkQueue, NeverRunsOneKeyOnTwoWorkers) {
  WorkQueue queue(RealClock::Get());
  std::mutex mu;
  std::map<std::string, int> running;
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue.Get(milliseconds(5))) {
        {
          std::lock_guard<std::mutex> lock(mu);
          if (++running[*key] > 1) overlap = true;
        }
        std::this_thread::sleep_for(milliseconds(1));
        {
          std::lock_guard<std::mutex> lock(mu);
          --running[*key];
        }
        ++processed;
        queue.Done(*key);
      }
    });
  }
  for (int i = 0; i < 400; ++i) queue.Add("key-" + std::to_string(i % 3));
  while (queue.Len() > 0) std::this_thread::sleep_for(milliseconds(5));
  std::this_thread::sleep_for(milliseconds(20));
  queue.ShutDown();
  for (std::thread& worker : workers) worker.join();
  EXPECT_FALSE(overlap);
  EXPECT_GE(processed.load(), 3);
}

TEST(WorkQueue, BackoffDoublesPerKeyUpToCap) {
  WorkQueueOptions options;
  options.base_delay = milliseconds(5);
  options.max_delay = milliseconds(60);
  WorkQueue queue(TestClock(), options);
  std::vector<int64_t> delays;
  for (int i = 0; i < 6; ++i) delays.push_back(queue.NextDelay("ns/a").count());
  EXPECT_EQ(delays, (std::vector<int64_t>{5, 10, 20, 40, 60, 60}));
  EXPECT_EQ(queue.NextDelay("ns/b").count(), 5);  // per key
  queue.Forget("ns/a");
  EXPECT_EQ(queue.NumRequeues("ns/a"), 0);
  EXPECT_EQ(queue.NextDelay("ns/a").count(), 5);
}

TEST(WorkQueue, GlobalRateLimitSpacesRetriesWhenBucketEmpty) {
  FakeClock clock(SystemTime(std::chrono::hours(1000)));
  WorkQueueOptions options;
  options.base_delay = milliseconds(1);
  options.rate_per_second = 10;
  options.burst = 2;
  WorkQueue queue(clock, options);
  EXPECT_EQ(queue.NextDelay("a").count(), 1);
  EXPECT_EQ(queue.NextDelay("b").count(), 1);
  EXPECT_EQ(queue.NextDelay("c").count(), 100);  // bucket empty: one token per 100 ms
  EXPECT_EQ(queue.NextDelay("d").count(), 200);
}

TEST(WorkQueue, DelayedKeyBecomesReadyWhenClockPassesIt) {
  FakeClock clock(SystemTime(std::chrono::hours(1000)));
  WorkQueue queue(clock);
  queue.AddAfter("ns/a", milliseconds(500));
  EXPECT_EQ(queue.Len(), 0u);
  EXPECT_EQ(queue.DelayedLen(), 1u);
  clock.Advance(milliseconds(499));
  queue.ShutDown();  // Get returns nullopt when nothing is due
  EXPECT_EQ(queue.Get(milliseconds(1)), std::nullopt);
}

TEST(WorkQueue, AddRateLimitedWaitsForBackoff) {
  FakeClock clock(SystemTime(std::chrono::hours(1000)));
  WorkQueueOptions options;
  options.base_delay = milliseconds(100);
  WorkQueue queue(clock, options);
  queue.AddRateLimited("ns/a");
  EXPECT_EQ(queue.Len(), 0u);
  clock.Advance(milliseconds(100));
  EXPECT_EQ(queue.Get(milliseconds(1)), "ns/a");
  EXPECT_EQ(queue.NumRequeues("ns/a"), 1);
}

}  // namespace
}  // namespace vtguard::kube
