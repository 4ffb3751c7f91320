// A running webhook (HTTPS admission port + plain metrics port) with a real test certificate,
// and helpers to build AdmissionReviews from manifests and apply the returned JSON Patch.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/http/certificate_store.h"
#include "tests/http/test_client.h"
#include "tests/http/test_pki.h"
#include "tests/http/test_server.h"
#include "webhook/metrics.h"
#include "webhook/policy_store.h"
#include "webhook/webhook.h"

namespace vtguard::webhook::testing {

// A policy selecting every VitessCluster and Pod in `ns` (every namespace when empty).
std::string PolicyYaml(const std::string& ns, const std::string& enforcement = "Enforce");

// The first VitessCluster document of a YAML file.
nlohmann::json LoadVitessCluster(const std::string& path);
// Every document of a YAML file, as JSON.
std::vector<nlohmann::json> LoadYamlDocuments(const std::string& path);
nlohmann::json LoadJsonFile(const std::string& path);
std::string SharedData(const std::string& relative);

// An admission.k8s.io/v1 AdmissionReview request as the API server sends it.
nlohmann::json MakeReview(const std::string& kind, const std::string& operation,
                          const nlohmann::json& object, const nlohmann::json& old_object = nullptr,
                          bool dry_run = false);

std::string Base64Decode(const std::string& text);
// Applies response.patch (base64 JSON Patch) to `object` with strict RFC 6902 semantics; no
// patch returns the object unchanged.
nlohmann::json ApplyResponsePatch(const nlohmann::json& object, const nlohmann::json& review);

class WebhookFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  // Starts the servers; without policy_yaml the policies stay unknown.
  void StartWebhook(const std::string* policy_yaml);
  void StartWebhook(const std::string& policy_yaml) { StartWebhook(&policy_yaml); }

  // POSTs `review` to `path` over the keep-alive HTTPS connection.
  Result<http::Response> Post(const std::string& path, const std::string& body,
                              const std::string& content_type = "application/json");
  // POSTs and decodes a 200 AdmissionReview response.
  nlohmann::json Review(const std::string& path, const nlohmann::json& review);
  std::string Metrics();
  http::testing::ClientOptions ClientTls() const;

  http::testing::TestPki pki_;
  http::testing::TempDir dir_;
  http::CertificateStore certificates_;
  PolicyStore policies_;
  WebhookMetrics metrics_;
  std::unique_ptr<Webhook> webhook_;
  std::unique_ptr<http::testing::RunningServer> https_;
  std::unique_ptr<http::testing::RunningServer> plain_;
  std::unique_ptr<http::testing::TestClient> client_;
};

}  // namespace vtguard::webhook::testing
