// Admission webhooks called by the test API server, as kube-apiserver calls them.
#include "tests/apiserver/admission.h"

#include <gtest/gtest.h>

#include <mutex>

#include "common/kube/base64.h"
#include "common/kube/client.h"
#include "tests/apiserver/api_server.h"
#include "tests/apiserver/https_server.h"

namespace vtguard::testing {
namespace {

using kube::Base64Encode;

// A webhook server whose answer per path the test sets; it records every AdmissionReview.
class FakeWebhook {
 public:
  using Answer = std::function<nlohmann::json(const nlohmann::json& request)>;

  FakeWebhook() {
    ca_ = *CreateTestCa("webhook-ca");
    LeafRequest leaf;
    leaf.common_name = "vtguard-webhook";
    leaf.dns_names = {"vtguard-webhook.vtguard.svc"};
    leaf.ip_addresses = {"127.0.0.1"};
    HttpsServerOptions options;
    options.server = *IssueTestLeaf(ca_, leaf);
    server_ = std::move(
        *HttpsServer::Start(options, [this](const ServerRequest& request, ResponseWriter& writer) {
          nlohmann::json review = nlohmann::json::parse(request.body);
          Answer answer;
          {
            std::lock_guard<std::mutex> lock(mu_);
            reviews_.push_back({request.path, review});
            answer = answers_[request.path];
          }
          nlohmann::json response = answer ? answer(review["request"]) : nlohmann::json::object();
          response["uid"] = review["request"]["uid"];
          if (!response.contains("allowed")) response["allowed"] = true;
          writer.Send(200, "application/json",
                      nlohmann::json{{"apiVersion", "admission.k8s.io/v1"},
                                     {"kind", "AdmissionReview"},
                                     {"response", response}}
                          .dump());
        }));
  }
  ~FakeWebhook() { server_->Stop(); }

  void Answer_(const std::string& path, Answer answer) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_[path] = std::move(answer);
  }
  std::vector<std::pair<std::string, nlohmann::json>> reviews() {
    std::lock_guard<std::mutex> lock(mu_);
    return reviews_;
  }
  std::string ca_bundle() const { return Base64Encode(ca_.cert_pem); }
  std::string url(const std::string& path) const { return server_->url() + path; }
  int port() const { return server_->port(); }

 private:
  PemPair ca_;
  std::unique_ptr<HttpsServer> server_;
  std::mutex mu_;
  std::map<std::string, Answer> answers_;
  std::vector<std::pair<std::string, nlohmann::json>> reviews_;
};

nlohmann::json PatchResponse(const nlohmann::json& operations) {
  return {
      {"allowed", true}, {"patchType", "JSONPatch"}, {"patch", Base64Encode(operations.dump())}};
}

nlohmann::json Webhook(const std::string& name, const nlohmann::json& client_config,
                       const nlohmann::json& operations = {"CREATE", "UPDATE"}) {
  return {{"name", name},
          {"clientConfig", client_config},
          {"rules",
           {{{"operations", operations},
             {"apiGroups", {""}},
             {"apiVersions", {"v1"}},
             {"resources", {"secrets"}}}}},
          {"namespaceSelector",
           {{"matchExpressions", {{{"key", "vtguard.io/skip"}, {"operator", "DoesNotExist"}}}}}},
          {"sideEffects", "None"},
          {"admissionReviewVersions", {"v1"}},
          {"timeoutSeconds", 5}};
}

nlohmann::json Configuration(const std::string& kind, const std::string& name,
                             const nlohmann::json& webhooks) {
  return {{"apiVersion", "admissionregistration.k8s.io/v1"},
          {"kind", kind},
          {"metadata", {{"name", name}}},
          {"webhooks", webhooks}};
}

nlohmann::json Secret(const std::string& name) {
  return {{"metadata", {{"name", name}, {"labels", {{"app", "demo"}}}}}};
}

class AdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::move(*TestApiServer::Start());
    client_ = *kube::Client::Create(server_->ClientConfig());
  }
  nlohmann::json UrlConfig(const std::string& path) {
    return {{"url", webhook_.url(path)}, {"caBundle", webhook_.ca_bundle()}};
  }
  void Register(const nlohmann::json& configuration) {
    const kube::Resource& resource = configuration["kind"] == "MutatingWebhookConfiguration"
                                         ? kube::MutatingWebhookConfigurationsResource()
                                         : kube::ValidatingWebhookConfigurationsResource();
    Result<nlohmann::json> created = client_->Create(resource, "", configuration);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }

  FakeWebhook webhook_;
  std::unique_ptr<TestApiServer> server_;
  std::shared_ptr<kube::Client> client_;
};

