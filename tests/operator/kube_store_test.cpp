// The operator against the in-process test API server over HTTPS: the real client, JSON
// patches with a resourceVersion test, status subresource, injected faults, leader election.
#include "operator/kube_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/kube/leader_election.h"
#include "operator/operator.h"
#include "tests/apiserver/api_server.h"
#include "tests/operator/test_env.h"

namespace vtguard::op {
namespace {

using testing::kNamespace;

const SystemTime kStart = SystemTime(std::chrono::seconds(1'796'000'000));

class KubeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = vtguard::testing::TestApiServer::Start({});
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_TRUE(
        server_
            ->ApplyYamlFile(std::string(VTGUARD_SHARED_DATA_DIR) +
                            "/data/vitess-operator/crds/planetscale.com_vitessclusters.yaml")
            .ok());
    ASSERT_TRUE(server_->CreateObject(testing::PolicyCrd()).ok());
    for (const char* ns : {kNamespace, "vtguard-system"}) {
      (void)server_->CreateObject(
          {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
    }
    auto client = kube::Client::Create(server_->ClientConfig());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = *client;
    store_ = std::make_unique<KubeStore>(client_);
    OperatorOptions options;
    options.manage_webhook_certificate = false;
    operator_ = std::make_unique<Operator>(*store_, events_, nullptr, clock_, options);
  }

  void CreateClusterAndPolicy() {
    Result<Json> cluster =
        store_->Create(kVitessClusterKind, testing::LoadCluster("101_initial_cluster.yaml"));
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    Result<Json> policy = store_->Create(kPolicyKind, testing::MakePolicy("tls"));
    ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  }

  void Settle(int rounds = 4) {
    for (int i = 0; i < rounds; ++i) {
      ASSERT_TRUE(operator_->ResyncAll().ok());
      operator_->RunUntilIdle();
      clock_.Advance(std::chrono::seconds(30));
      operator_->RunUntilIdle();
    }
  }

  int WriteRequests() {
    int writes = 0;
    for (const auto& record : server_->RequestLog()) {
      if (record.verb == "create" || record.verb == "update" || record.verb == "patch" ||
          record.verb == "delete") {
        ++writes;
      }
    }
    return writes;
  }

  std::unique_ptr<vtguard::testing::TestApiServer> server_;
  std::shared_ptr<kube::Client> client_;
  std::unique_ptr<KubeStore> store_;
  MemoryEventRecorder events_;
  FakeClock clock_{kStart};
  std::unique_ptr<Operator> operator_;
};

TEST_F(KubeStoreTest, SecuresClusterThroughApiServer) {
  CreateClusterAndPolicy();
  Settle();
  for (const char* name :
       {"example-vtguard-ca", "example-vtguard-vttablet", "example-vtguard-vtgate",
        "example-vtguard-vtctld", "example-vtguard-vtorc"}) {
    EXPECT_TRUE(client_->Get(kube::SecretsResource(), kNamespace, name).ok()) << name;
  }
  Result<Json> cluster = client_->Get(kube::VitessClustersResource(), kNamespace, "example");
  ASSERT_TRUE(cluster.ok());
  EXPECT_EQ(ClusterRevision(*cluster), 1);
  Result<Json> policy = client_->Get(kube::VitessTlsPoliciesResource(), kNamespace, "tls");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ((*policy)["status"]["clusters"][0].value("phase", ""), "Secured")
      << (*policy)["status"].dump(2);
}

TEST_F(KubeStoreTest, SteadyStateSendsNoWrites) {
  CreateClusterAndPolicy();
  Settle();
  server_->ClearRequestLog();
  Settle();
  EXPECT_EQ(WriteRequests(), 0);
}

TEST_F(KubeStoreTest, ConvergesThroughInjectedFaults) {
  CreateClusterAndPolicy();
  vtguard::testing::FaultRule create_fails;
  create_fails.verb = "create";
  create_fails.resource = "secrets";
  create_fails.status = 500;
  create_fails.fraction = 0.5;
  create_fails.max_hits = 4;
  server_->AddFault(create_fails);
  vtguard::testing::FaultRule patch_conflicts;
  patch_conflicts.verb = "patch";
  patch_conflicts.resource = "vitessclusters";
  patch_conflicts.status = 409;
  patch_conflicts.max_hits = 2;
  server_->AddFault(patch_conflicts);
  vtguard::testing::FaultRule status_fails;
  status_fails.verb = "update";
  status_fails.resource = "vitesstlspolicies";
  status_fails.status = 500;
  status_fails.max_hits = 2;
  server_->AddFault(status_fails);

  Settle(12);
  int failed = 0, conflicts = 0;
  for (const auto& record : server_->RequestLog()) {
    failed += record.status == 500 ? 1 : 0;
    conflicts += record.status == 409 ? 1 : 0;
  }
  EXPECT_GE(failed, 1);  // The faults were hit, and the operator recovered from them.
  EXPECT_EQ(conflicts, 2);
  std::optional<ClusterStatus> status = operator_->ClusterStatusOf(kNamespace, "example");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->phase, ClusterPhase::kSecured) << status->ToJson().dump();
  kube::ListOptions only_cas;
  only_cas.label_selector = "vtguard.io/component=ca";
  Result<Json> cas = client_->List(kube::SecretsResource(), kNamespace, only_cas);
  ASSERT_TRUE(cas.ok());
  EXPECT_EQ(cas->value("items", Json::array()).size(), 1u);
}

TEST_F(KubeStoreTest, OneOfTwoReplicasLeadsAndHandsOver) {
  std::atomic<int> leading_a{0}, leading_b{0};
  auto make = [&](const std::string& identity, std::atomic<int>* leading) {
    kube::LeaderElectionConfig config;
    config.lease_namespace = "vtguard-system";
    config.lease_name = "vtguard-operator";
    config.identity = identity;
    config.lease_duration = std::chrono::milliseconds(1500);
    config.renew_deadline = std::chrono::milliseconds(1000);
    config.retry_period = std::chrono::milliseconds(200);
    config.on_started_leading = [leading] { *leading = 1; };
    config.on_stopped_leading = [leading] { *leading = 0; };
    auto elector = kube::LeaderElector::Create(client_, config);
    EXPECT_TRUE(elector.ok());
    return std::move(*elector);
  };
  auto a = make("replica-a", &leading_a);
  auto b = make("replica-b", &leading_b);
  a->Start();
  b->Start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (leading_a + leading_b == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  ASSERT_EQ(leading_a + leading_b, 1);
  auto& leader = leading_a ? a : b;
  std::atomic<int>& follower_flag = leading_a ? leading_b : leading_a;

  auto stopped = std::chrono::steady_clock::now();
  leader->Stop();
  while (follower_flag == 0 &&
         std::chrono::steady_clock::now() < stopped + std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(follower_flag, 1);
  // Within one lease duration (plus a retry period) after the leader stopped.
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, std::chrono::milliseconds(1700));
  a->Stop();
  b->Stop();
}

}  // namespace
}  // namespace vtguard::op
