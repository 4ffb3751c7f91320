// The Operator's keys end to end over a MemoryStore: policy status, audit events, the
// operator trust bundle, the webhook certificate, retries after API faults.
#include "operator/operator.h"

#include <gtest/gtest.h>

#include "tests/operator/test_env.h"

namespace vtguard::op {
namespace {

using testing::kNamespace;

const SystemTime kStart = SystemTime(std::chrono::seconds(1'796'000'000));

Json WebhookConfiguration(const ResourceKind& kind) {
  return {{"apiVersion", kind.ApiVersion()},
          {"kind", kind.kind},
          {"metadata", {{"name", "vtguard"}}},
          {"webhooks",
           {{{"name", "vitesscluster.vtguard.io"},
             {"clientConfig",
              {{"service", {{"name", "vtguard-webhook"}, {"namespace", "vtguard-system"}}}}}},
            {{"name", "pod.vtguard.io"},
             {"clientConfig",
              {{"service", {{"name", "vtguard-webhook"}, {"namespace", "vtguard-system"}}}}}}}}};
}

class OperatorTest : public ::testing::Test {
 protected:
  OperatorTest() : clock_(kStart) {
    store_.AddWatcher([this](const ResourceKind& kind, WatchEventType type, const Json& object) {
      operator_->OnEvent(kind, type, object);
    });
    OperatorOptions options;
    options.trust_bundle_namespace = "vitess-operator";
    operator_ = std::make_unique<Operator>(store_, events_, &metrics_, clock_, options);
  }

  void AddCluster(const std::string& name) {
    ASSERT_TRUE(
        store_.Create(kVitessClusterKind, testing::LoadCluster("101_initial_cluster.yaml", name))
            .ok());
  }
  void AddPolicy(const Json& spec = Json::object()) {
    ASSERT_TRUE(store_.Create(kPolicyKind, testing::MakePolicy("tls", spec)).ok());
  }
  // Processes due keys, then moves the clock past the batching delay and processes again.
  void Settle() {
    for (int i = 0; i < 4; ++i) {
      operator_->RunUntilIdle();
      clock_.Advance(std::chrono::seconds(2));
    }
    operator_->RunUntilIdle();
  }
  Json PolicyStatus() {
    return store_.Get(kPolicyKind, kNamespace, "tls")->value("status", Json::object());
  }
  static Json Condition(const Json& status, const std::string& type) {
    for (const Json& condition : status.value("conditions", Json::array())) {
      if (condition.value("type", "") == type) return condition;
    }
    return Json::object();
  }

  MemoryStore store_;
  MemoryEventRecorder events_;
  OperatorMetrics metrics_;
  FakeClock clock_;
  std::unique_ptr<Operator> operator_;
};

TEST_F(OperatorTest, PolicyStatusListsSecuredClusters) {
  AddCluster("alpha");
  AddCluster("beta");
  AddPolicy();
  Settle();

  Json status = PolicyStatus();
  EXPECT_EQ(status.value("observedGeneration", 0), 1);
  EXPECT_EQ(Condition(status, "Ready").value("status", ""), "True") << status.dump(2);
  EXPECT_EQ(Condition(status, "Degraded").value("status", ""), "False");
  ASSERT_EQ(status["clusters"].size(), 2u);
  EXPECT_EQ(status["clusters"][0]["name"], "alpha");
  EXPECT_EQ(status["clusters"][0]["phase"], "Secured");
  EXPECT_EQ(status["clusters"][0]["revision"], 1);
  EXPECT_TRUE(status["clusters"][0].contains("caNotAfter"));
  EXPECT_TRUE(status["clusters"][0].contains("renewalTime"));
}

TEST_F(OperatorTest, SteadyStateWritesNothing) {
  AddCluster("alpha");
  AddPolicy();
  ASSERT_TRUE(operator_->ResyncAll().ok());
  Settle();
  std::int64_t writes = store_.TotalWrites();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(operator_->ResyncAll().ok());
    Settle();
  }
  EXPECT_EQ(store_.TotalWrites(), writes) << nlohmann::json(store_.WriteCounts()).dump();
}

TEST_F(OperatorTest, PublishesTrustBundleOfEveryCa) {
  AddCluster("alpha");
  AddCluster("beta");
  AddPolicy();
  Settle();
  Result<Json> bundle_secret =
      store_.Get(kSecretKind, "vitess-operator", "vtguard-operator-trust-bundle");
  ASSERT_TRUE(bundle_secret.ok());
  pki::TrustBundle bundle = *pki::TrustBundle::Parse(ReadSecretData(*bundle_secret)->at("ca.crt"));
  EXPECT_EQ(bundle.size(), 2u);
  for (const char* name : {"alpha-vtguard-vttablet", "beta-vtguard-vttablet"}) {
    SecretData leaf = *ReadSecretData(*store_.Get(kSecretKind, kNamespace, name));
    EXPECT_TRUE(bundle.FindSigner(*pki::Certificate::FromPem(leaf.at("tls.crt"))).has_value())
        << name;
  }
}

TEST_F(OperatorTest, TrustBundleRestoredAfterEdit) {
  AddCluster("alpha");
  AddPolicy();
  Settle();
  Json bundle_secret = *store_.Get(kSecretKind, "vitess-operator", "vtguard-operator-trust-bundle");
  const Json published = bundle_secret["data"];
  bundle_secret["data"]["ca.crt"] = Base64Encode("edited");
  ASSERT_TRUE(store_.Update(kSecretKind, bundle_secret).ok());

  ASSERT_TRUE(operator_->ResyncAll().ok());
  Settle();

  Json restored = *store_.Get(kSecretKind, "vitess-operator", "vtguard-operator-trust-bundle");
  EXPECT_EQ(restored["data"], published);
}

TEST_F(OperatorTest, IssuesWebhookCertificateAndCaBundle) {
  ASSERT_TRUE(store_.Create(kMutatingWebhookKind, WebhookConfiguration(kMutatingWebhookKind)).ok());
  ASSERT_TRUE(
      store_.Create(kValidatingWebhookKind, WebhookConfiguration(kValidatingWebhookKind)).ok());
  ASSERT_TRUE(operator_->ResyncAll().ok());
  Settle();

  Result<Json> serving = store_.Get(kSecretKind, "vtguard-system", "vtguard-webhook-tls");
  ASSERT_TRUE(serving.ok());
  SecretData data = *ReadSecretData(*serving);
  pki::Certificate cert = *pki::Certificate::FromPem(data.at("tls.crt"));
  std::vector<std::string> names = cert.DnsNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "vtguard-webhook.vtguard-system.svc"),
            names.end());
  pki::TrustBundle bundle = *pki::TrustBundle::Parse(data.at("ca.crt"));
  EXPECT_TRUE(bundle.FindSigner(cert).has_value());
  for (const ResourceKind* kind : {&kMutatingWebhookKind, &kValidatingWebhookKind}) {
    Json configuration = *store_.Get(*kind, "", "vtguard");
    for (const Json& webhook : configuration["webhooks"]) {
      EXPECT_EQ(webhook["clientConfig"].value("caBundle", ""), Base64Encode(data.at("ca.crt")));
    }
  }
}

TEST_F(OperatorTest, WebhookCaRenewalKeepsOldAndNewInCaBundle) {
  ASSERT_TRUE(store_.Create(kMutatingWebhookKind, WebhookConfiguration(kMutatingWebhookKind)).ok());
  ASSERT_TRUE(operator_->ResyncAll().ok());
  Settle();
  // Default CA lifetime 87600h, renewed a third before its end.
  clock_.Advance(std::chrono::hours(87600 * 2 / 3 + 24 * 30));
  ASSERT_TRUE(operator_->ResyncAll().ok());
  Settle();
  Json configuration = *store_.Get(kMutatingWebhookKind, "", "vtguard");
  std::string pem =
      *Base64Decode(configuration["webhooks"][0]["clientConfig"]["caBundle"].get<std::string>());
  EXPECT_EQ(pki::TrustBundle::Parse(pem)->size(), 2u);
}

TEST_F(OperatorTest, RetriesAfterApiFaults) {
  AddCluster("alpha");
  AddPolicy();
  store_.FailWrites(kSecretKind, 3, Unavailable("injected 500"));
  store_.FailWrites(kVitessClusterKind, 1, Conflict("injected 409"));
  for (int i = 0; i < 20; ++i) {
    Settle();
    clock_.Advance(std::chrono::seconds(30));
  }
  std::optional<ClusterStatus> status = operator_->ClusterStatusOf(kNamespace, "alpha");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->phase, ClusterPhase::kSecured) << status->ToJson().dump();
  EXPECT_EQ(store_.List(kSecretKind, kNamespace, {{"vtguard.io/component", "ca"}})->size(), 1u);
}

