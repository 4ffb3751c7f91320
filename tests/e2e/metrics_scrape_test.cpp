#include "tests/e2e/metrics_scrape.h"

#include <gtest/gtest.h>

namespace vtguard::e2e {
namespace {

constexpr char kBody[] =
    "# HELP vtguard_webhook_ready Whether the webhook serves admission.\n"
    "# TYPE vtguard_webhook_ready gauge\n"
    "vtguard_webhook_ready 1\n"
    "# TYPE vtguard_webhook_admission_duration_seconds histogram\n"
    "vtguard_webhook_admission_duration_seconds_bucket{kind=\"Pod\",le=\"0.1\"} 3\n"
    "# TYPE vtguard_webhook_patches_total counter\n";

TEST(FindMetric, ClassifiesSampledDeclaredAndMissingNames) {
  ExportedMetrics exported;
  exported.Add(kBody);
  struct Case {
    const char* name;
    MetricPresence want;
  } cases[] = {
      {"vtguard_webhook_ready", MetricPresence::kSampled},
      {"vtguard_webhook_admission_duration_seconds_bucket", MetricPresence::kSampled},
      {"vtguard_webhook_admission_duration_seconds_count", MetricPresence::kDeclaredOnly},
      {"vtguard_webhook_patches_total", MetricPresence::kDeclaredOnly},
      {"vtguard_operator_leader", MetricPresence::kMissing},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FindMetric(exported, c.name), c.want) << c.name;
  }
}

}  // namespace
}  // namespace vtguard::e2e
