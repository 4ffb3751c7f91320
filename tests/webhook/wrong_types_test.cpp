// Type sweeps over real AdmissionReviews: the admission cases and a review of the vitess-operator
// 101 cluster. Each variant goes through the webhook's admission handler and must get a 200
// AdmissionReview or a 400 with a reason, never a 500. Every patch must apply to the object sent.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/vitess/policy.h"
#include "tests/vitess/retype.h"
#include "tests/webhook/webhook_fixture.h"

namespace vtguard::webhook {
namespace {

namespace beast_http = boost::beast::http;
using nlohmann::json;
using testing::Base64Decode;
using testing::LoadJsonFile;
using testing::LoadVitessCluster;
using testing::MakeReview;
using testing::SharedData;
using vtguard::testing::ForEachRetyped;

struct ReviewInput {
  std::string name;
  vitess::ObjectKind kind;
  json review;
};

std::vector<ReviewInput> Reviews() {
  std::vector<ReviewInput> out;
  for (const char* file : {"01-annotation-slash.json", "02-no-volumes.json",
                           "03-double-injection.json", "05-pod-update-no-spec-patch.json"}) {
    out.push_back(
        {file, vitess::ObjectKind::kPod, LoadJsonFile(SharedData(std::string("cases/") + file))});
  }
  json cluster = LoadVitessCluster(SharedData("data/vitess-operator/101_initial_cluster.yaml"));
  out.push_back({"101_initial_cluster.yaml", vitess::ObjectKind::kVitessCluster,
                 MakeReview("VitessCluster", "UPDATE", cluster, cluster)});
  return out;
}

// Returns "" when `response` is a well-formed response to `review`, else what is wrong.
std::string CheckResponse(const json& review, const http::Response& response) {
  if (response.result() == beast_http::status::bad_request) {
    return response.body().empty() ? "400 without a reason" : "";
  }
  if (response.result() != beast_http::status::ok) {
    return "status " + std::to_string(response.result_int()) + ": " + response.body();
  }
  json answer = json::parse(response.body(), nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object() || !answer.contains("response")) return "not an AdmissionReview";
  const json& result = answer["response"];
  if (!result.contains("patch")) return "";
  // A patch is only ever made for an object that was read, so request.object is an object.
  try {
    (void)review.at("request").at("object").patch(json::parse(Base64Decode(result["patch"])));
  } catch (const std::exception& error) {
    return std::string("the patch does not apply: ") + error.what();
  }
  return "";
}

TEST(WrongTypes, WebhookRespondsToRetypedReviews) {
  PolicyStore policies;
  auto parsed = vitess::ParsePolicyYaml(testing::PolicyYaml(""));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  policies.Replace(*parsed);
  WebhookMetrics metrics;
  Webhook webhook(MakePolicyHandler(policies), metrics, nullptr);
  log::SetLevel(log::Level::kError);

  int variants = 0;
  int failures = 0;
  for (const ReviewInput& input : Reviews()) {
    ForEachRetyped(
        input.review, [&](const json& variant, const std::string& pointer, const json& value) {
          ++variants;
          http::Request request(beast_http::verb::post, "/mutate", 11);
          request.set(beast_http::field::content_type, "application/json");
          request.body() = variant.dump();
          for (vitess::AdmissionStage stage :
               {vitess::AdmissionStage::kMutate, vitess::AdmissionStage::kValidate}) {
            std::string error;
            try {
              error = CheckResponse(variant, webhook.HandleAdmission(request, input.kind, stage));
            } catch (const std::exception& thrown) {
              error = std::string("threw: ") + thrown.what();
            }
            if (!error.empty() && ++failures <= 10) {
              ADD_FAILURE() << input.name << " with " << pointer << " = " << value.dump() << " ("
                            << (stage == vitess::AdmissionStage::kMutate ? "mutate" : "validate")
                            << "): " << error;
            }
          }
        });
  }
  log::SetLevel(log::Level::kInfo);
  EXPECT_GT(variants, 5000) << "the inputs shrank; is the reference data complete?";
  EXPECT_EQ(failures, 0) << "over " << variants << " variants";
}

}  // namespace
}  // namespace vtguard::webhook
