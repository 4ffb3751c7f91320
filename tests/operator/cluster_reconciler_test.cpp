// ClusterReconciler against real vitess-operator manifests in a MemoryStore.
#include "operator/cluster_reconciler.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/base/log.h"
#include "common/vitess/admission.h"
#include "tests/operator/test_env.h"
#include "tests/vitess/retype.h"

namespace vtguard::op {
namespace {

using testing::kNamespace;
using testing::LoadCluster;
using testing::MakePolicy;

const SystemTime kStart = SystemTime(std::chrono::seconds(1'796'000'000));  // 2026-12-01

vitess::TlsPolicy Policy(const Json& spec = Json::object()) {
  Result<vitess::TlsPolicy> policy = vitess::ParsePolicy(MakePolicy("tls", spec));
  if (!policy.ok()) throw std::runtime_error(policy.status().ToString());
  return *policy;
}

SecretData SecretDataOf(MemoryStore& store, const std::string& name) {
  Result<Json> secret = store.Get(kSecretKind, kNamespace, name);
  if (!secret.ok()) throw std::runtime_error(secret.status().ToString());
  return *ReadSecretData(*secret);
}

// Runs `openssl verify` with extra arguments; returns its exit status.
int OpenSslVerify(const SecretData& leaf, const std::string& extra_args) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vtguard-verify-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "ca.crt") << leaf.at("ca.crt");
  std::ofstream(dir / "tls.crt") << leaf.at("tls.crt");
  std::string command = "openssl verify " + extra_args + " -CAfile " + (dir / "ca.crt").string() +
                        " " + (dir / "tls.crt").string() + " >/dev/null 2>&1";
  int status = std::system(command.c_str());
  std::filesystem::remove_all(dir);
  return status;
}

class ClusterReconcilerTest : public ::testing::Test {
 protected:
  ClusterReconcilerTest() : clock_(kStart), reconciler_(store_, events_, nullptr, clock_) {}

  void CreateCluster(const std::string& file, const std::string& name = "") {
    Result<Json> created = store_.Create(kVitessClusterKind, LoadCluster(file, name));
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }
  Json Cluster(const std::string& name = "example") {
    return *store_.Get(kVitessClusterKind, kNamespace, name);
  }

