#include "tests/e2e/metrics_scrape.h"

#include <sstream>

namespace vtguard::e2e {

void ExportedMetrics::Add(const std::string& body) {
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line.rfind("# TYPE ", 0) == 0 || line.rfind("# HELP ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string family;
      if (words >> family) families.insert(family);
      continue;
    }
    if (line[0] == '#') continue;
    size_t end = line.find_first_of("{ ");
    samples.insert(line.substr(0, end));
  }
}

MetricPresence FindMetric(const ExportedMetrics& exported, const std::string& name) {
  if (exported.samples.count(name)) return MetricPresence::kSampled;
  if (exported.families.count(name)) return MetricPresence::kDeclaredOnly;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string text(suffix);
    if (name.size() > text.size() &&
        name.compare(name.size() - text.size(), text.size(), text) == 0 &&
        exported.families.count(name.substr(0, name.size() - text.size()))) {
      return MetricPresence::kDeclaredOnly;
    }
  }
  return MetricPresence::kMissing;
}

}  // namespace vtguard::e2e
