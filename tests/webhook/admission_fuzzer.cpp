// libFuzzer target: arbitrary bytes as the body of a POST to each admission path, through the
// same decode -> decide -> encode path that the server runs.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/base/log.h"
#include "common/vitess/json_parse.h"
#include "common/vitess/policy.h"
#include "webhook/admission_review.h"
#include "webhook/webhook.h"

namespace {

using vtguard::webhook::Webhook;

Webhook& FuzzWebhook() {
  static vtguard::webhook::WebhookMetrics metrics;
  static vtguard::webhook::PolicyStore policies;
  static Webhook webhook = [] {
    vtguard::log::SetLevel(vtguard::log::Level::kError);
    vtguard::vitess::TlsPolicy policy = vtguard::vitess::DefaultPolicy();
    policy.name = "fuzz";
    policies.Replace({policy});
    return Webhook(vtguard::webhook::MakePolicyHandler(policies), metrics, nullptr);
  }();
  return webhook;
}

// The webhook's parser must accept what nlohmann's accepts, with the same value, except texts
// nested deeper than its limit, and must reject everything else.
void CheckParserAgreesWithNlohmann(const std::string& text) {
  const nlohmann::json expected = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const auto parsed = vtguard::vitess::ParseJson(text, vtguard::webhook::kMaxJsonDepth);
  if (expected.is_discarded()) {
    if (parsed.ok()) __builtin_trap();
    return;
  }
  if (!parsed.ok()) {
    if (!vtguard::webhook::ExceedsJsonDepth(text, vtguard::webhook::kMaxJsonDepth))
      __builtin_trap();
    return;
  }
  if (*parsed != expected) __builtin_trap();
  if (parsed->dump() != expected.dump()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Webhook& webhook = FuzzWebhook();
  vtguard::http::Request request(boost::beast::http::verb::post, "/mutate/vitesscluster", 11);
  request.body().assign(reinterpret_cast<const char*>(data), size);
  CheckParserAgreesWithNlohmann(request.body());
  using vtguard::vitess::AdmissionStage;
  using vtguard::vitess::ObjectKind;
  for (ObjectKind kind : {ObjectKind::kVitessCluster, ObjectKind::kPod}) {
    for (AdmissionStage stage : {AdmissionStage::kMutate, AdmissionStage::kValidate}) {
      vtguard::http::Response response = webhook.HandleAdmission(request, kind, stage);
      // Every response is either a 200 AdmissionReview or a 400 with a reason.
      if (response.result_int() != 200 && response.result_int() != 400) __builtin_trap();
      if (response.body().empty()) __builtin_trap();
    }
  }
  return 0;
}
