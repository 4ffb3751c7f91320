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

namespace vtguard::op {

class OperatorMetrics {
 public:
  OperatorMetrics();

  struct CertificateLabels {
    std::string namespace_;
    std::string name;
    std::string cluster;
    std::string component;
  };
  void SetCertificate(const CertificateLabels& labels, SystemTime not_after, SystemTime renewal);
  // Sets vtguard_certificate_ready_status to 1 for `condition` (True/False/Unknown), 0 else.
  void SetCertificateReady(std::string_view ns, std::string_view name, std::string_view condition);
  void SetRotationPhase(std::string_view ns, std::string_view cluster, int phase);
  void SetAuditViolations(std::string_view ns, std::string_view cluster, int count);
  void ObserveReconcile(std::string_view controller, std::string_view result, double seconds);
  void SetLeader(bool leader);

  // The Prometheus text exposition of every metric.
  std::string Serialize() const;

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& expiration_;
  prometheus::Family<prometheus::Gauge>& ready_;
  prometheus::Family<prometheus::Gauge>& renewal_;
  prometheus::Family<prometheus::Gauge>& rotation_phase_;
  prometheus::Family<prometheus::Counter>& reconciles_;
  prometheus::Family<prometheus::Histogram>& reconcile_duration_;
  prometheus::Family<prometheus::Gauge>& violations_;
  prometheus::Family<prometheus::Gauge>& leader_;
};

}  // namespace vtguard::op
