// CA rotation end to end: the operator and a simulated vitess-operator that restarts one pod at
// a time. After every write and every pod restart, every consumer's mounted bundle must trust
// the leaf each peer presents.
#include <gtest/gtest.h>

#include <memory>

#include "common/vitess/admission.h"
#include "operator/operator.h"
#include "tests/operator/test_env.h"

namespace vtguard::op {
namespace {

using testing::FakeVitessOperator;
using testing::kNamespace;

const SystemTime kStart = SystemTime(std::chrono::seconds(1'796'000'000));

class RotationFlowTest : public ::testing::Test {
 protected:
  RotationFlowTest() : clock_(kStart) {
    store_.AddWatcher([this](const ResourceKind& kind, WatchEventType type, const Json& object) {
      if (operator_) operator_->OnEvent(kind, type, object);
    });
    StartOperator();
  }

  void StartOperator() {
    operator_.reset();
    OperatorOptions options;
    options.manage_webhook_certificate = false;
    operator_ = std::make_unique<Operator>(store_, events_, nullptr, clock_, options);
  }

  void Converge() {
    ASSERT_TRUE(operator_->ResyncAll().ok());
    operator_->RunUntilIdle();
  }

  Json CaSecret() { return *store_.Get(kSecretKind, kNamespace, "example-vtguard-ca"); }
  std::string Phase() { return Annotation(CaSecret(), kRotationPhaseAnnotation); }
  SecretData CaData() { return *ReadSecretData(CaSecret()); }

  int CaSecretCount() {
    return static_cast<int>(
        store_.List(kSecretKind, kNamespace, {{"vtguard.io/component", "ca"}})->size());
  }

  void ExpectNoTrustGap(FakeVitessOperator& pods, const std::string& when) {
    std::vector<std::string> gaps = pods.TrustGaps("vttablet.vtguard.internal", clock_);
    EXPECT_TRUE(gaps.empty()) << when << ": " << gaps.front();
  }

  // Runs a whole rotation; with `restart` a new operator instance takes over at every phase
  // boundary.
  void RunRotation(bool restart) {
    ASSERT_TRUE(
        store_.Create(kVitessClusterKind, testing::LoadCluster("101_initial_cluster.yaml")).ok());
    ASSERT_TRUE(store_.Create(kPolicyKind, testing::MakePolicy("tls")).ok());
    Converge();
    FakeVitessOperator pods(store_, kNamespace, "example");
    pods.CreatePods();
    Converge();
    ExpectNoTrustGap(pods, "before the rotation");
    const std::string old_ca = CaData().at("tls.crt");
    const std::string old_key = CaData().at("tls.key");

    Json cluster = *store_.Get(kVitessClusterKind, kNamespace, "example");
    cluster["metadata"]["annotations"]["vtguard.io/rotate-ca"] = "first";
    ASSERT_TRUE(store_.Update(kVitessClusterKind, cluster).ok());

    std::vector<std::string> phases = {"None"};
    std::string next_key;
    for (int step = 0; step < 200; ++step) {
      // One key at a time, so that every phase boundary is seen and can be a restart point.
      ASSERT_TRUE(operator_->ResyncAll().ok());
      while (operator_->RunUntilIdle(1) == 1) {
        ExpectNoTrustGap(pods, "after a reconcile in phase " + Phase());
        ASSERT_EQ(CaSecretCount(), 1);
        std::string phase = Phase();
        if (phase == phases.back()) continue;
        phases.push_back(phase);
        if (phase == "NewCA") next_key = CaData().at("next.key");
        if (restart) {
          StartOperator();
          ASSERT_TRUE(operator_->ResyncAll().ok());
        }
      }
      const bool rolled_out = pods.ClusterRevisionValue() == pods.pods()[0].revision;
      if (Phase() == "None" && phases.size() > 1 && rolled_out) break;
      if (pods.RestartOnePod()) ExpectNoTrustGap(pods, "after a pod restart in phase " + Phase());
    }

    EXPECT_EQ(phases, (std::vector<std::string>{"None", "NewCA", "TrustBoth", "ReissueLeaves",
                                                "DropOld", "None"}));
    SecretData ca = CaData();
    EXPECT_NE(ca.at("tls.crt"), old_ca);
    EXPECT_NE(ca.at("tls.key"), old_key);
    EXPECT_EQ(ca.at("tls.key"), next_key);  // The key created in NewCA is the one that signs.
    EXPECT_EQ(ca.count("previous.crt"), 0u);
    EXPECT_EQ(ca.count("next.crt"), 0u);
    pki::Certificate new_ca = *pki::Certificate::FromPem(ca.at("tls.crt"));
    for (const testing::SimulatedPod& pod : pods.pods()) {
      pki::Certificate leaf = *pki::Certificate::FromPem(pod.mounted.at("tls.crt"));
      EXPECT_TRUE(leaf.IsSignedBy(new_ca)) << pod.name;
      EXPECT_EQ(pod.mounted.at("ca.crt").find(old_ca), std::string::npos) << pod.name;
    }
    EXPECT_EQ(events_.Count("RotationPhaseChanged"), 5);
  }

  MemoryStore store_;
  MemoryEventRecorder events_;
  FakeClock clock_;
  std::unique_ptr<Operator> operator_;
};

TEST_F(RotationFlowTest, RotatesWithoutTrustGap) { RunRotation(/*restart=*/false); }

TEST_F(RotationFlowTest, ResumesAfterRestartAtEveryPhase) { RunRotation(/*restart=*/true); }

TEST_F(RotationFlowTest, TrustGapCheckerFindsForeignBundle) {
  ASSERT_TRUE(
      store_.Create(kVitessClusterKind, testing::LoadCluster("101_initial_cluster.yaml")).ok());
  ASSERT_TRUE(store_.Create(kPolicyKind, testing::MakePolicy("tls")).ok());
  Converge();
  FakeVitessOperator pods(store_, kNamespace, "example");
  pods.CreatePods();
  ExpectNoTrustGap(pods, "with the operator's files");
  pki::CaOptions options;
  options.common_name = "foreign";
  pki::CertifiedKey foreign = *pki::CreateCa(options, clock_);
  pods.mutable_pods().back().mounted["ca.crt"] = foreign.certificate.ToPem();
  EXPECT_FALSE(pods.TrustGaps("vttablet.vtguard.internal", clock_).empty());
}

TEST_F(RotationFlowTest, WaitsForPodsBeforeReissuing) {
  ASSERT_TRUE(
      store_.Create(kVitessClusterKind, testing::LoadCluster("101_initial_cluster.yaml")).ok());
  ASSERT_TRUE(store_.Create(kPolicyKind, testing::MakePolicy("tls")).ok());
  Converge();
  FakeVitessOperator pods(store_, kNamespace, "example");
  pods.CreatePods();
  Json cluster = *store_.Get(kVitessClusterKind, kNamespace, "example");
  cluster["metadata"]["annotations"]["vtguard.io/rotate-ca"] = "first";
  ASSERT_TRUE(store_.Update(kVitessClusterKind, cluster).ok());
  for (int i = 0; i < 5; ++i) Converge();
  // No pod restarted, so the rotation holds in TrustBoth however often it runs.
  EXPECT_EQ(Phase(), "TrustBoth");
  std::optional<ClusterStatus> status = operator_->ClusterStatusOf(kNamespace, "example");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->phase, ClusterPhase::kRotating);
  EXPECT_TRUE(status->restart_due);
}

}  // namespace
}  // namespace vtguard::op
