// vtguard end to end on the built-in test API server: the real vtguard-operator and
// vtguard-webhook binaries secure vitess-operator's example clusters, and real TLS handshakes
// with the issued files prove that VReplication traffic between keyspaces is encrypted and
// authenticated through renewal and a CA rotation.
//
// The tests of this suite run in order on one shared environment.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "tests/e2e/metrics_scrape.h"
#include "tests/e2e/process.h"
#include "tests/e2e/scenario.h"

namespace vtguard::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

// The client flags each component must receive for Vitess v24, in dash spelling.
const std::map<std::string, std::set<std::string>>& ExpectedFlags() {
  static const std::map<std::string, std::set<std::string>> expected = {
      {"vttablet",
       {"grpc-cert", "grpc-key", "tablet-grpc-ca", "tablet-grpc-server-name",
        "tablet-manager-grpc-ca", "tablet-manager-grpc-server-name"}},
      {"vtgate", {"tablet-grpc-ca", "tablet-grpc-server-name"}},
      {"vtctld",
       {"tablet-grpc-ca", "tablet-grpc-server-name", "tablet-manager-grpc-ca",
        "tablet-manager-grpc-server-name"}},
      {"vtorc", {"tablet-manager-grpc-ca", "tablet-manager-grpc-server-name"}},
  };
  return expected;
}

std::string Describe(const std::vector<BrokenTrust>& broken) {
  std::string text;
  for (const BrokenTrust& pair : broken) text += pair.ToString() + "\n";
  return text;
}

// Applies `object` until the outcome is `admitted` or 15 s pass, since the webhook sees a
// policy change through its watch shortly after the write.
AdmissionAttempt ApplyExpecting(Scenario& scenario, const std::string& description,
                                const json& object, bool admitted) {
  AdmissionAttempt attempt;
  Status waited = WaitFor(
      description,
      [&] {
        Result<AdmissionAttempt> tried = scenario.TryApply(description, object);
        if (tried.ok()) attempt = *tried;
        return tried.ok() && tried->admitted == admitted;
      },
      std::chrono::seconds(15), std::chrono::milliseconds(500));
  waited.IgnoreError();  // The caller asserts on attempt.admitted with the output.
  return attempt;
}

class EndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    EnvironmentPaths paths;
    // The process id keeps two checkouts that run this test at once apart.
    paths.work_dir =
        fs::temp_directory_path() / "vtguard-e2e" / ("flow-" + std::to_string(getpid()));
    fs::remove_all(paths.work_dir);
    paths.binary_dir = VTGUARD_BINARY_DIR;
    paths.source_dir = VTGUARD_SOURCE_DIR;
    paths.shared_data = VTGUARD_SHARED_DATA_DIR;
    paths.helm = fs::path(VTGUARD_SOURCE_DIR) / ".tools/helm";
    Result<std::unique_ptr<Scenario>> started = Scenario::Start(paths);
    if (!started.ok()) {
      setup_error_ = new std::string(started.status().ToString());
      return;
    }
    scenario_ = started->release();
    Status applied = scenario_->ApplyPolicyAndManifests();
    if (!applied.ok()) setup_error_ = new std::string(applied.ToString());
  }

  static void TearDownTestSuite() {
    delete scenario_;
    scenario_ = nullptr;
    delete setup_error_;
    setup_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_EQ(setup_error_, nullptr) << *setup_error_;
    ASSERT_NE(scenario_, nullptr);
  }

  void TearDown() override {
    if (scenario_ == nullptr) return;
    Status alive = scenario_->env().CheckProcesses();
    EXPECT_TRUE(alive.ok()) << alive.ToString();
  }

  // Adds the names on both binaries' /metrics to scraped_. Tests scrape right after the step
  // that produces a sample, because prometheus-cpp omits a family without samples.
  static void ScrapeMetrics() {
    Result<std::string> from_operator = scenario_->env().ScrapeOperatorMetrics();
    ASSERT_TRUE(from_operator.ok()) << from_operator.status().ToString();
    scraped_.Add(*from_operator);
    Result<std::string> from_webhook = scenario_->env().ScrapeWebhookMetrics();
    ASSERT_TRUE(from_webhook.ok()) << from_webhook.status().ToString();
    scraped_.Add(*from_webhook);
  }

  static Scenario* scenario_;
  static std::string* setup_error_;
  static ExportedMetrics scraped_;
};