  MemoryStore store_;
  MemoryEventRecorder events_;
  FakeClock clock_;
  ClusterReconciler reconciler_;
};

TEST_F(ClusterReconcilerTest, IssuesCaAndFourLeaves) {
  CreateCluster("101_initial_cluster.yaml");
  ClusterOutcome outcome = reconciler_.Reconcile(Policy(), kNamespace, "example");
  ASSERT_TRUE(outcome.error.ok()) << outcome.error.ToString();

  for (const char* name :
       {"example-vtguard-ca", "example-vtguard-vttablet", "example-vtguard-vtgate",
        "example-vtguard-vtctld", "example-vtguard-vtorc"}) {
    Result<Json> secret = store_.Get(kSecretKind, kNamespace, name);
    ASSERT_TRUE(secret.ok()) << name;
    EXPECT_EQ(Label(*secret, "app.kubernetes.io/managed-by"), "vtguard") << name;
    EXPECT_EQ(Label(*secret, "vtguard.io/cluster"), "example") << name;
    EXPECT_EQ(Label(*secret, "vtguard.io/policy"), "tls") << name;
  }
  EXPECT_EQ(store_.Get(kSecretKind, kNamespace, "example-vtguard-ca")->value("type", ""), "Opaque");
  EXPECT_EQ(store_.Get(kSecretKind, kNamespace, "example-vtguard-vttablet")->value("type", ""),
            "kubernetes.io/tls");
  EXPECT_EQ(outcome.status.phase, ClusterPhase::kSecured);
  EXPECT_EQ(outcome.status.revision, 1);
  ASSERT_EQ(events_.events().size(), 1u);  // One Event summarises the pass.
  EXPECT_EQ(events_.events()[0].reason, "Issued");
  for (const char* name :
       {"example-vtguard-ca", "example-vtguard-vttablet", "example-vtguard-vtorc"}) {
    EXPECT_NE(events_.events()[0].message.find(name), std::string::npos) << name;
  }
}

TEST_F(ClusterReconcilerTest, ClusterWithoutVtorcGetsNoVtorcLeaf) {
  // This manifest's keyspace sets no vitessOrchestrator, so vitess-operator runs no vtorc.
  CreateCluster("101_initial_cluster_vtorc_vtadmin.yaml");
  // Its images carry no version ("vitess/lite:mysql80").
  const vitess::TlsPolicy policy = Policy({{"vitessVersion", "v24.0.4"}});
  ClusterOutcome outcome = reconciler_.Reconcile(policy, kNamespace, "example");
  ASSERT_TRUE(outcome.error.ok()) << outcome.error.ToString();
  EXPECT_EQ(store_.Get(kSecretKind, kNamespace, "example-vtguard-vtorc").status().code(),
            ErrorCode::kNotFound);
  for (const char* name :
       {"example-vtguard-vttablet", "example-vtguard-vtgate", "example-vtguard-vtctld"}) {
    EXPECT_TRUE(store_.Get(kSecretKind, kNamespace, name).ok()) << name;
  }
  EXPECT_EQ(outcome.status.phase, ClusterPhase::kSecured);

  std::int64_t writes = store_.TotalWrites();
  ASSERT_TRUE(reconciler_.Reconcile(policy, kNamespace, "example").error.ok());
  EXPECT_EQ(store_.TotalWrites(), writes);
}

TEST_F(ClusterReconcilerTest, FirstLeavesKeepWebhookRevision) {
  // The webhook wrote revision "1" at creation; the first leaves are new Secrets that no pod
  // has read, so they need no second rollout.
  Json cluster = LoadCluster("101_initial_cluster.yaml", "");
  cluster = cluster.patch(vitess::MutateVitessCluster(Policy(), cluster, nullptr).patch.ToJson());
  ASSERT_TRUE(store_.Create(kVitessClusterKind, cluster).ok());
  ClusterOutcome outcome = reconciler_.Reconcile(Policy(), kNamespace, "example");
  ASSERT_TRUE(outcome.error.ok()) << outcome.error.ToString();
  EXPECT_EQ(outcome.status.revision, 1);
  EXPECT_EQ(ClusterRevision(Cluster()), 1);
}

TEST_F(ClusterReconcilerTest, FirstLeavesRestartReadyPods) {
  Json cluster = LoadCluster("101_initial_cluster.yaml", "");
  cluster = cluster.patch(vitess::MutateVitessCluster(Policy(), cluster, nullptr).patch.ToJson());
  ASSERT_TRUE(store_.Create(kVitessClusterKind, cluster).ok());
  testing::FakeVitessOperator pods(store_, kNamespace, "example");
  pods.CreatePods();  // Ready pods may hold files of an earlier Secret of the same name.
  ClusterOutcome outcome = reconciler_.Reconcile(Policy(), kNamespace, "example");
  ASSERT_TRUE(outcome.error.ok()) << outcome.error.ToString();
  EXPECT_EQ(outcome.status.revision, 2);
  EXPECT_EQ(ClusterRevision(Cluster()), 2);
}

TEST_F(ClusterReconcilerTest, UserTlsClusterRolloutIgnoresPodsWithoutRevision) {
  // Tablets serve the user's certificate everywhere, so no site carries vtguard's revision and
  // the rollout does not wait for pods that will never run it.
  Json cluster = LoadCluster("101_initial_cluster.yaml", "");
  Json& pools =
      cluster["spec"]["keyspaces"][0]["partitionings"][0]["equal"]["shardTemplate"]["tabletPools"];
  for (Json& pool : pools) {
    pool["vttablet"]["extraFlags"]["grpc-cert"] = "/vt/tls/tls.crt";
    pool["vttablet"]["extraFlags"]["grpc-key"] = "/vt/tls/tls.key";
  }
  ASSERT_TRUE(store_.Create(kVitessClusterKind, cluster).ok());
  testing::FakeVitessOperator pods(store_, kNamespace, "example");
  pods.CreatePods();
  ClusterOutcome outcome = reconciler_.Reconcile(Policy(), kNamespace, "example");
  ASSERT_TRUE(outcome.error.ok()) << outcome.error.ToString();
  EXPECT_TRUE(vitess::ComponentsWithRevision(Cluster()).empty()) << Cluster().dump();
  EXPECT_FALSE(outcome.status.restart_due);
}

TEST_F(ClusterReconcilerTest, LeavesPassOpensslVerify) {
  CreateCluster("101_initial_cluster.yaml");
  ASSERT_TRUE(reconciler_.Reconcile(Policy(), kNamespace, "example").error.ok());

  SecretData tablet = SecretDataOf(store_, "example-vtguard-vttablet");
  // openssl checks validity against the real time; certificates start at the fake clock.
  const std::string at =
      "-attime " +
      std::to_string(
          std::chrono::duration_cast<std::chrono::seconds>(kStart.time_since_epoch()).count() +
          3600);
  EXPECT_EQ(OpenSslVerify(tablet, at + " -purpose sslserver -verify_hostname "
                                       "vttablet.vtguard.internal"),
            0);
  EXPECT_EQ(OpenSslVerify(tablet, at + " -purpose sslclient"), 0);
  EXPECT_NE(OpenSslVerify(tablet, at + " -verify_hostname wrong.example.com"), 0);
  for (const char* client : {"vtgate", "vtctld", "vtorc"}) {
    SecretData leaf = SecretDataOf(store_, std::string("example-vtguard-") + client);
    EXPECT_EQ(OpenSslVerify(leaf, at + " -purpose sslclient"), 0) << client;
    EXPECT_NE(OpenSslVerify(leaf, at + " -purpose sslserver"), 0) << client;
  }
}

TEST_F(ClusterReconcilerTest, LeavesCarryNamesUsagesAndIdentities) {
  CreateCluster("101_initial_cluster.yaml");
  ASSERT_TRUE(reconciler_.Reconcile(Policy(), kNamespace, "example").error.ok());

  auto cert = [&](const std::string& component) {
    return *pki::Certificate::FromPem(
        SecretDataOf(store_, "example-vtguard-" + component).at("tls.crt"));
  };
  pki::Certificate tablet = cert("vttablet");
  std::vector<std::string> names = tablet.DnsNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "vttablet.vtguard.internal"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "example-vttablet.example.svc"), names.end());
  EXPECT_EQ(tablet.Usages(), (std::vector<pki::Usage>{pki::Usage::kServer, pki::Usage::kClient}));
  std::set<std::string> subjects;
  for (const char* component : {"vttablet", "vtgate", "vtctld", "vtorc"}) {
    pki::Certificate leaf = cert(component);
    EXPECT_EQ(leaf.CommonName(), component);
    EXPECT_NE(leaf.Subject().find("OU=example"), std::string::npos) << leaf.Subject();
    EXPECT_EQ(*leaf.PublicKeySpec(), (pki::KeySpec{pki::KeyAlgorithm::kEcdsa, 256}));
    subjects.insert(leaf.Subject());
    if (std::string(component) != "vttablet") {
      EXPECT_EQ(leaf.Usages(), std::vector<pki::Usage>{pki::Usage::kClient}) << component;
      EXPECT_TRUE(leaf.DnsNames().empty()) << component;
    }
  }
  EXPECT_EQ(subjects.size(), 4u);
}

