#include "webhook/metrics.h"

#include <prometheus/text_serializer.h>

namespace vtguard::webhook {
namespace {

using prometheus::BuildCounter;

// Admission calls take well under a millisecond; the API server's own timeout is at most 30 s.
const prometheus::Histogram::BucketBoundaries& DurationBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0};
  return buckets;
}

}  // namespace

WebhookMetrics::WebhookMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(BuildCounter()
                    .Name("vtguard_webhook_admission_requests_total")
                    .Help("Admission requests by object kind, operation and result.")
                    .Register(*registry_)),
      duration_(prometheus::BuildHistogram()
                    .Name("vtguard_webhook_admission_duration_seconds")
                    .Help("Time to decide one admission request, from body to response.")
                    .Register(*registry_)),
      denials_(BuildCounter()
                   .Name("vtguard_webhook_admission_denials_total")
                   .Help("Admission requests denied, not counting dry runs.")
                   .Register(*registry_)),
      patches_(BuildCounter()
                   .Name("vtguard_webhook_patches_total")
                   .Help("Admission responses that carried a patch, not counting dry runs.")
                   .Register(*registry_)),
      reloads_(BuildCounter()
                   .Name("vtguard_webhook_certificate_reloads_total")
                   .Help("Serving certificate loads by result.")
                   .Register(*registry_)),
      errors_(BuildCounter()
                  .Name("vtguard_webhook_request_errors_total")
                  .Help("Requests or connections rejected before a decision, by reason.")
                  .Register(*registry_)),
      ready_(prometheus::BuildGauge()
                 .Name("vtguard_webhook_ready")
                 .Help("1 when a serving certificate and the policies are loaded, else 0.")
                 .Register(*registry_)
                 .Add({})) {}

void WebhookMetrics::CountRequest(std::string_view kind, std::string_view operation,
                                  std::string_view result) {
  requests_
      .Add({{"kind", std::string(kind)},
            {"operation", std::string(operation)},
            {"result", std::string(result)}})
      .Increment();
}

void WebhookMetrics::ObserveDuration(std::string_view kind, double seconds) {
  duration_.Add({{"kind", std::string(kind)}}, DurationBuckets()).Observe(seconds);
}

void WebhookMetrics::CountDenial(std::string_view kind) {
  denials_.Add({{"kind", std::string(kind)}}).Increment();
}

void WebhookMetrics::CountPatch(std::string_view kind) {
  patches_.Add({{"kind", std::string(kind)}}).Increment();
}

void WebhookMetrics::CountCertificateReload(bool success) {
  reloads_.Add({{"result", success ? "success" : "failure"}}).Increment();
}

void WebhookMetrics::CountRequestError(std::string_view reason) {
  errors_.Add({{"reason", std::string(reason)}}).Increment();
}

void WebhookMetrics::SetReady(bool ready) { ready_.Set(ready ? 1 : 0); }

std::string WebhookMetrics::Serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace vtguard::webhook
