// The admission path of vtguard-webhook without the network: one VitessCluster mutation of the
// vitess-operator example 101_initial_cluster.yaml. BM_HandleAdmission runs what the server runs
// per request after reading the body; the other benchmarks run one stage each, which splits the
// HTTPS benchmark (bench/webhook/run.sh) into its parts. See docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "common/vitess/admission.h"
#include "common/vitess/yaml_json.h"
#include "webhook/admission_review.h"
#include "webhook/metrics.h"
#include "webhook/policy_store.h"
#include "webhook/webhook.h"

namespace vtguard::webhook {
namespace {

namespace beast_http = boost::beast::http;

constexpr char kPolicyYaml[] = R"(apiVersion: vtguard.io/v1alpha1
kind: VitessTLSPolicy
metadata: {name: bench, namespace: example}
spec: {enforcement: Enforce}
)";

[[noreturn]] void Fail(const std::string& message) {
  std::cerr << "webhook_benchmark: " << message << "\n";
  std::abort();
}

// The AdmissionReview body that bench/webhook/make_review.py writes for the same manifest.
std::string MakeReviewBody() {
  const std::string path =
      std::string(VTGUARD_SHARED_DATA_DIR) + "/data/vitess-operator/101_initial_cluster.yaml";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) Fail("cannot read " + path);
  Result<std::vector<vitess::OrderedJson>> documents = vitess::ParseYamlDocuments(text.str());
  if (!documents.ok()) Fail(documents.status().ToString());
  for (const vitess::OrderedJson& document : *documents) {
    if (!document.is_object() || document.value("kind", "") != "VitessCluster") continue;
    nlohmann::json object = nlohmann::json::parse(document.dump());
    nlohmann::json review = {
        {"apiVersion", "admission.k8s.io/v1"},
        {"kind", "AdmissionReview"},
        {"request",
         {{"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"},
          {"kind", {{"group", "planetscale.com"}, {"version", "v2"}, {"kind", "VitessCluster"}}},
          {"resource",
           {{"group", "planetscale.com"}, {"version", "v2"}, {"resource", "vitessclusters"}}},
          {"name", object["metadata"]["name"]},
          {"namespace", object["metadata"].value("namespace", "default")},
          {"operation", "CREATE"},
          {"userInfo", {{"username", "kubernetes-admin"}, {"groups", {"system:masters"}}}},
          {"object", object},
          {"oldObject", nullptr},
          {"dryRun", false}}}};
    return review.dump();
  }
  Fail(path + " has no VitessCluster");
}

// The review body, a policy store holding the benchmark policy, and the decoded request.
struct Inputs {
  Inputs() : body(MakeReviewBody()) {
    Result<std::vector<vitess::TlsPolicy>> parsed = vitess::ParsePolicyYaml(kPolicyYaml);
    if (!parsed.ok()) Fail(parsed.status().ToString());
    store.Replace(*parsed);
    std::string uid;
    Result<AdmissionRequest> decoded = DecodeAdmissionReview(body, &uid);
    if (!decoded.ok()) Fail(decoded.status().ToString());
    request = *std::move(decoded);
  }

  std::string body;
  PolicyStore store;
  AdmissionRequest request;
};

const Inputs& GetInputs() {
  static const Inputs inputs;
  return inputs;
}

void BM_DecodeReview(benchmark::State& state) {
  const Inputs& inputs = GetInputs();
  for (auto _ : state) {
    std::string uid;
    Result<AdmissionRequest> decoded = DecodeAdmissionReview(inputs.body, &uid);
    benchmark::DoNotOptimize(decoded);
  }
}

void BM_SelectPolicy(benchmark::State& state) {
  const Inputs& inputs = GetInputs();
  for (auto _ : state) {
    auto policy = inputs.store.Select(vitess::ObjectKind::kVitessCluster, inputs.request.object,
                                      inputs.request.namespace_);
    benchmark::DoNotOptimize(policy);
  }
}

void BM_MutateCluster(benchmark::State& state) {
  const Inputs& inputs = GetInputs();
  const auto policy = inputs.store.Select(vitess::ObjectKind::kVitessCluster, inputs.request.object,
                                          inputs.request.namespace_);
  if (!policy) Fail("the benchmark policy does not select the cluster");
  for (auto _ : state) {
    vitess::MutationResult result =
        vitess::MutateVitessCluster(*policy, inputs.request.object, nullptr);
    benchmark::DoNotOptimize(result);
  }
}

void BM_EncodeResponse(benchmark::State& state) {
  const Inputs& inputs = GetInputs();
  AdmissionRequest request = inputs.request;
  vitess::AdmissionDecision decision =
      MakePolicyHandler(inputs.store)(request, vitess::AdmissionStage::kMutate);
  if (decision.patch.empty()) Fail("the mutation returned no patch");
  for (auto _ : state) {
    std::string body = EncodeAdmissionResponse(inputs.request.uid, decision);
    benchmark::DoNotOptimize(body);
  }
}

// Measures one request between the body read and the response write: decode, select, mutate,
// encode, metrics.
void BM_HandleAdmission(benchmark::State& state) {
  const Inputs& inputs = GetInputs();
  WebhookMetrics metrics;
  Webhook webhook(MakePolicyHandler(inputs.store), metrics, nullptr);
  http::Request request(beast_http::verb::post, "/mutate/vitesscluster", 11);
  request.set(beast_http::field::content_type, "application/json");
  request.body() = inputs.body;
  for (auto _ : state) {
    http::Response response = webhook.HandleAdmission(request, vitess::ObjectKind::kVitessCluster,
                                                      vitess::AdmissionStage::kMutate);
    benchmark::DoNotOptimize(response);
  }
  state.counters["requests_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_DecodeReview);
BENCHMARK(BM_SelectPolicy);
BENCHMARK(BM_MutateCluster);
BENCHMARK(BM_EncodeResponse);
BENCHMARK(BM_HandleAdmission);

}  // namespace
}  // namespace vtguard::webhook
