#include <gtest/gtest.h>

#include "common/vitess/admission.h"
#include "tests/vitess/test_util.h"

namespace vtguard::vitess {
namespace {

using testing::ApplyStrict;
using testing::PathOf;

nlohmann::json Cluster(const std::string& image) {
  nlohmann::json cluster = nlohmann::json::parse(R"({
    "apiVersion": "planetscale.com/v2", "kind": "VitessCluster",
    "metadata": {"name": "c1", "namespace": "ns1"},
    "spec": {
      "cells": [{"name": "zone1"}, {"name": "zone2", "gateway": {"replicas": 2}}],
      "keyspaces": [
        {"name": "ks1", "vitessOrchestrator": {},
         "partitionings": [
           {"equal": {"parts": 2, "shardTemplate": {"tabletPools": [
              {"cell": "zone1", "type": "replica", "replicas": 2, "vttablet": {}}]}}},
           {"custom": {"shards": [{"keyRange": {"start": "", "end": "80"}, "tabletPools": [
              {"cell": "zone1", "type": "rdonly", "replicas": 1,
               "vttablet": {"extraFlags": {"grpc_cert": "/vt/vtguard/tls/tls.crt",
                                           "grpc_key": "/vt/vtguard/tls/tls.key"}},
               "extraEnv": [{"name": "VTGUARD_TLS_REVISION", "value": "7"}]}]}]}}]},
        {"name": "ks2", "partitionings": []}]}})");
  for (const char* key : {"vttablet", "vtgate", "vtctld", "vtorc"}) {
    cluster["spec"]["images"][key] = image;
  }
  return cluster;
}

const nlohmann::json& At(const nlohmann::json& object, const std::string& pointer) {
  return object.at(nlohmann::json::json_pointer(pointer));
}

const char* kEqualPool = "/spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools/0";
const char* kCustomPool = "/spec/keyspaces/0/partitionings/1/custom/shards/0/tabletPools/0";

TEST(ClusterMutation, CoversEverySiteForV24) {
  nlohmann::json cluster = Cluster("vitess/lite:v24.0.4-mysql80");
  MutationResult result = MutateVitessCluster(DefaultPolicy(), cluster, nullptr);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  nlohmann::json patched = ApplyStrict(cluster, result.patch.ToJson());

  nlohmann::json expected_tablet = {
      {"grpc-cert", "/vt/vtguard/tls/tls.crt"},
      {"grpc-key", "/vt/vtguard/tls/tls.key"},
      {"tablet-grpc-ca", "/vt/vtguard/tls/ca.crt"},
      {"tablet-grpc-server-name", "vttablet.vtguard.internal"},
      {"tablet-manager-grpc-ca", "/vt/vtguard/tls/ca.crt"},
      {"tablet-manager-grpc-server-name", "vttablet.vtguard.internal"}};
  EXPECT_EQ(At(patched, std::string(kEqualPool) + "/vttablet/extraFlags"), expected_tablet);
  EXPECT_EQ(At(patched, "/spec/cells/0/gateway/extraFlags"),
            (nlohmann::json{{"tablet-grpc-ca", "/vt/vtguard/tls/ca.crt"},
                            {"tablet-grpc-server-name", "vttablet.vtguard.internal"}}));
  EXPECT_EQ(At(patched, "/spec/cells/1/gateway/replicas"), 2);
  EXPECT_EQ(At(patched, "/spec/vitessDashboard/extraFlags").size(), 4u);
  EXPECT_EQ(At(patched, "/spec/keyspaces/0/vitessOrchestrator/extraFlags"),
            (nlohmann::json{{"tablet-manager-grpc-ca", "/vt/vtguard/tls/ca.crt"},
                            {"tablet-manager-grpc-server-name", "vttablet.vtguard.internal"}}));
  EXPECT_FALSE(patched["spec"]["keyspaces"][1].contains("vitessOrchestrator"));

  // The user's underscored server flags stay; no dashed twin is added.
  const nlohmann::json& custom = At(patched, std::string(kCustomPool) + "/vttablet/extraFlags");
  EXPECT_EQ(custom["grpc_cert"], "/vt/vtguard/tls/tls.crt");
  EXPECT_FALSE(custom.contains("grpc-cert"));
  EXPECT_TRUE(custom.contains("tablet-grpc-ca"));

  EXPECT_EQ(At(patched, std::string(kEqualPool) + "/extraVolumes/0/secret/secretName"),
            "c1-vtguard-vttablet");
  EXPECT_EQ(At(patched, "/spec/vitessDashboard/extraVolumes/0/secret/secretName"),
            "c1-vtguard-vtctld");
  EXPECT_EQ(At(patched, "/spec/cells/1/gateway/extraVolumeMounts/0/mountPath"), "/vt/vtguard/tls");
  EXPECT_EQ(At(patched, std::string(kCustomPool) + "/extraEnv/0/value"), "7");
  EXPECT_EQ(At(patched, std::string(kEqualPool) + "/extraEnv/0/value"), "7");
  EXPECT_TRUE(patched["metadata"]["annotations"].contains("vtguard.io/injected"));
  EXPECT_TRUE(ValidateVitessCluster(DefaultPolicy(), patched).empty());

  MutationResult again = MutateVitessCluster(DefaultPolicy(), patched, nullptr);
  EXPECT_TRUE(again.patch.empty()) << again.patch.ToJson().dump(2);
}

TEST(ClusterMutation, SpellingFollowsVersion) {
  struct Case {
    std::string image;
    FlagSpelling spelling;
    std::string expected_key;
  };
  const Case cases[] = {
      {"vitess/lite:v19.0.5", FlagSpelling::kAuto, "tablet_grpc_ca"},
      {"vitess/lite:v20.0.1", FlagSpelling::kAuto, "tablet_grpc_ca"},
      {"vitess/lite:v22.0.0", FlagSpelling::kAuto, "tablet_grpc_ca"},
      {"vitess/lite:v23.0.1", FlagSpelling::kAuto, "tablet-grpc-ca"},
      {"vitess/lite:v24.0.4", FlagSpelling::kAuto, "tablet-grpc-ca"},
      {"vitess/lite:v25.0.0", FlagSpelling::kAuto, "tablet-grpc-ca"},
      {"vitess/lite:v24.0.4", FlagSpelling::kUnderscore, "tablet_grpc_ca"},
      {"vitess/lite:v25.0.0", FlagSpelling::kUnderscore, "tablet-grpc-ca"},
      {"vitess/lite:v21.0.0", FlagSpelling::kDash, "tablet_grpc_ca"},
  };
  for (const Case& c : cases) {
    TlsPolicy policy = DefaultPolicy();
    policy.flag_spelling = c.spelling;
    nlohmann::json cluster = Cluster(c.image);
    nlohmann::json patched =
        ApplyStrict(cluster, MutateVitessCluster(policy, cluster, nullptr).patch.ToJson());
    EXPECT_TRUE(At(patched, "/spec/cells/0/gateway/extraFlags").contains(c.expected_key))
        << c.image << " " << ToString(c.spelling);
    // The custom pool's own underscored grpc_cert and grpc_key are kept; v25 rejects them.
    std::size_t expected = c.image.find("v25") != std::string::npos ? 2 : 0;
    std::vector<Violation> violations = ValidateVitessCluster(policy, patched);
    EXPECT_EQ(violations.size(), expected) << c.image;
    for (const Violation& violation : violations) {
      EXPECT_NE(violation.message.find("does not accept the underscored flag grpc_"),
                std::string::npos);
    }
  }
}

TEST(ClusterMutation, ClientAuthAndCrlAddCertsAndLists) {
  TlsPolicy policy = DefaultPolicy();
  policy.client_auth = ClientAuth::kRequired;
  policy.crl_enabled = true;
  nlohmann::json cluster = Cluster("vitess/lite:v24.0.4");
  MutationResult result = MutateVitessCluster(policy, cluster, nullptr);
  nlohmann::json patched = ApplyStrict(cluster, result.patch.ToJson());
  const nlohmann::json& tablet = At(patched, std::string(kEqualPool) + "/vttablet/extraFlags");
  for (const char* key :
       {"grpc-ca", "grpc-crl", "tablet-grpc-cert", "tablet-grpc-key", "tablet-grpc-crl",
        "tablet-manager-grpc-cert", "tablet-manager-grpc-crl"}) {
    EXPECT_TRUE(tablet.contains(key)) << key;
  }
  const nlohmann::json& vtorc = At(patched, "/spec/keyspaces/0/vitessOrchestrator/extraFlags");
  EXPECT_FALSE(vtorc.contains("tablet-grpc-cert"));
  EXPECT_TRUE(vtorc.contains("tablet-manager-grpc-key"));
  // grpc-ca under vitess-operator is reported, as a warning when the policy asks for it.
  std::vector<Violation> violations = ValidateVitessCluster(policy, patched);
  ASSERT_FALSE(violations.empty());
  for (const Violation& violation : violations) {
    EXPECT_EQ(violation.severity, Severity::kWarning) << FormatViolation(violation);
  }
}

TEST(ClusterMutation, RevisionCarriedOverOnReapply) {
  nlohmann::json cluster = Cluster("vitess/lite:v24.0.4");
  cluster["spec"]["keyspaces"][0]["partitionings"][1]["custom"]["shards"][0]["tabletPools"][0]
      .erase("extraEnv");
  nlohmann::json old = ApplyStrict(
      cluster,
      MutateVitessCluster(DefaultPolicy(), cluster, nullptr, {.revision = "4"}).patch.ToJson());
  // A GitOps re-apply sends the manifest without vtguard's additions.
  MutationResult result = MutateVitessCluster(DefaultPolicy(), cluster, &old);
  nlohmann::json patched = ApplyStrict(cluster, result.patch.ToJson());
  EXPECT_EQ(At(patched, std::string(kEqualPool) + "/extraEnv/0/value"), "4");
  EXPECT_EQ(At(patched, "/spec/vitessDashboard/extraEnv/0/value"), "4");
  EXPECT_EQ(patched["metadata"]["annotations"], old["metadata"]["annotations"]);

  MutationResult bumped = MutateVitessCluster(DefaultPolicy(), patched, &old, {.revision = "5"});
  nlohmann::json after = ApplyStrict(patched, bumped.patch.ToJson());
  EXPECT_EQ(At(after, std::string(kEqualPool) + "/extraEnv/0/value"), "5");
  EXPECT_NE(after["metadata"]["annotations"], old["metadata"]["annotations"]);
}

TEST(ClusterMutation, OptionalTlsMigrationSteps) {
  TlsPolicy policy = DefaultPolicy();
  policy.migration = Migration::kOptionalTls;
  nlohmann::json cluster = Cluster("vitess/lite:v24.0.4");
  nlohmann::json step1 =
      ApplyStrict(cluster, MutateVitessCluster(policy, cluster, nullptr,
                                               {.migration_step = MigrationStep::kServersOptional})
                               .patch.ToJson());
  const nlohmann::json& flags1 = At(step1, std::string(kEqualPool) + "/vttablet/extraFlags");
  EXPECT_EQ(flags1["grpc-enable-optional-tls"], "true");
  EXPECT_FALSE(flags1.contains("tablet-grpc-ca"));
  EXPECT_FALSE(At(step1, "/spec/cells/0/gateway").contains("extraFlags"));

  step1["metadata"]["annotations"]["vtguard.io/migration-step"] = "complete";
  nlohmann::json done =
      ApplyStrict(step1, MutateVitessCluster(policy, step1, nullptr).patch.ToJson());
  const nlohmann::json& flags3 = At(done, std::string(kEqualPool) + "/vttablet/extraFlags");
  EXPECT_FALSE(flags3.contains("grpc-enable-optional-tls"));
  EXPECT_TRUE(flags3.contains("tablet-grpc-ca"));
  EXPECT_TRUE(ValidateVitessCluster(policy, done).empty());
}

TEST(ClusterMutation, EscapesFlagKeysInPaths) {
  nlohmann::json cluster = Cluster("vitess/lite:v24.0.4");
  cluster["spec"]["cells"][0]["gateway"] = {{"extraFlags", {{"a/b~c", "1"}}}};
  MutationResult result = MutateVitessCluster(DefaultPolicy(), cluster, nullptr);
  nlohmann::json patched = ApplyStrict(cluster, result.patch.ToJson());
  EXPECT_EQ(At(patched, "/spec/cells/0/gateway/extraFlags/a~1b~0c"), "1");
  for (const nlohmann::json& op : result.patch.ToJson()) {
    EXPECT_NE(PathOf(op), "/spec/cells/0/gateway/extraFlags") << "replaced an existing map";
  }
}

TEST(ClusterMutation, MovedObjectGivesSamePatch) {
  nlohmann::json plain = Cluster("vitess/lite:v24.0.4");
  nlohmann::json no_revision = plain;
  no_revision["spec"]["keyspaces"][0]["partitionings"][1]["custom"]["shards"][0]["tabletPools"][0]
      .erase("extraEnv");
  nlohmann::json stored = ApplyStrict(
      no_revision,
      MutateVitessCluster(DefaultPolicy(), no_revision, nullptr, {.revision = "4"}).patch.ToJson());
  nlohmann::json no_version = Cluster("vitess/lite:latest");
  const struct {
    const char* name;
    const nlohmann::json& object;
    const nlohmann::json* old_object;
  } cases[] = {
      {"revision on a later site", plain, nullptr},
      {"re-apply without revisions", no_revision, &stored},
      {"stored revision beats the object's", plain, &stored},
      {"image without a version", no_version, nullptr},
  };
  for (const auto& c : cases) {
    MutationResult copied = MutateVitessCluster(DefaultPolicy(), c.object, c.old_object);
    MutationResult moved =
        MutateVitessCluster(DefaultPolicy(), nlohmann::json(c.object), c.old_object);
    EXPECT_EQ(moved.patch.text(), copied.patch.text()) << c.name;
    EXPECT_EQ(moved.warnings, copied.warnings) << c.name;
    EXPECT_EQ(moved.status.ToString(), copied.status.ToString()) << c.name;
  }
}

TEST(ClusterMutation, LaterSiteRevisionFillsEarlierSites) {
  // Only the custom pool carries a revision ("7"); every other site takes it over.
  nlohmann::json cluster = Cluster("vitess/lite:v24.0.4");
  nlohmann::json patched =
      ApplyStrict(cluster, MutateVitessCluster(DefaultPolicy(), cluster, nullptr).patch.ToJson());
  EXPECT_EQ(At(patched, std::string(kEqualPool) + "/extraEnv/0/value"), "7");
  EXPECT_EQ(At(patched, std::string(kCustomPool) + "/extraEnv/0/value"), "7");
  EXPECT_EQ(At(patched, "/spec/vitessDashboard/extraEnv/0/value"), "7");
}

}  // namespace
}  // namespace vtguard::vitess
