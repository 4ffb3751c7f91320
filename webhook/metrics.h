// The webhook's Prometheus metrics (names fixed by the deployment contract).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <string_view>

namespace vtguard::webhook {

class WebhookMetrics {
 public:
  WebhookMetrics();

  // result: allowed, denied, patched or error.
  void CountRequest(std::string_view kind, std::string_view operation, std::string_view result);
  void ObserveDuration(std::string_view kind, double seconds);
  void CountDenial(std::string_view kind);
  void CountPatch(std::string_view kind);
  // result: success or failure.
  void CountCertificateReload(bool success);
  void CountRequestError(std::string_view reason);
  void SetReady(bool ready);

  // The registry in Prometheus text exposition format 0.0.4.
  std::string Serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Counter>& denials_;
  prometheus::Family<prometheus::Counter>& patches_;
  prometheus::Family<prometheus::Counter>& reloads_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Gauge& ready_;
};

}  // namespace vtguard::webhook
