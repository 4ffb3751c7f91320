#include "tests/e2e/flow.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/cert_fixtures.h"

namespace vtguard::e2e {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::SizeIs;

constexpr char kSecret[] = "example-vtguard-vttablet";

json& FirstPool(json& cluster) {
  return cluster["spec"]["keyspaces"][0]["partitionings"][0]["equal"]["shardTemplate"]
                ["tabletPools"][0];
}

std::string TabletCert(const PodFleet& fleet) {
  auto tablet = fleet.Find("vttablet", {{"planetscale.com/keyspace", "commerce"}});
  EXPECT_TRUE(tablet.ok());
  auto path = tablet->FlagFile("grpc-cert");
  EXPECT_TRUE(path.ok());
  return testing::ReadFile(path->value());
}

TEST(PodFleet, RestartsOnlyWhenSpecChanges) {
  json cluster = testing::InjectedExampleCluster(kSecret);
  PodFleet fleet(testing::MakeTempDir("fleet"));
  ASSERT_TRUE(fleet.Roll({cluster}, {testing::TlsSecret(kSecret, "v1", "k", "ca")}).ok());
  EXPECT_THAT(fleet.restarted(), SizeIs(6));
  EXPECT_EQ(TabletCert(fleet), "v1");

  // A Secret change alone restarts nothing: processes keep the files they read at start.
  ASSERT_TRUE(fleet.Roll({cluster}, {testing::TlsSecret(kSecret, "v2", "k", "ca")}).ok());
  EXPECT_THAT(fleet.restarted(), SizeIs(0));
  EXPECT_EQ(TabletCert(fleet), "v1");

  // A new revision in the pool's extraEnv restarts that pool's tablets with the new files.
  FirstPool(cluster)["extraEnv"][0]["value"] = "2";
  ASSERT_TRUE(fleet.Roll({cluster}, {testing::TlsSecret(kSecret, "v2", "k", "ca")}).ok());
  EXPECT_THAT(fleet.restarted(), SizeIs(3));
  EXPECT_EQ(TabletCert(fleet), "v2");
  EXPECT_THAT(fleet.Views(), SizeIs(6));
}

TEST(FindInjectedFlags, ReportsOnlyNewFlags) {
  json original = testing::InjectedExampleCluster(kSecret);
  json mutated = original;
  FirstPool(mutated)["vttablet"]["extraFlags"]["grpc-ca"] = "/vt/vtguard/tls/ca.crt";
  mutated["spec"]["cells"][0]["gateway"]["extraFlags"]["tablet-grpc-ca"] = "/other";
  std::vector<InjectedFlags> sites = FindInjectedFlags(original, mutated);

  std::vector<std::string> components;
  for (const InjectedFlags& site : sites) components.push_back(site.component);
  EXPECT_THAT(components, ElementsAre("vtgate", "vtctld", "vtorc", "vttablet"));
  EXPECT_THAT(sites[0].flags, ElementsAre(std::make_pair("tablet-grpc-ca", "/other")));
  EXPECT_TRUE(sites[1].flags.empty());
  EXPECT_THAT(sites[3].flags, ElementsAre(std::make_pair("grpc-ca", "/vt/vtguard/tls/ca.crt")));
}

TEST(LoadDocumentedFlags, ReadsVersion24Vttablet) {
  auto flags = LoadDocumentedFlags(VTGUARD_SHARED_DATA_DIR, 24, "vttablet");
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  EXPECT_TRUE(flags->count("grpc-cert"));
  EXPECT_TRUE(flags->count("tablet-manager-grpc-server-name"));
  EXPECT_FALSE(flags->count("vreplication_ssl_ca"));
}

TEST(FlowPolicy, CarriesEnforcementAndVersion) {
  json policy = FlowPolicy("Warn");
  EXPECT_EQ(policy["spec"]["enforcement"], "Warn");
  EXPECT_EQ(policy["spec"]["vitessVersion"], "24");
}

}  // namespace
}  // namespace vtguard::e2e
