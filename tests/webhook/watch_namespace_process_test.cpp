// The vtguard-webhook binary with --watch-namespace against the in-process test API server: it
// lists and watches the VitessTLSPolicies of that namespace only, and the chart's Role for
// single-namespace mode allows every request it makes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/apiserver/api_server.h"
#include "tests/e2e/process.h"
#include "tests/http/test_pki.h"

namespace vtguard::webhook {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kReleaseNamespace[] = "vtguard-system";
constexpr char kWatchedNamespace[] = "example";
constexpr char kWebhookToken[] = "vtguard-webhook-token";
constexpr char kWebhookUser[] = "system:serviceaccount:vtguard-system:vtguard-webhook";

json Namespace(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
}

json Policy(const std::string& ns) {
  return {{"apiVersion", "vtguard.io/v1alpha1"},
          {"kind", "VitessTLSPolicy"},
          {"metadata", {{"name", "tls"}, {"namespace", ns}}},
          {"spec", {{"enforcement", "Enforce"}}}};
}

json ToJson(const vtguard::testing::RequestRecord& record) {
  return {{"method", record.method},     {"path", record.path},
          {"verb", record.verb},         {"apiGroup", record.api_group},
          {"resource", record.resource}, {"subresource", record.subresource},
          {"namespace", record.ns},      {"name", record.name},
          {"user", record.user},         {"status", record.status}};
}

TEST(WebhookWatchNamespace, ListsAndWatchesOneNamespace) {
  vtguard::testing::TestApiServerOptions options;
  options.extra_tokens[kWebhookToken] = kWebhookUser;
  auto server = vtguard::testing::TestApiServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE((*server)
                  ->ApplyYamlFile(std::string(VTGUARD_SOURCE_DIR) +
                                  "/crds/vtguard.io_vitesstlspolicies.yaml")
                  .ok());
  for (const char* ns : {kReleaseNamespace, kWatchedNamespace, "other"}) {
    ASSERT_TRUE((*server)->CreateObject(Namespace(ns)).ok()) << ns;
  }
  for (const char* ns : {kWatchedNamespace, "other"}) {
    Result<json> created = (*server)->CreateObject(Policy(ns));
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }

  // The serving certificate and a kubeconfig that authenticates as the webhook's
  // ServiceAccount user.
  http::testing::TempDir dir;
  http::testing::TestPki pki;
  http::testing::WriteSecretVolume(dir.path() / "tls", pki.IssueServer(1), 1);
  const fs::path admin = dir.path() / "admin.kubeconfig";
  ASSERT_TRUE((*server)->WriteKubeconfig(admin.string()).ok());
  std::stringstream text;
  text << std::ifstream(admin).rdbuf();
  std::string kubeconfig = text.str();
  const std::string admin_token = "token: vtguard-test-token";
  const size_t at = kubeconfig.find(admin_token);
  ASSERT_NE(at, std::string::npos) << kubeconfig;
  kubeconfig.replace(at, admin_token.size(), std::string("token: ") + kWebhookToken);
  const fs::path webhook_kubeconfig = dir.path() / "webhook.kubeconfig";
  std::ofstream(webhook_kubeconfig) << kubeconfig;

  auto webhook = e2e::ChildProcess::Start(
      std::string(VTGUARD_BINARY_DIR) + "/webhook/vtguard-webhook",
      {"--listen-address", "127.0.0.1:0", "--metrics-address", "127.0.0.1:0", "--tls-cert-dir",
       (dir.path() / "tls").string(), "--kubeconfig", webhook_kubeconfig.string(),
       "--watch-namespace", kWatchedNamespace},
      dir.path() / "webhook.log");
  ASSERT_TRUE(webhook.ok()) << webhook.status().ToString();
  auto watching = [&] {
    for (const auto& record : (*server)->RequestLog()) {
      if (record.user == kWebhookUser && record.verb == "watch") return true;
    }
    return false;
  };
  Status waited = e2e::WaitFor(
      "the webhook's watch on VitessTLSPolicies",
      [&] { return !(*webhook)->IsRunning() || watching(); }, std::chrono::seconds(30));
  ASSERT_TRUE(waited.ok()) << waited.ToString() << "\n" << e2e::TailFile((*webhook)->log_file());
  ASSERT_TRUE((*webhook)->IsRunning()) << e2e::TailFile((*webhook)->log_file());

  json records = json::array();
  int lists = 0;
  for (const auto& record : (*server)->RequestLog()) {
    if (record.user != kWebhookUser) continue;
    SCOPED_TRACE(record.method + " " + record.path);
    EXPECT_EQ(record.resource, "vitesstlspolicies");
    EXPECT_EQ(record.ns, kWatchedNamespace);
    if (record.verb == "list") ++lists;
    records.push_back(ToJson(record));
  }
  EXPECT_GE(lists, 1);
  EXPECT_EQ((*webhook)->Stop(), 0) << e2e::TailFile((*webhook)->log_file());

  // Every request must be allowed by the chart's RBAC for the same mode.
  const fs::path log = dir.path() / "requests.json";
  std::ofstream(log) << records.dump();
  Result<std::string> checked = e2e::RunCommand(
      {"python3", std::string(VTGUARD_SOURCE_DIR) + "/tests/e2e/chart_rbac_check.py", log.string(),
       kReleaseNamespace, json{{"watchNamespace", kWatchedNamespace}}.dump()},
      std::chrono::seconds(120));
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  json report = json::parse(*checked, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(report.is_object()) << *checked;
  EXPECT_GT(report["requests"].value(kWebhookUser, 0), 0);
  EXPECT_THAT(report["missing"].get<std::vector<std::string>>(), ::testing::IsEmpty())
      << "requests that the chart's single-namespace RBAC does not allow";
}

}  // namespace
}  // namespace vtguard::webhook
