#include "tests/webhook/webhook_fixture.h"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>

#include "common/http/tls_context.h"
#include "common/vitess/yaml_json.h"

namespace vtguard::webhook::testing {

std::string SharedData(const std::string& relative) {
  return std::string(VTGUARD_SHARED_DATA_DIR) + "/" + relative;
}

std::string PolicyYaml(const std::string& ns, const std::string& enforcement) {
  std::string yaml =
      "apiVersion: vtguard.io/v1alpha1\nkind: VitessTLSPolicy\nmetadata:\n  name: tls\n";
  if (!ns.empty()) yaml += "  namespace: " + ns + "\n";
  return yaml + "spec:\n  enforcement: " + enforcement + "\n";
}

static std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<nlohmann::json> LoadYamlDocuments(const std::string& path) {
  auto documents = vitess::ParseYamlDocuments(ReadFile(path));
  EXPECT_TRUE(documents.ok()) << documents.status().ToString();
  std::vector<nlohmann::json> out;
  if (!documents.ok()) return out;
  for (const auto& document : *documents) {
    if (!document.is_null()) out.push_back(nlohmann::json::parse(document.dump()));
  }
  return out;
}

nlohmann::json LoadVitessCluster(const std::string& path) {
  for (const nlohmann::json& document : LoadYamlDocuments(path)) {
    if (document.value("kind", "") == "VitessCluster") return document;
  }
  ADD_FAILURE() << "no VitessCluster in " << path;
  return nullptr;
}

nlohmann::json LoadJsonFile(const std::string& path) {
  return nlohmann::json::parse(ReadFile(path));
}

nlohmann::json MakeReview(const std::string& kind, const std::string& operation,
                          const nlohmann::json& object, const nlohmann::json& old_object,
                          bool dry_run) {
  const bool pod = kind == "Pod";
  const nlohmann::json& source = object.is_null() ? old_object : object;
  nlohmann::json request = {
      {"uid", "0f6e1c3a-2d4b-4e5f-8a9b-" + std::string(pod ? "00000000p0d1" : "0000000c1u57")},
      {"kind",
       {{"group", pod ? "" : "planetscale.com"}, {"version", pod ? "v1" : "v2"}, {"kind", kind}}},
      {"resource",
       {{"group", pod ? "" : "planetscale.com"},
        {"version", pod ? "v1" : "v2"},
        {"resource", pod ? "pods" : "vitessclusters"}}},
      {"name", source["metadata"].value("name", "")},
      {"namespace", source["metadata"].value("namespace", "")},
      {"operation", operation},
      {"userInfo", {{"username", "kubernetes-admin"}, {"groups", {"system:masters"}}}},
      {"object", object},
      {"oldObject", old_object},
      {"dryRun", dry_run}};
  return {{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"request", request}};
}

std::string Base64Decode(const std::string& text) {
  std::string out(text.size() / 4 * 3, '\0');
  const int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                   reinterpret_cast<const unsigned char*>(text.data()),
                                   static_cast<int>(text.size()));
  EXPECT_GE(size, 0) << "invalid base64";
  out.resize(size < 0 ? 0 : static_cast<std::size_t>(size));
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  std::size_t padding = 0;
  while (padding < 2 && text.size() > padding && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  out.resize(out.size() - padding);
  return out;
}

nlohmann::json ApplyResponsePatch(const nlohmann::json& object, const nlohmann::json& review) {
  const nlohmann::json& response = review.at("response");
  if (!response.contains("patch")) return object;
  EXPECT_EQ(response.value("patchType", ""), "JSONPatch");
  const nlohmann::json patch =
      nlohmann::json::parse(Base64Decode(response.at("patch").get<std::string>()));
  try {
    return object.patch(patch);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "patch does not apply under RFC 6902: " << e.what() << "\n" << patch.dump();
    return object;
  }
}

void WebhookFixture::SetUp() {
  http::testing::WriteSecretVolume(dir_.path(), pki_.IssueServer(7), 1);
  ASSERT_TRUE(certificates_.LoadFromDirectory(dir_.path()).ok());
}

void WebhookFixture::StartWebhook(const std::string* policy_yaml) {
  if (policy_yaml != nullptr) {
    auto policies = vitess::ParsePolicyYaml(*policy_yaml);
    ASSERT_TRUE(policies.ok()) << policies.status().ToString();
    policies_.Replace(*policies);
  }
  ReadinessCheck readiness = [this]() -> Status {
    if (!certificates_.HasCertificate()) return FailedPrecondition("no serving certificate");
    if (!policies_.known()) return FailedPrecondition("policies are not loaded yet");
    return Status::Ok();
  };
  webhook_ = std::make_unique<Webhook>(MakePolicyHandler(policies_), metrics_, readiness);
  auto tls = http::MakeServerTlsContext(certificates_);
  ASSERT_TRUE(tls.ok());
  http::ServerLimits limits;
  limits.header_timeout = std::chrono::milliseconds(500);
  limits.body_timeout = std::chrono::milliseconds(500);
  auto count_error = [this](std::string_view reason) { metrics_.CountRequestError(reason); };
  https_ = std::make_unique<http::testing::RunningServer>(webhook_->router(), *tls, limits, 2,
                                                          count_error);
  plain_ = std::make_unique<http::testing::RunningServer>(webhook_->metrics_router(), nullptr);
  client_ = std::make_unique<http::testing::TestClient>(https_->port(), ClientTls());
}

http::testing::ClientOptions WebhookFixture::ClientTls() const {
  http::testing::ClientOptions options;
  options.ca_pem = pki_.ca_pem();
  return options;
}

Result<http::Response> WebhookFixture::Post(const std::string& path, const std::string& body,
                                            const std::string& content_type) {
  return client_->Post(path, body, content_type);
}

nlohmann::json WebhookFixture::Review(const std::string& path, const nlohmann::json& review) {
  auto response = Post(path, review.dump());
  EXPECT_TRUE(response.ok()) << response.status().ToString();
  if (!response.ok()) return nullptr;
  EXPECT_EQ(response->result_int(), 200u) << response->body();
  EXPECT_EQ((*response)[boost::beast::http::field::content_type], "application/json");
  auto decoded = nlohmann::json::parse(response->body(), nullptr, false);
  EXPECT_FALSE(decoded.is_discarded()) << response->body();
  EXPECT_EQ(decoded.value("apiVersion", ""), "admission.k8s.io/v1");
  EXPECT_EQ(decoded.value("kind", ""), "AdmissionReview");
  EXPECT_EQ(decoded["response"].value("uid", ""), review["request"]["uid"]);
  return decoded;
}

std::string WebhookFixture::Metrics() {
  http::testing::ClientOptions options;
  options.tls = false;
  http::testing::TestClient client(plain_->port(), options);
  auto response = client.Get("/metrics");
  EXPECT_TRUE(response.ok());
  return response.ok() ? response->body() : "";
}

}  // namespace vtguard::webhook::testing
