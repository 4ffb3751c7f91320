#include "operator/work_queue.h"

#include <gtest/gtest.h>

namespace vtguard::op {
namespace {

using std::chrono::seconds;

TEST(WorkQueue, DeduplicatesWaitingKeys) {
  FakeClock clock(SystemTime(seconds(1'800'000'000)));
  WorkQueue queue(clock);
  queue.Add("a");
  queue.Add("a");
  queue.Add("b");
  EXPECT_EQ(queue.Size(), 2u);
  EXPECT_EQ(queue.TryGet(), "a");
  EXPECT_EQ(queue.TryGet(), "b");
  EXPECT_EQ(queue.TryGet(), std::nullopt);
}

TEST(WorkQueue, ReaddsKeyChangedWhileProcessing) {
  FakeClock clock(SystemTime(seconds(1'800'000'000)));
  WorkQueue queue(clock);
  queue.Add("a");
  ASSERT_EQ(queue.TryGet(), "a");
  queue.Add("a");
  EXPECT_EQ(queue.TryGet(), std::nullopt);
  queue.Done("a");
  EXPECT_EQ(queue.TryGet(), "a");
}

TEST(WorkQueue, DelayedKeyBecomesDueWithClock) {
  FakeClock clock(SystemTime(seconds(1'800'000'000)));
  WorkQueue queue(clock);
  queue.AddAfter("a", seconds(30));
  EXPECT_EQ(queue.TryGet(), std::nullopt);
  clock.Advance(seconds(29));
  EXPECT_EQ(queue.TryGet(), std::nullopt);
  clock.Advance(seconds(1));
  EXPECT_EQ(queue.TryGet(), "a");
}

TEST(WorkQueue, BackoffGrowsAndIsCapped) {
  FakeClock clock(SystemTime(seconds(1'800'000'000)));
  WorkQueue queue(clock);
  Seconds previous_wait(0);
  for (int attempt = 1; attempt <= 12; ++attempt) {
    queue.AddWithBackoff("k");
    Seconds waited(0);
    while (!queue.TryGet()) {
      clock.Advance(seconds(1));
      waited += seconds(1);
      ASSERT_LE(waited, std::chrono::minutes(10)) << "attempt " << attempt;
    }
    queue.Done("k");
    if (attempt <= 5) {
      EXPECT_GT(waited, previous_wait) << "attempt " << attempt;
    }
    previous_wait = waited;
  }
  EXPECT_EQ(queue.Failures("k"), 12);
  queue.Forget("k");
  EXPECT_EQ(queue.Failures("k"), 0);
}

}  // namespace
}  // namespace vtguard::op
