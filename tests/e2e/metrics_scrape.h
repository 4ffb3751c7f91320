// Reading the Prometheus text exposition that vtguard-operator and vtguard-webhook serve on
// /metrics, to check which metric names they export.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace vtguard::e2e {

// The names found in one or more /metrics bodies.
struct ExportedMetrics {
  std::set<std::string> samples;   // Names of sample lines, e.g. x_bucket, x_sum, x_count.
  std::set<std::string> families;  // Names on `# TYPE` and `# HELP` lines.

  // Adds the names of one exposition body.
  void Add(const std::string& body);
};

// Where a referenced name was found.
enum class MetricPresence { kSampled, kDeclaredOnly, kMissing };

// Looks `name` up: first among sample names, then among family names, where a histogram or
// summary name with a _bucket, _sum or _count suffix matches its family.
MetricPresence FindMetric(const ExportedMetrics& exported, const std::string& name);

}  // namespace vtguard::e2e
