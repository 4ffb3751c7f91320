#include "webhook/webhook.h"

#include <chrono>

#include "common/base/log.h"

namespace vtguard::webhook {
namespace beast_http = boost::beast::http;
namespace {

struct KindInfo {
  std::string_view group;
  std::string_view kind;
  std::string_view label;  // Metric label value.
};

KindInfo Describe(vitess::ObjectKind kind) {
  if (kind == vitess::ObjectKind::kPod) return {"", "Pod", "Pod"};
  return {"planetscale.com", "VitessCluster", "VitessCluster"};
}

http::Response JsonResponse(std::string body) {
  http::Response response(beast_http::status::ok, 11);
  response.set(beast_http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

std::string_view ResultLabel(const vitess::AdmissionDecision& decision) {
  if (!decision.allowed) return "denied";
  if (!decision.patch.empty()) return "patched";
  return "allowed";
}

}  // namespace

// The maximum uid length written to the log. The API server sends 36-character UUIDs, but any
// client can send more, and the response still echoes the whole uid.
constexpr std::size_t kMaxLoggedUid = 64;

AdmissionHandler MakePolicyHandler(const PolicyStore& store) {
  return [&store](AdmissionRequest& request, vitess::AdmissionStage stage) {
    const vitess::ObjectKind kind =
        vitess::ParseObjectKind(request.kind).value_or(vitess::ObjectKind::kVitessCluster);
    // On DELETE only oldObject is set; the decision core allows it without looking further.
    nlohmann::json& object = request.object.is_null() ? request.old_object : request.object;
    if (object.is_object() && !request.namespace_.empty()) {
      // The API server leaves metadata.namespace empty on CREATE, and selection needs it. A
      // metadata that is not an object is left as it is.
      nlohmann::json& metadata = object["metadata"];
      if (metadata.is_null()) metadata = nlohmann::json::object();
      if (metadata.is_object()) metadata["namespace"] = request.namespace_;
    }
    std::optional<vitess::TlsPolicy> policy = store.Select(kind, object, request.namespace_);
    const vitess::AdmissionRequestInfo info{
        .kind = kind, .operation = request.operation, .stage = stage, .dry_run = request.dry_run};
    const nlohmann::json* old_object =
        request.old_object.is_object() ? &request.old_object : nullptr;
    if (&object == &request.object) {
      // Nothing reads the object after the decision, so it moves into the mutation.
      return vitess::Decide(policy ? &*policy : nullptr, info, std::move(request.object),
                            old_object);
    }
    return vitess::Decide(policy ? &*policy : nullptr, info, object, old_object);
  };
}

Webhook::Webhook(AdmissionHandler handler, WebhookMetrics& metrics, ReadinessCheck readiness)
    : handler_(std::move(handler)), metrics_(metrics), readiness_(std::move(readiness)) {
  using vitess::AdmissionStage;
  using vitess::ObjectKind;
  const struct {
    const char* path;
    ObjectKind kind;
    AdmissionStage stage;
  } admission_paths[] = {
      {"/mutate/vitesscluster", ObjectKind::kVitessCluster, AdmissionStage::kMutate},
      {"/validate/vitesscluster", ObjectKind::kVitessCluster, AdmissionStage::kValidate},
      {"/mutate/pod", ObjectKind::kPod, AdmissionStage::kMutate},
      {"/validate/pod", ObjectKind::kPod, AdmissionStage::kValidate},
  };
  for (const auto& entry : admission_paths) {
    router_.Add({beast_http::verb::post, entry.path, "application/json",
                 [this, kind = entry.kind, stage = entry.stage](const http::Request& request) {
                   return HandleAdmission(request, kind, stage);
                 }});
  }
  auto healthz = [](const http::Request&) {
    return http::MakeTextResponse(beast_http::status::ok, "ok");
  };
  auto readyz = [this](const http::Request&) { return HandleReadyz(); };
  for (http::Router* router : {&router_, &metrics_router_}) {
    router->Add({beast_http::verb::get, "/healthz", "", healthz});
    router->Add({beast_http::verb::get, "/readyz", "", readyz});
  }
  metrics_router_.Add({beast_http::verb::get, "/metrics", "",
                       [this](const http::Request&) { return HandleMetrics(); }});
}

http::Response Webhook::HandleAdmission(const http::Request& request, vitess::ObjectKind kind,
                                        vitess::AdmissionStage stage) {
  const auto start = std::chrono::steady_clock::now();
  const KindInfo expected = Describe(kind);
  std::string uid;
  Result<AdmissionRequest> decoded = DecodeAdmissionReview(request.body(), &uid);
  if (!decoded.ok()) {
    metrics_.CountRequestError("malformed_review");
    metrics_.CountRequest(expected.label, "", "error");
    std::int64_t suppressed = 0;
    if (malformed_log_.Allow("malformed_review", &suppressed)) {
      log::Warn("Rejected a malformed admission review.",
                {{log::Key::kUid, TruncateUtf8(uid, kMaxLoggedUid)},
                 {log::Key::kError, decoded.status().ToString()},
                 {log::Key::kSuppressed, suppressed}});
    }
    if (uid.empty()) {
      return http::MakeTextResponse(beast_http::status::bad_request, decoded.status().message());
    }
    return JsonResponse(EncodeErrorResponse(uid, 400, decoded.status().message()));
  }
  AdmissionRequest& review = *decoded;
  if (review.kind != expected.kind || review.group != expected.group) {
    metrics_.CountRequestError("unexpected_kind");
    metrics_.CountRequest(expected.label, review.operation, "error");
    return JsonResponse(EncodeErrorResponse(
        uid, 400,
        "this endpoint handles " + std::string(expected.kind) + ", got " +
            TruncateUtf8(review.group.empty() ? review.kind : review.group + "/" + review.kind,
                         80) +
            "; check the rules of the webhook configuration"));
  }

  const vitess::AdmissionDecision decision = handler_(review, stage);
  std::string body = EncodeAdmissionResponse(review.uid, decision);

  metrics_.CountRequest(expected.label, review.operation, ResultLabel(decision));
  // A dry run writes nothing, so it counts as no denial and no patch.
  if (!review.dry_run && !decision.allowed) metrics_.CountDenial(expected.label);
  if (!review.dry_run && decision.allowed && !decision.patch.empty()) {
    metrics_.CountPatch(expected.label);
  }
  metrics_.ObserveDuration(
      expected.label,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (!decision.allowed) {
    log::Info("Denied an admission request.",
              {{log::Key::kUid, TruncateUtf8(review.uid, kMaxLoggedUid)},
               {log::Key::kKind, review.kind},
               {log::Key::kNamespace, review.namespace_},
               {log::Key::kName, review.name},
               {log::Key::kOperation, review.operation}});
  }
  return JsonResponse(std::move(body));
}

http::Response Webhook::HandleReadyz() {
  const Status ready = readiness_ ? readiness_() : Status::Ok();
  metrics_.SetReady(ready.ok());
  if (ready.ok()) return http::MakeTextResponse(beast_http::status::ok, "ready");
  return http::MakeTextResponse(beast_http::status::service_unavailable,
                                "not ready: " + ready.message());
}

http::Response Webhook::HandleMetrics() {
  metrics_.SetReady(!readiness_ || readiness_().ok());
  http::Response response(beast_http::status::ok, 11);
  response.set(beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.body() = metrics_.Serialize();
  return response;
}

}  // namespace vtguard::webhook
