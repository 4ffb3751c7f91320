// The operator's Prometheus metrics, with the names and labels of vtguard's contract.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/base/time.h"
#include "operator/certificate_metrics.h"

namespace vtguard::op {

class OperatorMetrics {
 public:
  OperatorMetrics();

  using CertificateLabels = CertificateMetricTable::Labels;
  void SetCertificate(const CertificateLabels& labels, SystemTime not_after, SystemTime renewal);
  // Sets vtguard_certificate_ready_status to 1 for `condition` (True/False/Unknown), 0 else.
  void SetCertificateReady(std::string_view ns, std::string_view name, std::string_view condition);
  void SetRotationPhase(std::string_view ns, std::string_view cluster, int phase);
  void SetAuditViolations(std::string_view ns, std::string_view cluster, int count);
  // Removes the series of a cluster that is deleted or no longer managed: its certificates,
  // its rotation phase and its audit violations.
  void RemoveCluster(std::string_view ns, std::string_view cluster);
  void ObserveReconcile(std::string_view controller, std::string_view result, double seconds);
  void SetLeader(bool leader);

  // The Prometheus text exposition of every metric: the registry's families, then the
  // certificate families.
  std::string Serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  // prometheus-cpp 1.0's Registry cannot hold a custom Collectable, so Serialize collects
  // this one next to it.
  std::shared_ptr<CertificateMetricTable> certificates_;
  prometheus::Family<prometheus::Gauge>& rotation_phase_;
  prometheus::Family<prometheus::Counter>& reconciles_;
  prometheus::Family<prometheus::Histogram>& reconcile_duration_;
  prometheus::Family<prometheus::Gauge>& violations_;
  prometheus::Family<prometheus::Gauge>& leader_;
};

}  // namespace vtguard::op
