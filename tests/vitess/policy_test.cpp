#include "common/vitess/policy.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace vtguard::vitess {
namespace {

TEST(PolicyParse, AppliesDefaultsToEmptySpec) {
  Result<TlsPolicy> policy = ParsePolicy(nlohmann::json::parse(R"({
    "apiVersion": "vtguard.io/v1alpha1", "kind": "VitessTLSPolicy",
    "metadata": {"name": "p", "namespace": "ns1"}, "spec": {}})"));
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(policy->name, "p");
  EXPECT_EQ(policy->namespace_, "ns1");
  EXPECT_EQ(policy->enforcement, Enforcement::kEnforce);
  EXPECT_EQ(policy->server_name, "vttablet.vtguard.internal");
  EXPECT_TRUE(policy->self_signed());
  EXPECT_EQ(policy->ca.duration, std::chrono::hours(87600));
  EXPECT_EQ(policy->certificate.renew_before, std::chrono::hours(720));
  EXPECT_EQ(policy->certificate.private_key.algorithm, KeyAlgorithm::kEcdsa);
  EXPECT_FALSE(policy->vitess_version.has_value());
}

TEST(PolicyParse, ReadsEverySpecField) {
  Result<TlsPolicy> policy = ParsePolicy(nlohmann::json::parse(R"({
    "enforcement": "Warn", "serverName": "tablets.example.com", "clientAuth": "Required",
    "flagSpelling": "Underscore", "vitessVersion": "v23.0.1",
    "issuer": {"caSecretRef": {"name": "my-ca"}}, "trustDomain": "Policy",
    "ca": {"duration": "43800h"},
    "certificate": {"duration": "720h", "renewBefore": "240h",
                    "privateKey": {"algorithm": "RSA", "size": 3072}},
    "rollout": "Manual", "migration": "OptionalTLS", "crl": {"enabled": true},
    "clusterSelector": {"matchLabels": {"tier": "db"},
      "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}]}})"));
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(policy->enforcement, Enforcement::kWarn);
  EXPECT_EQ(policy->client_auth, ClientAuth::kRequired);
  EXPECT_EQ(policy->flag_spelling, FlagSpelling::kUnderscore);
  EXPECT_EQ(policy->vitess_version->major, 23);
  EXPECT_EQ(policy->ca_secret_name, "my-ca");
  EXPECT_EQ(policy->trust_domain, TrustDomain::kPolicy);
  EXPECT_EQ(policy->ca.renew_before, std::chrono::hours(43800) / 3);
  EXPECT_EQ(policy->certificate.private_key.size, 3072);
  EXPECT_EQ(policy->rollout, Rollout::kManual);
  EXPECT_EQ(policy->migration, Migration::kOptionalTls);
  EXPECT_TRUE(policy->crl_enabled);
  EXPECT_EQ(policy->cluster_selector.match_expressions.size(), 1u);
}

TEST(PolicyParse, ListsEveryProblemWithItsPath) {
  Result<TlsPolicy> policy = ParsePolicy(nlohmann::json::parse(R"({
    "enforcement": "Block", "clientAuth": "Sometimes", "flagSpelling": "camel",
    "issuer": {"selfSigned": {}, "caSecretRef": {"name": "x"}},
    "ca": {"duration": "1h", "renewBefore": "2h"},
    "certificate": {"duration": "soon", "privateKey": {"algorithm": "DSA"}},
    "serverName": "Not_A_Name", "crl": {"enabled": "yes"}, "enforcment": "Warn"})"));
  ASSERT_FALSE(policy.ok());
  std::string message = policy.status().message();
  for (const char* path : {"spec.enforcement", "spec.clientAuth", "spec.flagSpelling",
                           "spec.issuer:", "spec.ca.renewBefore", "spec.certificate.duration",
                           "spec.certificate.privateKey.algorithm", "spec.serverName",
                           "spec.crl.enabled", "spec.enforcment: unknown field"}) {
    EXPECT_NE(message.find(path), std::string::npos) << path << " missing in " << message;
  }
}

TEST(PolicyParse, RejectsWeakRsaAndLongLeaves) {
  Result<TlsPolicy> rsa = ParsePolicy(nlohmann::json::parse(
      R"({"certificate": {"privateKey": {"algorithm": "RSA", "size": 1024}}})"));
  ASSERT_FALSE(rsa.ok());
  EXPECT_NE(rsa.status().message().find("spec.certificate.privateKey.size"), std::string::npos);
  Result<TlsPolicy> longer = ParsePolicy(nlohmann::json::parse(
      R"({"ca": {"duration": "100h"}, "certificate": {"duration": "200h"}})"));
  ASSERT_FALSE(longer.ok());
  EXPECT_NE(longer.status().message().find("leaf never outlives"), std::string::npos);
}

TEST(PolicyYaml, ParsesOnlyPolicyDocuments) {
  Result<std::vector<TlsPolicy>> policies = ParsePolicyYaml(R"(
apiVersion: v1
kind: ConfigMap
metadata: {name: other}
---
apiVersion: vtguard.io/v1alpha1
kind: VitessTLSPolicy
metadata: {name: a, namespace: ns1}
spec: {enforcement: Audit}
---
apiVersion: vtguard.io/v1alpha1
kind: VitessTLSPolicy
metadata: {name: b, namespace: ns2}
)");
  ASSERT_TRUE(policies.ok()) << policies.status().ToString();
  ASSERT_EQ(policies->size(), 2u);
  EXPECT_EQ((*policies)[0].enforcement, Enforcement::kAudit);
  EXPECT_EQ((*policies)[1].name, "b");
  Result<std::vector<TlsPolicy>> bad =
      ParsePolicyYaml("kind: VitessTLSPolicy\nspec: {enforcement: Nope}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("document 1: ", 0), 0u) << bad.status().message();

  Result<std::vector<TlsPolicy>> second = ParsePolicyFile(
      "kind: VitessTLSPolicy\n---\nkind: VitessTLSPolicy\nspec: {enforcement: Nope}\n",
      "policy.yaml");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message().rfind("policy.yaml:document 2: ", 0), 0u)
      << second.status().message();
}

TEST(PolicySelects, UsesNamespaceAndSelector) {
  Result<TlsPolicy> policy = ParsePolicy(nlohmann::json::parse(R"({
    "metadata": {"name": "p", "namespace": "ns1"},
    "spec": {"clusterSelector": {"matchLabels": {"tier": "db"},
      "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]},
                           {"key": "legacy", "operator": "DoesNotExist"}]}}})"));
  ASSERT_TRUE(policy.ok());
  auto cluster = [](const char* ns, nlohmann::json labels) {
    return nlohmann::json{{"metadata", {{"namespace", ns}, {"labels", labels}}}};
  };
  EXPECT_TRUE(Selects(*policy, cluster("ns1", {{"tier", "db"}, {"env", "prod"}})));
  EXPECT_FALSE(Selects(*policy, cluster("ns2", {{"tier", "db"}})));
  EXPECT_FALSE(Selects(*policy, cluster("ns1", {{"tier", "web"}})));
  EXPECT_FALSE(Selects(*policy, cluster("ns1", {{"tier", "db"}, {"env", "dev"}})));
  EXPECT_FALSE(Selects(*policy, cluster("ns1", {{"tier", "db"}, {"legacy", "1"}})));
  EXPECT_TRUE(SelectsPod(*policy, cluster("ns1", {{"app", "x"}})));
  EXPECT_FALSE(SelectsPod(*policy, cluster("ns2", {{"tier", "db"}})));
}

TEST(PolicyParse, NormalizesRevokedSerials) {
  Result<TlsPolicy> policy = ParsePolicy(nlohmann::json::parse(R"({
    "crl": {"enabled": true, "revokedSerials": ["0a:1b:2c", "A1B2C", "00ff", "FF"]},
    "cleanupOnDelete": true})"));
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(policy->revoked_serials, (std::vector<std::string>{"A1B2C", "FF"}));
  EXPECT_TRUE(policy->cleanup_on_delete);
  EXPECT_FALSE(DefaultPolicy().cleanup_on_delete);
  EXPECT_TRUE(DefaultPolicy().revoked_serials.empty());
}

TEST(PolicyParse, RejectsBadRevocationAndCleanupFields) {
  Result<TlsPolicy> policy = ParsePolicy(nlohmann::json::parse(R"({
    "crl": {"revokedSerials": ["12", "xyz", "0", 7], "enable": true},
    "cleanupOnDelete": "yes"})"));
  ASSERT_FALSE(policy.ok());
  std::string message = policy.status().message();
  for (const char* expected :
       {"spec.crl.revokedSerials[1]: invalid serial number \"xyz\"",
        "spec.crl.revokedSerials[2]: invalid serial number \"0\"",
        "spec.crl.revokedSerials[3]: invalid serial number 7", "spec.crl.enable: unknown field",
        "spec.cleanupOnDelete: must be true or false"}) {
    EXPECT_NE(message.find(expected), std::string::npos) << expected << " missing in " << message;
  }
  EXPECT_EQ(message.find("revokedSerials[0]"), std::string::npos) << message;
}

TEST(NormalizeSerial, AcceptsOpensslSpellings) {
  struct Case {
    std::string text;
    std::optional<std::string> expected;
  };
  std::vector<Case> cases = {{"3A0F", "3A0F"},
                             {"3a:0f", "3A0F"},
                             {"0003A0F", "3A0F"},
                             {std::string(40, 'F'), std::string(40, 'F')},
                             {std::string(41, 'F'), std::nullopt},
                             {"00", std::nullopt},
                             {"", std::nullopt},
                             {"3A-0F", std::nullopt}};
  for (const Case& test : cases) {
    EXPECT_EQ(NormalizeSerial(test.text), test.expected) << test.text;
  }
}

}  // namespace
}  // namespace vtguard::vitess