TEST_F(OperatorTest, BacksOffOnBrokenIssuer) {
  AddCluster("alpha");
  Json broken = {{"metadata", {{"name", "broken-ca"}, {"namespace", kNamespace}}},
                 {"data", {{"tls.crt", Base64Encode("garbage")}}}};
  ASSERT_TRUE(store_.Create(kSecretKind, broken).ok());
  AddPolicy({{"issuer", {{"caSecretRef", {{"name", "broken-ca"}}}}}});
  Settle();
  const std::string key = "cluster/example/alpha";
  int failures = operator_->queue().Failures(key);
  EXPECT_GE(failures, 1);
  // Without time passing nothing is retried: no hot loop.
  EXPECT_EQ(operator_->RunUntilIdle(), 0);
  EXPECT_EQ(operator_->queue().Failures(key), failures);
  clock_.Advance(std::chrono::minutes(11));
  operator_->RunUntilIdle();
  EXPECT_EQ(operator_->queue().Failures(key), failures + 1);

  Json status = PolicyStatus();
  EXPECT_EQ(Condition(status, "Degraded").value("status", ""), "True") << status.dump(2);
  EXPECT_EQ(Condition(status, "Ready").value("status", ""), "False");
  EXPECT_FALSE(store_.Get(kSecretKind, kNamespace, "alpha-vtguard-vttablet").ok());
}

