// The operator against the in-process test API server over HTTPS: the real client, JSON
// patches with a resourceVersion test, status subresource, injected faults, leader election.
#include "operator/kube_store.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/kube/informer.h"
#include "common/kube/leader_election.h"
#include "operator/operator.h"
#include "operator/policy_cleanup.h"
#include "tests/apiserver/api_server.h"
#include "tests/operator/apiserver_seed.h"
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
    Status crds = testing::ApplyOperatorCrds(*server_);
    ASSERT_TRUE(crds.ok()) << crds.ToString();
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

  void CreateClusterAndPolicy(const Json& spec = Json::object()) {
    Result<Json> cluster =
        store_->Create(kVitessClusterKind, testing::LoadCluster("101_initial_cluster.yaml"));
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    Result<Json> policy = store_->Create(kPolicyKind, testing::MakePolicy("tls", spec));
    ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  }

  // Secret names in `ns`, read from the API server.
  std::set<std::string> SecretNames(const std::string& ns) {
    Result<Json> list = client_->List(kube::SecretsResource(), ns);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    std::set<std::string> names;
    if (!list.ok()) return names;
    for (const Json& item : list->value("items", Json::array())) {
      names.insert(item["metadata"].value("name", ""));
    }
    return names;
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

const std::set<std::string> kExampleSecrets = {"example-vtguard-ca", "example-vtguard-vttablet",
                                               "example-vtguard-vtgate", "example-vtguard-vtctld",
                                               "example-vtguard-vtorc"};

TEST_F(KubeStoreTest, CleanupOnDeleteDeletesOnlyPolicySecrets) {
  CreateClusterAndPolicy({{"cleanupOnDelete", true}});
  // Secrets that are not this policy's: another policy's, and one vtguard does not manage.
  Json other = BuildSecret(kNamespace, "other-vtguard-vtgate", "kubernetes.io/tls",
                           {"other", "other", "vtgate"}, {{"tls.crt", "x"}}, {});
  ASSERT_TRUE(store_->Create(kSecretKind, other).ok());
  Json user = {{"apiVersion", "v1"},
               {"kind", "Secret"},
               {"metadata", {{"name", "user-secret"}, {"namespace", kNamespace}}},
               {"data", {{"key", Base64Encode("value")}}}};
  ASSERT_TRUE(store_->Create(kSecretKind, user).ok());
  Settle();
  const Json configured = *client_->Get(kube::VitessClustersResource(), kNamespace, "example");
  Result<Json> policy = client_->Get(kube::VitessTlsPoliciesResource(), kNamespace, "tls");
  ASSERT_TRUE(policy.ok());
  EXPECT_TRUE(HasFinalizer(*policy, kCleanupFinalizer)) << (*policy)["metadata"].dump();
  for (const std::string& name : kExampleSecrets)
    EXPECT_EQ(SecretNames(kNamespace).count(name), 1u);

  ASSERT_TRUE(client_->Delete(kube::VitessTlsPoliciesResource(), kNamespace, "tls").ok());
  Result<Json> deleting = client_->Get(kube::VitessTlsPoliciesResource(), kNamespace, "tls");
  ASSERT_TRUE(deleting.ok()) << "the finalizer holds the policy until the cleanup ran";
  EXPECT_TRUE(IsBeingDeleted(*deleting));

  Settle();
  Result<Json> gone = client_->Get(kube::VitessTlsPoliciesResource(), kNamespace, "tls");
  EXPECT_EQ(gone.status().code(), ErrorCode::kNotFound);
  std::set<std::string> left = SecretNames(kNamespace);
  EXPECT_EQ(left, (std::set<std::string>{"other-vtguard-vtgate", "user-secret"}));
  EXPECT_GE(events_.Count("CleanedUp"), 1);
  // The VitessCluster keeps the TLS configuration it had.
  Json cluster = *client_->Get(kube::VitessClustersResource(), kNamespace, "example");
  EXPECT_EQ(cluster["spec"], configured["spec"]);
  // The cluster is no longer managed, so nothing is issued again.
  Settle();
  EXPECT_EQ(SecretNames(kNamespace), left);
}

TEST_F(KubeStoreTest, DefaultDeleteKeepsSecretsWithoutFinalizer) {
  CreateClusterAndPolicy();
  Settle();
  Result<Json> policy = client_->Get(kube::VitessTlsPoliciesResource(), kNamespace, "tls");
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(HasFinalizer(*policy, kCleanupFinalizer));
  ASSERT_TRUE(client_->Delete(kube::VitessTlsPoliciesResource(), kNamespace, "tls").ok());
  EXPECT_EQ(client_->Get(kube::VitessTlsPoliciesResource(), kNamespace, "tls").status().code(),
            ErrorCode::kNotFound);
  Settle();
  for (const std::string& name : kExampleSecrets) {
    EXPECT_EQ(SecretNames(kNamespace).count(name), 1u) << name;
  }
}

TEST_F(KubeStoreTest, TurningCleanupOffRemovesFinalizer) {
  CreateClusterAndPolicy({{"cleanupOnDelete", true}});
  Settle();
  Json policy = *client_->Get(kube::VitessTlsPoliciesResource(), kNamespace, "tls");
  ASSERT_TRUE(HasFinalizer(policy, kCleanupFinalizer));
  policy["spec"]["cleanupOnDelete"] = false;
  ASSERT_TRUE(client_->Update(kube::VitessTlsPoliciesResource(), kNamespace, policy).ok());
  Settle();
  policy = *client_->Get(kube::VitessTlsPoliciesResource(), kNamespace, "tls");
  EXPECT_FALSE(HasFinalizer(policy, kCleanupFinalizer)) << policy["metadata"].dump();
  EXPECT_EQ(policy["status"]["clusters"][0].value("phase", ""), "Secured");
}

// The operator wired as vtguard-operator runs it: informers feed the work queue and serve
// reads, so dropped watches and expired resourceVersions reach the reconcilers.
class InformerStoreTest : public KubeStoreTest {
 protected:
  void SetUp() override {
    KubeStoreTest::SetUp();
    if (HasFatalFailure()) return;
    Watch(kPolicyKind, "");
    Watch(kVitessClusterKind, "");
    Watch(kSecretKind, "app.kubernetes.io/managed-by=vtguard");
    Watch(kPodKind, "planetscale.com/cluster");
    for (auto& informer : informers_) informer->Start();
    for (auto& informer : informers_) ASSERT_TRUE(informer->WaitForSync(std::chrono::seconds(10)));
  }
  void TearDown() override {
    for (auto& informer : informers_) informer->Stop();
  }

  void Watch(const ResourceKind& kind, const std::string& label_selector) {
    kube::InformerOptions options;
    options.resource = ToKubeResource(kind);
    options.label_selector = label_selector;
    options.initial_backoff = std::chrono::milliseconds(20);
    options.max_backoff = std::chrono::milliseconds(200);
    auto informer = std::make_unique<kube::Informer>(client_, options);
    Operator* op = operator_.get();
    informer->AddHandlers(
        {[op, &kind](const Json& o) { op->OnEvent(kind, WatchEventType::kAdded, o); },
         [op, &kind](const Json&, const Json& o) {
           op->OnEvent(kind, WatchEventType::kModified, o);
         },
         [op, &kind](const Json& o) { op->OnEvent(kind, WatchEventType::kDeleted, o); }});
    store_->UseInformer(kind, informer.get());
    informers_.push_back(std::move(informer));
  }

  // One round: the due keys, a little real time for watch events, the clock past the batching
  // delay and any backoff, and the due keys again. No resync: events alone drive the work.
  void Round() {
    operator_->RunUntilIdle();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    clock_.Advance(std::chrono::seconds(30));
    operator_->RunUntilIdle();
  }

  // Names and resourceVersions of `kind` in the informer cache and on the API server.
  std::map<std::string, std::string> Versions(const ResourceKind& kind, bool from_cache,
                                              const LabelSelector& selector = {}) {
    std::map<std::string, std::string> versions;
    std::vector<Json> items;
    if (from_cache) {
      items = *store_->List(kind, "", selector);
    } else {
      kube::ListOptions options;
      for (const auto& [key, value] : selector) {
        options.label_selector += (options.label_selector.empty() ? "" : ",") + key + "=" + value;
      }
      Result<Json> list = client_->ListAll(ToKubeResource(kind), "", options);
      EXPECT_TRUE(list.ok()) << list.status().ToString();
      if (list.ok()) items = list->value("items", Json::array()).get<std::vector<Json>>();
    }
    for (const Json& item : items) {
      versions[MetadataString(item, "namespace") + "/" + MetadataString(item, "name")] =
          MetadataString(item, "resourceVersion");
    }
    return versions;
  }

  std::vector<std::unique_ptr<kube::Informer>> informers_;
};

TEST_F(InformerStoreTest, ConvergesThroughWatchFaults) {
  CreateClusterAndPolicy();
  // Faults on the watch path itself: watches refused with 410 Gone (a relist is due) and 500,
  // failing and slow relists, and throttled (429) and slow writes.
  vtguard::testing::FaultRule watch_gone;
  watch_gone.verb = "watch";
  watch_gone.status = 410;
  watch_gone.fraction = 0.3;
  watch_gone.max_hits = 6;
  server_->AddFault(watch_gone);
  vtguard::testing::FaultRule watch_fails;
  watch_fails.verb = "watch";
  watch_fails.status = 500;
  watch_fails.fraction = 0.3;
  watch_fails.max_hits = 6;
  server_->AddFault(watch_fails);
  vtguard::testing::FaultRule list_fails;
  list_fails.verb = "list";
  list_fails.status = 500;
  list_fails.fraction = 0.5;
  list_fails.max_hits = 4;
  list_fails.latency = std::chrono::milliseconds(20);
  server_->AddFault(list_fails);
  vtguard::testing::FaultRule throttled;
  throttled.verb = "create";
  throttled.resource = "secrets";
  throttled.status = 429;
  throttled.fraction = 0.3;
  throttled.max_hits = 3;
  server_->AddFault(throttled);
  vtguard::testing::FaultRule slow_patch;
  slow_patch.verb = "patch";
  slow_patch.status = 0;
  slow_patch.latency = std::chrono::milliseconds(30);
  server_->AddFault(slow_patch);

  bool second_cluster = false;
  for (int round = 0; round < 24; ++round) {
    // Cut every watch mid-stream. Every other round also expires every resourceVersion handed
    // out so far, so the resumed watches get 410 Gone and the informers relist.
    server_->DropWatches();
    if (round % 2 == 1) server_->ExpireResourceVersions();
    if (round == 6) {
      // A cluster added while the watches are failing must still be seen.
      Result<Json> created = store_->Create(
          kVitessClusterKind, testing::LoadCluster("101_initial_cluster.yaml", "second"));
      ASSERT_TRUE(created.ok()) << created.status().ToString();
      second_cluster = true;
    }
    if (round == 12) {
      // The informers may see the new cluster only after a few failed watches and lists.
      // Once it is issued, every leaf of both clusters is renewed while the faults go on.
      auto secured = [&] {
        std::optional<ClusterStatus> status = operator_->ClusterStatusOf(kNamespace, "second");
        return status && status->phase == ClusterPhase::kSecured;
      };
      for (int wait = 0; wait < 40 && !secured(); ++wait) Round();
      ASSERT_TRUE(secured());
      clock_.Advance(std::chrono::hours(2160 - 700));
    }
    Round();
  }
  ASSERT_TRUE(second_cluster);
  server_->ClearFaults();
  // Without faults, rounds until both clusters report the renewal. A key that failed often
  // waits up to ten minutes of the fake clock in backoff, which is 20 rounds.
  auto renewed = [&] {
    for (const char* cluster : {"example", "second"}) {
      std::optional<ClusterStatus> status = operator_->ClusterStatusOf(kNamespace, cluster);
      if (!status || status->revision < 2 || status->phase != ClusterPhase::kSecured) return false;
    }
    return true;
  };
  for (int round = 0; round < 40 && !renewed(); ++round) Round();
  for (int round = 0; round < 3; ++round) Round();

  std::map<std::string, std::string> revisions;
  for (const char* cluster : {"example", "second"}) {
    std::optional<ClusterStatus> status = operator_->ClusterStatusOf(kNamespace, cluster);
    ASSERT_TRUE(status.has_value()) << cluster;
    EXPECT_EQ(status->phase, ClusterPhase::kSecured) << cluster << ": " << status->ToJson().dump();
    // Issued, then renewed; a pass that failed half-way may have used one more revision.
    EXPECT_GE(status->revision, 2) << cluster;
    Json object = *client_->Get(kube::VitessClustersResource(), kNamespace, cluster);
    EXPECT_EQ(ClusterRevision(object), status->revision) << cluster;
    revisions[cluster] = std::to_string(status->revision);
  }
  // Exactly the expected Secrets: none lost, none extra, one CA per cluster.
  std::set<std::string> expected;
  for (const char* cluster : {"example", "second"}) {
    for (const char* suffix : {"ca", "vttablet", "vtgate", "vtctld", "vtorc"}) {
      expected.insert(std::string(cluster) + "-vtguard-" + suffix);
    }
  }
  EXPECT_EQ(SecretNames(kNamespace), expected);
  for (const char* cluster : {"example", "second"}) {
    Result<Json> ca_secret =
        client_->Get(kube::SecretsResource(), kNamespace, std::string(cluster) + "-vtguard-ca");
    ASSERT_TRUE(ca_secret.ok());
    pki::Certificate ca = *pki::Certificate::FromPem(ReadSecretData(*ca_secret)->at("tls.crt"));
    for (const char* component : {"vttablet", "vtgate", "vtctld", "vtorc"}) {
      Json leaf = *client_->Get(kube::SecretsResource(), kNamespace,
                                std::string(cluster) + "-vtguard-" + component);
      pki::Certificate cert = *pki::Certificate::FromPem(ReadSecretData(leaf)->at("tls.crt"));
      EXPECT_TRUE(cert.IsSignedBy(ca)) << cluster << "/" << component;
      // Every leaf was renewed, and the cluster runs a revision that includes it.
      EXPECT_GT(cert.NotBefore(), kStart + std::chrono::hours(1000)) << cluster << "/" << component;
      EXPECT_LE(std::stoll(Annotation(leaf, "vtguard.io/revision")), std::stoll(revisions[cluster]))
          << cluster << "/" << component;
    }
  }
  // The faults were hit, and the informers relisted and watched again.
  int gone = 0, failed = 0;
  for (const auto& record : server_->RequestLog()) {
    gone += record.status == 410 ? 1 : 0;
    failed += record.status == 500 || record.status == 429 ? 1 : 0;
  }
  EXPECT_GE(gone, 1);
  EXPECT_GE(failed, 1);
  for (const auto& informer : informers_) {
    EXPECT_GE(informer->list_count(), 3);
    // 30 rounds drop every watch; an informer in backoff at a drop skips that round.
    EXPECT_GE(informer->watch_count(), 5);
  }
  // The caches hold exactly what the API server holds, at the same versions.
  EXPECT_EQ(Versions(kVitessClusterKind, true), Versions(kVitessClusterKind, false));
  EXPECT_EQ(Versions(kPolicyKind, true), Versions(kPolicyKind, false));
  const LabelSelector managed = {{"app.kubernetes.io/managed-by", "vtguard"}};
  EXPECT_EQ(Versions(kSecretKind, true, managed), Versions(kSecretKind, false, managed));

  // Converged: with the informers quiet, another pass writes nothing.
  server_->ClearRequestLog();
  ASSERT_TRUE(operator_->ResyncAll().ok());
  for (int round = 0; round < 3; ++round) Round();
  EXPECT_EQ(WriteRequests(), 0);
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
