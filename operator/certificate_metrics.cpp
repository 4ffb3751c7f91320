#include "operator/certificate_metrics.h"

#include <array>

namespace vtguard::op {

namespace {

constexpr std::array<std::string_view, 3> kConditions = {"True", "False", "Unknown"};

prometheus::MetricFamily GaugeFamily(std::string name, std::string help) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Gauge;
  return family;
}

// Labels are sorted by name, as prometheus::Family exports them.
prometheus::ClientMetric Gauge(std::vector<prometheus::ClientMetric::Label> labels, double value) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  return metric;
}

void AppendNonEmpty(std::vector<prometheus::MetricFamily>& families,
                    prometheus::MetricFamily family) {
  if (!family.metric.empty()) families.push_back(std::move(family));
}

}  // namespace

void CertificateMetricTable::SetTimestamps(const Labels& labels, double expiration_seconds,
                                           double renewal_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  Row& row = rows_[Key{labels.namespace_, labels.name}];
  row.cluster = labels.cluster;
  row.component = labels.component;
  row.has_timestamps = true;
  row.expiration_seconds = expiration_seconds;
  row.renewal_seconds = renewal_seconds;
}

void CertificateMetricTable::SetReady(std::string_view ns, std::string_view name,
                                      std::string_view condition) {
  std::lock_guard<std::mutex> lock(mu_);
  rows_[Key{std::string(ns), std::string(name)}].ready_condition = std::string(condition);
}

void CertificateMetricTable::RemoveCluster(std::string_view ns, std::string_view cluster) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = rows_.lower_bound(Key{std::string(ns), ""});
       it != rows_.end() && it->first.first == ns;) {
    it = it->second.cluster == cluster ? rows_.erase(it) : std::next(it);
  }
}

std::vector<prometheus::MetricFamily> CertificateMetricTable::Collect() const {
  prometheus::MetricFamily expiration =
      GaugeFamily("vtguard_certificate_expiration_timestamp_seconds",
                  "The notAfter time of a certificate vtguard manages, in Unix seconds.");
  prometheus::MetricFamily ready =
      GaugeFamily("vtguard_certificate_ready_status",
                  "1 for the current Ready condition status of a certificate, else 0.");
  prometheus::MetricFamily renewal =
      GaugeFamily("vtguard_certificate_renewal_timestamp_seconds",
                  "The time at which vtguard renews a certificate, in Unix seconds.");
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, row] : rows_) {
      const auto& [ns, name] = key;
      if (row.has_timestamps) {
        std::vector<prometheus::ClientMetric::Label> labels = {{"cluster", row.cluster},
                                                               {"component", row.component},
                                                               {"name", name},
                                                               {"namespace", ns}};
        expiration.metric.push_back(Gauge(labels, row.expiration_seconds));
        renewal.metric.push_back(Gauge(std::move(labels), row.renewal_seconds));
      }
      if (row.ready_condition.empty()) continue;
      for (std::string_view condition : kConditions) {
        ready.metric.push_back(
            Gauge({{"condition", std::string(condition)}, {"name", name}, {"namespace", ns}},
                  condition == row.ready_condition ? 1 : 0));
      }
    }
  }
  std::vector<prometheus::MetricFamily> families;
  AppendNonEmpty(families, std::move(expiration));
  AppendNonEmpty(families, std::move(ready));
  AppendNonEmpty(families, std::move(renewal));
  return families;
}

}  // namespace vtguard::op