TEST_F(ClusterReconcilerTest, ConfiguresClusterWithDashedFlagsForV24) {
  CreateCluster("101_initial_cluster.yaml");
  ASSERT_TRUE(reconciler_.Reconcile(Policy(), kNamespace, "example").error.ok());

  Json cluster = Cluster();
  const Json& tablet = cluster["spec"]["keyspaces"][0]["partitionings"][0]["equal"]["shardTemplate"]
                              ["tabletPools"][0]["vttablet"];
  EXPECT_TRUE(tablet["extraFlags"].contains("grpc-cert")) << tablet.dump();
  EXPECT_TRUE(tablet["extraFlags"].contains("tablet-grpc-ca")) << tablet.dump();
  EXPECT_FALSE(tablet["extraFlags"].contains("grpc_cert")) << tablet.dump();
  EXPECT_EQ(tablet["extraFlags"].value("db_charset", ""), "utf8mb4");  // User flags stay.
  EXPECT_EQ(ClusterRevision(cluster), 1);
  const Json& gateway = cluster["spec"]["cells"][0]["gateway"];
  EXPECT_TRUE(gateway["extraFlags"].contains("tablet-grpc-ca")) << gateway.dump();
  EXPECT_FALSE(Annotation(cluster, "vtguard.io/injected").empty());
}

