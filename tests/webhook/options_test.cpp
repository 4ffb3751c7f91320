// Command-line options of vtguard-webhook that the chart sets per install mode.
#include "webhook/options.h"

#include <gtest/gtest.h>

#include <string>

namespace vtguard::webhook {
namespace {

TEST(WebhookOptions, WatchesEveryNamespaceByDefault) {
  Result<WebhookOptions> options = ParseWebhookOptions({});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->watch_namespace, "");
}

TEST(WebhookOptions, ParsesWatchNamespace) {
  Result<WebhookOptions> options = ParseWebhookOptions({"--watch-namespace=vitess"});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->watch_namespace, "vitess");
}

TEST(WebhookOptions, RejectsInvalidWatchNamespace) {
  for (const std::string& value :
       {std::string("Vitess"), std::string("vitess_db"), std::string("-a"), std::string(64, 'a')}) {
    SCOPED_TRACE(value);
    Result<WebhookOptions> options = ParseWebhookOptions({"--watch-namespace", value});
    ASSERT_FALSE(options.ok());
    EXPECT_NE(options.status().message().find("--watch-namespace"), std::string::npos);
    EXPECT_NE(options.status().message().find("\"" + value + "\""), std::string::npos);
  }
}

TEST(WebhookOptions, ThreadsDefaultToAutomatic) {
  Result<WebhookOptions> options = ParseWebhookOptions({});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->threads, 0);
}

TEST(WebhookOptions, ParsesThreads) {
  Result<WebhookOptions> options = ParseWebhookOptions({"--threads=3"});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->threads, 3);
}

TEST(WebhookOptions, RejectsThreadsThatAreNotPositive) {
  for (const std::string value : {"0", "-1", "two", "1.5"}) {
    SCOPED_TRACE(value);
    Result<WebhookOptions> options = ParseWebhookOptions({"--threads", value});
    ASSERT_FALSE(options.ok());
    EXPECT_EQ(options.status().message(),
              "--threads must be a positive integer, got \"" + value + "\"");
  }
}

TEST(WebhookOptions, UsageListsWatchNamespace) {
  EXPECT_NE(WebhookUsage().find("--watch-namespace"), std::string::npos);
}

}  // namespace
}  // namespace vtguard::webhook
