#include "operator/offset_clock.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace vtguard::op {
namespace {

TEST(ParseClockOffset, AcceptsDurationsAndSeconds) {
  struct Case {
    const char* text;
    long long seconds;
  };
  for (const Case& c :
       {Case{"", 0}, Case{"  720h\n", 720 * 3600}, Case{"90m", 5400}, Case{"3600", 3600}}) {
    Result<Seconds> offset = ParseClockOffset(c.text);
    ASSERT_TRUE(offset.ok()) << c.text;
    EXPECT_EQ(offset->count(), c.seconds) << c.text;
  }
  EXPECT_FALSE(ParseClockOffset("soon").ok());
  EXPECT_FALSE(ParseClockOffset("-5").ok());
}

TEST(OffsetClock, FollowsFileChanges) {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("vtguard-clock-offset-" + std::to_string(::getpid()));
  FakeClock base(SystemTime(std::chrono::seconds(1'796'000'000)));
  OffsetClock clock(path.string(), base, std::chrono::milliseconds(0));
  EXPECT_EQ(clock.Now(), base.Now());  // No file: no offset.
  std::ofstream(path) << "48h";
  EXPECT_EQ(clock.Now(), base.Now() + std::chrono::hours(48));
  std::ofstream(path) << "not a duration";
  EXPECT_EQ(clock.Now(), base.Now() + std::chrono::hours(48));  // Invalid text keeps the last.
  std::filesystem::remove(path);
  EXPECT_EQ(clock.Now(), base.Now());
}

}  // namespace
}  // namespace vtguard::op
