// The vtguard-operator binary as a process against the in-process test API server, for the two
// install modes that change what it watches and writes:
// - --watch-namespace: it secures the VitessCluster of its namespace, leaves the one of another
//   namespace alone, and sends only namespaced requests for namespaced objects;
// - --manage-webhook-certificate=false (cert-manager mode): it writes neither the webhook's
//   Secrets nor the caBundle, and does not watch the webhook configurations.
// Both runs are also checked against the chart's RBAC for the same mode.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/kube/client.h"
#include "common/kube/resource.h"
#include "operator/cluster_reconciler.h"
#include "tests/apiserver/api_server.h"
#include "tests/e2e/process.h"
#include "tests/operator/apiserver_seed.h"
#include "tests/operator/test_env.h"

namespace vtguard::op {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kReleaseNamespace[] = "vtguard-system";
constexpr char kWatchedNamespace[] = "vitess";
constexpr char kOtherNamespace[] = "other";
constexpr char kOperatorToken[] = "vtguard-operator-token";
constexpr char kOperatorUser[] = "system:serviceaccount:vtguard-system:vtguard-operator";
constexpr std::chrono::seconds kSecureTimeout{90};

json Namespace(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
}

// A webhook configuration named vtguard whose only rule matches ConfigMaps, so the test API
// server never calls it while the operator writes VitessClusters.
json WebhookConfiguration(const std::string& kind) {
  json webhook = {{"name", "configmaps.vtguard.io"},
                  {"admissionReviewVersions", {"v1"}},
                  {"sideEffects", "None"},
                  {"failurePolicy", "Ignore"},
                  {"clientConfig",
                   {{"service",
                     {{"name", "vtguard-webhook"},
                      {"namespace", kReleaseNamespace},
                      {"path", "/validate/configmap"}}}}},
                  {"rules",
                   {{{"apiGroups", {""}},
                     {"apiVersions", {"v1"}},
                     {"resources", {"configmaps"}},
                     {"operations", {"CREATE"}}}}}};
  return {{"apiVersion", "admissionregistration.k8s.io/v1"},
          {"kind", kind},
          {"metadata", {{"name", "vtguard"}}},
          {"webhooks", {webhook}}};
}

bool IsWebhookConfigurationResource(const std::string& resource) {
  return resource == "mutatingwebhookconfigurations" ||
         resource == "validatingwebhookconfigurations";
}

class OperatorProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vtguard::testing::TestApiServerOptions options;
    options.extra_tokens[kOperatorToken] = kOperatorUser;
    auto server = vtguard::testing::TestApiServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    Status crds = testing::ApplyOperatorCrds(*server_);
    ASSERT_TRUE(crds.ok()) << crds.ToString();
    for (const char* ns : {kReleaseNamespace, kWatchedNamespace, kOtherNamespace}) {
      ASSERT_TRUE(server_->CreateObject(Namespace(ns)).ok()) << ns;
    }
    for (const char* ns : {kWatchedNamespace, kOtherNamespace}) {
      json cluster = testing::LoadCluster("101_initial_cluster.yaml");
      cluster["metadata"]["namespace"] = ns;
      ASSERT_TRUE(server_->CreateObject(cluster).ok()) << ns;
      json policy = testing::MakePolicy("tls");
      policy["metadata"]["namespace"] = ns;
      ASSERT_TRUE(server_->CreateObject(policy).ok()) << ns;
    }
    for (const char* kind : {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}) {
      Result<json> created = server_->CreateObject(WebhookConfiguration(kind));
      ASSERT_TRUE(created.ok()) << created.status().ToString();
    }
    auto client = kube::Client::Create(server_->ClientConfig());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = *client;

    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    work_dir_ =
        fs::path(::testing::TempDir()) / ("vtguard-operator-process-" + std::string(test->name()) +
                                          "-" + std::to_string(::getpid()));
    fs::remove_all(work_dir_);
    fs::create_directories(work_dir_);
    ASSERT_NO_FATAL_FAILURE(WriteOperatorKubeconfig());
  }

  void TearDown() override {
    if (operator_) operator_->Stop();
    if (!HasFailure()) fs::remove_all(work_dir_);
  }

  // A kubeconfig that authenticates as the operator's ServiceAccount user, so the request log
  // separates its requests from the test's own.
  void WriteOperatorKubeconfig() {
    const fs::path admin = work_dir_ / "admin.kubeconfig";
    ASSERT_TRUE(server_->WriteKubeconfig(admin.string()).ok());
    std::ifstream in(admin);
    std::stringstream text;
    text << in.rdbuf();
    std::string kubeconfig = text.str();
    const std::string admin_token = "token: vtguard-test-token";
    const size_t at = kubeconfig.find(admin_token);
    ASSERT_NE(at, std::string::npos) << kubeconfig;
    kubeconfig.replace(at, admin_token.size(), std::string("token: ") + kOperatorToken);
    kubeconfig_ = work_dir_ / "operator.kubeconfig";
    std::ofstream out(kubeconfig_);
    out << kubeconfig;
    ASSERT_TRUE(out.good());
  }

  void StartOperator(const std::vector<std::string>& extra_args) {
    std::vector<std::string> args = {"--kubeconfig", kubeconfig_.string(), "--leader-elect=false",
                                     "--namespace",  kReleaseNamespace,    "--metrics-address",
                                     "127.0.0.1:0",  "--health-address",   "127.0.0.1:0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    const std::string binary = std::string(VTGUARD_BINARY_DIR) + "/operator/vtguard-operator";
    auto started = e2e::ChildProcess::Start(binary, args, work_dir_ / "operator.log");
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    operator_ = std::move(*started);
  }

  bool SecretExists(const std::string& ns, const std::string& name) {
    return client_->Get(kube::SecretsResource(), ns, name).ok();
  }

  // The VitessCluster "example" of `ns` carries the TLS revision and its policy reports it
  // Secured.
  bool IsSecured(const std::string& ns) {
    Result<json> cluster = client_->Get(kube::VitessClustersResource(), ns, "example");
    if (!cluster.ok() || ClusterRevision(*cluster) < 1) return false;
    Result<json> policy = client_->Get(kube::VitessTlsPoliciesResource(), ns, "tls");
    if (!policy.ok()) return false;
    const json clusters = policy->value("status", json::object()).value("clusters", json::array());
    return !clusters.empty() && clusters[0].value("phase", "") == "Secured";
  }

  void WaitForSecured(const std::string& ns) {
    Status waited = e2e::WaitFor(
        "VitessCluster " + ns + "/example to be Secured",
        [&] { return !operator_->IsRunning() || IsSecured(ns); }, kSecureTimeout,
        std::chrono::milliseconds(200));
    ASSERT_TRUE(waited.ok()) << waited.ToString() << "\n" << e2e::TailFile(operator_->log_file());
    ASSERT_TRUE(operator_->IsRunning()) << e2e::TailFile(operator_->log_file());
  }

  std::vector<vtguard::testing::RequestRecord> OperatorRequests() const {
    std::vector<vtguard::testing::RequestRecord> requests;
    for (const auto& record : server_->RequestLog()) {
      if (record.user == kOperatorUser) requests.push_back(record);
    }
    return requests;
  }

  // Runs tests/e2e/chart_rbac_check.py on the operator's requests with the chart rendered
  // for `values`; returns the permissions used but not granted.
  std::vector<std::string> RequestsOutsideChartRbac(const json& values) {
    const fs::path helm = fs::path(VTGUARD_SOURCE_DIR) / ".tools" / "helm";
    if (!fs::exists(helm)) {
      ADD_FAILURE() << helm << " is missing; run scripts/install-deps.sh";
      return {};
    }

    json records = json::array();
    for (const auto& record : OperatorRequests()) {
      records.push_back(vtguard::testing::RequestRecordToJson(record));
    }
    const fs::path log = work_dir_ / "requests.json";
    std::ofstream(log) << records.dump();

    Result<std::string> checked = e2e::RunCommand(
        {"python3", (fs::path(VTGUARD_SOURCE_DIR) / "tests/e2e/chart_rbac_check.py").string(),
         log.string(), kReleaseNamespace, values.dump()},
        std::chrono::seconds(120));
    if (!checked.ok()) {
      ADD_FAILURE() << checked.status().ToString();
      return {};
    }

    json report = json::parse(*checked, nullptr, /*allow_exceptions=*/false);
    if (!report.is_object()) {
      ADD_FAILURE() << "chart_rbac_check.py printed no JSON object: " << *checked;
      return {};
    }
    EXPECT_GT(report["requests"].value(kOperatorUser, 0), 0);
    return report["missing"].get<std::vector<std::string>>();
  }

  std::unique_ptr<vtguard::testing::TestApiServer> server_;
  std::shared_ptr<kube::Client> client_;
  fs::path work_dir_;
  fs::path kubeconfig_;
  std::unique_ptr<e2e::ChildProcess> operator_;
};

