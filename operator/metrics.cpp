#include "operator/metrics.h"

#include <prometheus/text_serializer.h>

#include <chrono>

namespace vtguard::op {

namespace {

double ToUnixSeconds(SystemTime t) {
  return static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

}  // namespace

OperatorMetrics::OperatorMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      certificates_(std::make_shared<CertificateMetricTable>()),
      rotation_phase_(prometheus::BuildGauge()
                          .Name("vtguard_rotation_phase")
                          .Help("CA rotation phase of a cluster: 0 none, 1 new CA, 2 trust both, "
                                "3 leaves re-issued, 4 old CA dropped.")
                          .Register(*registry_)),
      reconciles_(prometheus::BuildCounter()
                      .Name("vtguard_reconcile_total")
                      .Help("Reconciles by controller and result (success, error, requeue).")
                      .Register(*registry_)),
      reconcile_duration_(prometheus::BuildHistogram()
                              .Name("vtguard_reconcile_duration_seconds")
                              .Help("Wall time of one reconcile, by controller.")
                              .Register(*registry_)),
      violations_(prometheus::BuildGauge()
                      .Name("vtguard_audit_violations")
                      .Help("TLS policy violations found in a VitessCluster by the audit.")
                      .Register(*registry_)),
      leader_(prometheus::BuildGauge()
                  .Name("vtguard_operator_leader")
                  .Help("1 while this operator instance holds the leader Lease.")
                  .Register(*registry_)) {}

void OperatorMetrics::SetCertificate(const CertificateLabels& labels, SystemTime not_after,
                                     SystemTime renewal) {
  certificates_->SetTimestamps(labels, ToUnixSeconds(not_after), ToUnixSeconds(renewal));
}

void OperatorMetrics::SetCertificateReady(std::string_view ns, std::string_view name,
                                          std::string_view condition) {
  certificates_->SetReady(ns, name, condition);
}

void OperatorMetrics::SetRotationPhase(std::string_view ns, std::string_view cluster, int phase) {
  rotation_phase_.Add({{"namespace", std::string(ns)}, {"cluster", std::string(cluster)}})
      .Set(phase);
}

void OperatorMetrics::SetAuditViolations(std::string_view ns, std::string_view cluster, int count) {
  violations_.Add({{"namespace", std::string(ns)}, {"cluster", std::string(cluster)}}).Set(count);
}

void OperatorMetrics::RemoveCluster(std::string_view ns, std::string_view cluster) {
  certificates_->RemoveCluster(ns, cluster);
  const prometheus::Labels labels = {{"namespace", std::string(ns)},
                                     {"cluster", std::string(cluster)}};
  // Family::Add returns the existing series for these labels, or a new one that is removed
  // at once.
  rotation_phase_.Remove(&rotation_phase_.Add(labels));
  violations_.Remove(&violations_.Add(labels));
}

void OperatorMetrics::ObserveReconcile(std::string_view controller, std::string_view result,
                                       double seconds) {
  reconciles_.Add({{"controller", std::string(controller)}, {"result", std::string(result)}})
      .Increment();
  reconcile_duration_
      .Add({{"controller", std::string(controller)}},
           prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5})
      .Observe(seconds);
}

void OperatorMetrics::SetLeader(bool leader) { leader_.Add({}).Set(leader ? 1 : 0); }

std::string OperatorMetrics::Serialize() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (prometheus::MetricFamily& family : certificates_->Collect()) {
    families.push_back(std::move(family));
  }
  prometheus::TextSerializer serializer;
  return serializer.Serialize(families);
}

}  // namespace vtguard::op
