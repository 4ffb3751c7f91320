#include "common/vitess/version.h"

#include <gtest/gtest.h>

namespace vtguard::vitess {
namespace {

struct ImageCase {
  std::string image;
  bool has_version;
  int major, minor, patch;
  std::string prerelease;
};

TEST(ImageVersion, ParsesTagsAndRejectsUnversioned) {
  const ImageCase cases[] = {
      {"vitess/lite:v24.0.4-mysql80", true, 24, 0, 4, ""},
      {"vitess/lite:v24.0.0-rc1-mysql80", true, 24, 0, 0, "rc1"},
      {"vitess/vttablet:v21.0.4", true, 21, 0, 4, ""},
      {"registry.example.com:5000/vitess/lite:v23.0.1", true, 23, 0, 1, ""},
      {"vitess/lite:v25.0.0", true, 25, 0, 0, ""},
      {"vitess/lite:v22.0.2@sha256:0123456789abcdef", true, 22, 0, 2, ""},
      {"vitess/lite@sha256:0123456789abcdef0123456789abcdef", false, 0, 0, 0, ""},
      {"vitess/lite:latest", false, 0, 0, 0, ""},
      {"vitess/lite:mysql80", false, 0, 0, 0, ""},
      {"vitess/lite", false, 0, 0, 0, ""},
      {"registry.example.com:5000/vitess/lite", false, 0, 0, 0, ""},
      {"mysql:8.0.40", false, 0, 0, 0, ""},
      {"vitess/lite:v24", false, 0, 0, 0, ""},
      {"", false, 0, 0, 0, ""},
  };
  for (const ImageCase& c : cases) {
    std::optional<VitessVersion> version = ParseImageVersion(c.image);
    ASSERT_EQ(version.has_value(), c.has_version) << c.image;
    if (!version) continue;
    EXPECT_EQ(version->major, c.major) << c.image;
    EXPECT_EQ(version->minor, c.minor) << c.image;
    EXPECT_EQ(version->patch, c.patch) << c.image;
    EXPECT_EQ(version->prerelease, c.prerelease) << c.image;
  }
}

TEST(VersionText, AcceptsShortForms) {
  EXPECT_EQ(ParseVersionText("24")->major, 24);
  EXPECT_EQ(ParseVersionText("v24")->major, 24);
  EXPECT_EQ(ParseVersionText("v23.0.7")->patch, 7);
  EXPECT_EQ(ParseVersionText("v24.0.0-rc1")->prerelease, "rc1");
  EXPECT_FALSE(ParseVersionText("latest").ok());
  EXPECT_FALSE(ParseVersionText("").ok());
  EXPECT_FALSE(ParseVersionText("v24x").ok());
}

}  // namespace
}  // namespace vtguard::vitess
