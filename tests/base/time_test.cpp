#include "common/base/time.h"

#include <gtest/gtest.h>

namespace vtguard {
namespace {

TEST(Rfc3339, FormatsAndParsesUtc) {
  Result<SystemTime> t = ParseRfc3339("2026-12-04T10:00:00Z");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(FormatRfc3339(*t), "2026-12-04T10:00:00Z");
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 1796378400);
}

TEST(Rfc3339, AppliesOffsetAndFraction) {
  Result<SystemTime> t = ParseRfc3339("2026-12-04T12:30:00.250+02:30");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(FormatRfc3339Millis(*t), "2026-12-04T10:00:00.250Z");
}

TEST(Rfc3339, RejectsMalformedInput) {
  for (const char* bad :
       {"", "2026-12-04", "2026-13-04T10:00:00Z", "2026-12-04T10:00:00", "2026-12-04T10:00:00Zjunk",
        "2026-12-04 10:00:00Z", "2026-12-04T10:00:00."}) {
    Result<SystemTime> t = ParseRfc3339(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_NE(t.status().message().find("RFC 3339"), std::string::npos);
    }
  }
}

TEST(Duration, ParsesGoSyntax) {
  struct Case {
    const char* text;
    long long seconds;
  };
  for (const Case& c :
       {Case{"87600h", 315360000}, Case{"2160h", 7776000}, Case{"90m", 5400}, Case{"1h30m", 5400},
        Case{"45s", 45}, Case{"1.5h", 5400}, Case{"0", 0}, Case{"1500ms", 1}}) {
    Result<Seconds> d = ParseDuration(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status().ToString();
    EXPECT_EQ(d->count(), c.seconds) << c.text;
  }
}

TEST(Duration, RejectsBadInputWithHint) {
  for (const char* bad : {"", "-5h", "10", "10d", "h", "1.2.3h", "abc"}) {
    Result<Seconds> d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_NE(d.status().message().find("2160h"), std::string::npos) << d.status().message();
  }
}

TEST(Duration, FormatsLikeGo) {
  EXPECT_EQ(FormatDuration(Seconds(7776000)), "2160h");
  EXPECT_EQ(FormatDuration(Seconds(5400)), "1h30m");
  EXPECT_EQ(FormatDuration(Seconds(61)), "1m1s");
  EXPECT_EQ(FormatDuration(Seconds(0)), "0s");
}

TEST(FakeClock, MovesOnlyWhenAdvanced) {
  FakeClock clock(std::chrono::system_clock::from_time_t(1000));
  EXPECT_EQ(std::chrono::system_clock::to_time_t(clock.Now()), 1000);
  clock.Advance(std::chrono::hours(1));
  EXPECT_EQ(std::chrono::system_clock::to_time_t(clock.Now()), 4600);
}

}  // namespace
}  // namespace vtguard
