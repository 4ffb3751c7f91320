// The admission webhook's HTTP surface: admission routes, health, readiness and metrics.
//
// The webhook is a thin transport: it decodes the AdmissionReview, asks an AdmissionHandler
// for the decision, encodes the response and counts it. Decisions come from the Vitess core
// (common/vitess/admission.h) through MakePolicyHandler; tests can pass their own handler.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/base/log.h"
#include "common/base/status.h"
#include "common/http/router.h"
#include "common/vitess/admission.h"
#include "webhook/admission_review.h"
#include "webhook/metrics.h"
#include "webhook/policy_store.h"

namespace vtguard::webhook {

// Decides one admission request at one stage. Must not throw and must not block on I/O. The
// handler owns the request for the call and may change its objects in place (no copies).
using AdmissionHandler =
    std::function<vitess::AdmissionDecision(AdmissionRequest&, vitess::AdmissionStage)>;

// Returns OK when the webhook can serve, else why not (for /readyz).
using ReadinessCheck = std::function<Status()>;

// Decides with the policy that `store` selects for the object; no policy allows without patch.
// A dry run never records violations.
AdmissionHandler MakePolicyHandler(const PolicyStore& store);

class Webhook {
 public:
  Webhook(AdmissionHandler handler, WebhookMetrics& metrics, ReadinessCheck readiness);

  // Routes of the HTTPS port: the four admission paths, /healthz and /readyz.
  const http::Router& router() const { return router_; }
  // Routes of the plain-HTTP port: /metrics, /healthz and /readyz.
  const http::Router& metrics_router() const { return metrics_router_; }

  // Handles one POST to an admission path; public for the fuzz target.
  http::Response HandleAdmission(const http::Request& request, vitess::ObjectKind kind,
                                 vitess::AdmissionStage stage);

 private:
  http::Response HandleReadyz();
  http::Response HandleMetrics();

  AdmissionHandler handler_;
  WebhookMetrics& metrics_;
  // One warning per second for malformed reviews, so that a misbehaving client cannot flood
  // the log; the metric counts every one.
  log::LogLimiter malformed_log_{std::chrono::seconds(1)};
  ReadinessCheck readiness_;
  http::Router router_;
  http::Router metrics_router_;
};

}  // namespace vtguard::webhook