TEST_F(OperatorProcessTest, WatchNamespaceSecuresOnlyThatNamespace) {
  ASSERT_NO_FATAL_FAILURE(StartOperator({"--watch-namespace", kWatchedNamespace}));
  ASSERT_NO_FATAL_FAILURE(WaitForSecured(kWatchedNamespace));
  // The webhook certificate still lives in the release namespace.
  Status written = e2e::WaitFor(
      "Secret vtguard-system/vtguard-webhook-tls",
      [&] { return SecretExists(kReleaseNamespace, "vtguard-webhook-tls"); },
      std::chrono::seconds(30));
  ASSERT_TRUE(written.ok()) << written.ToString();

  for (const char* name : {"example-vtguard-ca", "example-vtguard-vttablet"}) {
    EXPECT_TRUE(SecretExists(kWatchedNamespace, name)) << name;
    EXPECT_FALSE(SecretExists(kOtherNamespace, name)) << name;
  }
  EXPECT_FALSE(IsSecured(kOtherNamespace));
  Result<json> other = client_->Get(kube::VitessClustersResource(), kOtherNamespace, "example");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(ClusterRevision(*other), 0);

  const std::set<std::string> watched_kinds = {"vitesstlspolicies", "vitessclusters", "secrets",
                                               "pods"};
  int scoped_lists = 0;
  for (const auto& record : OperatorRequests()) {
    SCOPED_TRACE(record.method + " " + record.path);
    EXPECT_NE(record.ns, kOtherNamespace);
    if (IsWebhookConfigurationResource(record.resource)) continue;
    EXPECT_FALSE(record.ns.empty()) << "a namespaced resource requested across all namespaces";
    if (watched_kinds.count(record.resource) > 0 &&
        (record.verb == "list" || record.verb == "watch")) {
      EXPECT_EQ(record.ns, kWatchedNamespace);
      ++scoped_lists;
    }
  }
  EXPECT_GE(scoped_lists, 8) << "one list and one watch of each of the four kinds";

  EXPECT_THAT(RequestsOutsideChartRbac({{"watchNamespace", kWatchedNamespace}}),
              ::testing::IsEmpty())
      << "requests that the chart's single-namespace RBAC does not allow";
}