TEST_F(ClusterReconcilerTest, SecondPassWritesNothing) {
  CreateCluster("101_initial_cluster.yaml");
  ASSERT_TRUE(reconciler_.Reconcile(Policy(), kNamespace, "example").error.ok());
  std::int64_t writes = store_.TotalWrites();
  EXPECT_EQ(writes, 1 + 6);  // The cluster's creation, then CA, four leaves and one patch.

  ClusterOutcome again = reconciler_.Reconcile(Policy(), kNamespace, "example");
  ASSERT_TRUE(again.error.ok()) << again.error.ToString();
  EXPECT_EQ(store_.TotalWrites(), writes);
  EXPECT_EQ(again.status.phase, ClusterPhase::kSecured);
}

TEST_F(ClusterReconcilerTest, NeverOverwritesForeignSecret) {
  CreateCluster("101_initial_cluster.yaml");
  Json foreign = {{"metadata", {{"name", "example-vtguard-vtgate"}, {"namespace", kNamespace}}},
                  {"type", "Opaque"},
                  {"data", {{"keep", Base64Encode("mine")}}}};
  ASSERT_TRUE(store_.Create(kSecretKind, foreign).ok());

  ClusterOutcome outcome = reconciler_.Reconcile(Policy(), kNamespace, "example");
  EXPECT_EQ(outcome.error.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(outcome.status.failure_reason, "SecretNotManaged");
  EXPECT_EQ(SecretDataOf(store_, "example-vtguard-vtgate").at("keep"), "mine");
}

TEST_F(ClusterReconcilerTest, RenewsLeavesAtRenewalTimeOnly) {
  CreateCluster("101_initial_cluster.yaml");
  ClusterOutcome first = reconciler_.Reconcile(Policy(), kNamespace, "example");
  ASSERT_TRUE(first.status.renewal_time.has_value());
  const SystemTime renewal = *first.status.renewal_time;
  // Default certificate: 2160h lifetime, renewBefore 720h, jitter at most a tenth of that.
  EXPECT_LE(renewal, kStart + std::chrono::hours(2160 - 720));
  EXPECT_GE(renewal, kStart + std::chrono::hours(2160 - 720 - 72) - std::chrono::minutes(5));
  ASSERT_TRUE(first.requeue_after.has_value());

  clock_.Set(renewal - std::chrono::seconds(1));
  std::int64_t writes = store_.TotalWrites();
  ASSERT_TRUE(reconciler_.Reconcile(Policy(), kNamespace, "example").error.ok());
  EXPECT_EQ(store_.TotalWrites(), writes);

  clock_.Set(renewal + std::chrono::hours(24));
  ClusterOutcome renewed = reconciler_.Reconcile(Policy(), kNamespace, "example");
  ASSERT_TRUE(renewed.error.ok()) << renewed.error.ToString();
  EXPECT_GT(store_.TotalWrites(), writes);
  EXPECT_EQ(renewed.status.revision, 2);
  EXPECT_EQ(ClusterRevision(Cluster()), 2);
  EXPECT_GT(*renewed.status.renewal_time, renewal);
  EXPECT_GE(events_.Count("Renewed"), 1);
}

TEST_F(ClusterReconcilerTest, SpreadsRenewalTimesByName) {
  CreateCluster("101_initial_cluster.yaml", "alpha");
  CreateCluster("101_initial_cluster.yaml", "beta");
  ClusterOutcome alpha = reconciler_.Reconcile(Policy(), kNamespace, "alpha");
  ClusterOutcome beta = reconciler_.Reconcile(Policy(), kNamespace, "beta");
  ASSERT_TRUE(alpha.status.renewal_time && beta.status.renewal_time);
  EXPECT_NE(*alpha.status.renewal_time, *beta.status.renewal_time);
}

TEST_F(ClusterReconcilerTest, RenewsCaWithSameKey) {
  CreateCluster("101_initial_cluster.yaml");
  vitess::TlsPolicy policy =
      Policy({{"ca", {{"duration", "8760h"}, {"renewBefore", "720h"}}},
              {"certificate", {{"duration", "240h"}, {"renewBefore", "72h"}}}});
  ASSERT_TRUE(reconciler_.Reconcile(policy, kNamespace, "example").error.ok());
  SecretData before = SecretDataOf(store_, "example-vtguard-ca");

  clock_.Advance(std::chrono::hours(8760 - 700));
  ClusterOutcome outcome = reconciler_.Reconcile(policy, kNamespace, "example");
  ASSERT_TRUE(outcome.error.ok()) << outcome.error.ToString();
  SecretData after = SecretDataOf(store_, "example-vtguard-ca");
  EXPECT_EQ(after.at("tls.key"), before.at("tls.key"));
  EXPECT_NE(after.at("tls.crt"), before.at("tls.crt"));
  pki::Certificate old_ca = *pki::Certificate::FromPem(before.at("tls.crt"));
  pki::Certificate new_ca = *pki::Certificate::FromPem(after.at("tls.crt"));
  EXPECT_GT(new_ca.NotAfter(), old_ca.NotAfter());
  // Leaves signed before the renewal verify against the new certificate.
  pki::Certificate tablet =
      *pki::Certificate::FromPem(SecretDataOf(store_, "example-vtguard-vttablet").at("tls.crt"));
  EXPECT_TRUE(tablet.IsSignedBy(new_ca));
}

TEST_F(ClusterReconcilerTest, BrokenUserCaFailsWithoutWrites) {
  CreateCluster("101_initial_cluster.yaml");
  Json broken = {
      {"metadata", {{"name", "broken-ca"}, {"namespace", kNamespace}}},
      {"type", "kubernetes.io/tls"},
      {"data",
       {{"tls.crt", Base64Encode("not a certificate")}, {"tls.key", Base64Encode("not a key")}}}};
  ASSERT_TRUE(store_.Create(kSecretKind, broken).ok());
  vitess::TlsPolicy policy = Policy({{"issuer", {{"caSecretRef", {{"name", "broken-ca"}}}}}});
  std::int64_t writes = store_.TotalWrites();

  ClusterOutcome outcome = reconciler_.Reconcile(policy, kNamespace, "example");
  EXPECT_FALSE(outcome.error.ok());
  EXPECT_EQ(outcome.status.failure_reason, "IssuerNotReady");
  EXPECT_EQ(outcome.status.phase, ClusterPhase::kPending);
  EXPECT_EQ(store_.TotalWrites(), writes);
  EXPECT_EQ(events_.Count("IssuerNotReady"), 1);
}

TEST_F(ClusterReconcilerTest, UsesUserCaFromSecretRef) {
  CreateCluster("101_initial_cluster.yaml");
  pki::CaOptions options;
  options.common_name = "user-ca";
  pki::CertifiedKey ca = *pki::CreateCa(options, clock_);
  Json user = {{"metadata", {{"name", "user-ca"}, {"namespace", kNamespace}}},
               {"type", "kubernetes.io/tls"},
               {"data",
                {{"tls.crt", Base64Encode(ca.certificate.ToPem())},
                 {"tls.key", Base64Encode(*ca.key.ToPkcs8Pem())}}}};
  ASSERT_TRUE(store_.Create(kSecretKind, user).ok());
  vitess::TlsPolicy policy = Policy({{"issuer", {{"caSecretRef", {{"name", "user-ca"}}}}}});

  ClusterOutcome outcome = reconciler_.Reconcile(policy, kNamespace, "example");
  ASSERT_TRUE(outcome.error.ok()) << outcome.error.ToString();
  EXPECT_FALSE(store_.Get(kSecretKind, kNamespace, "example-vtguard-ca").ok());
  pki::Certificate tablet =
      *pki::Certificate::FromPem(SecretDataOf(store_, "example-vtguard-vttablet").at("tls.crt"));
  EXPECT_TRUE(tablet.IsSignedBy(ca.certificate));
}

TEST_F(ClusterReconcilerTest, SharesPolicyCaAcrossClusters) {
  CreateCluster("101_initial_cluster.yaml", "alpha");
  CreateCluster("101_initial_cluster.yaml", "beta");
  vitess::TlsPolicy policy = Policy({{"trustDomain", "Policy"}});
  ASSERT_TRUE(reconciler_.Reconcile(policy, kNamespace, "alpha").error.ok());
  ASSERT_TRUE(reconciler_.Reconcile(policy, kNamespace, "beta").error.ok());
  EXPECT_TRUE(store_.Get(kSecretKind, kNamespace, "tls-vtguard-ca").ok());
  EXPECT_FALSE(store_.Get(kSecretKind, kNamespace, "alpha-vtguard-ca").ok());
  pki::Certificate ca =
      *pki::Certificate::FromPem(SecretDataOf(store_, "tls-vtguard-ca").at("tls.crt"));
  for (const char* name : {"alpha-vtguard-vttablet", "beta-vtguard-vttablet"}) {
    EXPECT_TRUE(
        pki::Certificate::FromPem(SecretDataOf(store_, name).at("tls.crt"))->IsSignedBy(ca));
  }
}

TEST_F(ClusterReconcilerTest, ReportsViolationsOfExistingCluster) {
  Json cluster = LoadCluster("101_initial_cluster.yaml");
  cluster["spec"]["extraVitessFlags"] = {{"tablet_grpc_ca", "/some/ca.pem"}};
  ASSERT_TRUE(store_.Create(kVitessClusterKind, cluster).ok());
  ClusterOutcome outcome = reconciler_.Reconcile(Policy(), kNamespace, "example");
  ASSERT_FALSE(outcome.status.violations.empty());
  EXPECT_EQ(outcome.status.phase, ClusterPhase::kViolating);
}

std::string TabletFlags(const Json& cluster) {
  return cluster["spec"]["keyspaces"][0]["partitionings"][0]["equal"]["shardTemplate"]
                ["tabletPools"][0]["vttablet"]["extraFlags"]
                    .dump();
}

TEST_F(ClusterReconcilerTest, MigratesLivePlaintextClusterInThreeRollouts) {
  CreateCluster("101_initial_cluster.yaml");
  testing::FakeVitessOperator pods(store_, kNamespace, "example");
  pods.CreatePods();  // A running cluster without TLS.
  vitess::TlsPolicy policy = Policy({{"migration", "OptionalTLS"}});

  std::vector<std::string> steps;
  for (int round = 0; round < 10; ++round) {
    ClusterOutcome outcome = reconciler_.Reconcile(policy, kNamespace, "example");
    ASSERT_TRUE(outcome.error.ok()) << outcome.error.ToString();
    std::string step = Annotation(Cluster(), "vtguard.io/migration-step");
    if (steps.empty() || steps.back() != step) {
      steps.push_back(step);
      std::string flags = TabletFlags(Cluster());
      bool optional_tls = flags.find("grpc-enable-optional-tls") != std::string::npos;
      EXPECT_EQ(optional_tls, step != "complete") << step << ": " << flags;
      EXPECT_EQ(outcome.status.phase,
                step == "complete" ? ClusterPhase::kSecured : ClusterPhase::kMigrating);
    }
    // The next step waits for this one's rollout.
    ClusterOutcome waiting = reconciler_.Reconcile(policy, kNamespace, "example");
    EXPECT_EQ(Annotation(Cluster(), "vtguard.io/migration-step"), step);
    (void)waiting;
    pods.RollAll();
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"servers", "clients", "complete"}));
}