Scenario* EndToEnd::scenario_ = nullptr;
std::string* EndToEnd::setup_error_ = nullptr;
ExportedMetrics EndToEnd::scraped_;

TEST_F(EndToEnd, AdmissionInjectsVersion24Flags) {
  for (const char* name : {kExampleCluster, kVtadminCluster}) {
    SCOPED_TRACE(name);
    Result<json> stored = scenario_->GetCluster(name);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    std::vector<InjectedFlags> sites = FindInjectedFlags(scenario_->OriginalCluster(name), *stored);
    ASSERT_FALSE(sites.empty());
    for (const InjectedFlags& site : sites) {
      SCOPED_TRACE(site.pointer);
      if (site.component == "all") {
        for (const auto& [flag, value] : site.flags) {
          EXPECT_THAT(flag, Not(HasSubstr("tablet-grpc"))) << "client flag in extraVitessFlags";
          EXPECT_THAT(flag, Not(HasSubstr("tablet-manager-grpc")));
        }
        continue;
      }
      std::set<std::string> injected;
      for (const auto& [flag, value] : site.flags) injected.insert(flag);
      EXPECT_EQ(injected, ExpectedFlags().at(site.component));

      auto documented = LoadDocumentedFlags(VTGUARD_SHARED_DATA_DIR, 24, site.component);
      ASSERT_TRUE(documented.ok()) << documented.status().ToString();
      for (const std::string& flag : injected) {
        EXPECT_TRUE(documented->count(flag)) << site.component << " v24 has no flag " << flag;
      }
      for (const auto& [flag, value] : site.flags) {
        if (flag.size() > 3 && flag.substr(flag.size() - 3) == "-ca") {
          EXPECT_EQ(value, "/vt/vtguard/tls/ca.crt");
        }
        if (flag.find("server-name") != std::string::npos) {
          EXPECT_EQ(value, "vttablet.vtguard.internal");
        }
      }
    }
    EXPECT_NE(ClusterRevision(*stored), "");
  }
}

TEST_F(EndToEnd, TabletPoolsMountTheLeafSecret) {
  Result<json> stored = scenario_->GetCluster(kExampleCluster);
  ASSERT_TRUE(stored.ok());
  for (const json& keyspace : (*stored)["spec"]["keyspaces"]) {
    const json& pool = keyspace["partitionings"][0]["equal"]["shardTemplate"]["tabletPools"][0];
    SCOPED_TRACE(keyspace["name"].get<std::string>());
    ASSERT_TRUE(pool.contains("extraVolumes"));
    ASSERT_TRUE(pool.contains("extraVolumeMounts"));
    EXPECT_EQ(pool["extraVolumes"][0]["name"], "vtguard-tls");
    EXPECT_EQ(pool["extraVolumes"][0]["secret"]["secretName"], "example-vtguard-vttablet");
    EXPECT_EQ(pool["extraVolumeMounts"][0]["mountPath"], "/vt/vtguard/tls");
    EXPECT_EQ(pool["extraVolumeMounts"][0]["readOnly"], true);
  }
  EXPECT_EQ((*stored)["spec"]["vitessDashboard"]["extraVolumes"][0]["secret"]["secretName"],
            "example-vtguard-vtctld");
  EXPECT_EQ((*stored)["spec"]["cells"][0]["gateway"]["extraVolumes"][0]["secret"]["secretName"],
            "example-vtguard-vtgate");
}

TEST_F(EndToEnd, SecretsHoldValidChains) {
  auto secrets = ListClusterSecrets(scenario_->env().client(), kExampleNamespace, kExampleCluster);
  ASSERT_TRUE(secrets.ok()) << secrets.status().ToString();
  std::set<std::string> names;
  for (const json& secret : *secrets) {
    std::string name = secret["metadata"]["name"];
    names.insert(name);
    EXPECT_EQ(secret["metadata"]["labels"]["app.kubernetes.io/managed-by"], "vtguard") << name;
    if (secret.value("type", "") != "kubernetes.io/tls") continue;
    auto summary = SummarizeTlsSecret(secret, std::time(nullptr));
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->chain_error, "") << name;
    EXPECT_TRUE(summary->key_matches) << name;
    if (name == "example-vtguard-vttablet") {
      EXPECT_THAT(summary->dns_names, ::testing::Contains("vttablet.vtguard.internal"));
    }
  }
  for (const char* expected :
       {"example-vtguard-ca", "example-vtguard-vttablet", "example-vtguard-vtgate",
        "example-vtguard-vtctld", "example-vtguard-vtorc"}) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }
}

