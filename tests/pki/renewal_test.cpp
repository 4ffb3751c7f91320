#include "common/pki/renewal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "tests/pki/pki_test_util.h"

namespace vtguard::pki {
namespace {

using namespace std::chrono_literals;
using testing::TestEpoch;

TEST(RenewalTime, DefaultIsThirdOfLifetime) {
  SystemTime start = TestEpoch();
  SystemTime end = start + 2160h;
  SystemTime renewal = RenewalTime(start, end, std::nullopt, "prod/vttablet");
  // renewBefore = 720h, jitter at most 10% of it (72h) but capped at 24h.
  EXPECT_LE(renewal, end - 720h);
  EXPECT_GE(renewal, end - 720h - 24h);
}

TEST(RenewalTime, UsesRenewBeforeInsideTheLifetime) {
  SystemTime start = TestEpoch();
  SystemTime end = start + 2160h;
  SystemTime renewal = RenewalTime(start, end, Seconds(240h), "prod/vtgate");
  EXPECT_LE(renewal, end - 240h);
  EXPECT_GE(renewal, end - 240h - 24h);
  EXPECT_GT(renewal, start);
}

TEST(RenewalTime, RenewBeforeOverCappedLifetime) {
  // A leaf asked for 2160h with renewBefore 720h but capped to 240h by its CA.
  SystemTime start = TestEpoch();
  SystemTime end = start + 240h;
  SystemTime renewal = RenewalTime(start, end, Seconds(720h), "prod/vttablet");
  EXPECT_LE(renewal, end - 80h);
  EXPECT_GE(renewal, end - 80h - 8h);
  EXPECT_GT(renewal, start);
}

TEST(RenewalTime, IsDeterministicPerName) {
  SystemTime start = TestEpoch();
  SystemTime end = start + 2160h;
  EXPECT_EQ(RenewalTime(start, end, std::nullopt, "a/vttablet"),
            RenewalTime(start, end, std::nullopt, "a/vttablet"));
}

TEST(RenewalTime, JitterSpreadsManyNamesOverTheRange) {
  SystemTime start = TestEpoch();
  SystemTime end = start + 2160h;
  SystemTime latest = end - 720h;
  std::set<SystemTime> distinct;
  Seconds min_jitter = 24h;
  Seconds max_jitter = 0s;
  int in_first_half = 0;
  const int kNames = 1000;
  for (int i = 0; i < kNames; ++i) {
    SystemTime renewal =
        RenewalTime(start, end, std::nullopt, "cluster-" + std::to_string(i) + "/vttablet");
    Seconds jitter = std::chrono::duration_cast<Seconds>(latest - renewal);
    ASSERT_GE(jitter, 0s);
    ASSERT_LE(jitter, 24h);
    min_jitter = std::min(min_jitter, jitter);
    max_jitter = std::max(max_jitter, jitter);
    if (jitter < 12h) ++in_first_half;
    distinct.insert(renewal);
  }
  // 1000 names over 86401 possible seconds: a few birthday collisions are expected.
  EXPECT_GT(distinct.size(), 980u);
  EXPECT_LT(min_jitter, 1h);
  EXPECT_GT(max_jitter, 23h);
  // Roughly uniform: each half of the range gets 40-60% of the names.
  EXPECT_GT(in_first_half, kNames * 4 / 10);
  EXPECT_LT(in_first_half, kNames * 6 / 10);
}

TEST(RenewalTime, NeverBeforeNotBefore) {
  SystemTime start = TestEpoch();
  EXPECT_EQ(RenewalTime(start, start, std::nullopt, "x"), start);
  EXPECT_EQ(RenewalTime(start, start - 1h, std::nullopt, "x"), start);
  SystemTime renewal = RenewalTime(start, start + 3s, Seconds(1s), "x");
  EXPECT_GE(renewal, start);
  EXPECT_LE(renewal, start + 3s);
}

TEST(Backoff, DoublesFromBaseUpToCap) {
  BackoffPolicy policy{.base = 5s, .cap = 300s, .jitter_fraction = 0};
  EXPECT_EQ(Backoff(1, "x", policy), 5s);
  EXPECT_EQ(Backoff(2, "x", policy), 10s);
  EXPECT_EQ(Backoff(3, "x", policy), 20s);
  EXPECT_EQ(Backoff(7, "x", policy), 300s);
  EXPECT_EQ(Backoff(1000000, "x", policy), 300s);
  EXPECT_EQ(Backoff(0, "x", policy), 5s);
  EXPECT_EQ(Backoff(-3, "x", policy), 5s);
}

TEST(Backoff, JitterIsBoundedAndDeterministic) {
  BackoffPolicy policy{.base = 10s, .cap = 600s, .jitter_fraction = 0.5};
  std::set<int64_t> values;
  for (int i = 0; i < 200; ++i) {
    std::string name = "ns/cluster-" + std::to_string(i);
    Seconds delay = Backoff(7, name, policy);
    EXPECT_EQ(delay, Backoff(7, name, policy));
    EXPECT_LE(delay, 600s);
    EXPECT_GE(delay, 300s);
    values.insert(delay.count());
  }
  EXPECT_GT(values.size(), 50u);
}

}  // namespace
}  // namespace vtguard::pki