TEST_F(ClusterReconcilerTest, NewClusterStartsMigrationComplete) {
  CreateCluster("101_initial_cluster.yaml");
  vitess::TlsPolicy policy = Policy({{"migration", "OptionalTLS"}});
  ASSERT_TRUE(reconciler_.Reconcile(policy, kNamespace, "example").error.ok());
  EXPECT_EQ(Annotation(Cluster(), "vtguard.io/migration-step"), "complete");
}

TEST_F(ClusterReconcilerTest, ManualRolloutOnlyReportsRestartDue) {
  CreateCluster("101_initial_cluster.yaml");
  vitess::TlsPolicy policy = Policy({{"rollout", "Manual"}});
  ClusterOutcome first = reconciler_.Reconcile(policy, kNamespace, "example");
  ASSERT_TRUE(first.error.ok());
  testing::FakeVitessOperator pods(store_, kNamespace, "example");
  pods.CreatePods();
  ASSERT_TRUE(first.status.renewal_time.has_value());
  clock_.Set(*first.status.renewal_time + std::chrono::hours(1));
  ClusterOutcome renewed = reconciler_.Reconcile(policy, kNamespace, "example");
  ASSERT_TRUE(renewed.error.ok());
  EXPECT_EQ(renewed.status.revision, 2);
  EXPECT_EQ(ClusterRevision(Cluster()), 1);  // vitess-operator is not told to restart.
  EXPECT_TRUE(renewed.status.restart_due);
}

