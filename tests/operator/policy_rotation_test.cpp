// Key rotation of a policy-wide CA (trustDomain Policy) across two clusters, with simulated
// vitess-operators that restart one pod at a time. After every reconcile and every pod restart,
// every consumer in either cluster must trust the leaf each peer presents, in its own cluster
// and in the other one (cross-cluster VReplication).
#include <gtest/gtest.h>

#include <memory>

#include "operator/operator.h"
#include "tests/operator/test_env.h"

namespace vtguard::op {
namespace {

using testing::FakeVitessOperator;
using testing::kNamespace;

const SystemTime kStart = SystemTime(std::chrono::seconds(1'796'000'000));

class PolicyRotationTest : public ::testing::Test {
 protected:
  PolicyRotationTest() : clock_(kStart) {
    store_.AddWatcher([this](const ResourceKind& kind, WatchEventType type, const Json& object) {
      operator_->OnEvent(kind, type, object);
    });
    OperatorOptions options;
    options.manage_webhook_certificate = false;
    operator_ = std::make_unique<Operator>(store_, events_, nullptr, clock_, options);
  }

  void SetUpClusters() {
    for (const char* name : {"alpha", "beta"}) {
      ASSERT_TRUE(
          store_.Create(kVitessClusterKind, testing::LoadCluster("101_initial_cluster.yaml", name))
              .ok());
    }
    ASSERT_TRUE(
        store_.Create(kPolicyKind, testing::MakePolicy("tls", {{"trustDomain", "Policy"}})).ok());
    Converge();
    // Two tablets per cluster keep the pairwise trust checks after every step affordable.
    alpha_ = std::make_unique<FakeVitessOperator>(store_, kNamespace, "alpha", 2);
    beta_ = std::make_unique<FakeVitessOperator>(store_, kNamespace, "beta", 2);
    alpha_->CreatePods();
    beta_->CreatePods();
    Converge();
    ExpectNoTrustGap("before the rotation");
  }

  void Converge() {
    ASSERT_TRUE(operator_->ResyncAll().ok());
    operator_->RunUntilIdle();
  }

  void RequestRotation(const std::string& token) {
    Json policy = *store_.Get(kPolicyKind, kNamespace, "tls");
    policy["metadata"]["annotations"]["vtguard.io/rotate-ca"] = token;
    ASSERT_TRUE(store_.Update(kPolicyKind, policy).ok());
  }

  Json CaSecret() { return *store_.Get(kSecretKind, kNamespace, "tls-vtguard-ca"); }
  // The CA Secret has no phase annotation until its first rotation.
  std::string Phase() {
    std::string phase = Annotation(CaSecret(), kRotationPhaseAnnotation);
    return phase.empty() ? "None" : phase;
  }
  SecretData CaData() { return *ReadSecretData(CaSecret()); }

  static bool RolledOut(const FakeVitessOperator& pods) {
    const std::string revision = pods.ClusterRevisionValue();
    for (const testing::SimulatedPod& pod : pods.pods()) {
      if (pod.revision != revision) return false;
    }
    return true;
  }

  // Checks every (client, tablet) pair of both clusters together.
  void ExpectNoTrustGap(const std::string& when) {
    FakeVitessOperator both(store_, kNamespace, "both", 0);
    both.mutable_pods() = alpha_->pods();
    both.mutable_pods().insert(both.mutable_pods().end(), beta_->pods().begin(),
                               beta_->pods().end());
    std::vector<std::string> gaps = both.TrustGaps("vttablet.vtguard.internal", clock_);
    EXPECT_TRUE(gaps.empty()) << when << ": " << gaps.front();
  }

  MemoryStore store_;
  MemoryEventRecorder events_;
  FakeClock clock_;
  std::unique_ptr<Operator> operator_;
  std::unique_ptr<FakeVitessOperator> alpha_;
  std::unique_ptr<FakeVitessOperator> beta_;
};

TEST_F(PolicyRotationTest, RotatesAcrossClustersWithoutTrustGap) {
  SetUpClusters();
  const std::string old_ca = CaData().at("tls.crt");
  const std::string old_key = CaData().at("tls.key");
  RequestRotation("first");

  std::vector<std::string> phases = {"None"};
  for (int step = 0; step < 400; ++step) {
    ASSERT_TRUE(operator_->ResyncAll().ok());
    while (operator_->RunUntilIdle(1) == 1) {
      ExpectNoTrustGap("after a reconcile in phase " + Phase());
      std::string phase = Phase();
      if (phase == phases.back()) continue;
      // Leaving TrustBoth, ReissueLeaves or DropOld needs both clusters rolled out.
      if (phases.back() != "None" && phases.back() != "NewCA") {
        EXPECT_TRUE(RolledOut(*alpha_)) << phases.back() << " -> " << phase;
        EXPECT_TRUE(RolledOut(*beta_)) << phases.back() << " -> " << phase;
      }
      phases.push_back(phase);
    }
    if (Phase() == "None" && phases.size() > 1 && RolledOut(*alpha_) && RolledOut(*beta_)) break;
    // beta restarts a pod at half of alpha's pace, so alpha waits for it in every phase.
    if (alpha_->RestartOnePod()) ExpectNoTrustGap("after an alpha restart in " + Phase());
    if (step % 2 == 0 && beta_->RestartOnePod()) {
      ExpectNoTrustGap("after a beta restart in " + Phase());
    }
  }

  EXPECT_EQ(phases, (std::vector<std::string>{"None", "NewCA", "TrustBoth", "ReissueLeaves",
                                              "DropOld", "None"}));
  SecretData ca = CaData();
  EXPECT_NE(ca.at("tls.crt"), old_ca);
  EXPECT_NE(ca.at("tls.key"), old_key);
  EXPECT_EQ(ca.count("previous.crt"), 0u);
  EXPECT_EQ(ca.count("next.crt"), 0u);
  pki::Certificate new_ca = *pki::Certificate::FromPem(ca.at("tls.crt"));
  for (const FakeVitessOperator* cluster : {alpha_.get(), beta_.get()}) {
    for (const testing::SimulatedPod& pod : cluster->pods()) {
      pki::Certificate leaf = *pki::Certificate::FromPem(pod.mounted.at("tls.crt"));
      EXPECT_TRUE(leaf.IsSignedBy(new_ca)) << pod.name;
      EXPECT_EQ(pod.mounted.at("ca.crt").find(old_ca), std::string::npos) << pod.name;
    }
  }
  // Each phase moved once, by one cluster's reconcile.
  EXPECT_EQ(events_.Count("RotationPhaseChanged"), 5);
  EXPECT_EQ(store_.List(kSecretKind, kNamespace, {{"vtguard.io/component", "ca"}})->size(), 1u);

  // The same token does not start another rotation.
  for (int i = 0; i < 3; ++i) Converge();
  EXPECT_EQ(Phase(), "None");
}

TEST_F(PolicyRotationTest, WaitsForEveryClusterBeforeReissuing) {
  SetUpClusters();
  RequestRotation("first");
  for (int i = 0; i < 5; ++i) {
    Converge();
    alpha_->RollAll();
  }
  // alpha rolled out the bundle with both CAs, beta restarted nothing.
  EXPECT_EQ(Phase(), "TrustBoth");
  EXPECT_TRUE(RolledOut(*alpha_));
  EXPECT_FALSE(RolledOut(*beta_));

  beta_->RollAll();
  Converge();
  EXPECT_EQ(Phase(), "ReissueLeaves");
  ExpectNoTrustGap("after the switch to the new CA");
}

}  // namespace
}  // namespace vtguard::op
