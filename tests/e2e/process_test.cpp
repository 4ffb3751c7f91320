#include "tests/e2e/process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/e2e/cert_fixtures.h"

namespace vtguard::e2e {
namespace {

using ::testing::HasSubstr;

TEST(RunCommand, ReturnsStdout) {
  Result<std::string> output = RunCommand({"openssl", "version"});
  ASSERT_TRUE(output.ok()) << output.status().ToString();
  EXPECT_THAT(*output, HasSubstr("OpenSSL"));
}

TEST(RunCommand, NonZeroExitCarriesStderr) {
  Result<std::string> output = RunCommand({"/bin/sh", "-c", "echo broken >&2; exit 3"});
  ASSERT_FALSE(output.ok());
  EXPECT_THAT(output.status().message(), HasSubstr("exited with 3"));
  EXPECT_THAT(output.status().message(), HasSubstr("broken"));
}

TEST(ChildProcess, StopSendsSigterm) {
  auto dir = testing::MakeTempDir("logs");
  auto child = ChildProcess::Start("/bin/sleep", {"30"}, dir / "sleep.log");
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  EXPECT_TRUE((*child)->IsRunning());
  EXPECT_EQ((*child)->Stop(), 128 + SIGTERM);
  EXPECT_FALSE((*child)->IsRunning());
}

TEST(ChildProcess, MissingBinaryIsNotFound) {
  auto child = ChildProcess::Start("/nonexistent/vtguard-operator", {}, "/dev/null");
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.status().code(), ErrorCode::kNotFound);
}

TEST(WaitFor, TimesOutNamingTheCondition) {
  Status status = WaitFor(
      "the moon", [] { return false; }, std::chrono::milliseconds(50),
      std::chrono::milliseconds(10));
  EXPECT_EQ(status.code(), ErrorCode::kDeadlineExceeded);
  EXPECT_THAT(status.message(), HasSubstr("the moon"));
}

TEST(PickFreePort, ReturnsUnprivilegedPort) {
  Result<int> port = PickFreePort();
  ASSERT_TRUE(port.ok());
  EXPECT_GT(*port, 1024);
  EXPECT_FALSE(CanConnect(*port));
}

}  // namespace
}  // namespace vtguard::e2e
