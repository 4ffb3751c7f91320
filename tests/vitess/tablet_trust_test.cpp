// Mixed trust: clients of tablets that serve the user's certificate must not get vtguard's CA
// or server name, and clients of tablets that serve vtguard's certificate must not keep the
// user's CA.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/vitess/admission.h"
#include "tests/vitess/secured_cluster.h"
#include "tests/vitess/test_util.h"

namespace vtguard::vitess {
namespace {

using testing::ApplyStrict;
using testing::kFlags;
using testing::kPool;
using testing::PathOf;
using testing::SecuredCluster;

const std::string kDashboardFlags = "/spec/vitessDashboard/extraFlags";

const nlohmann::json kUserTablet = {{"grpc-cert", "/vt/tls/tls.crt"},
                                    {"grpc-key", "/vt/tls/tls.key"},
                                    {"tablet-grpc-ca", "/vt/tls/ca.crt"},
                                    {"tablet-grpc-server-name", "vttablet.example.com"},
                                    {"tablet-manager-grpc-ca", "/vt/tls/ca.crt"},
                                    {"tablet-manager-grpc-server-name", "vttablet.example.com"}};
const nlohmann::json kUserClient = {{"tablet-grpc-ca", "/vt/dashboard-tls/ca.crt"},
                                    {"tablet-grpc-server-name", "vttablet.example.com"},
                                    {"tablet-manager-grpc-ca", "/vt/dashboard-tls/ca.crt"},
                                    {"tablet-manager-grpc-server-name", "vttablet.example.com"}};
const nlohmann::json kVtguardClient = {
    {"tablet-grpc-ca", "/vt/vtguard/tls/ca.crt"},
    {"tablet-grpc-server-name", "vttablet.vtguard.internal"},
    {"tablet-manager-grpc-ca", "/vt/vtguard/tls/ca.crt"},
    {"tablet-manager-grpc-server-name", "vttablet.vtguard.internal"}};

// One v24 keyspace with one tablet pool and the dashboard, with the given extraFlags.
nlohmann::json Cluster(const nlohmann::json& tablet_flags, const nlohmann::json& dashboard_flags) {
  const std::string image = "vitess/lite:v24.0.4";
  nlohmann::json pool = {{"cell", "z1"}, {"vttablet", {{"extraFlags", tablet_flags}}}};
  return {{"apiVersion", "planetscale.com/v2"},
          {"kind", "VitessCluster"},
          {"metadata", {{"name", "c1"}}},
          {"spec",
           {{"images", {{"vttablet", image}, {"vtctld", image}}},
            {"vitessDashboard", {{"extraFlags", dashboard_flags}}},
            {"keyspaces",
             {{{"name", "ks"},
               {"partitionings",
                {{{"equal", {{"parts", 1}, {"shardTemplate", {{"tabletPools", {pool}}}}}}}}}}}}}}};
}

std::string Describe(const std::vector<Violation>& violations) {
  std::string text;
  for (const Violation& violation : violations) text += FormatViolation(violation) + "\n";
  return text;
}

struct TrustCase {
  std::string name;
  nlohmann::json cluster;
  // Each expected violation as {path, part of the message}; empty for a clean cluster.
  std::vector<std::pair<std::string, std::string>> expected;
};

TEST(TabletTrust, ValidationTable) {
  nlohmann::json user_only_tablets = Cluster(kUserTablet, nlohmann::json::object());
  nlohmann::json vtguard_everywhere = SecuredCluster();
  nlohmann::json user_ca_on_vtguard_tablets = SecuredCluster();
  testing::At(user_ca_on_vtguard_tablets, kDashboardFlags + "/tablet-grpc-ca") = "/vt/tls/ca.crt";
  const TrustCase cases[] = {
      {"user TLS on tablets only",
       user_only_tablets,
       {{"/spec/vitessDashboard/extraFlags",
         "vtctld lacks TLS flags tablet-grpc-ca, tablet-grpc-server-name, tablet-manager-grpc-ca, "
         "tablet-manager-grpc-server-name for tablets that serve /vt/tls/tls.crt"}}},
      {"user TLS everywhere", Cluster(kUserTablet, kUserClient), {}},
      {"vtguard everywhere", vtguard_everywhere, {}},
      {"vtguard CA towards user tablets",
       Cluster(kUserTablet, kVtguardClient),
       {{kDashboardFlags + "/tablet-grpc-ca",
         "vtctld dials tablets that serve /vt/tls/tls.crt, but tablet-grpc-ca is vtguard's CA "
         "/vt/vtguard/tls/ca.crt"},
        {kDashboardFlags + "/tablet-grpc-server-name",
         "but tablet-grpc-server-name is vtguard's server name vttablet.vtguard.internal"},
        {kDashboardFlags + "/tablet-manager-grpc-ca", "but tablet-manager-grpc-ca is vtguard's CA"},
        {kDashboardFlags + "/tablet-manager-grpc-server-name",
         "but tablet-manager-grpc-server-name is vtguard's server name"}}},
      {"user CA towards vtguard tablets",
       user_ca_on_vtguard_tablets,
       {{kDashboardFlags + "/tablet-grpc-ca",
         "vtctld dials tablets that serve vtguard's certificate, but tablet-grpc-ca is "
         "/vt/tls/ca.crt"}}},
  };
  for (const TrustCase& c : cases) {
    std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), c.cluster);
    ASSERT_EQ(violations.size(), c.expected.size()) << c.name << ":\n" << Describe(violations);
    for (std::size_t i = 0; i < c.expected.size(); ++i) {
      EXPECT_EQ(violations[i].path, c.expected[i].first) << c.name;
      EXPECT_THAT(violations[i].message, ::testing::HasSubstr(c.expected[i].second)) << c.name;
      EXPECT_EQ(violations[i].severity, Severity::kError) << c.name;
      EXPECT_FALSE(violations[i].fix.empty()) << c.name;
    }
  }
}