TEST_F(OperatorProcessTest, CertManagerModeLeavesWebhookCertificateAlone) {
  ASSERT_NO_FATAL_FAILURE(StartOperator({"--manage-webhook-certificate=false"}));
  // Without --watch-namespace both namespaces are secured.
  ASSERT_NO_FATAL_FAILURE(WaitForSecured(kWatchedNamespace));
  ASSERT_NO_FATAL_FAILURE(WaitForSecured(kOtherNamespace));

  EXPECT_FALSE(SecretExists(kReleaseNamespace, "vtguard-webhook-tls"));
  EXPECT_FALSE(SecretExists(kReleaseNamespace, "vtguard-webhook-ca"));
  for (const kube::Resource* resource : {&kube::MutatingWebhookConfigurationsResource(),
                                         &kube::ValidatingWebhookConfigurationsResource()}) {
    Result<json> configuration = client_->Get(*resource, "", "vtguard");
    ASSERT_TRUE(configuration.ok()) << configuration.status().ToString();
    EXPECT_FALSE((*configuration)["webhooks"][0]["clientConfig"].contains("caBundle"));
  }
  for (const auto& record : OperatorRequests()) {
    EXPECT_FALSE(IsWebhookConfigurationResource(record.resource))
        << record.method << " " << record.path;
  }

  EXPECT_THAT(RequestsOutsideChartRbac({{"certManager", {{"enabled", true}}}}),
              ::testing::IsEmpty())
      << "requests that the chart's cert-manager RBAC does not allow";
}

TEST_F(OperatorProcessTest, DefaultModeWritesWebhookCertificate) {
  ASSERT_NO_FATAL_FAILURE(StartOperator({}));
  ASSERT_NO_FATAL_FAILURE(WaitForSecured(kOtherNamespace));
  Status patched = e2e::WaitFor(
      "the caBundle of the webhook configurations",
      [&] {
        Result<json> configuration =
            client_->Get(kube::MutatingWebhookConfigurationsResource(), "", "vtguard");
        return configuration.ok() &&
               (*configuration)["webhooks"][0]["clientConfig"].contains("caBundle");
      },
      std::chrono::seconds(30));
  EXPECT_TRUE(patched.ok()) << patched.ToString();
  EXPECT_TRUE(SecretExists(kReleaseNamespace, "vtguard-webhook-tls"));
  EXPECT_TRUE(SecretExists(kReleaseNamespace, "vtguard-webhook-ca"));
}

}  // namespace
}  // namespace vtguard::op
