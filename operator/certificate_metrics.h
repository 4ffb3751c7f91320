// The per-certificate Prometheus series of the operator, kept as one compact table row per
// certificate and turned into metric families only when the metrics are scraped.
//
// prometheus-cpp stores every series as an object with its own label map. With four leaf
// certificates per cluster and five series per certificate, 1,000 clusters made 20,000 such
// objects, about 9 MB of heap in a heaptrack profile. A row here takes an estimated 200 bytes.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vtguard::op {

class CertificateMetricTable : public prometheus::Collectable {
 public:
  // The label values of the two timestamp series of one certificate.
  struct Labels {
    std::string namespace_;
    std::string name;
    std::string cluster;
    std::string component;
  };

  // Sets vtguard_certificate_expiration_timestamp_seconds and
  // vtguard_certificate_renewal_timestamp_seconds of the certificate, in Unix seconds.
  void SetTimestamps(const Labels& labels, double expiration_seconds, double renewal_seconds);
  // Sets vtguard_certificate_ready_status to 1 for `condition` (True, False or Unknown) and to
  // 0 for the other two.
  void SetReady(std::string_view ns, std::string_view name, std::string_view condition);
  // Removes every series of the certificates whose cluster label is `cluster` in `ns`.
  void RemoveCluster(std::string_view ns, std::string_view cluster);

  // Builds the three certificate families from the table, with the names, help texts and
  // label sets that prometheus::Family would export. Families without a series are left out.
  // NOTE: a scrape builds every series of a family at once, so with 1,000 clusters it takes
  // an estimated few MB of heap until the exposition is written.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Row {
    std::string cluster;
    std::string component;
    bool has_timestamps = false;
    double expiration_seconds = 0;
    double renewal_seconds = 0;
    std::string ready_condition;  // Empty until SetReady.
  };
  using Key = std::pair<std::string, std::string>;  // Namespace and Secret name.

  mutable std::mutex mu_;
  std::map<Key, Row> rows_;
};

}  // namespace vtguard::op
