#include "common/base/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace vtguard::log {
namespace {

// A PEM private key in the shapes OpenSSL writes (PKCS#8, PKCS#1, SEC1). The body is not a
// real key; the logger must recognise the armour, whatever the body.
constexpr const char* kPkcs8Pem =
    "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* kPkcs1Pem =
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
    "-----END RSA PRIVATE KEY-----\n";
constexpr const char* kSec1Pem =
    "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBn\n"
    "-----END EC PRIVATE KEY-----\n";

class CapturedLog : public ::testing::Test {
 protected:
  void SetUp() override {
    SetSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    SetLevel(Level::kDebug);
  }
  void TearDown() override {
    ResetSink();
    SetLevel(Level::kInfo);
  }
  std::ostringstream out_;
};

TEST(FormatRecord, PutsTsLevelMsgFirst) {
  std::string line =
      FormatRecord(std::chrono::system_clock::from_time_t(1796378400), Level::kWarn,
                   "Certificate renewal failed.", {{Key::kNamespace, "ns1"}, {Key::kAttempt, 3}});
  EXPECT_EQ(line, R"({"ts":"2026-12-04T10:00:00.000Z","level":"warn","msg":"Certificate renewal )"
                  R"(failed.","namespace":"ns1","attempt":3})");
}

TEST_F(CapturedLog, WritesOneJsonObjectPerLine) {
  Info("Started.", {{Key::kComponent, "webhook"}, {Key::kAddress, "127.0.0.1:8443"}});
  Error("Request failed.", {{Key::kStatus, 500}, {Key::kError, "internal: boom"}});
  std::istringstream lines(out_.str());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    nlohmann::json record = nlohmann::json::parse(line);
    EXPECT_TRUE(record.contains("ts"));
    EXPECT_TRUE(record.contains("level"));
    EXPECT_TRUE(record.contains("msg"));
    ++count;
  }
  EXPECT_EQ(count, 2);
}

TEST_F(CapturedLog, NeverWritesPrivateKeyPem) {
  for (const char* pem : {kPkcs8Pem, kPkcs1Pem, kSec1Pem}) {
    Error(pem, {{Key::kError, std::string("parse failed near ") + pem}, {Key::kFile, pem}});
    Info("Loaded key.", {{Key::kSubject, pem}});
  }
  const std::string captured = out_.str();
  EXPECT_EQ(captured.find("PRIVATE KEY"), std::string::npos) << captured;
  EXPECT_EQ(captured.find("MIGHAgEAMBMGByqGSM49"), std::string::npos);
  EXPECT_EQ(captured.find("MIIEowIBAAKCAQEAu1SU"), std::string::npos);
  EXPECT_EQ(captured.find("MHcCAQEEIBkg4LVWM9nu"), std::string::npos);
  EXPECT_NE(captured.find("[redacted]"), std::string::npos);
}

TEST_F(CapturedLog, DropsRecordsBelowLevel) {
  SetLevel(Level::kWarn);
  Info("Not shown.");
  Warn("Shown.");
  EXPECT_EQ(out_.str().find("Not shown."), std::string::npos);
  EXPECT_NE(out_.str().find("Shown."), std::string::npos);
}

TEST_F(CapturedLog, SurvivesInvalidUtf8) {
  Info("Bad bytes.", {{Key::kPath, std::string("\xff\xfe/x")}});
  EXPECT_NE(out_.str().find("Bad bytes."), std::string::npos);
}

TEST(LogLimiter, CountsSuppressedRepeats) {
  LogLimiter limiter(std::chrono::hours(1));
  std::int64_t suppressed = -1;
  EXPECT_TRUE(limiter.Allow("watch", &suppressed));
  EXPECT_EQ(suppressed, 0);
  EXPECT_FALSE(limiter.Allow("watch", &suppressed));
  EXPECT_FALSE(limiter.Allow("watch", &suppressed));
  EXPECT_TRUE(limiter.Allow("other", &suppressed));
}

TEST(ParseLevel, AcceptsKnownNames) {
  Level level = Level::kInfo;
  EXPECT_TRUE(ParseLevel("debug", &level));
  EXPECT_EQ(level, Level::kDebug);
  EXPECT_FALSE(ParseLevel("verbose", &level));
}

}  // namespace
}  // namespace vtguard::log