TEST_F(EndToEnd, ClusterWithoutVtorcGetsNoVtorcSecret) {
  // vitess-operator's vtadmin example sets no vitessOrchestrator, so it runs no vtorc.
  auto secrets = ListClusterSecrets(scenario_->env().client(), kExampleNamespace, kVtadminCluster);
  ASSERT_TRUE(secrets.ok()) << secrets.status().ToString();
  std::set<std::string> names;
  for (const json& secret : *secrets) names.insert(secret["metadata"]["name"]);
  const std::string prefix = std::string(kVtadminCluster) + "-vtguard-";
  EXPECT_TRUE(names.count(prefix + "vtctld")) << prefix;
  EXPECT_FALSE(names.count(prefix + "vtorc")) << prefix;
}

TEST_F(EndToEnd, HandshakeBetweenKeyspacesSucceeds) {
  auto report = scenario_->ProveHandshake(std::time(nullptr));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->tls.ok) << report->tls.reason;
  EXPECT_EQ(report->tls.alpn, "h2");
  EXPECT_FALSE(report->plaintext.ok);
  EXPECT_FALSE(report->other_ca.ok);
  EXPECT_THAT(report->other_ca.reason, HasSubstr("unable to get local issuer certificate"));
  EXPECT_TRUE(report->broken.empty()) << Describe(report->broken);
  EXPECT_GT(report->pods, 10);
}

TEST_F(EndToEnd, PolicyStatusSaysSecured) {
  auto entry = scenario_->WaitForClusterPhase(kExampleCluster, "Secured", std::chrono::seconds(60));
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ((*entry)["phase"], "Secured");
}

TEST_F(EndToEnd, EnforceDeniesBogusAndWeakenedTls) {
  const json& original = scenario_->OriginalCluster(kExampleCluster);
  json bogus = ClusterWithTabletFlags(original, "bogus",
                                      {{"vreplication_ssl_ca", "/vt/vtguard/tls/ca.crt"}});
  AdmissionAttempt denied = ApplyExpecting(*scenario_, "bogus flag", bogus, false);
  EXPECT_FALSE(denied.admitted) << denied.output;
  EXPECT_THAT(denied.output, HasSubstr("vreplication_ssl_ca"));
  EXPECT_THAT(denied.output, HasSubstr("denied"));

  json weakened =
      ClusterWithTabletFlags(original, "weakened", {{"grpc-enable-optional-tls", "true"}});
  AdmissionAttempt weak = ApplyExpecting(*scenario_, "optional TLS", weakened, false);
  EXPECT_FALSE(weak.admitted) << weak.output;
  EXPECT_THAT(weak.output, HasSubstr("grpc-enable-optional-tls"));
  EXPECT_THAT(weak.output, HasSubstr("remove it"));
  ScrapeMetrics();  // The denial counter has samples from here on.
}

TEST_F(EndToEnd, WarnAdmitsWithWarnings) {
  ASSERT_TRUE(scenario_->SetEnforcement("Warn").ok());
  const json& original = scenario_->OriginalCluster(kExampleCluster);
  json bogus = ClusterWithTabletFlags(original, "bogus-warned",
                                      {{"vreplication_ssl_ca", "/vt/vtguard/tls/ca.crt"}});
  AdmissionAttempt admitted = ApplyExpecting(*scenario_, "bogus flag under Warn", bogus, true);
  EXPECT_TRUE(admitted.admitted) << admitted.output;

  // The test API server does not relay warnings, so the webhook's own review shows them.
  json review = CreateReview(bogus, "e2e-warn-1");
  Result<json> answer = scenario_->env().CallWebhook("/validate/vitesscluster", review);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  const json response = answer->value("response", json::object());
  EXPECT_EQ(response.value("allowed", false), true) << answer->dump();
  EXPECT_THAT(response.value("warnings", json::array()).dump(), HasSubstr("vreplication_ssl_ca"));

  ASSERT_TRUE(scenario_->SetEnforcement("Enforce").ok());
  Status deleted = scenario_->env().client().Delete(kube::VitessClustersResource(),
                                                    kExampleNamespace, "bogus-warned");
  EXPECT_TRUE(deleted.ok()) << deleted.ToString();
}