TEST_F(OperatorTest, InvalidPolicyReportsCondition) {
  AddCluster("alpha");
  AddPolicy({{"enforcement", "Sometimes"}});
  Settle();
  Json status = PolicyStatus();
  EXPECT_EQ(Condition(status, "Ready").value("reason", ""), "InvalidPolicy") << status.dump(2);
  EXPECT_FALSE(store_.Get(kSecretKind, kNamespace, "alpha-vtguard-ca").ok());
}

TEST_F(OperatorTest, ChangedSelectorReleasesCluster) {
  AddCluster("alpha");
  AddPolicy();
  Settle();
  ASSERT_TRUE(operator_->ClusterStatusOf(kNamespace, "alpha").has_value());

  Json policy = *store_.Get(kPolicyKind, kNamespace, "tls");
  policy["spec"]["clusterSelector"] = {{"matchLabels", {{"tier", "none"}}}};
  ASSERT_TRUE(store_.Update(kPolicyKind, policy).ok());
  Settle();

  EXPECT_FALSE(operator_->ClusterStatusOf(kNamespace, "alpha").has_value());
  EXPECT_EQ(PolicyStatus().value("clusters", Json::array()).size(), 0u) << PolicyStatus().dump(2);
}

TEST_F(OperatorTest, DeletedPolicyLeavesSecrets) {
  AddCluster("alpha");
  AddPolicy();
  Settle();
  ASSERT_TRUE(store_.Delete(kPolicyKind, kNamespace, "tls").ok());
  Settle();
  EXPECT_TRUE(store_.Get(kSecretKind, kNamespace, "alpha-vtguard-ca").ok());
  EXPECT_TRUE(store_.Get(kSecretKind, kNamespace, "alpha-vtguard-vttablet").ok());
  EXPECT_FALSE(operator_->ClusterStatusOf(kNamespace, "alpha").has_value());
}

TEST_F(OperatorTest, ExportsContractMetrics) {
  AddCluster("alpha");
  AddPolicy();
  Settle();
  std::string text = metrics_.Serialize();
  for (const char* name :
       {"vtguard_certificate_expiration_timestamp_seconds", "vtguard_certificate_ready_status",
        "vtguard_certificate_renewal_timestamp_seconds", "vtguard_rotation_phase",
        "vtguard_reconcile_total", "vtguard_reconcile_duration_seconds",
        "vtguard_audit_violations"}) {
    EXPECT_NE(text.find(name), std::string::npos) << name;
  }
  EXPECT_NE(text.find("component=\"vttablet\""), std::string::npos);
}

TEST_F(OperatorTest, DeletedClusterDropsMetrics) {
  AddCluster("alpha");
  AddCluster("beta");
  AddPolicy();
  Settle();
  ASSERT_NE(metrics_.Serialize().find("name=\"alpha-vtguard-vttablet\""), std::string::npos);

  ASSERT_TRUE(store_.Delete(kVitessClusterKind, kNamespace, "alpha").ok());
  Settle();

  std::string text = metrics_.Serialize();
  EXPECT_EQ(text.find("alpha-vtguard-"), std::string::npos) << text;
  EXPECT_EQ(text.find("cluster=\"alpha\""), std::string::npos) << text;
  EXPECT_NE(text.find("name=\"beta-vtguard-vttablet\""), std::string::npos) << text;
}

}  // namespace
}  // namespace vtguard::op
