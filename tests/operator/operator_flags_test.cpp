// Command-line flags of vtguard-operator, in particular the two install modes:
// --watch-namespace and --manage-webhook-certificate.
#include "operator/operator_flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vtguard::op {
namespace {

TEST(OperatorFlags, DefaultsWatchEveryNamespaceAndManageCertificate) {
  Result<OperatorFlags> flags = ParseOperatorFlags({});
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  EXPECT_EQ(flags->watch_namespace, "");
  EXPECT_TRUE(flags->manage_webhook_certificate);
}

TEST(OperatorFlags, ParsesWatchNamespace) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--watch-namespace", "vitess"},
        std::vector<std::string>{"--watch-namespace=vitess"}}) {
    Result<OperatorFlags> flags = ParseOperatorFlags(args);
    ASSERT_TRUE(flags.ok()) << flags.status().ToString();
    EXPECT_EQ(flags->watch_namespace, "vitess");
    // The operator's own namespace is a separate flag and keeps its default.
    EXPECT_EQ(flags->namespace_, "vtguard-system");
  }
}

TEST(OperatorFlags, RejectsInvalidWatchNamespace) {
  for (const std::string& value :
       {std::string("Vitess"), std::string("-vitess"), std::string("vitess-"),
        std::string("vitess_db"), std::string("a.b"), std::string(64, 'a')}) {
    SCOPED_TRACE(value);
    Result<OperatorFlags> flags = ParseOperatorFlags({"--watch-namespace=" + value});
    ASSERT_FALSE(flags.ok());
    EXPECT_NE(flags.status().message().find("--watch-namespace"), std::string::npos);
    EXPECT_NE(flags.status().message().find("\"" + value + "\""), std::string::npos);
  }
  EXPECT_TRUE(ParseOperatorFlags({"--watch-namespace=" + std::string(63, 'a')}).ok());
}

TEST(OperatorFlags, ParsesManageWebhookCertificate) {
  struct Case {
    std::vector<std::string> args;
    bool expected;
  };
  const Case cases[] = {
      {{"--manage-webhook-certificate=false"}, false},
      {{"--manage-webhook-certificate=0"}, false},
      {{"--manage-webhook-certificate=true"}, true},
      {{"--manage-webhook-certificate"}, true},
      {{"--manage-webhook-certificate=false", "--manage-webhook-certificate"}, true},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.args.back());
    Result<OperatorFlags> flags = ParseOperatorFlags(test.args);
    ASSERT_TRUE(flags.ok()) << flags.status().ToString();
    EXPECT_EQ(flags->manage_webhook_certificate, test.expected);
  }
}

TEST(OperatorFlags, RejectsInvalidManageWebhookCertificate) {
  Result<OperatorFlags> flags = ParseOperatorFlags({"--manage-webhook-certificate=no"});
  ASSERT_FALSE(flags.ok());
  EXPECT_NE(flags.status().message().find("--manage-webhook-certificate"), std::string::npos);
  EXPECT_NE(flags.status().message().find("true or false"), std::string::npos);
}

TEST(OperatorFlags, UsageListsTheModeFlags) {
  const std::string usage = OperatorUsage();
  EXPECT_NE(usage.find("--watch-namespace"), std::string::npos);
  EXPECT_NE(usage.find("--manage-webhook-certificate"), std::string::npos);
}

}  // namespace
}  // namespace vtguard::op