TEST_F(EndToEnd, RenewalAndRotationKeepTrust) {
  auto steps = scenario_->RenewAndRotate(std::chrono::seconds(60));
  ASSERT_TRUE(steps.ok()) << steps.status().ToString();
  ASSERT_GE(steps->size(), 2u);

  std::set<std::string> phases;
  for (const RotationStep& step : *steps) {
    std::cout << "step " << step.trigger << ": phase " << step.rotation_phase << ", revision "
              << step.revision << ", CA serial " << step.ca_serial << ", " << step.restarted.size()
              << " Pods restarted\n";
    SCOPED_TRACE(step.trigger + " phase " + step.rotation_phase + " revision " + step.revision);
    phases.insert(step.rotation_phase);
    EXPECT_TRUE(step.handshake.tls.ok) << step.handshake.tls.reason;
    EXPECT_FALSE(step.handshake.plaintext.ok);
    EXPECT_FALSE(step.handshake.other_ca.ok);
    EXPECT_TRUE(step.handshake.broken.empty()) << Describe(step.handshake.broken);
  }
  for (const char* phase : {"TrustBoth", "ReissueLeaves", "DropOld", "None"}) {
    EXPECT_TRUE(phases.count(phase)) << "phase " << phase << " never observed";
  }
  // Renewal changed the revision; the rotation replaced the CA that signs the tablet leaf.
  EXPECT_NE(steps->front().revision, "1");
  EXPECT_NE(steps->front().ca_serial, steps->back().ca_serial);
  EXPECT_NE(steps->front().tablet_issuer, "");
}

// Runs after the flow, so that admission, reconciliation and rotation have produced samples.
TEST_F(EndToEnd, ChartMetricsAreExported) {
  Result<std::string> listed = RunCommand(
      {"python3", (fs::path(VTGUARD_SOURCE_DIR) / "tests/e2e/chart_metric_names.py").string()},
      std::chrono::seconds(120));
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::string> referenced;
  std::istringstream lines(*listed);
  for (std::string name; std::getline(lines, name);) {
    if (!name.empty()) referenced.push_back(name);
  }
  ASSERT_FALSE(referenced.empty()) << "the chart references no metric";

  ASSERT_NO_FATAL_FAILURE(ScrapeMetrics());
  const ExportedMetrics& exported = scraped_;

  std::vector<std::string> missing;
  for (const std::string& name : referenced) {
    MetricPresence presence = FindMetric(exported, name);
    if (presence == MetricPresence::kMissing) missing.push_back(name);
    if (presence == MetricPresence::kDeclaredOnly) {
      std::cout << "note: " << name << " is declared on /metrics but has no sample yet\n";
    }
  }
  EXPECT_THAT(missing, ::testing::IsEmpty())
      << "metrics that the chart's alerts or dashboard query but neither binary exports";
}

// Each binary authenticates as its ServiceAccount's user, so the API server's request log shows
// what each one used; the chart's RBAC must grant all of it.
TEST_F(EndToEnd, ChartRbacCoversBinaryRequests) {
  Result<json> log = scenario_->env().ReadRequestLog();
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  Result<std::string> checked = RunCommand(
      {"python3", (fs::path(VTGUARD_SOURCE_DIR) / "tests/e2e/chart_rbac_check.py").string(),
       scenario_->env().request_log_file().string(), kVtguardNamespace},
      std::chrono::seconds(120));
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  json report = json::parse(*checked, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(report.is_object()) << *checked;

  for (const char* account : {kOperatorAccount, kWebhookAccount}) {
    EXPECT_GT(report["requests"].value(ServiceAccountUser(account), 0), 0)
        << account << " made no request as its ServiceAccount's user";
  }
  for (const json& unused : report["unused"]) {
    std::cout << "note: granted but unused in this flow: " << unused.get<std::string>() << "\n";
  }
  EXPECT_THAT(report["missing"].get<std::vector<std::string>>(), ::testing::IsEmpty())
      << "requests the chart's RBAC does not allow";
}

}  // namespace
}  // namespace vtguard::e2e