TEST(TabletTrust, FixNamesTabletsCaAndServerName) {
  std::vector<Violation> violations =
      ValidateVitessCluster(DefaultPolicy(), Cluster(kUserTablet, nlohmann::json::object()));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].fix,
            "set them on vtctld to your CA and server name (the tablets' own clients use "
            "/vt/tls/ca.crt and vttablet.example.com), or remove grpc-cert and grpc-key from "
            "vttablet to let vtguard manage TLS");
}

// The fix addressed to vtctld names vttablet's certificate flags as the user wrote them on
// vttablet, not in vtctld's spelling.
TEST(TabletTrust, FixSpellsTabletFlagsAsWrittenOnTablet) {
  nlohmann::json tablet_flags = {{"grpc_cert", "/vt/tls/tls.crt"},
                                 {"grpc_key", "/vt/tls/tls.key"},
                                 {"tablet_grpc_ca", "/vt/tls/ca.crt"},
                                 {"tablet_grpc_server_name", "vttablet.example.com"},
                                 {"tablet_manager_grpc_ca", "/vt/tls/ca.crt"},
                                 {"tablet_manager_grpc_server_name", "vttablet.example.com"}};
  std::vector<Violation> violations =
      ValidateVitessCluster(DefaultPolicy(), Cluster(tablet_flags, nlohmann::json::object()));
  ASSERT_EQ(violations.size(), 1u) << Describe(violations);
  EXPECT_THAT(violations[0].fix, ::testing::HasSubstr("set them on vtctld to your CA"));
  EXPECT_THAT(violations[0].fix,
              ::testing::HasSubstr("or remove grpc_cert and grpc_key from vttablet"));
}

TEST(TabletTrust, PoolsServingDifferentCertificates) {
  nlohmann::json cluster = Cluster(kUserTablet, kUserClient);
  nlohmann::json& pools =
      testing::At(cluster, "/spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools");
  nlohmann::json vtguard_pool = pools[0];
  vtguard_pool["vttablet"]["extraFlags"]["grpc-cert"] = "/vt/vtguard/tls/tls.crt";
  vtguard_pool["vttablet"]["extraFlags"]["grpc-key"] = "/vt/vtguard/tls/tls.key";
  nlohmann::json plain_pool = pools[0];
  plain_pool["vttablet"]["extraFlags"].erase("grpc-cert");
  plain_pool["vttablet"]["extraFlags"].erase("grpc-key");
  pools.push_back(vtguard_pool);
  pools.push_back(plain_pool);

  std::vector<Violation> violations = ValidateVitessCluster(DefaultPolicy(), cluster);
  std::string pools_path = "/spec/keyspaces/0/partitionings/0/equal/shardTemplate/tabletPools/";
  std::vector<std::pair<std::string, std::string>> found;
  for (const Violation& violation : violations)
    found.push_back({violation.path, violation.message});
  EXPECT_THAT(found, ::testing::Contains(::testing::Pair(
                         pools_path + "1/vttablet/extraFlags/grpc-cert",
                         ::testing::HasSubstr("this pool serves vtguard's certificate while "
                                              "other tablet pools serve /vt/tls/tls.crt"))))
      << Describe(violations);
  EXPECT_THAT(found, ::testing::Contains(::testing::Pair(
                         pools_path + "2/vttablet/extraFlags",
                         ::testing::HasSubstr("this pool serves no TLS certificate"))))
      << Describe(violations);

  // Mutation adds no vtguard certificate to the pool without one.
  MutationResult mutation = MutateVitessCluster(DefaultPolicy(), cluster, nullptr);
  for (const nlohmann::json& op : mutation.patch.ToJson()) {
    EXPECT_EQ(PathOf(op).find(pools_path + "2"), std::string::npos) << op.dump();
  }
}