TEST_F(AdmissionTest, MutatingWebhookPatchesObjectAndGetsFullReview) {
  webhook_.Answer_("/mutate", [](const nlohmann::json&) {
    return PatchResponse(nlohmann::json::array(
        {{{"op", "add"}, {"path", "/metadata/annotations"}, {"value", {{"injected", "yes"}}}}}));
  });
  Register(
      Configuration("MutatingWebhookConfiguration", "vtguard",
                    nlohmann::json::array({Webhook("secrets.vtguard.io", UrlConfig("/mutate"))})));
  Result<nlohmann::json> created = client_->Create(kube::SecretsResource(), "default", Secret("a"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ((*created)["metadata"]["annotations"]["injected"], "yes");

  auto reviews = webhook_.reviews();
  ASSERT_EQ(reviews.size(), 1u);
  const nlohmann::json& review = reviews[0].second;
  EXPECT_EQ(review["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(review["kind"], "AdmissionReview");
  const nlohmann::json& request = review["request"];
  EXPECT_FALSE(request["uid"].get<std::string>().empty());
  EXPECT_EQ(request["kind"],
            (nlohmann::json{{"group", ""}, {"version", "v1"}, {"kind", "Secret"}}));
  EXPECT_EQ(request["resource"]["resource"], "secrets");
  EXPECT_EQ(request["namespace"], "default");
  EXPECT_EQ(request["name"], "a");
  EXPECT_EQ(request["operation"], "CREATE");
  EXPECT_EQ(request["userInfo"]["username"], "test-admin");
  EXPECT_EQ(request["dryRun"], false);
  EXPECT_EQ(request["object"]["metadata"]["labels"]["app"], "demo");
  EXPECT_TRUE(request["oldObject"].is_null());
}

TEST_F(AdmissionTest, UpdateAndDeleteCarryOldObject) {
  Register(Configuration(
      "ValidatingWebhookConfiguration", "vtguard",
      nlohmann::json::array(
          {Webhook("secrets.vtguard.io", UrlConfig("/validate"), {"UPDATE", "DELETE"})})));
  ASSERT_TRUE(client_->Create(kube::SecretsResource(), "default", Secret("a")).ok());
  nlohmann::json patch = {{"metadata", {{"labels", {{"app", "changed"}}}}}};
  ASSERT_TRUE(
      client_->Patch(kube::SecretsResource(), "default", "a", kube::PatchType::kMerge, patch).ok());
  ASSERT_TRUE(client_->Delete(kube::SecretsResource(), "default", "a").ok());
  auto reviews = webhook_.reviews();
  ASSERT_EQ(reviews.size(), 2u);
  EXPECT_EQ(reviews[0].second["request"]["operation"], "UPDATE");
  EXPECT_EQ(reviews[0].second["request"]["oldObject"]["metadata"]["labels"]["app"], "demo");
  EXPECT_EQ(reviews[0].second["request"]["object"]["metadata"]["labels"]["app"], "changed");
  EXPECT_EQ(reviews[1].second["request"]["operation"], "DELETE");
  EXPECT_TRUE(reviews[1].second["request"]["object"].is_null());
  EXPECT_EQ(reviews[1].second["request"]["oldObject"]["metadata"]["name"], "a");
}

TEST_F(AdmissionTest, ValidatingWebhookDenialReachesClient) {
  webhook_.Answer_("/validate", [](const nlohmann::json&) {
    return nlohmann::json{{"allowed", false},
                          {"status", {{"code", 403}, {"message", "TLS flags are missing"}}}};
  });
  Register(Configuration(
      "ValidatingWebhookConfiguration", "vtguard",
      nlohmann::json::array({Webhook("secrets.vtguard.io", UrlConfig("/validate"))})));
  Result<nlohmann::json> created = client_->Create(kube::SecretsResource(), "default", Secret("a"));
  EXPECT_EQ(created.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(created.status().message().find(
                "admission webhook \"secrets.vtguard.io\" denied the request: TLS flags are "
                "missing"),
            std::string::npos)
      << created.status().message();
  EXPECT_EQ(client_->Get(kube::SecretsResource(), "default", "a").status().code(),
            ErrorCode::kNotFound);
}

TEST_F(AdmissionTest, NamespaceSelectorSkipsLabelledNamespace) {
  Register(Configuration(
      "ValidatingWebhookConfiguration", "vtguard",
      nlohmann::json::array({Webhook("secrets.vtguard.io", UrlConfig("/validate"))})));
  nlohmann::json ns = {{"metadata", {{"name", "skipped"}, {"labels", {{"vtguard.io/skip", "1"}}}}}};
  ASSERT_TRUE(client_->Create(kube::NamespacesResource(), "", ns).ok());
  ASSERT_TRUE(client_->Create(kube::SecretsResource(), "skipped", Secret("a")).ok());
  EXPECT_TRUE(webhook_.reviews().empty());
  ASSERT_TRUE(client_->Create(kube::SecretsResource(), "default", Secret("a")).ok());
  EXPECT_EQ(webhook_.reviews().size(), 1u);
}

TEST_F(AdmissionTest, ObjectSelectorMatchesLabels) {
  nlohmann::json hook = Webhook("secrets.vtguard.io", UrlConfig("/validate"));
  hook["objectSelector"] = {{"matchLabels", {{"vtguard.io/inject", "true"}}}};
  Register(
      Configuration("ValidatingWebhookConfiguration", "vtguard", nlohmann::json::array({hook})));
  ASSERT_TRUE(client_->Create(kube::SecretsResource(), "default", Secret("plain")).ok());
  nlohmann::json opted_in = Secret("opted-in");
  opted_in["metadata"]["labels"]["vtguard.io/inject"] = "true";
  ASSERT_TRUE(client_->Create(kube::SecretsResource(), "default", opted_in).ok());
  auto reviews = webhook_.reviews();
  ASSERT_EQ(reviews.size(), 1u);
  EXPECT_EQ(reviews[0].second["request"]["name"], "opted-in");
}

TEST_F(AdmissionTest, FailurePolicyDecidesWhenWebhookIsDown) {
  nlohmann::json down = {{"url", "https://127.0.0.1:1/validate"},
                         {"caBundle", webhook_.ca_bundle()}};
  nlohmann::json ignore = Webhook("ignore.vtguard.io", down);
  ignore["failurePolicy"] = "Ignore";
  Register(
      Configuration("ValidatingWebhookConfiguration", "a-ignore", nlohmann::json::array({ignore})));
  ASSERT_TRUE(client_->Create(kube::SecretsResource(), "default", Secret("a")).ok());

  Register(Configuration("ValidatingWebhookConfiguration", "b-fail",
                         nlohmann::json::array({Webhook("fail.vtguard.io", down)})));
  Result<nlohmann::json> created = client_->Create(kube::SecretsResource(), "default", Secret("b"));
  EXPECT_EQ(created.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(created.status().message().find("failed calling webhook \"fail.vtguard.io\""),
            std::string::npos);
}

TEST_F(AdmissionTest, ServiceReferenceVerifiesCaBundle) {
  server_->SetServiceAddress("vtguard/vtguard-webhook",
                             "127.0.0.1:" + std::to_string(webhook_.port()));
  nlohmann::json service = {
      {"service", {{"namespace", "vtguard"}, {"name", "vtguard-webhook"}, {"path", "/validate"}}}};
  nlohmann::json wrong_ca = service;
  wrong_ca["caBundle"] = Base64Encode(CreateTestCa("other")->cert_pem);
  Register(Configuration("ValidatingWebhookConfiguration", "vtguard",
                         nlohmann::json::array({Webhook("secrets.vtguard.io", wrong_ca)})));
  EXPECT_EQ(client_->Create(kube::SecretsResource(), "default", Secret("a")).status().code(),
            ErrorCode::kUnavailable);
  EXPECT_TRUE(webhook_.reviews().empty());

  nlohmann::json right_ca = service;
  right_ca["caBundle"] = webhook_.ca_bundle();
  nlohmann::json configuration =
      *client_->Get(kube::ValidatingWebhookConfigurationsResource(), "", "vtguard");
  configuration["webhooks"] = nlohmann::json::array({Webhook("secrets.vtguard.io", right_ca)});
  ASSERT_TRUE(
      client_->Update(kube::ValidatingWebhookConfigurationsResource(), "", configuration).ok());
  EXPECT_TRUE(client_->Create(kube::SecretsResource(), "default", Secret("a")).ok());
  EXPECT_EQ(webhook_.reviews().size(), 1u);
}

TEST_F(AdmissionTest, IfNeededReinvokesAfterLaterMutation) {
  // The first webhook records whether the second one's label is present; the second adds it.
  webhook_.Answer_("/first", [](const nlohmann::json& request) {
    bool seen = request["object"]["metadata"]["labels"].contains("second");
    return PatchResponse(nlohmann::json::array({{{"op", "add"},
                                                 {"path", "/metadata/labels/first-saw-second"},
                                                 {"value", seen ? "yes" : "no"}}}));
  });
  webhook_.Answer_("/second", [](const nlohmann::json&) {
    return PatchResponse(nlohmann::json::array(
        {{{"op", "add"}, {"path", "/metadata/labels/second"}, {"value", "1"}}}));
  });
  nlohmann::json first = Webhook("first.vtguard.io", UrlConfig("/first"));
  first["reinvocationPolicy"] = "IfNeeded";
  Register(Configuration("MutatingWebhookConfiguration", "a", nlohmann::json::array({first})));
  Register(
      Configuration("MutatingWebhookConfiguration", "b",
                    nlohmann::json::array({Webhook("second.vtguard.io", UrlConfig("/second"))})));
  Result<nlohmann::json> created = client_->Create(kube::SecretsResource(), "default", Secret("a"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ((*created)["metadata"]["labels"]["first-saw-second"], "yes");
  std::vector<std::string> paths;
  for (const auto& [path, review] : webhook_.reviews()) paths.push_back(path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/first", "/second", "/first"}));
}

TEST_F(AdmissionTest, DryRunIsSentToWebhook) {
  Register(Configuration(
      "ValidatingWebhookConfiguration", "vtguard",
      nlohmann::json::array({Webhook("secrets.vtguard.io", UrlConfig("/validate"))})));
  kube::WriteOptions dry_run;
  dry_run.dry_run = true;
  ASSERT_TRUE(client_->Create(kube::SecretsResource(), "default", Secret("a"), dry_run).ok());
  ASSERT_EQ(webhook_.reviews().size(), 1u);
  EXPECT_EQ(webhook_.reviews()[0].second["request"]["dryRun"], true);
}

}  // namespace
}  // namespace vtguard::testing
