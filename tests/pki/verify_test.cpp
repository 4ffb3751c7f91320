#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/pki/pki.h"
#include "tests/pki/pki_test_util.h"

namespace vtguard::pki {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::TestEpoch;

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<CertifiedKey> ca = CreateCa({.duration = 8760h}, clock_);
    ASSERT_TRUE(ca.ok());
    ca_ = *ca;
    bundle_.Add(ca_->certificate);
  }
  Certificate Issue(std::vector<Usage> usages, Seconds duration = 2160h) {
    LeafRequest request{.common_name = "vttablet",
                        .dns_names = {"vttablet.vtguard.internal"},
                        .ip_addresses = {"127.0.0.1"},
                        .usages = std::move(usages),
                        .duration = duration};
    Result<CertifiedKey> leaf = IssueLeaf(*ca_, request, clock_);
    EXPECT_TRUE(leaf.ok()) << leaf.status().message();
    return leaf->certificate;
  }

  FakeClock clock_{TestEpoch()};
  std::optional<CertifiedKey> ca_;
  TrustBundle bundle_;
};

TEST_F(VerifyTest, AcceptsMatchingNameAndUsage) {
  Certificate leaf = Issue({Usage::kServer, Usage::kClient});
  const VerifyOptions kCases[] = {
      {},
      {.server_name = "vttablet.vtguard.internal"},
      {.server_name = "127.0.0.1"},
      {.usage = Usage::kServer},
      {.server_name = "vttablet.vtguard.internal", .usage = Usage::kClient},
  };
  for (const VerifyOptions& options : kCases) {
    VerifyResult result = VerifyCertificate(leaf, bundle_, options, clock_);
    EXPECT_TRUE(result.ok()) << result.message;
    EXPECT_EQ(result.openssl_error, 0);
  }
}

TEST_F(VerifyTest, ReportsEachFailureReason) {
  Certificate client_only = Issue({Usage::kClient});
  Certificate server = Issue({Usage::kServer}, 24h);
  struct FailureCase {
    const char* name;
    const Certificate* leaf;
    VerifyOptions options;
    Seconds advance;
    VerifyFailure expected;
    const char* message;
  };
  const FailureCase kCases[] = {
      {"wrong usage",
       &client_only,
       {.usage = Usage::kServer},
       0s,
       VerifyFailure::kWrongUsage,
       "does not allow server"},
      {"wrong name",
       &server,
       {.server_name = "vtgate.vtguard.internal"},
       0s,
       VerifyFailure::kNameMismatch,
       "\"vtgate.vtguard.internal\""},
      {"wrong ip",
       &server,
       {.server_name = "10.0.0.1"},
       0s,
       VerifyFailure::kNameMismatch,
       "\"10.0.0.1\""},
      {"expired", &server, {}, 25h, VerifyFailure::kExpired, "expired at"},
      {"not yet valid", &server, {}, -1h, VerifyFailure::kNotYetValid, "is not valid before"},
      {"expired ca", &client_only, {}, 8761h, VerifyFailure::kExpired, "expired at"},
  };
  for (const FailureCase& c : kCases) {
    FakeClock at(clock_.Now() + c.advance);
    VerifyResult result = VerifyCertificate(*c.leaf, bundle_, c.options, at);
    EXPECT_EQ(result.failure, c.expected) << c.name << ": " << result.message;
    EXPECT_THAT(result.message, HasSubstr(c.message)) << c.name;
    EXPECT_NE(result.openssl_error, 0) << c.name;
  }
}

TEST_F(VerifyTest, UnknownIssuer) {
  Certificate leaf = Issue({Usage::kServer});
  Result<CertifiedKey> other = CreateCa({.common_name = "vtguard-ca"}, clock_);
  ASSERT_TRUE(other.ok());
  TrustBundle other_bundle;
  other_bundle.Add(other->certificate);
  TrustBundle empty;
  for (const TrustBundle* bundle : {&other_bundle, &empty}) {
    VerifyResult result = VerifyCertificate(leaf, *bundle, {}, clock_);
    EXPECT_EQ(result.failure, VerifyFailure::kUnknownIssuer) << result.message;
    EXPECT_THAT(result.message, HasSubstr("no CA in the trust bundle"));
  }
}

TEST(VerifyFailureName, NamesEveryReason) {
  EXPECT_EQ(VerifyFailureName(VerifyFailure::kExpired), "expired");
  EXPECT_EQ(VerifyFailureName(VerifyFailure::kNotYetValid), "not_yet_valid");
  EXPECT_EQ(VerifyFailureName(VerifyFailure::kUnknownIssuer), "unknown_issuer");
  EXPECT_EQ(VerifyFailureName(VerifyFailure::kWrongUsage), "wrong_usage");
  EXPECT_EQ(VerifyFailureName(VerifyFailure::kNameMismatch), "name_mismatch");
  EXPECT_EQ(VerifyFailureName(VerifyFailure::kRevoked), "revoked");
}

}  // namespace
}  // namespace vtguard::pki
