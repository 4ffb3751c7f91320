// End-to-end admission over HTTPS: real AdmissionReviews built from vitess-operator manifests
// and bug-report cases, patches applied with strict RFC 6902 semantics.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/webhook/webhook_fixture.h"

namespace vtguard::webhook::testing {
namespace {

using nlohmann::json;

const json& TabletPool(const json& cluster) {
  return cluster["spec"]["keyspaces"][0]["partitionings"][0]["equal"]["shardTemplate"]
                ["tabletPools"][0];
}

// Flag names with leading dashes stripped and "_" read as "-", as Vitess parses them.
std::string NormalizeFlag(std::string name) {
  while (!name.empty() && name.front() == '-') name.erase(0, 1);
  for (char& c : name) c = c == '_' ? '-' : c;
  return name;
}

void ExpectNoDuplicateFlags(const json& flags) {
  std::set<std::string> seen;
  for (const auto& [name, value] : flags.items()) {
    EXPECT_TRUE(seen.insert(NormalizeFlag(name)).second) << "flag set twice: " << name;
  }
}

json Patch(const json& review) {
  return json::parse(Base64Decode(review["response"]["patch"].get<std::string>()));
}

class WebhookTest : public WebhookFixture {};

TEST_F(WebhookTest, Mutates101ClusterAndSecondPassIsNoOp) {
  StartWebhook(PolicyYaml("example"));
  const json cluster =
      LoadVitessCluster(SharedData("data/vitess-operator/101_initial_cluster.yaml"));
  const json review =
      Review("/mutate/vitesscluster", MakeReview("VitessCluster", "CREATE", cluster));
  ASSERT_TRUE(review["response"]["allowed"].get<bool>());
  ASSERT_TRUE(review["response"].contains("patch"));
  const json mutated = ApplyResponsePatch(cluster, review);

  const json& pool = TabletPool(mutated);
  const json& tablet_flags = pool["vttablet"]["extraFlags"];
  EXPECT_EQ(tablet_flags.value("grpc-cert", ""), "/vt/vtguard/tls/tls.crt");
  EXPECT_EQ(tablet_flags.value("grpc-key", ""), "/vt/vtguard/tls/tls.key");
  EXPECT_EQ(tablet_flags.value("tablet-grpc-ca", ""), "/vt/vtguard/tls/ca.crt");
  EXPECT_EQ(tablet_flags.value("tablet-grpc-server-name", ""), "vttablet.vtguard.internal");
  ASSERT_EQ(pool["extraVolumes"].size(), 1u);
  EXPECT_EQ(pool["extraVolumes"][0]["name"], "vtguard-tls");
  EXPECT_EQ(pool["extraVolumes"][0]["secret"]["secretName"], "example-vtguard-vttablet");
  ASSERT_EQ(pool["extraVolumeMounts"].size(), 1u);
  EXPECT_EQ(pool["extraVolumeMounts"][0]["mountPath"], "/vt/vtguard/tls");
  EXPECT_TRUE(pool["extraVolumeMounts"][0]["readOnly"].get<bool>());

  const json& gateway_flags = mutated["spec"]["cells"][0]["gateway"]["extraFlags"];
  EXPECT_EQ(gateway_flags.value("tablet-grpc-ca", ""), "/vt/vtguard/tls/ca.crt");
  EXPECT_EQ(gateway_flags.value("tablet_refresh_interval", ""), "10s");  // Kept.
  const json& dashboard_flags = mutated["spec"]["vitessDashboard"]["extraFlags"];
  EXPECT_EQ(dashboard_flags.value("tablet-manager-grpc-ca", ""), "/vt/vtguard/tls/ca.crt");
  EXPECT_EQ(dashboard_flags.value("security_policy", ""), "read-only");  // Kept.
  EXPECT_TRUE(mutated["metadata"]["annotations"].contains("vtguard.io/injected"));

  const json again =
      Review("/mutate/vitesscluster", MakeReview("VitessCluster", "UPDATE", mutated, mutated));
  EXPECT_TRUE(again["response"]["allowed"].get<bool>());
  EXPECT_FALSE(again["response"].contains("patch"));
  EXPECT_FALSE(again["response"].contains("patchType"));

  const json valid =
      Review("/validate/vitesscluster", MakeReview("VitessCluster", "CREATE", mutated));
  EXPECT_TRUE(valid["response"]["allowed"].get<bool>()) << valid.dump();
}

TEST_F(WebhookTest, DeniesUnprotectedClusterListingEveryViolation) {
  StartWebhook(PolicyYaml("example"));
  const json cluster =
      LoadVitessCluster(SharedData("data/vitess-operator/101_initial_cluster.yaml"));
  const json review =
      Review("/validate/vitesscluster", MakeReview("VitessCluster", "CREATE", cluster));
  const json& response = review["response"];
  EXPECT_FALSE(response["allowed"].get<bool>());
  EXPECT_EQ(response["status"]["code"], 403);
  const std::string message = response["status"]["message"];
  for (const char* path :
       {"/spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools/0/vttablet/extraFlags",
        "/spec/cells/0/gateway/extraFlags", "/spec/vitessDashboard/extraFlags"}) {
    EXPECT_NE(message.find(path), std::string::npos) << path << " missing from: " << message;
  }
}

TEST_F(WebhookTest, EveryOperatorManifestMutatesIdempotently) {
  // Two manifests use the unversioned tag vitess/lite:mysql80, which needs spec.vitessVersion.
  StartWebhook(PolicyYaml("") + "  vitessVersion: v24.0.4\n");
  for (const char* file : {"101_initial_cluster.yaml", "101_initial_cluster_vtorc_vtadmin.yaml",
                           "201_customer_tablets.yaml"}) {
    SCOPED_TRACE(file);
    const json cluster = LoadVitessCluster(SharedData(std::string("data/vitess-operator/") + file));
    const json first =
        Review("/mutate/vitesscluster", MakeReview("VitessCluster", "CREATE", cluster));
    const json mutated = ApplyResponsePatch(cluster, first);
    EXPECT_NE(mutated, cluster);
    const json second =
        Review("/mutate/vitesscluster", MakeReview("VitessCluster", "UPDATE", mutated, mutated));
    EXPECT_FALSE(second["response"].contains("patch"));
    const json valid =
        Review("/validate/vitesscluster", MakeReview("VitessCluster", "CREATE", mutated));
    EXPECT_TRUE(valid["response"]["allowed"].get<bool>()) << valid.dump();
  }
}

TEST_F(WebhookTest, AnnotationKeysWithSlashAndTildeAreEscaped) {
  StartWebhook(PolicyYaml("ns1"));
  const json review = LoadJsonFile(SharedData("cases/01-annotation-slash.json"));
  const json pod = review["request"]["object"];
  const json response = Review("/mutate/pod", review);
  ASSERT_TRUE(response["response"]["allowed"].get<bool>());
  ASSERT_TRUE(response["response"].contains("patch"));
  for (const json& op : Patch(response)) {
    EXPECT_FALSE(op["path"] == "/metadata/annotations" && op["op"] != "test") << op.dump();
  }
  const json mutated = ApplyResponsePatch(pod, response);
  for (const auto& [key, value] : pod["metadata"]["annotations"].items()) {
    EXPECT_EQ(mutated["metadata"]["annotations"][key], value) << key;
  }
  for (const auto& [key, value] : mutated["metadata"]["annotations"].items()) {
    EXPECT_TRUE(value.is_string()) << "nested annotation " << key;
  }
}

TEST_F(WebhookTest, PodWithoutVolumesGetsArraysCreated) {
  StartWebhook(PolicyYaml("ns1"));
  const json review = LoadJsonFile(SharedData("cases/02-no-volumes.json"));
  const json pod = review["request"]["object"];
  const json response = Review("/mutate/pod", review);
  ASSERT_TRUE(response["response"].contains("patch"));
  for (const json& op : Patch(response)) {
    EXPECT_EQ(op["path"].get<std::string>().find("/-/"), std::string::npos) << op.dump();
  }
  const json mutated = ApplyResponsePatch(pod, response);
  ASSERT_TRUE(mutated["spec"]["volumes"].is_array());
  int tls_volumes = 0;
  for (const json& volume : mutated["spec"]["volumes"])
    tls_volumes += volume["name"] == "vtguard-tls";
  EXPECT_EQ(tls_volumes, 1);
  const json& vttablet = mutated["spec"]["containers"][1];
  ASSERT_EQ(vttablet["name"], "vttablet");
  ASSERT_EQ(vttablet["volumeMounts"].size(), 1u);
  EXPECT_EQ(vttablet["volumeMounts"][0]["mountPath"], "/vt/vtguard/tls");
  EXPECT_EQ(mutated["spec"]["containers"][0], pod["spec"]["containers"][0]);
}

TEST_F(WebhookTest, DoubleInjectionIsANoOp) {
  StartWebhook(PolicyYaml("ns1"));
  json review = LoadJsonFile(SharedData("cases/03-double-injection.json"));
  const json pod = review["request"]["object"];
  const json mutated = ApplyResponsePatch(pod, Review("/mutate/pod", review));

  review["request"]["object"] = mutated;
  const json second = Review("/mutate/pod", review);
  EXPECT_FALSE(second["response"].contains("patch"));

  json with_sidecar = mutated;
  const json sidecar = {{"name", "foreign-sidecar"},
                        {"image", "example.com/sidecar:1"},
                        {"volumeMounts", {{{"name", "scratch"}, {"mountPath", "/scratch"}}}}};
  with_sidecar["spec"]["containers"].insert(with_sidecar["spec"]["containers"].begin(), sidecar);
  review["request"]["object"] = with_sidecar;
  const json third = Review("/mutate/pod", review);
  const json after = ApplyResponsePatch(with_sidecar, third);
  EXPECT_EQ(after, with_sidecar);
  EXPECT_EQ(after["spec"]["containers"][0], sidecar);
  std::set<std::string> volume_names;
  for (const json& volume : after["spec"].value("volumes", json::array())) {
    EXPECT_TRUE(volume_names.insert(volume["name"].get<std::string>()).second);
  }
}

TEST_F(WebhookTest, PodUpdateNeverPatchesSpec) {
  StartWebhook(PolicyYaml("ns1"));
  const json review = LoadJsonFile(SharedData("cases/05-pod-update-no-spec-patch.json"));
  const json response = Review("/mutate/pod", review);
  EXPECT_TRUE(response["response"]["allowed"].get<bool>());
  if (response["response"].contains("patch")) {
    for (const json& op : Patch(response)) {
      EXPECT_NE(op["path"].get<std::string>().rfind("/spec", 0), 0u) << op.dump();
    }
  }
  const json validated = Review("/validate/pod", review);
  EXPECT_TRUE(validated["response"]["allowed"].get<bool>());
}

TEST_F(WebhookTest, FlagSpellingFollowsTheImageVersion) {
  StartWebhook(PolicyYaml("ns1"));
  const std::vector<json> clusters =
      LoadYamlDocuments(SharedData("cases/09-flag-spelling-by-version.yaml"));
  ASSERT_EQ(clusters.size(), 3u);

  // A: v25, no TLS flags: every added flag is dashed.
  const json a = ApplyResponsePatch(
      clusters[0],
      Review("/mutate/vitesscluster", MakeReview("VitessCluster", "CREATE", clusters[0])));
  const json& a_flags = TabletPool(a)["vttablet"]["extraFlags"];
  EXPECT_TRUE(a_flags.contains("grpc-cert"));
  for (const auto& [name, value] : a_flags.items()) {
    EXPECT_EQ(name.find('_'), std::string::npos) << name;
  }

  // B: v24 with dashed TLS flags, one with leading dashes: no second spelling.
  const json b = ApplyResponsePatch(
      clusters[1],
      Review("/mutate/vitesscluster", MakeReview("VitessCluster", "CREATE", clusters[1])));
  ExpectNoDuplicateFlags(TabletPool(b)["vttablet"]["extraFlags"]);
  // B's tablets serve the user's certificate, so no client gets vtguard's CA or server name,
  // and validation denies B for vtctld, which has no CA for those tablets.
  EXPECT_EQ(b.dump().find("/vt/vtguard/tls"), std::string::npos) << b.dump();
  EXPECT_EQ(TabletPool(b)["vttablet"]["extraFlags"].value("tablet-manager-grpc-ca", ""),
            "/vt/tls/ca.crt");
  const json b_validated =
      Review("/validate/vitesscluster", MakeReview("VitessCluster", "CREATE", b));
  EXPECT_FALSE(b_validated["response"]["allowed"].get<bool>());
  EXPECT_NE(b_validated["response"]["status"]["message"].get<std::string>().find(
                "vtctld lacks TLS flags tablet-grpc-ca"),
            std::string::npos)
      << b_validated.dump();

  // C: v21 does not know the dashed names: denied, naming them and the version.
  const json c =
      Review("/validate/vitesscluster", MakeReview("VitessCluster", "CREATE", clusters[2]));
  EXPECT_FALSE(c["response"]["allowed"].get<bool>());
  const std::string message = c["response"]["status"]["message"];
  EXPECT_NE(message.find("grpc-cert"), std::string::npos) << message;
  EXPECT_NE(message.find("21"), std::string::npos) << message;
}

TEST_F(WebhookTest, WarnModeAllowsWithShortWarnings) {
  StartWebhook(PolicyYaml("example", "Warn"));
  const json cluster =
      LoadVitessCluster(SharedData("data/vitess-operator/101_initial_cluster.yaml"));
  const json review =
      Review("/validate/vitesscluster", MakeReview("VitessCluster", "CREATE", cluster));
  EXPECT_TRUE(review["response"]["allowed"].get<bool>());
  ASSERT_TRUE(review["response"].contains("warnings"));
  EXPECT_GE(review["response"]["warnings"].size(), 3u);
  for (const json& warning : review["response"]["warnings"]) {
    EXPECT_LE(warning.get<std::string>().size(), 120u) << warning;
  }
}

TEST_F(WebhookTest, ClusterWithoutPolicyIsAllowedWithoutPatch) {
  StartWebhook(PolicyYaml("other-namespace"));
  const json cluster =
      LoadVitessCluster(SharedData("data/vitess-operator/101_initial_cluster.yaml"));
  for (const char* path : {"/mutate/vitesscluster", "/validate/vitesscluster"}) {
    const json review = Review(path, MakeReview("VitessCluster", "CREATE", cluster));
    EXPECT_TRUE(review["response"]["allowed"].get<bool>()) << path;
    EXPECT_FALSE(review["response"].contains("patch")) << path;
  }
}

TEST_F(WebhookTest, DryRunCountsNoPatchOrDenial) {
  StartWebhook(PolicyYaml("example"));
  const json cluster =
      LoadVitessCluster(SharedData("data/vitess-operator/101_initial_cluster.yaml"));
  const json dry = MakeReview("VitessCluster", "CREATE", cluster, nullptr, /*dry_run=*/true);
  const json mutated = Review("/mutate/vitesscluster", dry);
  EXPECT_TRUE(mutated["response"].contains("patch"));  // The response is the same...
  const json denied = Review("/validate/vitesscluster", dry);
  EXPECT_FALSE(denied["response"]["allowed"].get<bool>());
  std::string metrics = Metrics();  // ...but nothing that implies a write is counted.
  EXPECT_EQ(metrics.find("vtguard_webhook_patches_total{"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("vtguard_webhook_admission_denials_total{"), std::string::npos);
  EXPECT_NE(metrics.find("vtguard_webhook_admission_requests_total{kind=\"VitessCluster\","
                         "operation=\"CREATE\",result=\"patched\"} 1"),
            std::string::npos)
      << metrics;

  Review("/mutate/vitesscluster", MakeReview("VitessCluster", "CREATE", cluster));
  metrics = Metrics();
  EXPECT_NE(metrics.find("vtguard_webhook_patches_total{kind=\"VitessCluster\"} 1"),
            std::string::npos)
      << metrics;
}

TEST_F(WebhookTest, ReadinessWaitsForPolicies) {
  StartWebhook(nullptr);
  http::testing::TestClient client(https_->port(), ClientTls());
  auto healthz = client.Get("/healthz");
  ASSERT_TRUE(healthz.ok());
  EXPECT_EQ(healthz->result_int(), 200u);
  auto readyz = client.Get("/readyz");
  ASSERT_TRUE(readyz.ok());
  EXPECT_EQ(readyz->result_int(), 503u);
  EXPECT_NE(readyz->body().find("policies"), std::string::npos);
  EXPECT_NE(Metrics().find("vtguard_webhook_ready 0"), std::string::npos);

  policies_.Replace({});
  readyz = client.Get("/readyz");
  ASSERT_TRUE(readyz.ok());
  EXPECT_EQ(readyz->result_int(), 200u);
  EXPECT_NE(Metrics().find("vtguard_webhook_ready 1"), std::string::npos);
}

TEST_F(WebhookTest, MetricsUseTheContractNames) {
  StartWebhook(PolicyYaml("example"));
  const json cluster =
      LoadVitessCluster(SharedData("data/vitess-operator/101_initial_cluster.yaml"));
  Review("/mutate/vitesscluster", MakeReview("VitessCluster", "CREATE", cluster));
  Review("/validate/vitesscluster", MakeReview("VitessCluster", "CREATE", cluster));
  ASSERT_TRUE(Post("/mutate/vitesscluster", "{").ok());
  metrics_.CountCertificateReload(true);
  const std::string metrics = Metrics();
  for (const char* name : {"vtguard_webhook_admission_requests_total{",
                           "vtguard_webhook_admission_duration_seconds_bucket{",
                           "vtguard_webhook_admission_denials_total{kind=\"VitessCluster\"} 1",
                           "vtguard_webhook_patches_total{kind=\"VitessCluster\"} 1",
                           "vtguard_webhook_certificate_reloads_total{result=\"success\"} 1",
                           "vtguard_webhook_request_errors_total{reason=\"malformed_review\"} 1",
                           "vtguard_webhook_ready 1"}) {
    EXPECT_NE(metrics.find(name), std::string::npos) << name << "\n" << metrics;
  }
}

}  // namespace
}  // namespace vtguard::webhook::testing