// Each node of the 101 cluster is replaced by a value of each JSON type, as a looser CRD schema
// would allow. The reconcile must return an outcome for every variant instead of throwing, and
// must still secure the original cluster afterwards.
TEST_F(ClusterReconcilerTest, ReconcilesRetypedClusters) {
  CreateCluster("101_initial_cluster.yaml");
  const vitess::TlsPolicy policy = Policy();
  ASSERT_TRUE(reconciler_.Reconcile(policy, kNamespace, "example").error.ok());
  testing::FakeVitessOperator pods(store_, kNamespace, "example");
  pods.CreatePods();

  const Json original = Cluster();
  int variants = 0, stored = 0, failures = 0;
  log::SetLevel(log::Level::kError);  // Most variants log why they cannot be configured.
  vtguard::testing::ForEachRetyped(original, [&](const Json& variant, const std::string& pointer,
                                                 const Json& value) {
    ++variants;
    Json update = variant;
    if (update.is_object() && update["metadata"].is_object()) {
      update["metadata"]["resourceVersion"] = Cluster()["metadata"]["resourceVersion"];
    }
    // The store rejects what the API server would reject, such as a name that is not a string.
    if (!store_.Update(kVitessClusterKind, update).ok()) return;
    ++stored;
    try {
      (void)reconciler_.Reconcile(policy, kNamespace, "example");
    } catch (const std::exception& error) {
      if (++failures <= 10) {
        ADD_FAILURE() << pointer << " = " << value.dump() << ": Reconcile threw: " << error.what();
      }
    }
    Json restore = original;
    restore["metadata"]["resourceVersion"] = Cluster()["metadata"]["resourceVersion"];
    ASSERT_TRUE(store_.Update(kVitessClusterKind, restore).ok()) << pointer;
  });
  log::SetLevel(log::Level::kInfo);

  EXPECT_GT(stored, 500) << "of " << variants << " variants";
  EXPECT_EQ(failures, 0);

  ClusterOutcome outcome = reconciler_.Reconcile(policy, kNamespace, "example");
  ASSERT_TRUE(outcome.error.ok()) << outcome.error.ToString();
  EXPECT_EQ(outcome.status.phase, ClusterPhase::kSecured);
}

}  // namespace
}  // namespace vtguard::op