TEST(TabletTrust, UserCaWithCaSecretIssuerIsAWarning) {
  TlsPolicy policy = DefaultPolicy();
  policy.ca_secret_name = "corporate-ca";
  nlohmann::json cluster = SecuredCluster();
  testing::At(cluster, kDashboardFlags + "/tablet-grpc-ca") = "/vt/tls/ca.crt";
  std::vector<Violation> violations = ValidateVitessCluster(policy, cluster);
  ASSERT_EQ(violations.size(), 1u) << Describe(violations);
  EXPECT_EQ(violations[0].severity, Severity::kWarning);
  EXPECT_THAT(violations[0].message, ::testing::HasSubstr("the CA of Secret corporate-ca"));
}

TEST(TabletTrust, MutationCompletesTabletFromOwnPod) {
  nlohmann::json tablet = kUserTablet;
  tablet.erase("tablet-manager-grpc-ca");
  tablet.erase("tablet-manager-grpc-server-name");
  nlohmann::json cluster = Cluster(tablet, nlohmann::json::object());
  MutationResult mutation = MutateVitessCluster(DefaultPolicy(), cluster, nullptr);
  ASSERT_TRUE(mutation.status.ok()) << mutation.status.ToString();
  nlohmann::json patched = ApplyStrict(cluster, mutation.patch.ToJson());

  nlohmann::json expected_tablet = kUserTablet;
  EXPECT_EQ(testing::At(patched, kFlags), expected_tablet);
  EXPECT_EQ(testing::At(patched, kDashboardFlags), nlohmann::json::object());
  // No vtguard Secret, mount or revision where nothing reads vtguard's files.
  for (const std::string& site : {kPool, std::string("/spec/vitessDashboard")}) {
    EXPECT_FALSE(patched.contains(nlohmann::json::json_pointer(site + "/extraVolumes"))) << site;
    EXPECT_FALSE(patched.contains(nlohmann::json::json_pointer(site + "/extraVolumeMounts")))
        << site;
    EXPECT_FALSE(patched.contains(nlohmann::json::json_pointer(site + "/extraEnv"))) << site;
  }
  EXPECT_TRUE(ComponentsWithRevision(patched).empty());
  // A second pass changes nothing.
  EXPECT_FALSE(MutateVitessCluster(DefaultPolicy(), patched, nullptr).changed());
}

TEST(TabletTrust, MutationCopiesOnlyCompleteFamilies) {
  // The tablet's own client family has a CA but no server name: copying the CA alone would
  // add a flag that validation rejects, so nothing is copied.
  nlohmann::json tablet = kUserTablet;
  tablet.erase("tablet-grpc-server-name");
  tablet.erase("tablet-manager-grpc-ca");
  tablet.erase("tablet-manager-grpc-server-name");
  nlohmann::json cluster = Cluster(tablet, nlohmann::json::object());
  MutationResult mutation = MutateVitessCluster(DefaultPolicy(), cluster, nullptr);
  ASSERT_TRUE(mutation.status.ok()) << mutation.status.ToString();
  nlohmann::json patched = ApplyStrict(cluster, mutation.patch.ToJson());
  EXPECT_EQ(testing::At(patched, kFlags), tablet);
}

TEST(TabletTrust, MutationKeepsUserCaFamilyIncomplete) {
  // Tablets get vtguard's certificate, so a client family already on the user's CA gets no
  // vtguard server name beside it; validation names the mix instead.
  nlohmann::json cluster =
      Cluster(nlohmann::json::object(), {{"tablet-grpc-ca", "/vt/tls/ca.crt"}});
  nlohmann::json patched =
      ApplyStrict(cluster, MutateVitessCluster(DefaultPolicy(), cluster, nullptr).patch.ToJson());
  nlohmann::json expected_dashboard = {
      {"tablet-grpc-ca", "/vt/tls/ca.crt"},
      {"tablet-manager-grpc-ca", "/vt/vtguard/tls/ca.crt"},
      {"tablet-manager-grpc-server-name", "vttablet.vtguard.internal"}};
  EXPECT_EQ(testing::At(patched, kDashboardFlags), expected_dashboard);
  std::vector<Component> expected_components = {Component::kVttablet, Component::kVtctld};
  EXPECT_EQ(ComponentsWithRevision(patched), expected_components);
}

TEST(TabletTrust, WebhookValidationDeniesMix) {
  TlsPolicy policy = DefaultPolicy();
  nlohmann::json cluster = Cluster(kUserTablet, kVtguardClient);
  AdmissionDecision decision =
      Decide(&policy, {ObjectKind::kVitessCluster, "CREATE", AdmissionStage::kValidate, false},
             cluster, nullptr);
  EXPECT_FALSE(decision.allowed);
  EXPECT_THAT(decision.message,
              ::testing::HasSubstr("vtctld dials tablets that serve /vt/tls/tls.crt"));

  AdmissionDecision mutate =
      Decide(&policy, {ObjectKind::kVitessCluster, "CREATE", AdmissionStage::kMutate, false},
             Cluster(kUserTablet, nlohmann::json::object()), nullptr);
  for (const nlohmann::json& op : mutate.patch.ToJson()) {
    EXPECT_EQ(op.dump().find("/vt/vtguard/tls"), std::string::npos) << op.dump();
  }
}

}  // namespace
}  // namespace vtguard::vitess
